package paragontest

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// searchLocked answers POST /data/search/ (Close's Advanced Filtering) for
// leads and contacts. It understands the query nodes and, or, object_type,
// id, text, field_condition (conditions text, term, boolean, exists,
// number_range) and has_related between leads and contacts, each with
// negate; sort by regular fields; _fields; _limit with cursor paging;
// results_limit and include_counts. Text matching is a case-insensitive
// substring match.
func (c *CloseCRM) searchLocked(in map[string]any) closeReply {
	q, ok := in["query"].(map[string]any)
	if !ok {
		return closeFieldErrors(map[string]any{"query": errRequired})
	}
	kind := findObjectType(q)
	if kind != "lead" && kind != "contact" {
		return closeBadRequest("The query must include an object_type node for lead or contact.")
	}
	limit := 100
	if v, has := in["_limit"]; has {
		n, isInt := toInt(v)
		if !isInt || n < 0 || n > closeMaxLimit {
			return closeFieldErrors(map[string]any{"_limit": fmt.Sprintf("Ensure this value is between 0 and %d.", closeMaxLimit)})
		}
		limit = int(n)
	}
	skip := 0
	if cur, _ := in["cursor"].(string); cur != "" {
		b, err := base64.RawURLEncoding.DecodeString(cur)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "skip:"))
		if err != nil || err2 != nil || n < 0 || !strings.HasPrefix(string(b), "skip:") {
			return closeBadRequest("Invalid cursor.")
		}
		skip = n
	}

	var pool []map[string]any
	if kind == "lead" {
		for _, l := range c.leads.all() {
			pool = append(pool, c.renderLeadLocked(l))
		}
	} else {
		pool = c.contacts.all()
	}
	var matches []map[string]any
	for _, o := range pool {
		ok, err := c.matchLocked(q, kind, o)
		if err != nil {
			return closeBadRequest(err.Error())
		}
		if ok {
			matches = append(matches, o)
		}
	}
	if sorts, _ := in["sort"].([]any); len(sorts) > 0 {
		sortObjects(matches, sorts)
	}
	total := len(matches)
	if v, has := in["results_limit"]; has && v != nil {
		if n, isInt := toInt(v); isInt && n >= 0 && int(n) < len(matches) {
			matches = matches[:n]
		}
	}
	fields := []string{"id"}
	if f, ok := in["_fields"].(map[string]any); ok {
		if list, ok := f[kind].([]any); ok {
			fields = fields[:0]
			for _, x := range list {
				fields = append(fields, str(x))
			}
		}
	}
	end := min(skip+limit, len(matches))
	data := []any{}
	for i := min(skip, end); i < end; i++ {
		o := map[string]any{"__object_type": kind}
		for _, f := range fields {
			if v, ok := matches[i][f]; ok {
				o[f] = deepCopy(v)
			}
		}
		data = append(data, o)
	}
	out := map[string]any{"data": data, "cursor": nil}
	if end < len(matches) {
		out["cursor"] = base64.RawURLEncoding.EncodeToString([]byte("skip:" + strconv.Itoa(end)))
	}
	if b, _ := in["include_counts"].(bool); b {
		out["count"] = map[string]any{"total": total, "limited": len(matches)}
	}
	return reply(http.StatusOK, out)
}

// findObjectType returns the object_type of the query's top level (the node
// itself or a child of a top-level "and").
func findObjectType(q map[string]any) string {
	if q["type"] == "object_type" {
		return str(q["object_type"])
	}
	if q["type"] == "and" {
		for _, sub := range asList(q["queries"]) {
			if m, ok := sub.(map[string]any); ok && m["type"] == "object_type" {
				return str(m["object_type"])
			}
		}
	}
	return ""
}

// matchLocked evaluates query node q against object o of kind.
func (c *CloseCRM) matchLocked(q map[string]any, kind string, o map[string]any) (bool, error) {
	ok, err := c.matchNodeLocked(q, kind, o)
	if err != nil {
		return false, err
	}
	if neg, _ := q["negate"].(bool); neg {
		ok = !ok
	}
	return ok, nil
}

func (c *CloseCRM) matchNodeLocked(q map[string]any, kind string, o map[string]any) (bool, error) {
	switch t := str(q["type"]); t {
	case "and", "or":
		for _, sub := range asList(q["queries"]) {
			m, isObj := sub.(map[string]any)
			if !isObj {
				return false, badQueryf("Query %q holds a non-object.", t)
			}
			ok, err := c.matchLocked(m, kind, o)
			if err != nil {
				return false, err
			}
			if t == "and" && !ok {
				return false, nil
			}
			if t == "or" && ok {
				return true, nil
			}
		}
		return t == "and", nil
	case "object_type":
		return str(q["object_type"]) == kind, nil
	case "id":
		return str(o["id"]) == str(q["value"]), nil
	case "text":
		return containsText(o, str(q["value"])), nil
	case "field_condition":
		field, _ := q["field"].(map[string]any)
		cond, _ := q["condition"].(map[string]any)
		if field == nil || cond == nil {
			return false, badQueryf("field_condition needs field and condition.")
		}
		var v any
		switch str(field["type"]) {
		case "regular_field":
			if ot := str(field["object_type"]); ot != "" && ot != kind {
				return false, badQueryf("Field of object type %q used in a %s query.", ot, kind)
			}
			v = o[str(field["field_name"])]
		case "custom_field":
			v = o["custom."+str(field["custom_field_id"])]
		default:
			return false, badQueryf("Unsupported field type %q.", str(field["type"]))
		}
		return matchCondition(cond, v)
	case "has_related":
		rel, _ := q["related_query"].(map[string]any)
		relKind := str(q["related_object_type"])
		if rel == nil {
			return false, badQueryf("has_related needs related_query.")
		}
		var related []map[string]any
		switch {
		case kind == "contact" && relKind == "lead":
			if l := c.leads.byID[str(o["lead_id"])]; l != nil {
				related = append(related, c.renderLeadLocked(l))
			}
		case kind == "lead" && relKind == "contact":
			related = c.contacts.ofLead(str(o["id"]))
		default:
			return false, badQueryf("has_related from %s to %q is not supported by the fake.", kind, relKind)
		}
		for _, r := range related {
			ok, err := c.matchLocked(rel, relKind, r)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	default:
		return false, badQueryf("Unsupported query type %q.", t)
	}
}

// matchCondition evaluates a field_condition's condition against v.
func matchCondition(cond map[string]any, v any) (bool, error) {
	switch t := str(cond["type"]); t {
	case "text":
		return strings.Contains(strings.ToLower(flatText(v)), strings.ToLower(str(cond["value"]))), nil
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
	case "number_range":
		n, ok := toFloat(v)
		if !ok {
			return false, nil
		}
		for op, bound := range map[string]func(a, b float64) bool{
			"gt": func(a, b float64) bool { return a > b }, "gte": func(a, b float64) bool { return a >= b },
			"lt": func(a, b float64) bool { return a < b }, "lte": func(a, b float64) bool { return a <= b },
		} {
			if lim, has := cond[op]; has && lim != nil {
				l, ok := toFloat(lim)
				if !ok || !bound(n, l) {
					return false, nil
				}
			}
		}
		return true, nil
	default:
		return false, badQueryf("Unsupported condition type %q.", t)
	}
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case nil:
		return 0, false
	case float64:
		return x, true
	}
	f, err := strconv.ParseFloat(str(v), 64)
	return f, err == nil
}

// containsText reports whether any string in o (at any depth) contains text,
// ignoring case.
func containsText(o map[string]any, text string) bool {
	return strings.Contains(strings.ToLower(flatText(o)), strings.ToLower(text))
}

// flatText joins every string and number in v with newlines.
func flatText(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case nil:
		default:
			b.WriteString(str(x))
			b.WriteByte('\n')
		}
	}
	walk(v)
	return b.String()
}

// sortObjects sorts by the sort clauses of a search body (regular fields).
func sortObjects(objs []map[string]any, sorts []any) {
	slices.SortStableFunc(objs, func(a, b map[string]any) int {
		for _, s := range sorts {
			m, _ := s.(map[string]any)
			field, _ := m["field"].(map[string]any)
			name := str(field["field_name"])
			if str(field["type"]) == "custom_field" {
				name = "custom." + str(field["custom_field_id"])
			}
			var r int
			fa, okA := toFloat(a[name])
			fb, okB := toFloat(b[name])
			if okA && okB {
				r = cmp.Compare(fa, fb)
			} else {
				r = strings.Compare(str(a[name]), str(b[name]))
			}
			if str(m["direction"]) == "desc" {
				r = -r
			}
			if r != 0 {
				return r
			}
		}
		return 0
	})
}

// badQuery is a search error whose text is sent to the client.
type badQuery string

func (e badQuery) Error() string { return string(e) }

func badQueryf(format string, a ...any) error { return badQuery(fmt.Sprintf(format, a...)) }
