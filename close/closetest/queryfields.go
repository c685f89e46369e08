package closetest

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
)

type fieldKind int

const (
	fText   fieldKind = iota // word or phrase match
	fExact                   // case-insensitive equality
	fDate                    // date or timestamp
	fNumber                  // number or count
)

// qfield reads a field's values from an object.
type qfield struct {
	kind fieldKind
	get  func(o map[string]any) []any
}

func key(k string) func(map[string]any) []any {
	return func(o map[string]any) []any {
		if v := o[k]; v != nil {
			return []any{v}
		}
		return nil
	}
}

// relatedNames maps the names of related objects in queries (has:calls,
// call(...)) to their kind and, for activities, their _type.
var relatedNames = map[string][2]string{
	"contact": {"contact", ""}, "contacts": {"contact", ""},
	"opportunity": {"opportunity", ""}, "opportunities": {"opportunity", ""},
	"task": {"task", ""}, "tasks": {"task", ""},
	"activity": {"activity", ""}, "activities": {"activity", ""},
	"call": {"activity", "Call"}, "calls": {"activity", "Call"},
	"email": {"activity", "Email"}, "emails": {"activity", "Email"},
	"note": {"activity", "Note"}, "notes": {"activity", "Note"},
	"sms": {"activity", "SMS"}, "sms_messages": {"activity", "SMS"},
	"meeting": {"activity", "Meeting"}, "meetings": {"activity", "Meeting"},
	"email_address": {"value", "emails"}, "email_addresses": {"value", "emails"},
	"phone_number": {"value", "phones"}, "phone_numbers": {"value", "phones"},
	"address": {"value", "addresses"}, "addresses": {"value", "addresses"},
}

// relatedKind names the kind of objects name(...) or has:name reaches.
func relatedKind(kind, name string) (string, error) {
	if r, found := relatedNames[name]; found {
		return r[0], nil
	}
	return "", fmt.Errorf("unknown related object %q in a %s query", name, kind)
}

// relatedByNameLocked returns the objects related to o by name.
func (c *Fake) relatedByNameLocked(kind, name string, o map[string]any) ([]map[string]any, error) {
	rk, err := relatedKind(kind, name)
	if err != nil {
		return nil, err
	}
	lead := str(o["id"])
	if kind != "lead" {
		lead = str(o["lead_id"])
	}
	sub := relatedNames[name][1]
	var out []map[string]any
	switch rk {
	case "contact":
		out = c.contacts.ofLead(lead)
	case "opportunity":
		for _, op := range c.opps.ofLead(lead) {
			out = append(out, c.renderOppLocked(op))
		}
	case "task":
		for _, t := range c.tasks.ofLead(lead) {
			out = append(out, c.renderTaskLocked(t))
		}
	case "activity":
		for _, a := range c.acts.ofLead(lead) {
			if sub == "" || a["_type"] == sub {
				out = append(out, copyMap(a))
			}
		}
	default:
		if sub == "addresses" {
			if l := c.leads.get(lead); l != nil {
				for _, a := range asList(l["addresses"]) {
					out = append(out, a.(map[string]any))
				}
			}
			break
		}
		for _, ct := range c.contacts.ofLead(lead) {
			for _, e := range asList(ct[sub]) {
				out = append(out, e.(map[string]any))
			}
		}
	}
	return out, nil
}

// fieldOf resolves a query field name for objects of kind.
func (c *Fake) fieldOf(kind, name string, quoted bool) (qfield, error) {
	if quoted || strings.HasPrefix(name, "custom.") {
		id := strings.TrimPrefix(name, "custom.")
		for _, f := range c.fields.all() {
			if strings.EqualFold(str(f["name"]), id) {
				id = str(f["id"])
			}
		}
		return qfield{fExact, func(o map[string]any) []any { return asListNonNil(o["custom."+id]) }}, nil
	}
	count := func(list string) qfield {
		return qfield{fNumber, func(o map[string]any) []any {
			objs, _ := c.relatedByNameLocked(kind, list, o)
			return []any{int64(len(objs))}
		}}
	}
	common := map[string]qfield{
		"id": {fExact, key("id")}, "created": {fDate, key("date_created")}, "date_created": {fDate, key("date_created")},
		"updated": {fDate, key("date_updated")}, "date_updated": {fDate, key("date_updated")},
		"user": {fExact, key("user_id")}, "user_id": {fExact, key("user_id")}, "lead_id": {fExact, key("lead_id")},
	}
	var fields map[string]qfield
	switch kind {
	case "lead":
		contactsOf := func(k string) func(map[string]any) []any {
			return func(o map[string]any) []any {
				var out []any
				for _, ct := range asList(o["contacts"]) {
					m := ct.(map[string]any)
					if k == "email" || k == "phone" {
						for _, e := range asList(m[k+"s"]) {
							out = append(out, e.(map[string]any)[k])
						}
					} else if m[k] != nil {
						out = append(out, m[k])
					}
				}
				return out
			}
		}
		fields = map[string]qfield{
			"name": {fText, key("display_name")}, "lead_name": {fText, key("display_name")}, "company": {fText, key("display_name")},
			"display_name": {fText, key("display_name")}, "description": {fText, key("description")}, "url": {fText, key("url")},
			"status": {fExact, key("status_label")}, "lead_status": {fExact, key("status_label")}, "status_label": {fExact, key("status_label")},
			"status_id": {fExact, key("status_id")}, "lead_id": {fExact, key("id")}, "source": {fExact, key("source")},
			"email": {fExact, contactsOf("email")}, "email_address": {fExact, contactsOf("email")},
			"phone": {fExact, contactsOf("phone")}, "phone_number": {fExact, contactsOf("phone")},
			"contact": {fText, contactsOf("name")}, "contact_name": {fText, contactsOf("name")}, "title": {fText, contactsOf("title")},
			"contacts": count("contacts"), "opportunities": count("opportunities"), "tasks": count("tasks"),
			"calls": count("calls"), "emails": count("emails"), "notes": count("notes"), "sms_messages": count("sms"),
			"meetings": count("meetings"), "addresses": count("addresses"),
		}
	case "opportunity":
		fields = map[string]qfield{
			"note": {fText, key("note")}, "status": {fExact, key("status_label")}, "status_label": {fExact, key("status_label")},
			"status_type": {fExact, key("status_type")}, "status_id": {fExact, key("status_id")},
			"value": {fNumber, key("value")}, "confidence": {fNumber, key("confidence")}, "value_period": {fExact, key("value_period")},
			"lead": {fText, key("lead_name")}, "lead_name": {fText, key("lead_name")}, "date_won": {fDate, key("date_won")},
			"won": {fDate, key("date_won")}, "contact_id": {fExact, key("contact_id")}, "pipeline_id": {fExact, key("pipeline_id")},
		}
	case "contact":
		fields = map[string]qfield{
			"name": {fText, key("name")}, "title": {fText, key("title")},
			"email": {fExact, sub("emails", "email")}, "email_address": {fExact, sub("emails", "email")},
			"phone": {fExact, sub("phones", "phone")}, "phone_number": {fExact, sub("phones", "phone")},
		}
	case "activity":
		fields = map[string]qfield{
			"date":      {fDate, func(o map[string]any) []any { return asListNonNil(firstNonNil(o["activity_at"], o["date_created"])) }},
			"direction": {fExact, key("direction")}, "status": {fExact, key("status")}, "duration": {fNumber, key("duration")},
			"note": {fText, key("note")}, "subject": {fText, key("subject")}, "type": {fExact, key("_type")}, "contact_id": {fExact, key("contact_id")},
		}
	case "task":
		fields = map[string]qfield{
			"text": {fText, key("text")}, "date": {fDate, key("date")}, "is_complete": {fExact, key("is_complete")},
			"assigned_to": {fExact, key("assigned_to")},
		}
	default:
		fields = map[string]qfield{"email": {fExact, key("email")}, "phone": {fExact, key("phone")}, "city": {fText, key("city")}}
	}
	if f, found := fields[name]; found {
		return f, nil
	}
	if f, found := common[name]; found {
		return f, nil
	}
	return qfield{}, fmt.Errorf("unknown field %q in a %s query", name, kind)
}

func sub(list, k string) func(map[string]any) []any {
	return func(o map[string]any) []any {
		var out []any
		for _, e := range asList(o[list]) {
			out = append(out, e.(map[string]any)[k])
		}
		return out
	}
}

func asListNonNil(v any) []any {
	if v == nil {
		return nil
	}
	return asList(v)
}

func firstNonNil(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// clause builds field<op>value.
func (c *Fake) clause(cl *call, kind, name string, quoted bool, op, val string, valQuoted bool) (qexpr, error) {
	f, err := c.fieldOf(kind, name, quoted)
	if err != nil {
		return nil, err
	}
	if op == ":" && val == "*" && !valQuoted {
		return func(o map[string]any) (bool, error) { return len(f.get(o)) > 0 && str(f.get(o)[0]) != "", nil }, nil
	}
	var bound time.Time
	var prec time.Duration
	if f.kind == fDate {
		bound, prec, err = queryDate(cl, val)
		if err != nil {
			return nil, err
		}
	}
	if f.kind == fNumber {
		if _, isNum := toFloat(val); !isNum {
			return nil, fmt.Errorf("%s needs a number, not %q", name, val)
		}
	}
	if op == ":" {
		op = "="
	}
	return func(o map[string]any) (bool, error) {
		for _, v := range f.get(o) {
			var r int
			switch f.kind {
			case fText:
				if op == "=" {
					mode := "full_words"
					if valQuoted {
						mode = "phrase"
					}
					if textMatch(str(v), val, mode) {
						return true, nil
					}
					continue
				}
				r = compareValues(v, val)
			case fExact:
				if op == "=" {
					if strings.EqualFold(str(v), val) {
						return true, nil
					}
					continue
				}
				r = compareValues(v, val)
			case fDate:
				t, isTime := parseTime(str(v))
				if !isTime {
					continue
				}
				r = truncate(t.In(bound.Location()), prec).Compare(bound)
			case fNumber:
				r = compareValues(v, val)
			}
			if op == "=" && r == 0 || op == ">" && r > 0 || op == ">=" && r >= 0 || op == "<" && r < 0 || op == "<=" && r <= 0 {
				return true, nil
			}
		}
		return false, nil
	}, nil
}

// queryDate parses a date in a query, in the request's X-Tz-Offset unless
// it has an offset, and returns its precision (a day, a minute or a
// second): an object's date is cut to that precision before comparing, so
// date_updated>="2020-01-01T10:00" includes 10:00:30.
func queryDate(cl *call, val string) (time.Time, time.Duration, error) {
	tz := time.FixedZone("request", int(cl.tzOffset().Seconds()))
	for _, l := range []struct {
		layout string
		prec   time.Duration
	}{{dateLayout, 24 * time.Hour}, {"2006-01-02T15:04", time.Minute}, {"2006-01-02T15:04:05", time.Second}} {
		if t, err := time.ParseInLocation(l.layout, val, tz); err == nil {
			return t, l.prec, nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, val); err == nil {
		return t, 0, nil
	}
	return time.Time{}, 0, fmt.Errorf("%q is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)", val)
}

func truncate(t time.Time, prec time.Duration) time.Time {
	if prec == 24*time.Hour {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	}
	if prec > 0 {
		return t.Truncate(prec)
	}
	return t
}

// applyQuery filters objs by a parsed query and applies its sort and slice.
func applyQuery(pq *parsedQuery, objs []map[string]any) ([]map[string]any, error) {
	var out []map[string]any
	for _, o := range objs {
		hit, err := pq.match(o)
		if err != nil {
			return nil, err
		}
		if hit && (pq.slice[1] == 0 || sliceOf(str(o["id"]), pq.slice[1]) == pq.slice[0]) {
			out = append(out, o)
		}
	}
	for i := len(pq.sort) - 1; i >= 0; i-- {
		field := strings.TrimPrefix(pq.sort[i], "-")
		desc := strings.HasPrefix(pq.sort[i], "-")
		switch field {
		case "created":
			field = "date_created"
		case "updated":
			field = "date_updated"
		case "name":
			field = "display_name"
		}
		slices.SortStableFunc(out, func(a, b map[string]any) int {
			r := compareValues(a[field], b[field])
			if desc {
				r = -r
			}
			return r
		})
	}
	return out, nil
}

// sliceOf puts an object into one of n disjoint slices (1-based) by its ID.
func sliceOf(id string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32()%uint32(n)) + 1 //nolint:gosec // n is small and positive
}
