package closetest

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// page parses _skip and _limit.
func (c *Fake) page(q url.Values) (skip, limit int, bad *reply) {
	limit = 100
	if v := q.Get("_skip"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			r := badRequest("_skip must be a non-negative integer.")
			return 0, 0, &r
		}
		skip = n
	}
	if v := q.Get("_limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			r := badRequest("_limit must be a non-negative integer.")
			return 0, 0, &r
		}
		if n > maxLimit {
			r := badRequest("_limit must not be greater than %d.", maxLimit)
			return 0, 0, &r
		}
		limit = n
	}
	if skip > c.maxSkip {
		r := badRequest("The skip value is too large (max_skip = %d). Narrow the query with a date range.", c.maxSkip)
		return 0, 0, &r
	}
	return skip, limit, nil
}

// pageOf answers one page of rendered matches, trimmed by _fields.
func (c *Fake) pageOf(q url.Values, matches []map[string]any, total bool) reply {
	skip, limit, bad := c.page(q)
	if bad != nil {
		return *bad
	}
	end := min(skip+limit, len(matches))
	data := []any{}
	for i := min(skip, end); i < end; i++ {
		o := copyMap(matches[i])
		if f := q.Get("_fields"); f != "" {
			o = pick(o, f)
		}
		data = append(data, o)
	}
	out := map[string]any{"data": data, "has_more": end < len(matches)}
	if total {
		out["total_results"] = len(matches)
	}
	return ok(out)
}

// listLocked answers GET /contact/, /lead/ and /opportunity/.
func (c *Fake) listLocked(cl *call, kind string) reply {
	q := cl.q
	if _, _, bad := c.page(q); bad != nil {
		return *bad
	}
	var matches []map[string]any
	switch kind {
	case "contact":
		pool := c.contacts.all()
		if lead, has := q["lead_id"]; has {
			pool = c.contacts.ofLead(lead[0])
		}
		for _, o := range pool {
			matches = append(matches, copyMap(o))
		}
		return c.pageOf(q, matches, false)
	case "lead":
		matches = c.poolLocked("lead")
		if text := q.Get("query"); text != "" {
			pq, err := c.parseQuery(cl, "lead", text)
			if err != nil {
				return badRequest("Invalid query: %s.", err.Error())
			}
			if matches, err = applyQuery(pq, matches); err != nil {
				return badRequest("Invalid query: %s.", err.Error())
			}
		}
		return c.pageOf(q, matches, true)
	}
	return c.listOppsLocked(cl)
}

// oppFilters are the equality filters of GET /opportunity/ (each also as
// <name>__in).
var oppFilters = []string{"user_id", "status_id", "status_type", "status_label", "value_period", "lead_id", "contact_id", "organization_id", "is_stalled", "pipeline_id"}

var oppOrder = []string{"date_won", "date_updated", "date_created", "confidence", "user_name", "value", "annualized_value", "annualized_expected_value"}

// listOppsLocked answers GET /opportunity/ with Close's filters, order and
// aggregates.
func (c *Fake) listOppsLocked(cl *call) reply {
	q := cl.q
	if q.Has("_group_by") {
		return badRequest("_group_by is not supported by the fake Close.")
	}
	var matches []map[string]any
	for _, o := range c.opps.all() {
		r := c.renderOppLocked(o)
		if v, has := q["status"]; has && !strings.EqualFold(str(r["status_label"]), v[0]) {
			continue
		}
		if v, has := q["status__in"]; has && !containsFold(strings.Split(v[0], ","), str(r["status_label"])) {
			continue
		}
		if filterMatch(r, q, oppFilters...) && rangeMatch(r, q, "date_created", "date_updated", "date_won") {
			matches = append(matches, r)
		}
	}
	if text := q.Get("query"); text != "" {
		pq, err := c.parseQuery(cl, "opportunity", text)
		if err == nil {
			matches, err = applyQuery(pq, matches)
		}
		if err != nil {
			return badRequest("Invalid query: %s.", err.Error())
		}
	}
	if by := q.Get("_order_by"); by != "" {
		desc := strings.HasPrefix(by, "-")
		field := strings.TrimPrefix(by, "-")
		if !slices.Contains(oppOrder, field) {
			return badRequest("_order_by must be one of %s, optionally with a leading -.", strings.Join(oppOrder, ", "))
		}
		slices.SortStableFunc(matches, func(a, b map[string]any) int {
			r := compareValues(a[field], b[field])
			if desc {
				r = -r
			}
			return r
		})
	}
	rep := c.pageOf(q, matches, true)
	if out, isMap := rep.body.(map[string]any); isMap && rep.status == 200 {
		addAggregates(out, matches)
	}
	return rep
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}

// filterMatch applies the equality filters named in keys (and their
// <key>__in comma-list forms) that q carries.
func filterMatch(o map[string]any, q url.Values, keys ...string) bool {
	for _, k := range keys {
		if v, has := q[k]; has && str(o[k]) != v[0] {
			return false
		}
		if v, has := q[k+"__in"]; has && !slices.Contains(strings.Split(v[0], ","), str(o[k])) {
			return false
		}
	}
	return true
}

// rangeMatch applies the exact and __gt, __gte, __lt and __lte filters that
// q carries for the given date or time fields. An object without the field
// never matches a range.
func rangeMatch(o map[string]any, q url.Values, fields ...string) bool {
	for _, f := range fields {
		for _, op := range []string{"", "__gt", "__gte", "__lt", "__lte"} {
			bound, has := q[f+op]
			if !has {
				continue
			}
			if o[f] == nil {
				return false
			}
			c := compareValues(o[f], bound[0])
			if op == "" && c != 0 || op == "__gt" && c <= 0 || op == "__gte" && c < 0 || op == "__lt" && c >= 0 || op == "__lte" && c > 0 {
				return false
			}
		}
	}
	return true
}

// project trims a 2xx object answer to the fields in _fields.
func project(rep reply, q url.Values) reply {
	if rep.status/100 != 2 || q.Get("_fields") == "" {
		return rep
	}
	if o, isMap := rep.body.(map[string]any); isMap {
		rep.body = pick(o, q.Get("_fields"))
	}
	return rep
}

// pick keeps the comma-separated fields of o ("custom" keeps every custom
// field, "_all" keeps everything).
func pick(o map[string]any, fields string) map[string]any {
	out := map[string]any{}
	for _, f := range strings.Split(fields, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "_all":
			return o
		case f == "custom":
			for k, v := range o {
				if strings.HasPrefix(k, "custom.") {
					out[k] = v
				}
			}
		default:
			if v, has := o[f]; has {
				out[f] = v
			}
		}
	}
	return out
}
