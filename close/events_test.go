package close_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

func eventJSON(id, objectType, updated string) string {
	return `{"id": "` + id + `", "object_type": "` + objectType + `", "action": "created",
	  "object_id": "acti_Nn2Bb4", "lead_id": "lead_4pT9wQ", "organization_id": "orga_Wq3Er5",
	  "user_id": null, "request_id": "req_1Zz3Xx", "api_key_id": null,
	  "date_created": "` + updated + `", "date_updated": "` + updated + `",
	  "oauth_client_id": "oa_1", "meta": {"request_method": "POST", "request_path": "/api/v1/activity/note/", "new_key": 7}}`
}

func TestEventsListFollowsCursorWithFilters(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/event/", Query: "object_type=activity.note&action=created&date_updated__gte=2025-10-01T17:00:00&_limit=2",
			Reply: out(`{"data": [` + eventJSON("ev_2", "activity.note", "2025-10-01T17:50:11.004000") + `,` +
				eventJSON("ev_1", "activity.note", "2025-10-01T17:40:11") + `], "cursor_next": "c2tpcDo1MA", "cursor_previous": null}`)},
		exchange{Method: "GET", Path: "/event/", Query: "object_type=activity.note&action=created&date_updated__gte=2025-10-01T17:00:00&_limit=2&_cursor=c2tpcDo1MA",
			Reply: out(`{"data": [` + eventJSON("ev_0", "activity.note", "2025-10-01T17:30:00") + `], "cursor_next": null, "cursor_previous": "x"}`)},
	)
	crm := w.crm()
	var ids []string
	for ev, err := range crm.Events.List(t.Context(), &close.EventListParams{
		ObjectType: "activity.note", Action: "created", Limit: 2,
		DateUpdated: close.TimeRange{Gte: time.Date(2025, 10, 1, 19, 0, 0, 0, time.FixedZone("", 2*3600))},
	}) {
		require.NoError(t, err)
		ids = append(ids, ev.ID)
		assert.True(t, ev.APIKeyID.IsNull())
		assert.Contains(t, string(ev.Raw), "oauth_client_id")
		v, ok := ev.Meta.Value("new_key")
		assert.True(t, ok)
		assert.Equal(t, "7", string(v))
		assert.Equal(t, "POST", ev.Meta.RequestMethod)
	}
	assert.Equal(t, []string{"ev_2", "ev_1", "ev_0"}, ids)
}

func TestEventsGetAndBadInput(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "GET", Path: "/event/ev_1/", Reply: out(eventJSON("ev_1", "lead", "2025-10-01T17:40:11"))})
	crm := w.crm()
	ev, err := crm.Events.Get(t.Context(), "ev_1")
	require.NoError(t, err)
	assert.Equal(t, "lead", ev.ObjectType)
	assert.Equal(t, time.Date(2025, 10, 1, 17, 40, 11, 0, time.UTC), ev.DateUpdated.Time)

	_, err = crm.Events.Get(t.Context(), "../x")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = crm.Events.ListPage(t.Context(), &close.EventListParams{Limit: 51})
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = crm.Events.ListPage(t.Context(), &close.EventListParams{Extra: url.Values{"_skip": {"5"}}})
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
}

// eventServer is a stub event log answering from a function of the cursor.
func eventServer(fn func(cursor string) string) (*stub, *close.Client) {
	s := &stub{fn: func(_ string, opts *paragon.RequestOptions) (*paragon.Response, error) {
		return jsonResponse(200, fn(opts.Query.Get("_cursor"))), nil
	}}
	return s, close.New(s)
}

func collectEvents(seq func(func(close.Event, error) bool)) ([]string, error) {
	var ids []string
	for ev, err := range seq {
		if err != nil {
			return ids, err
		}
		ids = append(ids, ev.ID)
	}
	return ids, nil
}

func TestEventsGuards(t *testing.T) {
	t.Parallel()
	t.Run("empty pages with fresh cursors", func(t *testing.T) {
		t.Parallel()
		n := 0
		s, crm := eventServer(func(string) string {
			n++
			return fmt.Sprintf(`{"data": [], "cursor_next": "c%d"}`, n)
		})
		_, err := collectEvents(crm.Events.List(t.Context(), nil))
		require.ErrorIs(t, err, close.ErrNoProgress)
		require.ErrorIs(t, err, paragon.ErrInvalidResponse)
		assert.LessOrEqual(t, len(s.calls), 4)
	})
	t.Run("cursor cycle A B A", func(t *testing.T) {
		t.Parallel()
		s, crm := eventServer(func(c string) string {
			next := map[string]string{"": "A", "A": "B", "B": "A"}[c]
			return `{"data": [` + eventJSON("ev_"+c+"x", "lead", "2025-10-01T17:40:11") + `], "cursor_next": "` + next + `"}`
		})
		ids, err := collectEvents(crm.Events.List(t.Context(), nil))
		require.ErrorIs(t, err, close.ErrNoProgress)
		assert.Equal(t, []string{"ev_x", "ev_Ax", "ev_Bx"}, ids)
		assert.Len(t, s.calls, 3)
	})
	t.Run("same page under a new cursor", func(t *testing.T) {
		t.Parallel()
		n := 0
		_, crm := eventServer(func(string) string {
			n++
			return `{"data": [` + eventJSON("ev_1", "lead", "2025-10-01T17:40:11") + `], "cursor_next": "c` + fmt.Sprint(n) + `"}`
		})
		ids, err := collectEvents(crm.Events.List(t.Context(), nil))
		require.ErrorIs(t, err, close.ErrNoProgress)
		assert.Equal(t, []string{"ev_1"}, ids, "the repeated page is not yielded")
	})
	t.Run("more events than the limit", func(t *testing.T) {
		t.Parallel()
		_, crm := eventServer(func(string) string {
			return `{"data": [` + strings.Repeat(`{},`, 50) + `{}], "cursor_next": null}`
		})
		ids, err := collectEvents(crm.Events.List(t.Context(), nil))
		require.ErrorIs(t, err, close.ErrPageTooLarge)
		assert.Empty(t, ids)
	})
}

func TestEventsResumeBookmark(t *testing.T) {
	t.Parallel()
	type req struct{ gte, cursor string }
	var got []req
	pages := map[string]string{
		"":   `{"data": [` + eventJSON("ev_3", "lead", "2025-10-01T18:00:00") + `,` + eventJSON("ev_2", "lead", "2025-10-01T17:58:00") + `], "cursor_next": "p2"}`,
		"p2": `{"data": [` + eventJSON("ev_1", "lead", "2025-10-01T17:56:00") + `], "cursor_next": null}`,
	}
	s := &stub{fn: func(_ string, opts *paragon.RequestOptions) (*paragon.Response, error) {
		got = append(got, req{opts.Query.Get("date_updated__gte"), opts.Query.Get("_cursor")})
		return jsonResponse(200, pages[opts.Query.Get("_cursor")]), nil
	}}
	crm := close.New(s)
	since := time.Date(2025, 10, 1, 17, 59, 0, 0, time.UTC)

	// A run that stops after the first event of page 2 would resume there.
	sc := crm.Events.Resume(t.Context(), close.EventBookmark{Since: since}, &close.EventListParams{ObjectType: "lead"}, 0)
	n := 0
	for _, err := range sc.All() {
		require.NoError(t, err)
		n++
		if n == 3 {
			break
		}
	}
	b := sc.Bookmark()
	assert.Equal(t, "p2", b.Cursor)
	assert.Equal(t, since, b.Since)
	assert.Equal(t, since.Add(-5*time.Minute), b.From)
	assert.Equal(t, time.Date(2025, 10, 1, 18, 0, 0, 0, time.UTC), b.Newest)

	// The bookmark survives JSON, and resuming repeats page 2 with the same bound.
	raw, err := json.Marshal(b)
	require.NoError(t, err)
	var b2 close.EventBookmark
	require.NoError(t, json.Unmarshal(raw, &b2))
	sc = crm.Events.Resume(t.Context(), b2, &close.EventListParams{ObjectType: "lead"}, 0)
	ids, err := collectEvents(sc.All())
	require.NoError(t, err)
	assert.Equal(t, []string{"ev_1"}, ids)
	assert.Equal(t, close.EventBookmark{Since: time.Date(2025, 10, 1, 18, 0, 0, 0, time.UTC)}, sc.Bookmark())

	assert.Equal(t, []req{
		{"2025-10-01T17:54:00", ""}, {"2025-10-01T17:54:00", "p2"}, {"2025-10-01T17:54:00", "p2"},
	}, got)
	for _, c := range s.calls {
		assert.Equal(t, "lead", c.Opts.Query.Get("object_type"), "filters repeat with every cursor")
		assert.Equal(t, "/event/", c.Path)
	}
}

func TestNewWithTypedNilUser(t *testing.T) {
	t.Parallel()
	var u *paragon.User
	crm := close.New(u)
	require.ErrorIs(t, crm.Err(), paragon.ErrInvalidInput)
	_, err := crm.Leads.Get(context.Background(), "lead_1")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = collectEvents(crm.Events.List(t.Context(), nil))
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	for _, err := range crm.Leads.List(t.Context(), nil) {
		require.ErrorIs(t, err, paragon.ErrInvalidInput)
	}
	var nilClient *close.Client
	require.ErrorIs(t, nilClient.Err(), paragon.ErrInvalidInput)
}
