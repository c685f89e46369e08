package managedsync_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/managedsync"
)

const recordsURL = syncBase + "/api/syncs/" + testSync + "/records"

// pagedRecords answers the records endpoint from a list of n records, size
// per page, with cursor "c<index of last>"; next(cursor) may override.
func pagedRecords(t *testing.T, h *harness, n int) {
	t.Helper()
	h.onFunc(http.MethodGet, recordsURL, func(req *http.Request) (*http.Response, error) {
		q := req.URL.Query()
		size := 100
		if v := q.Get("pageSize"); v != "" {
			_, _ = fmt.Sscan(v, &size)
		}
		start := 0
		if c := q.Get("cursor"); c != "" {
			_, _ = fmt.Sscanf(c, "c%d", &start)
			start++
		}
		end := min(start+size, n)
		var data []string
		for i := start; i < end; i++ {
			data = append(data, fmt.Sprintf(`{"id":"r%d","externalId":"x%d","name":"Record %d"}`, i, i, i))
		}
		cursor := q.Get("cursor")
		if end > start {
			cursor = fmt.Sprintf("c%d", end-1)
		}
		body := fmt.Sprintf(`{"data":[%s],"paging":{"totalRecords":%d,"totalActiveRecords":%d,"remainingRecords":%d,"cursor":%q,"lastSeen":%d}}`,
			strings.Join(data, ","), n, n, n-end, cursor, end)
		r := httpmock.NewStringResponse(200, body)
		r.Header.Set("Content-Type", "application/json")
		return r, nil
	})
}

func TestRecordsPagesAlongTheCursor(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pagedRecords(t, h, 25)
	var ids []string
	var pages []managedsync.Paging
	for rec, err := range h.ms.Records(t.Context(), testSync, &managedsync.RecordsParams{
		PageSize: 10, AfterPage: func(p managedsync.Paging) { pages = append(pages, p) },
	}) {
		require.NoError(t, err)
		ids = append(ids, rec.ID)
		var v struct{ Name string }
		require.NoError(t, rec.Decode(&v))
		assert.Equal(t, "Record "+strings.TrimPrefix(rec.ID, "r"), v.Name)
		assert.Equal(t, "x"+strings.TrimPrefix(rec.ID, "r"), rec.ExternalID)
	}
	require.Len(t, ids, 25)
	got := h.requests()
	require.Len(t, got, 3, "stops when remainingRecords is 0")
	wantQueries := []url.Values{
		{"pageSize": {"10"}},
		{"pageSize": {"10"}, "cursor": {"c9"}},
		{"pageSize": {"10"}, "cursor": {"c19"}},
	}
	for i, r := range got {
		u, err := url.Parse(r.URL)
		require.NoError(t, err)
		assert.Equal(t, "sync.test", u.Host)
		assert.Equal(t, "/api/syncs/"+testSync+"/records", u.Path)
		assert.Equal(t, wantQueries[i], u.Query())
		assert.Equal(t, http.MethodGet, r.Method)
		checkAuth(t, r.Header)
	}
	require.Len(t, pages, 3)
	assert.Equal(t, "c24", pages[2].Cursor)
	assert.Equal(t, int64(0), pages[2].RemainingRecords)
	assert.Equal(t, int64(15), pages[0].RemainingRecords)
}

func TestRecordsResumeCursor(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pagedRecords(t, h, 7)
	var recs []managedsync.Record
	for rec, err := range h.ms.Records(t.Context(), testSync, &managedsync.RecordsParams{PageSize: 3, Cursor: "c0"}) {
		require.NoError(t, err)
		recs = append(recs, rec)
	}
	require.Len(t, recs, 6)
	want := []string{"c0", "c0", "c3", "c3", "c3", "c6"}
	for i, r := range recs {
		assert.Equal(t, want[i], r.ResumeCursor, "record %d", i)
	}
}

func TestRecordsStopsOnBreak(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pagedRecords(t, h, 1000)
	n := 0
	for _, err := range h.ms.Records(t.Context(), testSync, &managedsync.RecordsParams{PageSize: 10}) {
		require.NoError(t, err)
		if n++; n == 15 {
			break
		}
	}
	assert.Len(t, h.requests(), 2, "only the pages the loop reached")
}

func TestRecordsEndsOnEmptyPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	calls := 0
	h.onFunc(http.MethodGet, recordsURL, func(*http.Request) (*http.Response, error) {
		calls++
		body := `{"data":[{"id":"a"}],"paging":{"cursor":"k1"}}`
		if calls > 1 {
			body = `{"data":[],"paging":{"cursor":"k1"}}`
		}
		return httpmock.NewStringResponse(200, body), nil
	})
	n := 0
	for _, err := range h.ms.Records(t.Context(), testSync, nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1, n)
	assert.Equal(t, 2, calls)
	assert.Equal(t, recordsURL, h.requests()[0].URL, "no pageSize when 0")
}

func TestRecordsCursorThatDoesNotAdvance(t *testing.T) {
	t.Parallel()
	for name, cursors := range map[string][]string{
		"same cursor":    {"a", "a"},
		"cycle of three": {"a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c"},
		"no cursor":      {""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			i := 0
			h.onFunc(http.MethodGet, recordsURL, func(*http.Request) (*http.Response, error) {
				c := cursors[i%len(cursors)]
				i++
				if i > 100 {
					t.Fatal("cycle not detected")
				}
				return httpmock.NewStringResponse(200, fmt.Sprintf(`{"data":[{"id":"r%d"}],"paging":{"cursor":%q,"remainingRecords":5}}`, i, c)), nil
			})
			var last error
			n := 0
			for _, err := range h.ms.Records(t.Context(), testSync, nil) {
				if err != nil {
					last = err
					continue
				}
				n++
			}
			require.ErrorIs(t, last, managedsync.ErrCursorCycle)
			var ce *managedsync.CursorError
			require.ErrorAs(t, last, &ce)
			assert.Equal(t, testSync, ce.SyncID)
			assert.Less(t, n, 20)
		})
	}
}

func TestRecordsErrorEndsSequence(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, recordsURL, 401, `{"message":"Unauthorized","statusCode":401}`)
	var errs []error
	for _, err := range h.ms.Records(t.Context(), testSync, nil) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], paragon.ErrUnauthorized)
}

func TestRecordsMalformedPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, recordsURL, 200, `<html>oops</html>`)
	err := firstErr(h.ms.Records(t.Context(), testSync, nil))
	require.ErrorIs(t, err, paragon.ErrInvalidResponse)
}

func TestRecordsHonoursContext(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pagedRecords(t, h, 50)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	n := 0
	var last error
	for _, err := range h.ms.Records(ctx, testSync, &managedsync.RecordsParams{PageSize: 10}) {
		if err != nil {
			last = err
			break
		}
		if n++; n == 3 {
			cancel()
		}
	}
	require.ErrorIs(t, last, context.Canceled)
	assert.Equal(t, 3, n, "no record after cancel")
	assert.Len(t, h.requests(), 1)
}

func TestRecordsAs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pagedRecords(t, h, 12)
	type rec struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	var cursors []string
	var got []rec
	for r, err := range managedsync.RecordsAs[rec](t.Context(), h.ms, testSync, &managedsync.RecordsParams{
		PageSize: 5, AfterPage: func(p managedsync.Paging) { cursors = append(cursors, p.Cursor) },
	}) {
		require.NoError(t, err)
		got = append(got, r)
	}
	require.Len(t, got, 12)
	assert.Equal(t, rec{ID: "r11", Name: "Record 11"}, got[11])
	assert.Equal(t, []string{"c4", "c9", "c11"}, cursors)
}

func TestGetRecord(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, recordsURL+"/rec-1", 200, `{"id":"rec-1","externalId":"1AbC","name":"Q3 plan.docx","mimeType":"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}`)
	r, err := h.ms.GetRecord(t.Context(), testSync, "rec-1")
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, recordsURL+"/rec-1", req.URL)
	assert.Equal(t, "rec-1", r.ID)
	assert.Equal(t, "1AbC", r.ExternalID)
	assert.Empty(t, r.ResumeCursor)
	assert.Equal(t, "Q3 plan.docx", decode(t, r.Raw)["name"])
}

// gatedBody is a response body that hands out its first part at once and
// the rest only after release is closed.
type gatedBody struct {
	first   []byte
	rest    []byte
	release chan struct{}
	closed  chan struct{}
}

func (g *gatedBody) Read(p []byte) (int, error) {
	if len(g.first) > 0 {
		n := copy(p, g.first)
		g.first = g.first[n:]
		return n, nil
	}
	select {
	case <-g.release:
	case <-g.closed:
		return 0, errors.New("closed")
	}
	if len(g.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.rest)
	g.rest = g.rest[n:]
	return n, nil
}

func (g *gatedBody) Close() error {
	select {
	case <-g.closed:
	default:
		close(g.closed)
	}
	return nil
}

func TestRecordContentStreams(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	body := &gatedBody{first: []byte("%PDF-1.7 "), rest: []byte("rest of the file"), release: make(chan struct{}), closed: make(chan struct{})}
	h.onFunc(http.MethodGet, recordsURL+"/rec-1/content", func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/pdf"}, "Content-Length": {"25"}}, Body: body, ContentLength: 25}, nil
	})
	c, err := h.ms.RecordContent(t.Context(), testSync, "rec-1")
	require.NoError(t, err, "returns before the body is complete: nothing buffered whole")
	req := h.only()
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, recordsURL+"/rec-1/content", req.URL)
	assert.Equal(t, "*/*", req.Header.Get("Accept"))
	assert.Equal(t, "application/pdf", c.ContentType)
	assert.Equal(t, int64(25), c.ContentLength)
	buf := make([]byte, 9)
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	assert.Equal(t, "%PDF-1.7 ", string(buf))
	close(body.release)
	rest, err := io.ReadAll(c)
	require.NoError(t, err)
	assert.Equal(t, "rest of the file", string(rest))
	require.NoError(t, c.Close())
	select {
	case <-body.closed:
	default:
		t.Fatal("Close did not close the response body")
	}
}

func TestRecordContentError(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, recordsURL+"/gone/content", 404, `{"message":"Record not found.","status":404}`)
	_, err := h.ms.RecordContent(t.Context(), testSync, "gone")
	require.ErrorIs(t, err, paragon.ErrNotFound)
}
