package close

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/paragon-go/paragon/internal/jsonscan"
	"github.com/paragon-go/paragon/internal/jsonx"
)

// Query is one node of an Advanced Filtering query tree, built with [And],
// [Or], [Not], [ObjectType], [ID], [TextMatch], [FieldCondition],
// [HasRelated], [SavedSearch] or [RawQuery]. The top level should include an
// [ObjectType] node. Queries are immutable values.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type Query struct {
	node map[string]any
	err  error
}

// IsZero reports whether q is the zero Query (no node).
func (q Query) IsZero() bool { return q.node == nil && q.err == nil }

// MarshalJSON encodes the query tree.
func (q Query) MarshalJSON() ([]byte, error) {
	if q.err != nil {
		return nil, q.err
	}
	if q.node == nil {
		return nil, invalid("empty search query")
	}
	return json.Marshal(q.node)
}

func queryNode(typ string, kv ...any) Query {
	m := map[string]any{"type": typ}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return Query{node: m}
}

// And matches objects that match every query.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func And(qs ...Query) Query { return group("and", qs) }

// Or matches objects that match any query.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func Or(qs ...Query) Query { return group("or", qs) }

func group(typ string, qs []Query) Query {
	for _, q := range qs {
		if q.err != nil {
			return Query{err: q.err}
		}
		if q.node == nil {
			return Query{err: invalid("empty query inside %q", typ)}
		}
	}
	return queryNode(typ, "queries", append([]Query(nil), qs...))
}

// Not negates q (Close's "negate": true; Not(Not(q)) is q).
//
// See https://developer.close.com/api/resources/advanced-filtering.
func Not(q Query) Query {
	if q.err != nil || q.node == nil {
		return q
	}
	m := maps.Clone(q.node)
	if neg, _ := m["negate"].(bool); neg {
		delete(m, "negate")
	} else {
		m["negate"] = true
	}
	return Query{node: m}
}

// ObjectType restricts a search to one object type: "lead" or "contact".
//
// See https://developer.close.com/api/resources/advanced-filtering.
func ObjectType(objectType string) Query {
	return queryNode("object_type", "object_type", objectType)
}

// ID matches the object with this ID.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func ID(id string) Query { return queryNode("id", "value", id) }

// TextMode is how text is matched.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type TextMode string

// Text match modes.
const (
	FullWords TextMode = "full_words"
	Phrase    TextMode = "phrase"
)

// TextMatch is a full-text search over the object (mode may be empty).
//
// See https://developer.close.com/api/resources/advanced-filtering.
func TextMatch(value string, mode TextMode) Query {
	q := queryNode("text", "value", value)
	if mode != "" {
		q.node["mode"] = mode
	}
	return q
}

// FieldCondition matches objects whose field meets cond.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func FieldCondition(field FieldRef, cond Condition) Query {
	if cond.err != nil {
		return Query{err: cond.err}
	}
	return queryNode("field_condition", "field", field.m, "condition", cond.m)
}

// HasRelated matches objects of type thisType that have a related object of
// type relatedType matching q (e.g. contacts whose lead has a status).
//
// See https://developer.close.com/api/resources/advanced-filtering.
func HasRelated(thisType, relatedType string, q Query) Query {
	if q.err != nil {
		return q
	}
	return queryNode("has_related", "this_object_type", thisType, "related_object_type", relatedType, "related_query", q)
}

// SavedSearch matches the objects of a saved search (Smart View).
//
// See https://developer.close.com/api/resources/advanced-filtering.
func SavedSearch(id string) Query { return queryNode("saved_search", "saved_search_id", id) }

// RawQuery uses a query node written as JSON, for node types this package
// does not build.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func RawQuery(raw json.RawMessage) Query {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return Query{err: invalid("raw search query is not a JSON object")}
	}
	return Query{node: m}
}

// FieldRef names a field in a [FieldCondition] or a sort.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type FieldRef struct {
	m map[string]any
}

// MarshalJSON encodes the field reference.
func (f FieldRef) MarshalJSON() ([]byte, error) { return json.Marshal(f.m) }

// RegularField names a built-in field of objectType, e.g. ("contact", "title").
//
// See https://developer.close.com/api/resources/advanced-filtering.
func RegularField(objectType, name string) FieldRef {
	return FieldRef{m: map[string]any{"type": "regular_field", "object_type": objectType, "field_name": name}}
}

// CustomField names a custom field by ID ("cf_…").
//
// See https://developer.close.com/api/resources/advanced-filtering.
func CustomField(id string) FieldRef {
	return FieldRef{m: map[string]any{"type": "custom_field", "custom_field_id": customID(id)}}
}

// Condition is what a [FieldCondition] tests.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type Condition struct {
	m   map[string]any
	err error
}

// TextCondition matches text (mode may be empty).
//
// See https://developer.close.com/api/resources/advanced-filtering.
func TextCondition(value string, mode TextMode) Condition {
	c := Condition{m: map[string]any{"type": "text", "value": value}}
	if mode != "" {
		c.m["mode"] = mode
	}
	return c
}

// TermCondition matches any of the exact values (IDs, choices).
//
// See https://developer.close.com/api/resources/advanced-filtering.
func TermCondition(values ...string) Condition {
	return Condition{m: map[string]any{"type": "term", "values": append([]string{}, values...)}}
}

// BoolCondition matches a boolean field.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func BoolCondition(v bool) Condition {
	return Condition{m: map[string]any{"type": "boolean", "value": v}}
}

// ExistsCondition matches when the field has a value.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func ExistsCondition() Condition { return Condition{m: map[string]any{"type": "exists"}} }

// CurrentUserCondition matches a user field equal to the calling user.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func CurrentUserCondition() Condition { return Condition{m: map[string]any{"type": "current_user"}} }

// ReferenceCondition matches a reference field pointing at any of ids.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func ReferenceCondition(referenceType string, ids ...string) Condition {
	return Condition{m: map[string]any{"type": "reference", "reference_type": referenceType, "object_ids": append([]string{}, ids...)}}
}

// NumberRange bounds a number field; unset bounds are left out.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type NumberRange struct {
	Gt, Gte, Lt, Lte Optional[float64]
}

// NumberRangeCondition matches numbers within r.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func NumberRangeCondition(r NumberRange) Condition {
	m := map[string]any{"type": "number_range"}
	for k, o := range map[string]Optional[float64]{"gt": r.Gt, "gte": r.Gte, "lt": r.Lt, "lte": r.Lte} {
		if v, ok := o.Get(); ok {
			m[k] = v
		}
	}
	return Condition{m: m}
}

// RawCondition uses a condition written as JSON (e.g. a date range).
//
// See https://developer.close.com/api/resources/advanced-filtering.
func RawCondition(raw json.RawMessage) Condition {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return Condition{err: invalid("raw search condition is not a JSON object")}
	}
	return Condition{m: m}
}

// SortDirection orders search results.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type SortDirection string

// Sort directions.
const (
	Ascending  SortDirection = "asc"
	Descending SortDirection = "desc"
)

// SearchSort orders search results by one field. Only number, date and text
// fields of the object itself sort; use a stable one (date_created) when
// paging.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type SearchSort struct {
	Direction SortDirection `json:"direction"`
	Field     FieldRef      `json:"field"`
}

// SearchParams is an Advanced Filtering search.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type SearchParams struct {
	// Query is the filter tree (required).
	Query Query
	// Fields picks the fields returned per object type (_fields), e.g.
	// {"contact": {"id", "name"}}.
	Fields map[string][]string
	// Limit is the page size (_limit; 0 means the client's page size).
	Limit int
	// ResultsLimit caps the results across all pages (results_limit; 0
	// means no cap).
	ResultsLimit int
	// IncludeCounts asks for SearchPage.Count (include_counts).
	IncludeCounts bool
	// Sort orders the results.
	Sort []SearchSort
	// Cursor continues a search from SearchPage.Cursor (SearchPage only;
	// Search follows cursors itself). Close expires cursors after about 30 s.
	Cursor string
}

type searchBody struct {
	Query         Query               `json:"query"`
	Fields        map[string][]string `json:"_fields,omitempty"`
	Limit         int                 `json:"_limit"`
	Cursor        *string             `json:"cursor"`
	ResultsLimit  *int                `json:"results_limit,omitempty"`
	IncludeCounts bool                `json:"include_counts,omitzero"`
	Sort          []SearchSort        `json:"sort,omitempty"`
}

func (p *SearchParams) body(pageSize int) (searchBody, error) {
	if p == nil || p.Query.IsZero() {
		return searchBody{}, invalid("search needs a query")
	}
	if p.Query.err != nil {
		return searchBody{}, p.Query.err
	}
	if p.Limit < 0 || p.Limit > MaxPageSize || p.ResultsLimit < 0 {
		return searchBody{}, invalid("search limit %d or results limit %d out of range", p.Limit, p.ResultsLimit)
	}
	b := searchBody{Query: p.Query, Fields: p.Fields, Limit: p.Limit, IncludeCounts: p.IncludeCounts, Sort: p.Sort}
	if b.Limit == 0 {
		b.Limit = pageSize
	}
	if p.ResultsLimit > 0 {
		n := p.ResultsLimit
		b.ResultsLimit = &n
	}
	if p.Cursor != "" {
		cur := p.Cursor
		b.Cursor = &cur
	}
	return b, nil
}

// SearchResult is one object found by a search: its type ("lead",
// "contact", …), ID, and the requested fields in Raw.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type SearchResult struct {
	ObjectType string
	ID         string
	Raw        json.RawMessage
}

// UnmarshalJSON reads __object_type and id and keeps the object in Raw.
func (r *SearchResult) UnmarshalJSON(b []byte) error {
	return r.set(append(json.RawMessage(nil), bytes.TrimSpace(b)...))
}

// UnmarshalJSONFrom is UnmarshalJSON for jsonv2, which decodes the
// package's answers: the object is read (and validated) once, then only
// scanned for its two keys.
func (r *SearchResult) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	val, err := dec.ReadValue()
	if err != nil {
		return err
	}
	return r.set(bytes.Clone(val))
}

// set fills r from raw, a copy of one search result the caller owns: its
// __object_type and id are read by scanning its top-level keys, without
// decoding the rest.
func (r *SearchResult) set(raw json.RawMessage) error {
	if string(raw) == "null" {
		*r = SearchResult{}
		return nil
	}
	*r = SearchResult{Raw: raw}
	var err error
	serr := jsonscan.Members(raw, func(key []byte, escaped bool, value []byte) bool {
		var dst *string
		switch {
		case escaped:
			return true // neither key needs an escape
		case string(key) == `"__object_type"`:
			dst = &r.ObjectType
		case string(key) == `"id"`:
			dst = &r.ID
		default:
			return true
		}
		if err = json.Unmarshal(value, dst); err != nil {
			err = fmt.Errorf("close: search result %s: %w", key, err)
			return false
		}
		return true
	})
	if err == nil && serr != nil {
		err = fmt.Errorf("close: search result: %w", serr)
	}
	return err
}

// Decode decodes the result's fields into v.
func (r SearchResult) Decode(v any) error { return jsonx.Unmarshal(r.Raw, v) }

// Lead decodes a lead result. It decodes Raw once, and the lead's Raw
// shares Raw's bytes rather than copying them.
func (r SearchResult) Lead() (*Lead, error) { return decodeResult[Lead](r, "lead") }

// Contact decodes a contact result, as Lead does.
func (r SearchResult) Contact() (*Contact, error) { return decodeResult[Contact](r, "contact") }

func decodeResult[T any](r SearchResult, want string) (*T, error) {
	if r.ObjectType != "" && r.ObjectType != want {
		return nil, fmt.Errorf("close: search result is a %s, not a %s", r.ObjectType, want)
	}
	var v T
	// Raw is the result's own copy, so the object may point into it.
	if err := jsonx.Unmarshal(r.Raw, &v, decoders.nested); err != nil {
		return nil, fmt.Errorf("close: decoding %s: %w", want, err)
	}
	return &v, nil
}

// SearchCount is the number of matches: Total, and Limited after
// results_limit.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type SearchCount struct {
	Total   int `json:"total"`
	Limited int `json:"limited"`
}

// SearchPage is one page of search results. Cursor is "" on the last page.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type SearchPage struct {
	Data   []SearchResult `json:"data"`
	Cursor string         `json:"cursor"`
	Count  *SearchCount   `json:"count,omitempty"`
}

// SearchPage runs one page of an Advanced Filtering search (POST
// /data/search/), from p.Cursor.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func (c *Client) SearchPage(ctx context.Context, p *SearchParams) (*SearchPage, error) {
	b, err := p.body(c.pageSize)
	if err != nil {
		return nil, err
	}
	body, err := c.fetch(ctx, call{method: http.MethodPost, path: "/data/search/", body: b})
	if err != nil {
		return nil, err
	}
	var pg SearchPage
	if _, err := decodePage("search", body, b.Limit, &pg, func() int { return len(pg.Data) }); err != nil {
		return nil, err
	}
	return &pg, nil
}

// SearchCount returns how many objects match q, without fetching them
// (results_limit 0 with include_counts).
//
// See https://developer.close.com/api/resources/advanced-filtering.
func (c *Client) SearchCount(ctx context.Context, q Query) (int, error) {
	b, err := (&SearchParams{Query: q, IncludeCounts: true}).body(c.pageSize)
	if err != nil {
		return 0, err
	}
	zero := 0
	b.ResultsLimit = &zero
	pg, err := doObject[SearchPage](ctx, c, call{method: http.MethodPost, path: "/data/search/", body: b})
	if err != nil {
		return 0, err
	}
	if pg.Count == nil {
		return 0, errors.New("close: search count: Close sent no count")
	}
	return pg.Count.Total, nil
}

// Search runs an Advanced Filtering search (POST /data/search/) and yields
// every result, following Close's cursor lazily as the loop advances.
// Breaking out of the loop stops paging; the first error is yielded once
// and ends the sequence. A cursor that comes back (a cycle), a page that
// repeats an earlier one, or a run of empty pages with fresh cursors ends
// it with [ErrNoProgress]; a page with more results than _limit, with
// [ErrPageTooLarge]. Close expires a cursor about 30 s after it was
// issued and serves at most 10,000 objects per search, so consume the
// results promptly and narrow large searches.
//
// See https://developer.close.com/api/resources/advanced-filtering.
func (c *Client) Search(ctx context.Context, p *SearchParams) iter.Seq2[SearchResult, error] {
	return func(yield func(SearchResult, error) bool) {
		b, err := p.body(c.pageSize)
		if err == nil && ctx == nil {
			err = invalid("nil context")
		}
		if err == nil {
			err = c.check()
		}
		g := newProgress("search")
		if err == nil && b.Cursor != nil {
			err = g.cursor(*b.Cursor)
		}
		for err == nil {
			if err = ctx.Err(); err != nil {
				break
			}
			var body []byte
			if body, err = c.fetch(ctx, call{method: http.MethodPost, path: "/data/search/", body: b}); err != nil {
				break
			}
			var pg SearchPage
			var sc pageScan
			if sc, err = decodePage("search", body, b.Limit, &pg, func() int { return len(pg.Data) }); err != nil {
				break
			}
			if err = g.page(sc.data, len(pg.Data)); err != nil {
				break
			}
			for _, r := range pg.Data {
				if !yield(r, nil) {
					return
				}
			}
			if pg.Cursor == "" {
				return
			}
			if err = g.cursor(pg.Cursor); err != nil {
				break
			}
			cur := pg.Cursor
			b.Cursor = &cur
		}
		yield(SearchResult{}, err)
	}
}
