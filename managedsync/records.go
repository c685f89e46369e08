package managedsync

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/paragon-go/paragon"
)

// Record is one Synced Object of a sync: a file's metadata, a CRM contact,
// company or deal… normalised to the schema of its category. ID and
// ExternalID are read from it; decode the rest with [Record.Decode] into a
// type of yours.
//
// Docs: https://docs.useparagon.com/managed-sync/synced-objects
type Record struct {
	// ID is the record's ID in Paragon (the object of the Permissions API).
	ID string
	// ExternalID is the record's ID in the integration.
	ExternalID string
	// ResumeCursor is a cursor to persist once the record is stored:
	// [RecordsParams].Cursor set to it resumes after this record, and may
	// deliver again the records before it on the same page (Paragon's
	// cursors mark the end of a page). Empty for [Client.GetRecord].
	ResumeCursor string
	// Raw is the record as Paragon sent it.
	Raw json.RawMessage
}

// Decode decodes the record's JSON into v.
func (r Record) Decode(v any) error {
	if err := json.Unmarshal(r.Raw, v); err != nil {
		return invalidResponseErr("record "+r.ID, err)
	}
	return nil
}

// UnmarshalJSON keeps the record's JSON and reads its IDs.
func (r *Record) UnmarshalJSON(b []byte) error {
	// The decoder that calls this has checked b; reading the two IDs
	// needs no second full decode.
	id, ext, ok := topLevelIDs(b)
	if !ok {
		var ids struct {
			ID         string `json:"id"`
			ExternalID string `json:"externalId"`
		}
		if err := json.Unmarshal(b, &ids); err != nil {
			return err
		}
		id, ext = ids.ID, ids.ExternalID
	}
	r.ID, r.ExternalID = id, ext
	r.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Paging is the paging block of one page of records.
type Paging struct {
	TotalRecords       int64  `json:"totalRecords"`
	TotalActiveRecords int64  `json:"totalActiveRecords"`
	RemainingRecords   int64  `json:"remainingRecords"`
	Cursor             string `json:"cursor"`
	LastSeen           int64  `json:"lastSeen"`
}

// RecordsParams control [Client.Records] and [RecordsAs].
type RecordsParams struct {
	// PageSize is the number of records per request (Paragon's pageSize);
	// 0 leaves it to Paragon. Each page is decoded on its own, so memory
	// grows with PageSize, not with the number of records.
	PageSize int
	// Cursor starts after the record it stands for: a Paging.Cursor or a
	// Record.ResumeCursor persisted earlier. Empty starts at the beginning.
	Cursor string
	// AfterPage, when set, is called after the last record of each page
	// was handed to the loop (and before the next page is fetched), with
	// the page's paging. Persisting Paging.Cursor there resumes exactly
	// after the page.
	AfterPage func(Paging)
}

// CursorError reports a records cursor that does not advance.
type CursorError struct {
	// SyncID is the sync being read.
	SyncID string
	// Pages is how many pages had been read.
	Pages int
	// Reason says what went wrong.
	Reason string
}

// Error describes the failure.
func (e *CursorError) Error() string {
	return "managedsync: records of sync " + e.SyncID + ": " + e.Reason + " after " + strconv.Itoa(e.Pages) + " pages"
}

// Unwrap returns [ErrCursorCycle].
func (e *CursorError) Unwrap() error { return ErrCursorCycle }

// Records returns the records of a sync, page by page along Paragon's
// cursor (GET /api/syncs/{syncId}/records), as a lazy sequence: a page is
// fetched when the loop reaches it, and breaking out stops the fetching. It
// ends when Paragon answers an empty page or remainingRecords 0 (the caller
// is caught up). A failed page yields one error and ends the sequence; a
// cursor that does not advance (the same cursor again, or a cycle of
// cursors, found in constant memory) yields a [*CursorError]. ctx is
// checked before each record.
//
// Docs: https://docs.useparagon.com/managed-sync/api/pull-synced-records
func (c *Client) Records(ctx context.Context, syncID string, p *RecordsParams, opts ...paragon.CallOption) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		prev := ""
		if p != nil {
			prev = p.Cursor
		}
		for pg, err := range pages[Record](ctx, c, syncID, p, opts) {
			if err != nil {
				yield(Record{}, err)
				return
			}
			for i := range pg.Data {
				if err := ctx.Err(); err != nil {
					yield(Record{}, err)
					return
				}
				rec := pg.Data[i]
				rec.ResumeCursor = prev
				if i == len(pg.Data)-1 && pg.Paging.Cursor != "" {
					rec.ResumeCursor = pg.Paging.Cursor
				}
				if !yield(rec, nil) {
					return
				}
			}
			if pg.Paging.Cursor != "" {
				prev = pg.Paging.Cursor
			}
			if p != nil && p.AfterPage != nil {
				p.AfterPage(pg.Paging)
			}
		}
	}
}

// RecordsAs is [Client.Records] decoding each record straight into T, a
// type of yours with the fields you use: one decoding pass, no copy of the
// raw JSON. Use [RecordsParams].AfterPage to persist the cursor.
func RecordsAs[T any](ctx context.Context, c *Client, syncID string, p *RecordsParams, opts ...paragon.CallOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for pg, err := range pages[T](ctx, c, syncID, p, opts) {
			if err != nil {
				yield(zero, err)
				return
			}
			for i := range pg.Data {
				if err := ctx.Err(); err != nil {
					yield(zero, err)
					return
				}
				if !yield(pg.Data[i], nil) {
					return
				}
			}
			if p != nil && p.AfterPage != nil {
				p.AfterPage(pg.Paging)
			}
		}
	}
}

// page is one answer of the records endpoint.
type page[T any] struct {
	Data   []T    `json:"data"`
	Paging Paging `json:"paging"`
}

// pageWire is page with remainingRecords told apart from absent.
type pageWire[T any] struct {
	Data   []T `json:"data"`
	Paging struct {
		Paging
		RemainingRecords *int64 `json:"remainingRecords"`
	} `json:"paging"`
}

// pages fetches the pages of a sync's records. It checks the cursor moves
// on with Brent's cycle detection (one saved cursor, constant memory).
func pages[T any](ctx context.Context, c *Client, syncID string, p *RecordsParams, opts []paragon.CallOption) iter.Seq2[*page[T], error] {
	return func(yield func(*page[T], error) bool) {
		if err := c.check(ctx); err != nil {
			yield(nil, err)
			return
		}
		if err := checkID("sync ID", syncID); err != nil {
			yield(nil, err)
			return
		}
		var size int
		var cursor string
		if p != nil {
			size, cursor = p.PageSize, p.Cursor
		}
		if size < 0 {
			yield(nil, invalid("page size %d < 0", size))
			return
		}
		path := syncPath(syncID, "records")
		saved, power, steps := cursor, 1, 0 // Brent: saved cursor, its power of two, steps since saved
		var pg pageWire[T]
		for n := 0; ; n++ {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			q := make(url.Values, 2)
			if size > 0 {
				q.Set("pageSize", strconv.Itoa(size))
			}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			resp, err := c.u.Call(ctx, paragon.ServiceManagedSync, http.MethodGet, path, &paragon.CallParams{
				Query: q, Template: "/api/syncs/{syncId}/records",
			}, opts...)
			if err != nil {
				yield(nil, err)
				return
			}
			clear(pg.Data)
			pg.Data = pg.Data[:0]
			pg.Paging.Paging, pg.Paging.RemainingRecords = Paging{}, nil
			if err := decodeOutput(resp, "GET /api/syncs/{syncId}/records", &pg); err != nil {
				yield(nil, err)
				return
			}
			out := &page[T]{Data: pg.Data, Paging: pg.Paging.Paging}
			if pg.Paging.RemainingRecords != nil {
				out.Paging.RemainingRecords = *pg.Paging.RemainingRecords
			}
			if !yield(out, nil) {
				return
			}
			if len(pg.Data) == 0 || (pg.Paging.RemainingRecords != nil && *pg.Paging.RemainingRecords <= 0) {
				return
			}
			next := pg.Paging.Cursor
			switch {
			case next == "" && pg.Paging.RemainingRecords == nil:
				return // no cursor and no count: nothing says there is more
			case next == "":
				yield(nil, &CursorError{SyncID: syncID, Pages: n + 1, Reason: "page without a cursor while records remain"})
				return
			case next == cursor:
				yield(nil, &CursorError{SyncID: syncID, Pages: n + 1, Reason: "page answered the cursor it was asked for"})
				return
			case next == saved:
				yield(nil, &CursorError{SyncID: syncID, Pages: n + 1, Reason: "cursors repeat in a cycle"})
				return
			}
			if steps++; steps == power {
				saved, power, steps = next, power*2, 0
			}
			cursor = next
		}
	}
}

// GetRecord returns one record of a sync
// (GET /api/syncs/{syncId}/records/{recordId}).
func (c *Client) GetRecord(ctx context.Context, syncID, recordID string, opts ...paragon.CallOption) (*Record, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	if err := checkID("sync ID", syncID); err != nil {
		return nil, err
	}
	if err := checkID("record ID", recordID); err != nil {
		return nil, err
	}
	rec := new(Record)
	if err := c.call(ctx, http.MethodGet, syncPath(syncID, "records", recordID), "/api/syncs/{syncId}/records/{recordId}", nil, rec, opts); err != nil {
		return nil, err
	}
	return rec, nil
}

// Content is a record's content as it streams from Paragon (for files:
// the file's bytes, read from the integration on request). Read it, then
// Close it.
type Content struct {
	io.ReadCloser
	// ContentType is the media type Paragon sent, if any.
	ContentType string
	// ContentLength is the size in bytes, or -1 when unknown.
	ContentLength int64
	// Header holds the response headers.
	Header http.Header
}

// RecordContent opens a record's content
// (GET /api/syncs/{syncId}/records/{recordId}/content). The body is never
// buffered whole: the caller reads the stream and must Close it.
func (c *Client) RecordContent(ctx context.Context, syncID, recordID string, opts ...paragon.CallOption) (*Content, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	if err := checkID("sync ID", syncID); err != nil {
		return nil, err
	}
	if err := checkID("record ID", recordID); err != nil {
		return nil, err
	}
	resp, err := c.u.Call(ctx, paragon.ServiceManagedSync, http.MethodGet, syncPath(syncID, "records", recordID, "content"), &paragon.CallParams{
		Stream:   true,
		Header:   http.Header{"Accept": {"*/*"}},
		Template: "/api/syncs/{syncId}/records/{recordId}/content",
	}, opts...)
	if err != nil {
		return nil, err
	}
	n := int64(-1)
	if v := resp.Header.Get("Content-Length"); v != "" {
		if x, err := strconv.ParseInt(v, 10, 64); err == nil && x >= 0 {
			n = x
		}
	}
	return &Content{ReadCloser: resp.Body, ContentType: resp.Header.Get("Content-Type"), ContentLength: n, Header: resp.Header}, nil
}
