package close

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Event-log limits and defaults.
const (
	// MaxEventPageSize is the largest _limit of GET /event/ (also Close's
	// default).
	MaxEventPageSize = 50
	// DefaultEventOverlap is how far before its bookmark an
	// [EventsService.Resume] scan starts again. Close consolidates several
	// changes of one object into one event whose date_updated moves, and
	// advises re-reading the last few minutes when polling.
	DefaultEventOverlap = 5 * time.Minute
	// EventRetention is how long Close keeps events.
	EventRetention = 30 * 24 * time.Hour
)

// eventTimeLayout is how event-log date filters are sent: UTC without an
// offset, the layout the event log itself uses.
const eventTimeLayout = "2006-01-02T15:04:05.999999"

// EventListParams filters the event log (GET /event/). Close accepts only
// some combinations: ObjectType with Action; ObjectType with ObjectID;
// LeadID (with ObjectType, and Action); UserID (with the others);
// RequestID alone. Date bounds go with any of them. A nil *EventListParams
// lists every event of the last 30 days, newest first.
//
// See https://developer.close.com/api/resources/events.
type EventListParams struct {
	// ObjectType is e.g. "lead", "contact", "opportunity", "activity.call",
	// "task.lead" or "status_change.opportunity" (object_type).
	ObjectType string
	// ObjectID is the object's ID (object_id).
	ObjectID string
	// Action is e.g. "created", "updated", "deleted", "merged" (action).
	Action string
	// LeadID matches the lead's events and its children's (lead_id).
	LeadID string
	// UserID matches events caused by one user (user_id).
	UserID string
	// RequestID matches the events of one API request (request_id).
	RequestID string
	// DateUpdated bounds date_updated (date_updated__gt, __gte, __lt,
	// __lte), sent in UTC without an offset as the event log writes it.
	DateUpdated TimeRange
	// Limit is the page size (_limit, 1 to 50; 0 means 50).
	Limit int
	// Cursor starts listing at a cursor_next from an earlier page (_cursor).
	Cursor string
	// Extra holds other query parameters, sent as they are.
	Extra url.Values
}

func (p *EventListParams) query() (url.Values, int, error) {
	if p == nil {
		p = &EventListParams{}
	}
	if p.Limit < 0 || p.Limit > MaxEventPageSize {
		return nil, 0, invalid("event limit %d is outside 0..%d", p.Limit, MaxEventPageSize)
	}
	q := url.Values{}
	for k, vs := range p.Extra {
		switch k {
		case "_limit", "_cursor", "_skip":
			return nil, 0, invalid("set %s with the Limit and Cursor fields, not Extra (the event log has no _skip)", k)
		}
		q[k] = append([]string(nil), vs...)
	}
	for k, v := range map[string]string{
		"object_type": p.ObjectType, "object_id": p.ObjectID, "action": p.Action,
		"lead_id": p.LeadID, "user_id": p.UserID, "request_id": p.RequestID,
	} {
		setIf(q, k, v)
	}
	for suffix, t := range map[string]time.Time{"__gt": p.DateUpdated.Gt, "__gte": p.DateUpdated.Gte, "__lt": p.DateUpdated.Lt, "__lte": p.DateUpdated.Lte} {
		if !t.IsZero() {
			q.Set("date_updated"+suffix, t.UTC().Format(eventTimeLayout))
		}
	}
	limit := p.Limit
	if limit == 0 {
		limit = MaxEventPageSize
	}
	q.Set("_limit", strconv.Itoa(limit))
	setIf(q, "_cursor", p.Cursor)
	return q, limit, nil
}

// EventPage is one page of the event log, newest first. CursorNext is ""
// on the last page.
//
// See https://developer.close.com/api/resources/events.
type EventPage struct {
	Data           []Event `json:"data"`
	CursorNext     string  `json:"cursor_next"`
	CursorPrevious string  `json:"cursor_previous"`
}

// EventsService reads Close's event log: every change to the
// organization's data for 30 days, the way to catch up on missed webhook
// deliveries. Get it from [Client].Events.
//
// See https://developer.close.com/api/resources/events.
type EventsService struct {
	c *Client
}

// Get returns event id (GET /event/{id}/).
//
// See https://developer.close.com/api/resources/events.
func (s *EventsService) Get(ctx context.Context, id string) (*Event, error) {
	p, err := objectPath("event", "event", id)
	if err != nil {
		return nil, err
	}
	return doObject[Event](ctx, s.client(), call{method: http.MethodGet, path: p})
}

func (s *EventsService) client() *Client {
	if s == nil {
		return nil
	}
	return s.c
}

// ListPage returns one page of the event log (GET /event/) from p.Cursor.
// A page with more events than asked for fails with [ErrPageTooLarge].
//
// See https://developer.close.com/api/resources/events.
func (s *EventsService) ListPage(ctx context.Context, p *EventListParams) (*EventPage, error) {
	q, limit, err := p.query()
	if err != nil {
		return nil, err
	}
	body, err := s.client().fetch(ctx, call{method: http.MethodGet, path: "/event/", query: q})
	if err != nil {
		return nil, err
	}
	var pg EventPage
	if _, err := decodePage("event log", body, limit, &pg, func() int { return len(pg.Data) }); err != nil {
		return nil, err
	}
	return &pg, nil
}

// List returns every matching event, newest first, following cursor_next
// lazily as the loop advances (repeating the filters with each cursor, as
// Close requires). Breaking out of the loop stops paging; the first error
// is yielded once and ends the sequence. A cursor cycle, a repeated page or
// a run of empty pages ends it with [ErrNoProgress]. p is never modified.
//
// See https://developer.close.com/api/resources/events.
func (s *EventsService) List(ctx context.Context, p *EventListParams) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		s.scan(ctx, p, nil, yield)
	}
}

// scan runs one event-log iteration; onPage, if set, is told the cursor
// that fetched each page before its events are yielded. It reports whether
// the iteration reached the last page (no error, no break).
func (s *EventsService) scan(ctx context.Context, p *EventListParams, onPage func(cursor string, pg *EventPage), yield func(Event, error) bool) bool {
	q, limit, err := p.query()
	if err == nil && ctx == nil {
		err = invalid("nil context")
	}
	if err == nil {
		err = s.client().check()
	}
	g := newProgress("event log")
	if err == nil {
		err = g.cursor(q.Get("_cursor"))
	}
	for err == nil {
		if err = ctx.Err(); err != nil {
			break
		}
		var body []byte
		if body, err = s.c.fetch(ctx, call{method: http.MethodGet, path: "/event/", query: q}); err != nil {
			break
		}
		var pg EventPage
		var sc pageScan
		if sc, err = decodePage("event log", body, limit, &pg, func() int { return len(pg.Data) }); err != nil {
			break
		}
		if err = g.page(sc.data, len(pg.Data)); err != nil {
			break
		}
		if onPage != nil {
			onPage(q.Get("_cursor"), &pg)
		}
		for _, ev := range pg.Data {
			if !yield(ev, nil) {
				return false
			}
		}
		if pg.CursorNext == "" {
			return true
		}
		if err = g.cursor(pg.CursorNext); err != nil {
			break
		}
		q = cloneValues(q)
		q.Set("_cursor", pg.CursorNext)
	}
	yield(Event{}, err)
	return false
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, vs := range q {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// EventBookmark is where an incremental read of the event log stands,
// meant to be stored between runs (it encodes as JSON). The zero value
// starts from the oldest event Close keeps (30 days).
//
// See https://developer.close.com/api/resources/event-log.
type EventBookmark struct {
	// Since is the newest date_updated of a finished scan; the next scan
	// reads the events updated at or after Since minus the overlap.
	Since time.Time `json:"since,omitzero"`
	// Cursor, From and Newest are set while a scan is unfinished (it
	// stopped on an error or a break): the cursor of the first page not
	// fully handled, the scan's date_updated__gte bound, and the newest
	// date_updated it saw. Resuming repeats that page.
	Cursor string    `json:"cursor,omitzero"`
	From   time.Time `json:"from,omitzero"`
	Newest time.Time `json:"newest,omitzero"`
}

// EventScan is one incremental read of the event log, made by
// [EventsService.Resume]: range over All, then store Bookmark.
//
// See https://developer.close.com/api/resources/event-log.
type EventScan struct {
	s       *EventsService
	ctx     context.Context
	p       EventListParams
	start   EventBookmark
	overlap time.Duration
	next    EventBookmark
}

// Resume starts an incremental read of the event log from bookmark b: the
// events updated at or after b.Since minus overlap (0 means
// [DefaultEventOverlap]), newest first, with the filters of p (its
// DateUpdated and Cursor are set by the scan). An unfinished scan's
// bookmark continues where it stopped.
//
// Events in the overlap were seen before: deduplicate on Event.ID with
// DateUpdated (a consolidated event keeps its ID and moves its
// date_updated), and make handlers idempotent. Close expires cursors: if
// it refuses an unfinished bookmark's Cursor (a *Error, usually 400), start
// again from EventBookmark{Since: b.Since}. The overlap also covers a
// clock skew between you and Close up to its size, since bookmarks hold
// Close's own date_updated values, never your clock.
//
// See https://developer.close.com/api/resources/event-log.
func (s *EventsService) Resume(ctx context.Context, b EventBookmark, p *EventListParams, overlap time.Duration) *EventScan {
	sc := &EventScan{s: s, ctx: ctx, start: b, overlap: overlap, next: b}
	if p != nil {
		sc.p = *p
	}
	if sc.overlap <= 0 {
		sc.overlap = DefaultEventOverlap
	}
	return sc
}

// All yields the scan's events, newest first (see [EventsService.List]).
// Range over it once; Bookmark then tells where the next run starts.
func (sc *EventScan) All() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		b := sc.start
		from, newest := b.From, b.Newest
		if b.Cursor == "" {
			from, newest = time.Time{}, time.Time{}
			if !b.Since.IsZero() {
				from = b.Since.Add(-sc.overlap)
			}
		}
		p := sc.p
		p.DateUpdated = TimeRange{Gte: from}
		p.Cursor = b.Cursor
		sc.next = b
		complete := sc.s.scan(sc.ctx, &p, func(cursor string, pg *EventPage) {
			for _, ev := range pg.Data {
				if ev.DateUpdated.After(newest) {
					newest = ev.DateUpdated.Time
				}
			}
			// Until this page is handled, resuming repeats it; a scan that
			// stops on its first page simply starts again.
			sc.next = EventBookmark{Since: b.Since}
			if cursor != "" {
				sc.next = EventBookmark{Since: b.Since, Cursor: cursor, From: from, Newest: newest}
			}
		}, yield)
		if complete {
			since := b.Since
			if newest.After(since) {
				since = newest
			}
			sc.next = EventBookmark{Since: since}
		}
	}
}

// Bookmark returns the bookmark to store once All has been ranged over.
// After a complete scan its Since is the newest date_updated seen (the old
// Since when nothing newer came); after an error or a break it holds the
// unfinished scan's position. Before All runs it is the starting bookmark.
func (sc *EventScan) Bookmark() EventBookmark { return sc.next }
