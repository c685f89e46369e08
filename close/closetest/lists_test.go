package closetest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close/closetest"
)

func TestClosePagination(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	lead, err := a.crm.CreateLead(map[string]any{"name": "L"})
	require.NoError(t, err)
	other, err := a.crm.CreateLead(map[string]any{"name": "Other"})
	require.NoError(t, err)
	for i := range 7 {
		_, err := a.crm.CreateContact(map[string]any{"lead_id": lead["id"], "name": "c" + strconv.Itoa(i)})
		require.NoError(t, err)
	}
	_, err = a.crm.CreateContact(map[string]any{"lead_id": other["id"], "name": "x"})
	require.NoError(t, err)

	var names []string
	for skip := 0; ; {
		st, page, _ := a.call(t, "GET", "/contact/?lead_id="+lead["id"].(string)+"&_limit=3&_skip="+strconv.Itoa(skip), nil)
		require.Equal(t, 200, st)
		assert.NotContains(t, page, "total_results", "contact lists carry no total")
		data := page["data"].([]any)
		for _, d := range data {
			names = append(names, d.(map[string]any)["name"].(string))
		}
		if page["has_more"] != true {
			break
		}
		skip += len(data)
	}
	assert.Equal(t, []string{"c0", "c1", "c2", "c3", "c4", "c5", "c6"}, names, "oldest first, no gaps")

	st, page, _ := a.call(t, "GET", "/lead/?_limit=0", nil)
	require.Equal(t, 200, st)
	assert.Empty(t, page["data"])
	assert.EqualValues(t, 2, page["total_results"])
	st, page, _ = a.call(t, "GET", "/lead/?query=other", nil)
	require.Equal(t, 200, st)
	assert.EqualValues(t, 1, page["total_results"])
	st, page, _ = a.call(t, "GET", "/lead/?query=oth", nil)
	require.Equal(t, 200, st)
	assert.EqualValues(t, 0, page["total_results"], "whole words, not substrings")

	a.crm.SetMaxSkip(5)
	st, body, _ := a.call(t, "GET", "/contact/?_skip=6", nil)
	assert.Equal(t, 400, st)
	assert.Contains(t, body["error"], "max_skip = 5")
	st, _, _ = a.call(t, "GET", "/contact/?_skip=5", nil)
	assert.Equal(t, 200, st)
	for _, q := range []string{"_skip=-1", "_limit=x", "_limit=201"} {
		st, body, _ := a.call(t, "GET", "/lead/?"+q, nil)
		assert.Equal(t, 400, st, q)
		assert.NotEmpty(t, body["error"], q)
	}
}

func TestCloseRedirects(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	lead, err := a.crm.CreateLead(map[string]any{"name": "L"})
	require.NoError(t, err)
	for _, tt := range []struct{ method, path, loc string }{
		{"GET", "/lead", "lead/"},
		{"GET", "/lead/" + lead["id"].(string) + "?_fields=id", lead["id"].(string) + "/?_fields=id"},
		{"POST", "/contact", "contact/"},
		{"PUT", "/api/v1/lead/" + lead["id"].(string), lead["id"].(string) + "/"},
	} {
		st, _, h := a.call(t, tt.method, tt.path, nil)
		want := http.StatusPermanentRedirect
		if tt.method == "GET" {
			want = http.StatusMovedPermanently
		}
		assert.Equal(t, want, st, tt.path)
		assert.Equal(t, tt.loc, h.Get("Location"), tt.path)
	}
	// A client that follows the redirect keeps the method and body (308).
	hr, err := http.NewRequestWithContext(t.Context(), "POST", a.ts.URL+"/api/v1/contact", strings.NewReader(`{"lead_id":"`+lead["id"].(string)+`","name":"via redirect"}`))
	require.NoError(t, err)
	resp, err := a.ts.Client().Do(hr)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Len(t, a.crm.Contacts(), 1)
}

func TestCloseFailuresAndRateLimit(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	a.crm.FailNext(1, http.StatusTooManyRequests)
	st, body, h := a.call(t, "GET", "/lead/", nil)
	assert.Equal(t, 429, st)
	assert.Equal(t, "limit=240, remaining=0, reset=1", h.Get("RateLimit"))
	assert.Equal(t, "1", h.Get("Retry-After"))
	assert.Equal(t, "1.000000", body["rate_reset"])
	st, _, _ = a.call(t, "GET", "/lead/", nil)
	assert.Equal(t, 200, st)

	a.crm.FailNext(2, http.StatusServiceUnavailable)
	for range 2 {
		st, body, _ = a.call(t, "POST", "/lead/", map[string]any{"name": "x"})
		assert.Equal(t, 503, st)
		assert.Equal(t, "Service Unavailable", body["error"])
	}
	assert.Empty(t, a.crm.Leads())

	a.crm.SetRateLimit(3, time.Hour)
	for i := range 3 {
		st, _, h := a.call(t, "GET", "/lead/", nil)
		require.Equal(t, 200, st)
		assert.Contains(t, h.Get("RateLimit"), "limit=3, remaining="+strconv.Itoa(2-i))
	}
	st, _, h = a.call(t, "GET", "/lead/", nil)
	assert.Equal(t, 429, st)
	assert.Equal(t, "3600", h.Get("Retry-After"))
	a.crm.SetRateLimit(0, 0)
	st, _, _ = a.call(t, "GET", "/lead/", nil)
	assert.Equal(t, 200, st)

	_, err := a.crm.CreateLead(map[string]any{"name": "kept"})
	require.NoError(t, err)
	a.crm.FailNext(5, 500)
	a.crm.Reset()
	assert.Empty(t, a.crm.Leads())
	st, _, _ = a.call(t, "GET", "/lead/", nil)
	assert.Equal(t, 200, st)
}

func TestCloseMerge(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	src, err := a.crm.CreateLead(map[string]any{"name": "Dup", "custom.cf_a": "from-src", "contacts": []any{map[string]any{"name": "S"}}})
	require.NoError(t, err)
	dst, err := a.crm.CreateLead(map[string]any{"name": "Main", "custom.cf_b": "dst"})
	require.NoError(t, err)
	_, err = a.crm.CreateOpportunity(map[string]any{"lead_id": src["id"]})
	require.NoError(t, err)

	st, body, _ := a.call(t, "POST", "/lead/merge/", map[string]any{"source": "lead_nope", "destination": dst["id"]})
	assert.Equal(t, 404, st)
	assert.Equal(t, map[string]any{"errors": []any{"Source lead does not exist."}}, body)
	st, body, _ = a.call(t, "POST", "/lead/merge/", map[string]any{"source": src["id"]})
	assert.Equal(t, 400, st)
	assert.Equal(t, "This field is required.", body["field-errors"].(map[string]any)["destination"])

	st, body, _ = a.call(t, "POST", "/lead/merge/", map[string]any{"source": src["id"], "destination": dst["id"]})
	require.Equal(t, 200, st)
	assert.Equal(t, map[string]any{"status": "ok"}, body)
	_, ok := a.crm.Lead(src["id"].(string))
	assert.False(t, ok)
	merged, ok := a.crm.Lead(dst["id"].(string))
	require.True(t, ok)
	assert.Len(t, merged["contacts"], 1)
	assert.Len(t, merged["opportunities"], 1)
	assert.Equal(t, "from-src", merged["custom.cf_a"])
	assert.Equal(t, "dst", merged["custom.cf_b"])
}

func TestCloseSearch(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	acme, err := a.crm.CreateLead(map[string]any{"name": "Acme", "status_id": closetest.LeadStatusQualified, "contacts": []any{
		map[string]any{"name": "Lena Park", "title": "Co-founder"},
		map[string]any{"name": "Bo", "title": "Engineer", "emails": []any{map[string]any{"email": "bo@acme.test"}}},
	}})
	require.NoError(t, err)
	_, err = a.crm.CreateLead(map[string]any{"name": "Globex", "contacts": []any{
		map[string]any{"name": "Hank", "title": "Founder"},
	}})
	require.NoError(t, err)

	search := func(body map[string]any) (int, map[string]any) {
		st, out, _ := a.call(t, "POST", "/data/search/", body)
		return st, out
	}
	founders := map[string]any{"type": "and", "queries": []any{
		map[string]any{"type": "object_type", "object_type": "contact"},
		map[string]any{"type": "field_condition",
			"field":     map[string]any{"type": "regular_field", "object_type": "contact", "field_name": "title"},
			"condition": map[string]any{"type": "text", "mode": "phrase", "value": "founder"}},
	}}
	st, out := search(map[string]any{"query": founders, "_fields": map[string]any{"contact": []any{"id", "name"}}, "include_counts": true,
		"sort": []any{map[string]any{"direction": "desc", "field": map[string]any{"type": "regular_field", "object_type": "contact", "field_name": "name"}}}})
	require.Equal(t, 200, st, "body: %v", out)
	data := out["data"].([]any)
	require.Len(t, data, 2)
	assert.Equal(t, map[string]any{"__object_type": "contact", "id": data[0].(map[string]any)["id"], "name": "Lena Park"}, data[0])
	assert.Equal(t, "Hank", data[1].(map[string]any)["name"])
	assert.Nil(t, out["cursor"])
	assert.Equal(t, map[string]any{"total": float64(2), "limited": float64(2)}, out["count"])

	// has_related: founders on qualified leads only.
	q := map[string]any{"type": "and", "queries": []any{
		map[string]any{"type": "object_type", "object_type": "contact"},
		map[string]any{"type": "has_related", "this_object_type": "contact", "related_object_type": "lead",
			"related_query": map[string]any{"type": "field_condition",
				"field":     map[string]any{"type": "regular_field", "object_type": "lead", "field_name": "status_id"},
				"condition": map[string]any{"type": "term", "values": []any{closetest.LeadStatusQualified}}}},
		map[string]any{"type": "text", "value": "bo@acme", "negate": true},
	}}
	st, out = search(map[string]any{"query": q, "_fields": map[string]any{"contact": []any{"name", "lead_id"}}})
	require.Equal(t, 200, st, "body: %v", out)
	require.Len(t, out["data"], 1)
	assert.Equal(t, "Lena Park", out["data"].([]any)[0].(map[string]any)["name"])
	assert.Equal(t, acme["id"], out["data"].([]any)[0].(map[string]any)["lead_id"])

	// Cursor paging over all contacts, one at a time.
	var ids []any
	var cursor any
	for range 10 {
		st, out = search(map[string]any{"query": map[string]any{"type": "object_type", "object_type": "contact"}, "_limit": 1, "cursor": cursor})
		require.Equal(t, 200, st)
		for _, d := range out["data"].([]any) {
			ids = append(ids, d.(map[string]any)["id"])
		}
		if cursor = out["cursor"]; cursor == nil {
			break
		}
	}
	assert.Len(t, ids, 3)

	st, out = search(map[string]any{"query": map[string]any{"type": "object_type", "object_type": "lead"}, "results_limit": 0, "include_counts": true})
	require.Equal(t, 200, st)
	assert.Empty(t, out["data"])
	assert.Equal(t, map[string]any{"total": float64(2), "limited": float64(0)}, out["count"])

	for name, body := range map[string]map[string]any{
		"no query":        {},
		"no object type":  {"query": map[string]any{"type": "text", "value": "x"}},
		"unknown node":    {"query": map[string]any{"type": "and", "queries": []any{map[string]any{"type": "object_type", "object_type": "lead"}, map[string]any{"type": "magic"}}}},
		"bad cursor":      {"query": map[string]any{"type": "object_type", "object_type": "lead"}, "cursor": "!!"},
		"opportunity":     {"query": map[string]any{"type": "object_type", "object_type": "opportunity"}},
		"limit too large": {"query": map[string]any{"type": "object_type", "object_type": "lead"}, "_limit": 1000},
	} {
		st, _ := search(body)
		assert.Equal(t, 400, st, name)
	}
}

func TestCloseAccessorsReturnCopies(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	crm := a.crm
	l, err := crm.CreateLead(map[string]any{"name": "A", "contacts": []any{map[string]any{"name": "C"}}})
	require.NoError(t, err)
	l["name"] = "changed"
	l["contacts"].([]any)[0].(map[string]any)["name"] = "changed"
	got, ok := crm.Lead(l["id"].(string))
	require.True(t, ok)
	assert.Equal(t, "A", got["name"])
	assert.Equal(t, "C", crm.Contacts()[0]["name"])
	_, ok = crm.Contact("cont_nope")
	assert.False(t, ok)
	_, ok = crm.Opportunity("oppo_nope")
	assert.False(t, ok)
	st, status, _ := a.call(t, "GET", "/status/opportunity/", nil)
	assert.Equal(t, 200, st)
	assert.Len(t, status["data"], 3)
}

func TestCloseOpportunityRangesAndOrder(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	lead, err := a.crm.CreateLead(map[string]any{"name": "L"})
	require.NoError(t, err)
	for _, f := range []map[string]any{
		{"value": 300, "date_won": "2025-01-10"},
		{"value": 100, "date_won": "2025-03-01"},
		{"value": 200},
	} {
		f["lead_id"] = lead["id"]
		_, err := a.crm.CreateOpportunity(f)
		require.NoError(t, err)
	}
	values := func(q string) []float64 {
		st, page, _ := a.call(t, "GET", "/opportunity/?"+q, nil)
		require.Equal(t, 200, st)
		var out []float64
		for _, d := range page["data"].([]any) {
			out = append(out, d.(map[string]any)["value"].(float64))
		}
		return out
	}
	assert.Equal(t, []float64{300, 100}, values("date_won__gte=2025-01-01"))
	assert.Equal(t, []float64{300}, values("date_won__lt=2025-02-01"))
	assert.Equal(t, []float64{300, 100, 200}, values("date_created__gt=2020-01-01T00:00:00Z"))
	assert.Empty(t, values("date_created__lt=2020-01-01T00:00:00Z"))
	assert.Equal(t, []float64{100, 200, 300}, values("_order_by=value"))
	assert.Equal(t, []float64{300, 200, 100}, values("_order_by=-value"))
}

func TestCloseMoveContactBetweenLeads(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	l1, err := a.crm.CreateLead(map[string]any{"name": "One", "contacts": []any{map[string]any{"name": "Mover"}, map[string]any{"name": "Stays"}}})
	require.NoError(t, err)
	l2, err := a.crm.CreateLead(map[string]any{"name": "Two"})
	require.NoError(t, err)
	id := l1["contacts"].([]any)[0].(map[string]any)["id"].(string)

	st, c, _ := a.call(t, "PUT", "/contact/"+id+"/", map[string]any{"lead_id": l2["id"]})
	require.Equal(t, 200, st)
	assert.Equal(t, l2["id"], c["lead_id"])
	one, _ := a.crm.Lead(l1["id"].(string))
	two, _ := a.crm.Lead(l2["id"].(string))
	assert.Equal(t, []any{one["contacts"].([]any)[0].(map[string]any)["id"]}, one["contact_ids"])
	assert.Equal(t, []any{id}, two["contact_ids"])
	st, page, _ := a.call(t, "GET", "/contact/?lead_id="+l2["id"].(string), nil)
	require.Equal(t, 200, st)
	assert.Len(t, page["data"], 1)

	st, body, _ := a.call(t, "PUT", "/contact/"+id+"/", map[string]any{"lead_id": "lead_nope"})
	assert.Equal(t, 400, st)
	assert.Equal(t, "Object does not exist.", body["field-errors"].(map[string]any)["lead"])
}
