package closetest

import (
	"fmt"
	"time"
)

// matchCondition evaluates a field_condition's condition against v.
func matchCondition(cl *call, cond map[string]any, v any) (bool, error) {
	switch t := str(cond["type"]); t {
	case "text":
		return anyText(v, str(cond["value"]), textMode(cond)), nil
	case "term":
		for _, want := range asList(cond["values"]) {
			for _, have := range asList(v) {
				if str(have) == str(want) {
					return true, nil
				}
			}
		}
		return false, nil
	case "boolean":
		b, _ := v.(bool)
		want, _ := cond["value"].(bool)
		return b == want, nil
	case "exists":
		switch x := v.(type) {
		case nil:
			return false, nil
		case string:
			return x != "", nil
		case []any:
			return len(x) > 0, nil
		}
		return true, nil
	case "current_user":
		return str(v) == UserID, nil
	case "reference":
		for _, id := range asList(cond["object_ids"]) {
			for _, have := range asList(v) {
				if str(have) == str(id) {
					return true, nil
				}
			}
		}
		return false, nil
	case "number_range":
		n, isNum := toFloat(v)
		if !isNum {
			return false, nil
		}
		for _, op := range []string{"gt", "gte", "lt", "lte"} {
			lim, has := cond[op]
			if !has || lim == nil {
				continue
			}
			l, isNum := toFloat(lim)
			if !isNum {
				return false, fmt.Errorf("number_range %s is not a number", op)
			}
			if op == "gt" && !(n > l) || op == "gte" && !(n >= l) || op == "lt" && !(n < l) || op == "lte" && !(n <= l) {
				return false, nil
			}
		}
		return true, nil
	case "moment_range":
		return matchMomentRange(cl, cond, v)
	default:
		return false, fmt.Errorf("unsupported condition type %q", t)
	}
}

// matchMomentRange evaluates a moment_range condition: on_or_after
// (inclusive), after (exclusive) and before (exclusive) bounds.
func matchMomentRange(cl *call, cond map[string]any, v any) (bool, error) {
	t, isTime := parseTime(str(v))
	if v == nil || !isTime {
		return false, nil
	}
	for _, key := range []string{"on_or_after", "after", "before"} {
		m, has := cond[key]
		if !has || m == nil {
			continue
		}
		bound, err := resolveMoment(cl, m)
		if err != nil {
			return false, fmt.Errorf("moment_range %s: %w", key, err)
		}
		switch key {
		case "on_or_after":
			if t.Before(bound) {
				return false, nil
			}
		case "after":
			if !t.After(bound) {
				return false, nil
			}
		default:
			if !t.Before(bound) {
				return false, nil
			}
		}
	}
	return true, nil
}

// resolveMoment turns a moment (fixed_utc, fixed_local_date, offset or now)
// into a time; local dates use the request's X-Tz-Offset.
func resolveMoment(cl *call, m any) (time.Time, error) {
	mm, _ := m.(map[string]any)
	tz := time.FixedZone("request", int(cl.tzOffset().Seconds()))
	switch str(mm["type"]) {
	case "now":
		return time.Now(), nil
	case "fixed_utc":
		t, ok := parseTime(str(mm["value"]))
		if !ok {
			return time.Time{}, fmt.Errorf("fixed_utc value %q is not a timestamp", str(mm["value"]))
		}
		return t, nil
	case "fixed_local_date":
		d, err := time.ParseInLocation(dateLayout, str(mm["value"]), tz)
		if err != nil {
			return time.Time{}, fmt.Errorf("fixed_local_date value %q is not YYYY-MM-DD", str(mm["value"]))
		}
		if str(mm["which"]) == "end" {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	case "offset":
		base, err := resolveMoment(cl, mm["moment"])
		if err != nil {
			return time.Time{}, err
		}
		off, _ := mm["offset"].(map[string]any)
		sign := 1
		if str(mm["direction"]) == "past" {
			sign = -1
		}
		n := func(k string) int { i, _ := toInt(off[k]); return sign * int(i) }
		t := base.AddDate(n("years"), n("months"), 7*n("weeks")+n("days"))
		t = t.Add(time.Duration(n("hours"))*time.Hour + time.Duration(n("minutes"))*time.Minute + time.Duration(n("seconds"))*time.Second)
		if str(mm["which_day_end"]) == "start" {
			l := t.In(tz)
			t = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, tz)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("unsupported moment type %q", str(mm["type"]))
}
