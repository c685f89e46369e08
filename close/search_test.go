package close_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

// founderSearch is the spec's example search, built with the query builder.
func founderSearch() *close.SearchParams {
	return &close.SearchParams{
		Query: close.And(
			close.ObjectType("contact"),
			close.FieldCondition(close.RegularField("contact", "title"), close.TextCondition("founder", close.Phrase)),
			close.HasRelated("contact", "lead",
				close.FieldCondition(close.RegularField("lead", "status_id"), close.TermCondition("stat_Qa1Ws2"))),
		),
		Fields:        map[string][]string{"contact": {"id", "name", "title", "lead_id"}},
		Limit:         50,
		IncludeCounts: true,
		Sort:          []close.SearchSort{{Direction: close.Ascending, Field: close.RegularField("contact", "date_created")}},
	}
}

const founderBody = `{
  "query": {
    "type": "and",
    "queries": [
      {"type": "object_type", "object_type": "contact"},
      {"type": "field_condition",
       "field": {"type": "regular_field", "object_type": "contact", "field_name": "title"},
       "condition": {"type": "text", "mode": "phrase", "value": "founder"}},
      {"type": "has_related", "this_object_type": "contact", "related_object_type": "lead",
       "related_query": {"type": "field_condition",
                         "field": {"type": "regular_field", "object_type": "lead", "field_name": "status_id"},
                         "condition": {"type": "term", "values": ["stat_Qa1Ws2"]}}}
    ]
  },
  "_fields": {"contact": ["id", "name", "title", "lead_id"]},
  "_limit": 50,
  "cursor": %s,
  "include_counts": true,
  "sort": [{"direction": "asc",
            "field": {"type": "regular_field", "object_type": "contact", "field_name": "date_created"}}]
}`

func searchBody(cursor string) string {
	return fmt.Sprintf(founderBody, cursor)
}

func TestSearchFollowsCursor(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "POST", Path: "/data/search/", Body: searchBody("null"), Reply: out(`{
			"data": [{"__object_type": "contact", "id": "cont_1", "name": "Lena Park", "title": "Co-founder", "lead_id": "lead_H"},
			         {"__object_type": "contact", "id": "cont_2", "name": "Bo"}],
			"cursor": "c1", "count": {"total": 4, "limited": 4}}`)},
		exchange{Method: "POST", Path: "/data/search/", Body: searchBody(`"c1"`), Reply: out(`{
			"data": [{"__object_type": "contact", "id": "cont_3"}], "cursor": "c2", "count": {"total": 4, "limited": 4}}`)},
		exchange{Method: "POST", Path: "/data/search/", Body: searchBody(`"c2"`), Reply: out(`{
			"data": [{"__object_type": "contact", "id": "cont_4"}], "cursor": null, "count": {"total": 4, "limited": 4}}`)},
	)
	p := founderSearch()
	var ids []string
	for r, err := range w.crm().Search(t.Context(), p) {
		require.NoError(t, err)
		assert.Equal(t, "contact", r.ObjectType)
		ids = append(ids, r.ID)
		if r.ID == "cont_1" {
			c, err := r.Contact()
			require.NoError(t, err)
			assert.Equal(t, close.Set("Lena Park"), c.Name)
			assert.Equal(t, "lead_H", c.LeadID)
			_, err = r.Lead()
			assert.Error(t, err, "a contact result is not a lead")
		}
	}
	assert.Equal(t, []string{"cont_1", "cont_2", "cont_3", "cont_4"}, ids)
	assert.Empty(t, p.Cursor, "params untouched")
}

func TestSearchBreakAndPage(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "POST", Path: "/data/search/", Body: `{"query": {"type": "object_type", "object_type": "lead"}, "_limit": 100, "cursor": null}`,
			Reply: out(`{"data": [{"__object_type": "lead", "id": "lead_1"}, {"__object_type": "lead", "id": "lead_2"}], "cursor": "c1"}`)},
		exchange{Method: "POST", Path: "/data/search/", Body: `{"query": {"type": "object_type", "object_type": "lead"}, "_limit": 10, "cursor": "c1", "results_limit": 30}`,
			Reply: out(`{"data": [{"__object_type": "lead", "id": "lead_3", "display_name": "Acme"}], "cursor": null}`)},
	)
	crm := w.crm()
	for r, err := range crm.Search(t.Context(), &close.SearchParams{Query: close.ObjectType("lead")}) {
		require.NoError(t, err)
		assert.Equal(t, "lead_1", r.ID)
		break
	}
	pg, err := crm.SearchPage(t.Context(), &close.SearchParams{Query: close.ObjectType("lead"), Cursor: "c1", Limit: 10, ResultsLimit: 30})
	require.NoError(t, err)
	assert.Empty(t, pg.Cursor)
	assert.Nil(t, pg.Count)
	l, err := pg.Data[0].Lead()
	require.NoError(t, err)
	assert.Equal(t, "Acme", l.DisplayName)
	var m map[string]any
	require.NoError(t, pg.Data[0].Decode(&m))
	assert.Equal(t, "lead", m["__object_type"])
}

func TestSearchCount(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "POST", Path: "/data/search/",
		Body:  `{"query": {"type": "object_type", "object_type": "lead"}, "_limit": 100, "cursor": null, "results_limit": 0, "include_counts": true}`,
		Reply: out(`{"data": [], "cursor": null, "count": {"total": 83, "limited": 0}}`)})
	n, err := w.crm().SearchCount(t.Context(), close.ObjectType("lead"))
	require.NoError(t, err)
	assert.Equal(t, 83, n)
}

func TestSearchRepeatedCursorStops(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	body := `{"query": {"type": "object_type", "object_type": "lead"}, "_limit": 100, "cursor": %s}`
	w.expect(
		exchange{Method: "POST", Path: "/data/search/", Body: fmt.Sprintf(body, "null"), Reply: out(`{"data": [], "cursor": "same"}`)},
		exchange{Method: "POST", Path: "/data/search/", Body: fmt.Sprintf(body, `"same"`), Reply: out(`{"data": [], "cursor": "same"}`)},
	)
	var errs []error
	for _, err := range w.crm().Search(t.Context(), &close.SearchParams{Query: close.ObjectType("lead")}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], close.ErrNoProgress)
}

func TestQueryBuilder(t *testing.T) {
	t.Parallel()
	q := close.Or(
		close.Not(close.ID("lead_1")),
		close.Not(close.Not(close.TextMatch("acme", close.FullWords))),
		close.TextMatch("x", ""),
		close.FieldCondition(close.CustomField("custom.cf_1"), close.NumberRangeCondition(close.NumberRange{Gte: close.Set(10.0), Lt: close.Set(0.0)})),
		close.FieldCondition(close.RegularField("lead", "url"), close.ExistsCondition()),
		close.FieldCondition(close.RegularField("lead", "x"), close.BoolCondition(false)),
		close.FieldCondition(close.RegularField("lead", "user"), close.CurrentUserCondition()),
		close.FieldCondition(close.CustomField("cf_2"), close.ReferenceCondition("user", "user_1", "user_2")),
		close.FieldCondition(close.RegularField("lead", "date_created"), close.RawCondition(json.RawMessage(`{"type": "moment_range", "on_or_after": {"type": "now"}}`))),
		close.SavedSearch("save_1"),
		close.RawQuery(json.RawMessage(`{"type": "future_node", "k": 1}`)),
	)
	b, err := json.Marshal(q)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type": "or", "queries": [
		{"type": "id", "value": "lead_1", "negate": true},
		{"type": "text", "value": "acme", "mode": "full_words"},
		{"type": "text", "value": "x"},
		{"type": "field_condition", "field": {"type": "custom_field", "custom_field_id": "cf_1"},
		 "condition": {"type": "number_range", "gte": 10, "lt": 0}},
		{"type": "field_condition", "field": {"type": "regular_field", "object_type": "lead", "field_name": "url"}, "condition": {"type": "exists"}},
		{"type": "field_condition", "field": {"type": "regular_field", "object_type": "lead", "field_name": "x"}, "condition": {"type": "boolean", "value": false}},
		{"type": "field_condition", "field": {"type": "regular_field", "object_type": "lead", "field_name": "user"}, "condition": {"type": "current_user"}},
		{"type": "field_condition", "field": {"type": "custom_field", "custom_field_id": "cf_2"},
		 "condition": {"type": "reference", "reference_type": "user", "object_ids": ["user_1", "user_2"]}},
		{"type": "field_condition", "field": {"type": "regular_field", "object_type": "lead", "field_name": "date_created"},
		 "condition": {"type": "moment_range", "on_or_after": {"type": "now"}}},
		{"type": "saved_search", "saved_search_id": "save_1"},
		{"type": "future_node", "k": 1}
	]}`, string(b))
}

func TestSearchInvalidInput(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	crm := w.crm()
	bad := []*close.SearchParams{
		nil,
		{},
		{Query: close.RawQuery(json.RawMessage(`[1]`))},
		{Query: close.And(close.ObjectType("lead"), close.Query{})},
		{Query: close.Not(close.RawQuery(json.RawMessage(`nope`)))},
		{Query: close.FieldCondition(close.RegularField("lead", "x"), close.RawCondition(json.RawMessage(`1`)))},
		{Query: close.ObjectType("lead"), Limit: 101},
		{Query: close.ObjectType("lead"), ResultsLimit: -1},
	}
	for i, p := range bad {
		_, err := crm.SearchPage(t.Context(), p)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "case %d", i)
		for _, err := range crm.Search(t.Context(), p) {
			assert.ErrorIs(t, err, paragon.ErrInvalidInput, "case %d", i)
		}
	}
	_, err := crm.SearchCount(t.Context(), close.Query{})
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Empty(t, w.requests())
}
