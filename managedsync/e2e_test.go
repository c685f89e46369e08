package managedsync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/managedsync"
	"github.com/paragon-go/paragon/paragontest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeSetup starts a fake Paragon with user "acct-1" connected to Close and
// n leads in the fake Close.
func fakeSetup(t *testing.T, n int) (*paragontest.Server, *managedsync.Client) {
	t.Helper()
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1", Connected: []string{"close"}}))
	t.Cleanup(srv.Close)
	for i := range n {
		_, err := srv.CloseCRM().CreateLead(map[string]any{"name": fmt.Sprintf("Lead %03d", i)})
		require.NoError(t, err)
	}
	c := srv.Client(paragon.WithRetryPolicy(paragon.RetryPolicy{MaxRetries: 1, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	t.Cleanup(c.CloseIdleConnections)
	return srv, managedsync.New(c.User("acct-1"))
}

type company struct {
	ID         string `json:"id"`
	ExternalID string `json:"externalId"`
	Name       string `json:"name"`
}

func TestEndToEndCloseLeads(t *testing.T) {
	t.Parallel()
	srv, ms := fakeSetup(t, 25)
	ctx := t.Context()

	var mu sync.Mutex
	var events []*managedsync.Event
	h, err := managedsync.NewWebhookHandler(func(_ context.Context, e *managedsync.Event) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
		return nil
	}, managedsync.WithURLSecret("", "0123456789abcdef-secret"))
	require.NoError(t, err)
	hook := httptest.NewServer(h)
	t.Cleanup(hook.Close)
	require.NoError(t, srv.ManagedSync().SetWebhookURL(hook.URL+"/hooks?secret=0123456789abcdef-secret"))

	s, err := ms.Create(ctx, &managedsync.CreateParams{Integration: "close", Pipeline: "companies"})
	require.NoError(t, err)
	assert.Equal(t, managedsync.StatusInitializing, s.Status)
	assert.Equal(t, "acct-1", s.UserID)
	assert.Equal(t, srv.ProjectID(), s.ProjectID)

	idle, err := ms.WaitIdle(ctx, s.ID, managedsync.WithPollInterval(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, managedsync.StatusIdle, idle.Status)
	assert.Equal(t, int64(25), idle.Summary.TotalRecords)
	assert.False(t, idle.Summary.LastSyncedAt.IsZero())

	list, err := ms.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, s.ID, list[0].ID)

	// Records, 10 a page, with the cursor persisted after each page.
	var got []managedsync.Record
	var cursor string
	for rec, err := range ms.Records(ctx, s.ID, &managedsync.RecordsParams{PageSize: 10, AfterPage: func(p managedsync.Paging) { cursor = p.Cursor }}) {
		require.NoError(t, err)
		got = append(got, rec)
	}
	require.Len(t, got, 25)
	seen := map[string]bool{}
	for _, r := range got {
		var c company
		require.NoError(t, r.Decode(&c))
		assert.NotEmpty(t, c.Name)
		_, ok := srv.CloseCRM().Lead(r.ExternalID)
		assert.True(t, ok, "record %s is a Close lead", r.ExternalID)
		seen[r.ID] = true
	}
	assert.Len(t, seen, 25)
	assert.Equal(t, got[24].ResumeCursor, cursor)

	// One record, and its content streamed.
	one, err := ms.GetRecord(ctx, s.ID, got[3].ID)
	require.NoError(t, err)
	assert.Equal(t, got[3].ExternalID, one.ExternalID)
	content, err := ms.RecordContent(ctx, s.ID, got[3].ID)
	require.NoError(t, err)
	b, err := io.ReadAll(content)
	require.NoError(t, err)
	require.NoError(t, content.Close())
	var lead map[string]any
	require.NoError(t, json.Unmarshal(b, &lead))
	assert.Equal(t, got[3].ExternalID, lead["id"])
	assert.Equal(t, int64(len(b)), content.ContentLength)

	// A new lead, a re-sync: a record_created webhook, and the resumed
	// cursor yields just the new record.
	newLead, err := srv.CloseCRM().CreateLead(map[string]any{"name": "Late Lead"})
	require.NoError(t, err)
	require.NoError(t, srv.ManagedSync().Resync(s.ID))
	var more []managedsync.Record
	for rec, err := range ms.Records(ctx, s.ID, &managedsync.RecordsParams{Cursor: cursor}) {
		require.NoError(t, err)
		more = append(more, rec)
	}
	require.Len(t, more, 1)
	assert.Equal(t, newLead["id"], more[0].ExternalID)

	ds, err := srv.ManagedSync().WaitWebhooks(ctx, 3)
	require.NoError(t, err)
	require.Equal(t, "webhook_verification", ds[0].Event)
	assert.Equal(t, http.StatusOK, ds[0].StatusCode)
	assert.Contains(t, string(ds[0].Response), `"challenge"`)
	for _, d := range ds {
		assert.Equal(t, http.StatusOK, d.StatusCode, "%s: %s", d.Event, d.Err)
	}
	mu.Lock()
	require.Len(t, events, 2)
	assert.Equal(t, managedsync.EventSyncComplete, events[0].Type)
	sc, err := events[0].SyncComplete()
	require.NoError(t, err)
	assert.Equal(t, int64(25), sc.NumRecords)
	assert.Equal(t, s.ID, events[0].SyncID)
	assert.Equal(t, "acct-1", events[0].User.ID)
	assert.Equal(t, managedsync.EventRecordCreated, events[1].Type)
	rd, err := events[1].Record()
	require.NoError(t, err)
	assert.Equal(t, more[0].ID, rd.RecordID)
	mu.Unlock()

	// Permissions over seeded data.
	obj := got[0].ID
	require.NoError(t, srv.ManagedSync().Grant(s.ID,
		paragontest.PermissionGrant{Object: obj, User: "ann@example.com", Role: "is_owner"},
		paragontest.PermissionGrant{Object: obj, User: "bob@example.com", Role: "can_read"},
		paragontest.PermissionGrant{Object: got[1].ID, User: "ann@example.com", Role: "can_read"},
	))
	ok, err := ms.CheckAccess(ctx, s.ID, managedsync.AccessCheck{Object: obj, User: "bob@example.com", Role: managedsync.RoleCanRead})
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = ms.CheckAccess(ctx, s.ID, managedsync.AccessCheck{Object: obj, User: "bob@example.com", Role: managedsync.RoleCanWrite})
	require.NoError(t, err)
	assert.False(t, ok)

	var checks []managedsync.AccessCheck
	for i := range 120 {
		user := "ann@example.com"
		if i%2 == 1 {
			user = "bob@example.com"
		}
		checks = append(checks, managedsync.AccessCheck{Object: got[i%3].ID, User: user, Role: managedsync.RoleCanRead})
	}
	res, err := ms.BatchCheckAccess(ctx, s.ID, checks)
	require.NoError(t, err)
	require.Len(t, res, 120)
	for i, r := range res {
		assert.Equal(t, checks[i], r.Check)
		want := (i%3 == 0) || (i%3 == 1 && i%2 == 0)
		assert.Equal(t, want, r.Allowed, "check %d", i)
	}

	users, err := ms.ListUsers(ctx, s.ID, obj, managedsync.RoleCanRead)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"ann@example.com", "bob@example.com"}, users)

	var objs []string
	for o, err := range ms.ListObjects(ctx, s.ID, &managedsync.ListObjectsParams{User: "ann@example.com", Role: managedsync.RoleCanRead}) {
		require.NoError(t, err)
		objs = append(objs, o)
	}
	assert.Equal(t, []string{got[0].ID, got[1].ID}, objs)

	// Disable, wait fails typed; re-enable; delete.
	require.NoError(t, ms.Disable(ctx, s.ID))
	_, err = ms.WaitIdle(ctx, s.ID)
	var se *managedsync.SyncError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, managedsync.ErrSyncDisabled)
	require.NoError(t, ms.Reenable(ctx, s.ID))
	st, _ := srv.ManagedSync().Status(s.ID)
	assert.Equal(t, paragontest.SyncInitializing, st)
	require.NoError(t, ms.Delete(ctx, s.ID))
	_, err = ms.Get(ctx, s.ID)
	require.ErrorIs(t, err, paragon.ErrNotFound)
}

func TestEndToEndErroredSync(t *testing.T) {
	t.Parallel()
	srv, ms := fakeSetup(t, 1)
	ctx := t.Context()
	s, err := ms.Create(ctx, &managedsync.CreateParams{Integration: "close", Pipeline: "companies"})
	require.NoError(t, err)
	require.NoError(t, srv.ManagedSync().Fail(s.ID, "Close refused the credential"))
	_, err = ms.WaitIdle(ctx, s.ID, managedsync.WithPollInterval(time.Millisecond, time.Millisecond))
	var se *managedsync.SyncError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, managedsync.ErrSyncErrored)
	require.NotNil(t, se.Failure)
	assert.Equal(t, "Close refused the credential", se.Failure.Message)
	assert.Equal(t, "sync_failed", se.Failure.Code)
}

func TestEndToEndTokenWithoutAudience(t *testing.T) {
	t.Parallel()
	srv, _ := fakeSetup(t, 0)
	c := srv.Client()
	t.Cleanup(c.CloseIdleConnections)
	// The fake refuses a token without aud on /api routes.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/api/syncs", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tokenWithoutAud(t, srv))
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	// The same token is fine on the Connect API, and the SDK refuses it
	// for Managed Sync before sending anything.
	u, err := c.Authenticate(t.Context(), tokenWithoutAud(t, srv))
	require.NoError(t, err)
	_, err = managedsync.New(u).List(t.Context(), nil)
	require.ErrorIs(t, err, managedsync.ErrNoAudience)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
}
