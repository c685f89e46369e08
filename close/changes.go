package close

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/paragon-go/paragon"
)

// MomentRangeCondition matches a date or datetime field within [onOrAfter,
// before): Close's moment_range condition with fixed UTC moments. A zero
// bound is left out. (The key syntax comes from community code; Close's
// docs name the condition but do not spell it out.)
//
// See https://developer.close.com/api/resources/advanced-filtering.
func MomentRangeCondition(onOrAfter, before time.Time) Condition {
	m := map[string]any{"type": "moment_range"}
	if !onOrAfter.IsZero() {
		m["on_or_after"] = map[string]any{"type": "fixed_utc", "value": onOrAfter.UTC().Format(wireTimeLayout)}
	}
	if !before.IsZero() {
		m["before"] = map[string]any{"type": "fixed_utc", "value": before.UTC().Format(wireTimeLayout)}
	}
	if len(m) == 1 {
		return Condition{err: invalid("a moment range needs a bound")}
	}
	return Condition{m: m}
}

// Changes tune [Client.ChangedSince]. The zero value syncs whole objects'
// default fields with the client's page size.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type Changes struct {
	// Fields are the fields returned per object (_fields); "id" and
	// "date_updated" are always added. Advanced Filtering returns only the
	// fields asked for; the default is, for leads, id, name, display_name,
	// url, description, status_id, status_label, contact_ids,
	// organization_id, html_url, date_created, date_updated, created_by
	// and updated_by, and for contacts id, lead_id, name, title,
	// display_name, emails, phones, urls, organization_id, the dates and
	// the creating and updating users.
	Fields []string
	// Filter, if set, is AND-ed to the date condition (e.g. a status).
	Filter Query
	// Overlap is how far before the bookmark a scan starts again, so that
	// changes Close indexed late are read (default [DefaultEventOverlap]).
	Overlap time.Duration
	// Limit is the page size (0 means the client's).
	Limit int
	// Before, if set, ends the window (exclusive); the default is no end.
	Before time.Time
}

// Default fields of ChangedSince: the modelled fields of a lead or contact
// that Advanced Filtering can return.
var (
	defaultLeadChangeFields = []string{"id", "name", "display_name", "url", "description", "status_id", "status_label",
		"contact_ids", "organization_id", "html_url", "date_created", "date_updated", "created_by", "updated_by"}
	defaultContactChangeFields = []string{"id", "lead_id", "name", "title", "display_name", "emails", "phones", "urls",
		"organization_id", "date_created", "date_updated", "created_by", "updated_by"}
)

// maxPerSequence caps the results of one search cursor sequence; Close
// serves at most 10,000, so a scan restarts from its last date_updated
// before reaching that.
const maxPerSequence = 5000

// ChangeScan is one incremental read of changed leads or contacts, made by
// [Client.ChangedSince]: range over All, then store Bookmark.
//
// See https://developer.close.com/api/resources/advanced-filtering.
type ChangeScan struct {
	c          *Client
	ctx        context.Context
	objectType string
	since      time.Time
	p          Changes
	bookmark   time.Time
	perSeq     int
}

// ChangedSince reads the leads or contacts (objectType "lead" or
// "contact") whose date_updated is at or after since minus the overlap,
// oldest change first, through Advanced Filtering (POST /data/search/ with
// a moment_range condition on date_updated and a sort on it). It never
// pages with _skip, so max_skip never applies; a long run of changes is read
// as several cursor sequences, each restarting at the last date_updated
// seen, below Close's per-search cap. A zero since reads every object.
//
// Decode each result with SearchResult.Lead or .Contact. Objects in the
// overlap were seen before: make handlers idempotent (key on ID and
// date_updated). Deletes do not show up here; read them from the event log
// ([EventsService.Resume] with Action "deleted").
//
// See https://developer.close.com/api/resources/advanced-filtering.
func (c *Client) ChangedSince(ctx context.Context, objectType string, since time.Time, p *Changes) *ChangeScan {
	sc := &ChangeScan{c: c, ctx: ctx, objectType: objectType, since: since, bookmark: since, perSeq: maxPerSequence}
	if p != nil {
		sc.p = *p
	}
	if sc.p.Overlap <= 0 {
		sc.p.Overlap = DefaultEventOverlap
	}
	return sc
}

// Bookmark returns the newest date_updated the scan has yielded (Close's
// clock, never yours), or the since it started from. Store it after a
// complete All; after an error it is still safe to store: every change
// before it was yielded.
func (sc *ChangeScan) Bookmark() time.Time { return sc.bookmark }

// All yields the changed objects, oldest change first.
func (sc *ChangeScan) All() iter.Seq2[SearchResult, error] {
	return func(yield func(SearchResult, error) bool) {
		if sc.objectType != "lead" && sc.objectType != "contact" {
			yield(SearchResult{}, invalid("changes are searched for leads or contacts, not %q", sc.objectType))
			return
		}
		from := time.Time{}
		if !sc.since.IsZero() {
			from = sc.since.Add(-sc.p.Overlap)
		}
		fields := sc.p.Fields
		if len(fields) == 0 {
			fields = defaultLeadChangeFields
			if sc.objectType == "contact" {
				fields = defaultContactChangeFields
			}
		}
		for _, f := range []string{"id", "date_updated"} {
			if !slices.Contains(fields, f) {
				fields = append(slices.Clone(fields), f)
			}
		}
		var atBoundary map[string]bool // IDs seen at exactly "from"
		for {
			n, last, ids, err := sc.sequence(from, fields, atBoundary, yield)
			if err != nil || n < 0 {
				if err != nil {
					yield(SearchResult{}, err)
				}
				return
			}
			if n < sc.perSeq {
				return // the window is exhausted
			}
			if !last.After(from) && len(ids) <= len(atBoundary) {
				yield(SearchResult{}, fmt.Errorf("%w: %w: changes: more than %d objects share date_updated %s", ErrNoProgress, paragon.ErrInvalidResponse, sc.perSeq, last.Format(time.RFC3339Nano)))
				return
			}
			from, atBoundary = last, ids
		}
	}
}

// sequence runs one cursor sequence from from, yielding results not seen
// at the boundary. It returns how many results Close sent (-1 when the
// consumer stopped), the last date_updated and the IDs seen at it.
func (sc *ChangeScan) sequence(from time.Time, fields []string, skip map[string]bool, yield func(SearchResult, error) bool) (int, time.Time, map[string]bool, error) {
	ref := RegularField(sc.objectType, "date_updated")
	conds := []Query{ObjectType(sc.objectType)}
	if !from.IsZero() || !sc.p.Before.IsZero() {
		conds = append(conds, FieldCondition(ref, MomentRangeCondition(from, sc.p.Before)))
	}
	if !sc.p.Filter.IsZero() {
		conds = append(conds, sc.p.Filter)
	}
	sp := &SearchParams{
		Query: And(conds...), Limit: sc.p.Limit, ResultsLimit: sc.perSeq,
		Sort: []SearchSort{{Direction: Ascending, Field: ref}},
	}
	sp.Fields = map[string][]string{sc.objectType: fields}
	n := 0
	var last time.Time
	ids := map[string]bool{}
	for r, err := range sc.c.Search(sc.ctx, sp) {
		if err != nil {
			return n, last, ids, err
		}
		n++
		var head struct {
			DateUpdated Time `json:"date_updated"`
		}
		if err := json.Unmarshal(r.Raw, &head); err != nil || head.DateUpdated.IsZero() {
			return n, last, ids, fmt.Errorf("close: changes: result %s has no date_updated", r.ID)
		}
		t := head.DateUpdated.Time
		if !t.Equal(last) {
			last, ids = t, map[string]bool{}
		}
		ids[r.ID] = true
		if t.Equal(from) && skip[r.ID] {
			continue // yielded by the previous sequence
		}
		if !yield(r, nil) {
			return -1, last, ids, nil
		}
		if t.After(sc.bookmark) {
			sc.bookmark = t
		}
	}
	return n, last, ids, nil
}
