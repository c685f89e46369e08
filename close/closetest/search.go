package closetest

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// searchLocked answers POST /data/search/ (Close's Advanced Filtering) for
// leads and contacts.
func (c *Fake) searchLocked(cl *call) reply {
	in := cl.body
	q, isObj := in["query"].(map[string]any)
	if !isObj {
		return fieldErrors(map[string]any{"query": errRequired})
	}
	kind := findObjectType(q)
	if kind != "lead" && kind != "contact" {
		return badRequest("The query must include an object_type node for lead or contact.")
	}
	limit := 100
	if v, has := in["_limit"]; has {
		n, isInt := toInt(v)
		if !isInt || n < 0 || n > maxLimit {
			return fieldErrors(map[string]any{"_limit": fmt.Sprintf("Ensure this value is between 0 and %d.", maxLimit)})
		}
		limit = int(n)
	}
	skip := 0
	if cur, _ := in["cursor"].(string); cur != "" {
		b, err := base64.RawURLEncoding.DecodeString(cur)
		rest, found := strings.CutPrefix(string(b), "skip:")
		n, err2 := strconv.Atoi(rest)
		if err != nil || err2 != nil || n < 0 || !found {
			return badRequest("Invalid cursor.")
		}
		skip = n
	}
	matches, err := c.queryObjectsLocked(cl, kind, q)
	if err != nil {
		return badRequest("%s", err.Error())
	}
	if sorts, _ := in["sort"].([]any); len(sorts) > 0 {
		if err := sortObjects(matches, sorts); err != nil {
			return badRequest("%s", err.Error())
		}
	}
	total := len(matches)
	if v, has := in["results_limit"]; has && v != nil {
		if n, isInt := toInt(v); isInt && n >= 0 && int(n) < len(matches) {
			matches = matches[:n]
		}
	}
	fields := []string{"id"}
	if f, isMap := in["_fields"].(map[string]any); isMap {
		if list, isList := f[kind].([]any); isList {
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
			if v, has := fieldValue(matches[i], f); has {
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
	return ok(out)
}

// queryObjectsLocked returns the rendered leads or contacts matching q,
// oldest first.
func (c *Fake) queryObjectsLocked(cl *call, kind string, q map[string]any) ([]map[string]any, error) {
	var matches []map[string]any
	for _, o := range c.poolLocked(kind) {
		hit, err := c.matchLocked(cl, q, kind, o)
		if err != nil {
			return nil, err
		}
		if hit {
			matches = append(matches, o)
		}
	}
	return matches, nil
}

// poolLocked renders every object of kind, oldest first.
func (c *Fake) poolLocked(kind string) []map[string]any {
	var st *store
	switch kind {
	case "lead":
		st = &c.leads
	case "contact":
		st = &c.contacts
	case "opportunity":
		st = &c.opps
	case "task":
		st = &c.tasks
	default:
		st = &c.acts
	}
	var out []map[string]any
	for _, o := range st.all() {
		out = append(out, c.renderLocked(kind, o))
	}
	return out
}

// fieldValue reads field f of o; "<list>_count" counts a list field.
func fieldValue(o map[string]any, f string) (any, bool) {
	if v, has := o[f]; has {
		return v, true
	}
	if base, found := strings.CutSuffix(f, "_count"); found {
		if list, isList := o[base].([]any); isList {
			return num(int64(len(list))), true
		}
	}
	return nil, false
}

// findObjectType returns the object_type of the query's top level (the node
// itself or a child of a top-level "and").
func findObjectType(q map[string]any) string {
	if q["type"] == "object_type" {
		return str(q["object_type"])
	}
	if q["type"] == "and" {
		for _, sub := range asList(q["queries"]) {
			if m, isObj := sub.(map[string]any); isObj && m["type"] == "object_type" {
				return str(m["object_type"])
			}
		}
	}
	return ""
}

// matchLocked evaluates query node q against object o of kind, honouring
// negate.
func (c *Fake) matchLocked(cl *call, q map[string]any, kind string, o map[string]any) (bool, error) {
	hit, err := c.matchNodeLocked(cl, q, kind, o)
	if err != nil {
		return false, err
	}
	if neg, _ := q["negate"].(bool); neg {
		hit = !hit
	}
	return hit, nil
}

func (c *Fake) matchNodeLocked(cl *call, q map[string]any, kind string, o map[string]any) (bool, error) {
	switch t := str(q["type"]); t {
	case "and", "or":
		for _, sub := range asList(q["queries"]) {
			m, isObj := sub.(map[string]any)
			if !isObj {
				return false, fmt.Errorf("query %q holds a non-object", t)
			}
			hit, err := c.matchLocked(cl, m, kind, o)
			if err != nil {
				return false, err
			}
			if t == "and" && !hit {
				return false, nil
			}
			if t == "or" && hit {
				return true, nil
			}
		}
		return t == "and", nil
	case "object_type":
		return str(q["object_type"]) == kind, nil
	case "id":
		return str(o["id"]) == str(q["value"]), nil
	case "text":
		return anyText(o, str(q["value"]), textMode(q)), nil
	case "field_condition":
		field, _ := q["field"].(map[string]any)
		cond, _ := q["condition"].(map[string]any)
		if field == nil || cond == nil {
			return false, fmt.Errorf("field_condition needs field and condition")
		}
		var v any
		switch str(field["type"]) {
		case "regular_field":
			if ot := str(field["object_type"]); ot != "" && ot != kind {
				return false, fmt.Errorf("field of object type %q used on a %s", ot, kind)
			}
			v, _ = fieldValue(o, str(field["field_name"]))
		case "custom_field":
			v = o["custom."+str(field["custom_field_id"])]
		default:
			return false, fmt.Errorf("unsupported field type %q", str(field["type"]))
		}
		return matchCondition(cl, cond, v)
	case "has_related":
		rel, _ := q["related_query"].(map[string]any)
		relKind := str(q["related_object_type"])
		if rel == nil {
			return false, fmt.Errorf("has_related needs related_query")
		}
		related, err := c.relatedLocked(kind, relKind, o)
		if err != nil {
			return false, err
		}
		for _, r := range related {
			hit, err := c.matchLocked(cl, rel, relKind, r)
			if err != nil || hit {
				return hit, err
			}
		}
		return false, nil
	case "saved_search":
		return false, fmt.Errorf("the fake Close has no smart views (saved_search)")
	default:
		return false, fmt.Errorf("unsupported query type %q", t)
	}
}

func textMode(m map[string]any) string {
	if str(m["mode"]) == "phrase" {
		return "phrase"
	}
	return "full_words"
}

// relatedLocked returns the objects of relKind related to o of kind.
func (c *Fake) relatedLocked(kind, relKind string, o map[string]any) ([]map[string]any, error) {
	id := str(o["id"])
	switch {
	case kind == "contact" && relKind == "lead":
		if l := c.leads.get(str(o["lead_id"])); l != nil {
			return []map[string]any{c.renderLeadLocked(l)}, nil
		}
		return nil, nil
	case kind == "lead" && relKind == "contact":
		return c.contacts.ofLead(id), nil
	case kind == "lead" && relKind == "opportunity":
		var out []map[string]any
		for _, op := range c.opps.ofLead(id) {
			out = append(out, c.renderOppLocked(op))
		}
		return out, nil
	case kind == "lead" && relKind == "task":
		var out []map[string]any
		for _, t := range c.tasks.ofLead(id) {
			out = append(out, c.renderTaskLocked(t))
		}
		return out, nil
	case (kind == "lead" || kind == "contact") && (relKind == "activity" || strings.HasPrefix(relKind, "activity.")):
		var out []map[string]any
		lead := id
		if kind == "contact" {
			lead = str(o["lead_id"])
		}
		for _, a := range c.acts.ofLead(lead) {
			if kind == "contact" && a["contact_id"] != id {
				continue
			}
			if relKind == "activity" || relKind == "activity."+activityPath(str(a["_type"])) {
				out = append(out, copyMap(a))
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("has_related from %s to %q is not supported by the fake", kind, relKind)
}

// sortObjects sorts by the sort clauses of a search body.
func sortObjects(objs []map[string]any, sorts []any) error {
	type key struct {
		name string
		desc bool
	}
	var keys []key
	for _, s := range sorts {
		m, _ := s.(map[string]any)
		field, _ := m["field"].(map[string]any)
		name := str(field["field_name"])
		if str(field["type"]) == "custom_field" {
			name = "custom." + str(field["custom_field_id"])
		}
		dir := str(m["direction"])
		if name == "" || (dir != "asc" && dir != "desc") {
			return fmt.Errorf("each sort needs a field and a direction of asc or desc")
		}
		keys = append(keys, key{name, dir == "desc"})
	}
	slices.SortStableFunc(objs, func(a, b map[string]any) int {
		for _, k := range keys {
			va, _ := fieldValue(a, k.name)
			vb, _ := fieldValue(b, k.name)
			r := compareValues(va, vb)
			if k.desc {
				r = -r
			}
			if r != 0 {
				return r
			}
		}
		return 0
	})
	return nil
}
