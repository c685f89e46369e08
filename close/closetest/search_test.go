package closetest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close/closetest"
)

func rf(objectType, name string) map[string]any {
	return map[string]any{"type": "regular_field", "object_type": objectType, "field_name": name}
}

func fc(field, cond map[string]any) map[string]any {
	return map[string]any{"type": "field_condition", "field": field, "condition": cond}
}

func and(q ...any) map[string]any { return map[string]any{"type": "and", "queries": q} }

func or(q ...any) map[string]any { return map[string]any{"type": "or", "queries": q} }

func objectType(t string) map[string]any {
	return map[string]any{"type": "object_type", "object_type": t}
}

func negate(q map[string]any) map[string]any { q["negate"] = true; return q }

func fixedUTC(v string) map[string]any { return map[string]any{"type": "fixed_utc", "value": v} }

func TestSearchNodes(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	acme, err := a.crm.CreateLead(map[string]any{
		"name": "Acme Corp", "status_id": closetest.LeadStatusQualified, "date_created": "2025-09-01T12:00:00+00:00",
		"custom.cf_tier": "gold", "url": "https://acme.test",
		"contacts": []any{
			map[string]any{"name": "Lena Park", "title": "Co-founder and CEO", "date_created": "2025-09-01T12:00:00Z",
				"emails": []any{map[string]any{"email": "lena@acme.test"}, map[string]any{"email": "lp@acme.test"}}},
			map[string]any{"name": "Bo Tan", "title": "Engineer"},
		},
	})
	require.NoError(t, err)
	globex, err := a.crm.CreateLead(map[string]any{
		"name": "Globex", "date_created": "2025-10-15T08:30:00+00:00",
		"contacts": []any{map[string]any{"name": "Hank", "title": "Founder", "emails": []any{map[string]any{"email": "hank@globex.test"}}}},
	})
	require.NoError(t, err)
	_, err = a.crm.CreateOpportunity(map[string]any{"lead_id": globex["id"], "value": 90000})
	require.NoError(t, err)
	_, err = a.crm.CreateActivity("Call", map[string]any{"lead_id": acme["id"], "direction": "inbound"})
	require.NoError(t, err)

	tests := []struct {
		name  string
		query map[string]any
		want  []string
	}{
		{"object type only", objectType("lead"), []string{"Acme Corp", "Globex"}},
		{"id", and(objectType("lead"), map[string]any{"type": "id", "value": globex["id"]}), []string{"Globex"}},
		{"text whole word", and(objectType("contact"), map[string]any{"type": "text", "value": "founder"}), []string{"Lena Park", "Hank"}},
		{"text is not substring", and(objectType("contact"), map[string]any{"type": "text", "value": "a"}), []string{}},
		{"text full_words any order", and(objectType("contact"), map[string]any{"type": "text", "value": "ceo co", "mode": "full_words"}), []string{"Lena Park"}},
		{"text phrase order", and(objectType("contact"), map[string]any{"type": "text", "value": "ceo co", "mode": "phrase"}), []string{}},
		{"text phrase", and(objectType("contact"), map[string]any{"type": "text", "value": "founder and ceo", "mode": "phrase"}), []string{"Lena Park"}},
		{"field text phrase", and(objectType("contact"), fc(rf("contact", "title"), map[string]any{"type": "text", "mode": "phrase", "value": "founder"})), []string{"Lena Park", "Hank"}},
		{"field text no substring", and(objectType("contact"), fc(rf("contact", "title"), map[string]any{"type": "text", "mode": "full_words", "value": "found"})), []string{}},
		{"term", and(objectType("lead"), fc(rf("lead", "status_id"), map[string]any{"type": "term", "values": []any{closetest.LeadStatusQualified}})), []string{"Acme Corp"}},
		{"custom field term", and(objectType("lead"), fc(map[string]any{"type": "custom_field", "custom_field_id": "cf_tier"}, map[string]any{"type": "term", "values": []any{"gold"}})), []string{"Acme Corp"}},
		{"exists", and(objectType("lead"), fc(rf("lead", "url"), map[string]any{"type": "exists"})), []string{"Acme Corp"}},
		{"negated exists", and(objectType("lead"), negate(fc(rf("lead", "url"), map[string]any{"type": "exists"}))), []string{"Globex"}},
		{"number_range on a count", and(objectType("contact"), fc(rf("contact", "emails_count"), map[string]any{"type": "number_range", "gte": 2})), []string{"Lena Park"}},
		{"number_range lt", and(objectType("contact"), fc(rf("contact", "emails_count"), map[string]any{"type": "number_range", "lt": 1})), []string{"Bo Tan"}},
		{"moment_range fixed_utc", and(objectType("lead"), fc(rf("lead", "date_created"), map[string]any{"type": "moment_range",
			"on_or_after": fixedUTC("2025-10-01T00:00:00Z"), "before": fixedUTC("2025-11-01T00:00:00Z")})), []string{"Globex"}},
		{"moment_range on_or_after is inclusive", and(objectType("lead"), fc(rf("lead", "date_created"), map[string]any{"type": "moment_range",
			"on_or_after": fixedUTC("2025-09-01T12:00:00Z")})), []string{"Acme Corp", "Globex"}},
		{"moment_range after is exclusive", and(objectType("lead"), fc(rf("lead", "date_created"), map[string]any{"type": "moment_range",
			"after": fixedUTC("2025-09-01T12:00:00Z")})), []string{"Globex"}},
		{"moment_range fixed_local_date", and(objectType("lead"), fc(rf("lead", "date_created"), map[string]any{"type": "moment_range",
			"on_or_after": map[string]any{"type": "fixed_local_date", "which": "start", "value": "2025-09-01"},
			"before":      map[string]any{"type": "fixed_local_date", "which": "end", "value": "2025-09-01"}})), []string{"Acme Corp"}},
		{"moment_range offset from now", and(objectType("lead"), fc(rf("lead", "date_created"), map[string]any{"type": "moment_range",
			"on_or_after": map[string]any{"type": "offset", "direction": "past", "moment": map[string]any{"type": "now"},
				"offset": map[string]any{"days": 3650}}})), []string{"Acme Corp", "Globex"}},
		{"moment_range nothing in the future", and(objectType("lead"), fc(rf("lead", "date_updated"), map[string]any{"type": "moment_range",
			"on_or_after": map[string]any{"type": "offset", "direction": "future", "moment": map[string]any{"type": "now"},
				"offset": map[string]any{"hours": 1}}})), []string{}},
		{"current_user", and(objectType("lead"), fc(rf("lead", "created_by"), map[string]any{"type": "current_user"})), []string{"Acme Corp", "Globex"}},
		{"reference", and(objectType("contact"), fc(rf("contact", "lead_id"), map[string]any{"type": "reference", "reference_type": "lead", "object_ids": []any{globex["id"]}})), []string{"Hank"}},
		{"or", and(objectType("contact"), or(map[string]any{"type": "text", "value": "hank"}, map[string]any{"type": "text", "value": "bo"})), []string{"Bo Tan", "Hank"}},
		{"has_related contact to lead", and(objectType("contact"), map[string]any{"type": "has_related", "this_object_type": "contact", "related_object_type": "lead",
			"related_query": fc(rf("lead", "status_id"), map[string]any{"type": "term", "values": []any{closetest.LeadStatusQualified}})}), []string{"Lena Park", "Bo Tan"}},
		{"has_related lead to contact", and(objectType("lead"), map[string]any{"type": "has_related", "this_object_type": "lead", "related_object_type": "contact",
			"related_query": fc(rf("contact", "title"), map[string]any{"type": "text", "value": "engineer"})}), []string{"Acme Corp"}},
		{"has_related lead to opportunity", and(objectType("lead"), map[string]any{"type": "has_related", "this_object_type": "lead", "related_object_type": "opportunity",
			"related_query": fc(rf("opportunity", "value"), map[string]any{"type": "number_range", "gt": 50000})}), []string{"Globex"}},
		{"has_related lead to activity.call", and(objectType("lead"), map[string]any{"type": "has_related", "this_object_type": "lead", "related_object_type": "activity.call",
			"related_query": fc(rf("activity.call", "direction"), map[string]any{"type": "term", "values": []any{"inbound"}})}), []string{"Acme Corp"}},
		{"negated has_related", and(objectType("lead"), negate(map[string]any{"type": "has_related", "this_object_type": "lead", "related_object_type": "opportunity",
			"related_query": objectType("opportunity")})), []string{"Acme Corp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, out, _ := a.call(t, "POST", "/data/search/", map[string]any{"query": tt.query,
				"_fields": map[string]any{"lead": []any{"display_name"}, "contact": []any{"name"}}})
			require.Equal(t, 200, st, "body: %v", out)
			assert.Equal(t, tt.want, names(out))
		})
	}

	// Sort by a date, newest first; paging by cursor with counts.
	body := map[string]any{"query": objectType("contact"), "_limit": 2, "include_counts": true,
		"_fields": map[string]any{"contact": []any{"name", "date_created"}},
		"sort":    []any{map[string]any{"direction": "desc", "field": rf("contact", "date_created")}}}
	st, out, _ := a.call(t, "POST", "/data/search/", body)
	require.Equal(t, 200, st, "body: %v", out)
	assert.Equal(t, []string{"Hank", "Bo Tan"}, names(out))
	assert.Equal(t, map[string]any{"total": float64(3), "limited": float64(3)}, out["count"])
	require.NotNil(t, out["cursor"])
	body["cursor"] = out["cursor"]
	st, out, _ = a.call(t, "POST", "/data/search/", body)
	require.Equal(t, 200, st)
	assert.Equal(t, []string{"Lena Park"}, names(out))
	assert.Nil(t, out["cursor"])

	// results_limit caps all pages; results_limit 0 is a pure count.
	st, out, _ = a.call(t, "POST", "/data/search/", map[string]any{"query": objectType("contact"), "results_limit": 1, "include_counts": true})
	require.Equal(t, 200, st)
	assert.Len(t, out["data"], 1)
	assert.Nil(t, out["cursor"])
	assert.Equal(t, map[string]any{"total": float64(3), "limited": float64(1)}, out["count"])

	for name, bad := range map[string]map[string]any{
		"no query":           {},
		"no object type":     {"query": map[string]any{"type": "text", "value": "x"}},
		"unknown node":       {"query": and(objectType("lead"), map[string]any{"type": "magic"})},
		"unknown condition":  {"query": and(objectType("lead"), fc(rf("lead", "url"), map[string]any{"type": "fuzzy"}))},
		"field of another":   {"query": and(objectType("lead"), fc(rf("contact", "title"), map[string]any{"type": "exists"}))},
		"bad moment":         {"query": and(objectType("lead"), fc(rf("lead", "date_created"), map[string]any{"type": "moment_range", "before": fixedUTC("soon")}))},
		"saved search":       {"query": and(objectType("lead"), map[string]any{"type": "saved_search", "saved_search_id": "save_x"})},
		"bad cursor":         {"query": objectType("lead"), "cursor": "!!"},
		"opportunity search": {"query": objectType("opportunity")},
		"limit too large":    {"query": objectType("lead"), "_limit": 1000},
		"bad sort":           {"query": objectType("lead"), "sort": []any{map[string]any{"direction": "up", "field": rf("lead", "date_created")}}},
	} {
		st, out, _ := a.call(t, "POST", "/data/search/", bad)
		assert.Equal(t, 400, st, "%s: %v", name, out)
	}
}
