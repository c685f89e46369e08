package paragontest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/paragontest"
)

// These tests check the fake Managed Sync on the wire, without package
// managedsync.

func syncServer(t *testing.T, leads int) (*paragontest.Server, string) {
	t.Helper()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	for i := range leads {
		_, err := srv.CloseCRM().CreateLead(map[string]any{"name": "Lead " + string(rune('A'+i))})
		require.NoError(t, err)
	}
	return srv, srv.UserToken("u1")
}

func createSync(t *testing.T, srv *paragontest.Server, tok string) string {
	t.Helper()
	r := do(t, srv, req{method: "POST", path: "/api/syncs", token: tok, body: map[string]any{"integration": "close", "pipeline": "companies", "configuration": map[string]any{}}})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	m := r.JSON(t)
	assert.Equal(t, "INITIALIZING", m["status"])
	assert.Equal(t, "u1", m["userId"])
	assert.Equal(t, srv.ProjectID(), m["projectId"])
	assert.Equal(t, "close", m["integration"])
	assert.Equal(t, "companies", m["pipeline"])
	return m["id"].(string)
}

func TestManagedSyncRequiresAud(t *testing.T) {
	t.Parallel()
	srv, _ := syncServer(t, 0)
	claims := claimsFor(srv, "u1")
	delete(claims, "aud")
	noAud := sign(t, serverKey(t, srv), claims)
	for _, path := range []string{"/api/syncs", "/api/syncs/x", "/api/syncs/x/records"} {
		r := do(t, srv, req{method: "GET", path: path, token: noAud})
		m := assertParagonError(t, r, http.StatusUnauthorized, "unauthorized")
		assert.Contains(t, m["message"], "aud")
	}
	r := do(t, srv, req{method: "POST", path: "/api/permissions/x/check", token: noAud, body: map[string]any{}})
	assertParagonError(t, r, http.StatusUnauthorized, "unauthorized")
	claims["aud"] = "useparagon.com/another-project"
	r = do(t, srv, req{method: "GET", path: "/api/syncs", token: sign(t, serverKey(t, srv), claims)})
	assertParagonError(t, r, http.StatusUnauthorized, "unauthorized")
	// The Connect API still takes a token without aud.
	r = do(t, srv, req{method: "GET", path: "/sdk/me", token: noAud})
	assert.Equal(t, http.StatusOK, r.Status)
}

func TestManagedSyncLifecycleAndPaging(t *testing.T) {
	t.Parallel()
	srv, tok := syncServer(t, 5)
	id := createSync(t, srv, tok)

	status := func() map[string]any {
		r := do(t, srv, req{method: "GET", path: "/api/syncs/" + id, token: tok})
		require.Equal(t, http.StatusOK, r.Status)
		return r.JSON(t)
	}
	assert.Equal(t, "ACTIVE", status()["status"])
	s := status()
	assert.Equal(t, "IDLE", s["status"])
	sum := s["summary"].(map[string]any)
	assert.EqualValues(t, 5, sum["totalRecords"])
	assert.NotEmpty(t, sum["lastSyncedAt"])

	// Pages of 2 by cursor.
	var ext []string
	cursor := ""
	for range 10 {
		path := "/api/syncs/" + id + "/records?pageSize=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r := do(t, srv, req{method: "GET", path: path, token: tok})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		var pg struct {
			Data []struct {
				ID, ExternalID, Name string
				CustomFields         map[string]any
			} `json:"data"`
			Paging struct {
				TotalRecords, TotalActiveRecords, RemainingRecords int
				Cursor                                             string
			} `json:"paging"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &pg))
		for _, d := range pg.Data {
			ext = append(ext, d.ExternalID)
			assert.Equal(t, d.ExternalID, d.CustomFields["id"])
			assert.NotEmpty(t, d.ID)
		}
		assert.Equal(t, 5, pg.Paging.TotalRecords)
		if pg.Paging.RemainingRecords == 0 {
			break
		}
		cursor = pg.Paging.Cursor
	}
	assert.Len(t, ext, 5)

	r := do(t, srv, req{method: "GET", path: "/api/syncs/" + id + "/records?cursor=bogus", token: tok})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
	r = do(t, srv, req{method: "GET", path: "/api/syncs/" + id + "/records?pageSize=5000", token: tok})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")

	// Another user sees none of it.
	other := srv.UserToken("u2")
	r = do(t, srv, req{method: "GET", path: "/api/syncs/" + id, token: other})
	assertParagonError(t, r, http.StatusNotFound, "not_found")
	r = do(t, srv, req{method: "GET", path: "/api/syncs", token: other})
	assert.Equal(t, `{"data":[]}`, strings.TrimSpace(string(r.Body)))
}

func TestManagedSyncCreateValidation(t *testing.T) {
	t.Parallel()
	srv, tok := syncServer(t, 0)
	r := do(t, srv, req{method: "POST", path: "/api/syncs", token: tok, body: map[string]any{"pipeline": "files"}})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
	r = do(t, srv, req{method: "POST", path: "/api/syncs", token: tok, body: map[string]any{"integration": "slack", "pipeline": "messages"}})
	assertParagonError(t, r, http.StatusNotFound, "integration_not_enabled")
	r = do(t, srv, req{method: "POST", path: "/api/syncs", token: tok, body: map[string]any{"integration": "close", "pipeline": "files"}})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
}

func TestManagedSyncManualStepsPutRecordAndReset(t *testing.T) {
	t.Parallel()
	srv, tok := syncServer(t, 1)
	ms := srv.ManagedSync()
	ms.SetStatusReads(0)
	id := createSync(t, srv, tok)
	for range 3 {
		do(t, srv, req{method: "GET", path: "/api/syncs/" + id, token: tok})
	}
	st, ok := ms.Status(id)
	require.True(t, ok)
	assert.Equal(t, paragontest.SyncInitializing, st, "reads don't move it")
	st, err := ms.Advance(id)
	require.NoError(t, err)
	assert.Equal(t, paragontest.SyncActive, st)
	st, err = ms.Advance(id)
	require.NoError(t, err)
	assert.Equal(t, paragontest.SyncIdle, st)

	rid, err := ms.PutRecord(id, map[string]any{"externalId": "file-1", "name": "notes.txt"}, []byte("hello"), "text/plain")
	require.NoError(t, err)
	r := do(t, srv, req{method: "GET", path: "/api/syncs/" + id + "/records/" + rid + "/content", token: tok})
	assert.Equal(t, "hello", string(r.Body))
	assert.Equal(t, "text/plain", r.Header.Get("Content-Type"))
	r = do(t, srv, req{method: "GET", path: "/api/syncs/" + id + "/records/" + rid, token: tok})
	assert.Equal(t, "notes.txt", r.JSON(t)["name"])

	srv.Reset()
	_, ok = ms.Status(id)
	assert.False(t, ok, "Reset drops syncs")
}

func TestManagedSyncWebhooksDelivered(t *testing.T) {
	t.Parallel()
	srv, tok := syncServer(t, 2)
	var mu sync.Mutex
	var got []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
		if ch, ok := m["challenge"]; ok {
			_ = json.NewEncoder(w).Encode(map[string]any{"challenge": ch})
		}
	}))
	t.Cleanup(hook.Close)
	require.Error(t, srv.ManagedSync().SetWebhookURL("https://example.com/hook"), "loopback only")
	require.NoError(t, srv.ManagedSync().SetWebhookURL(hook.URL))
	id := createSync(t, srv, tok)
	_, err := srv.ManagedSync().Advance(id)
	require.NoError(t, err)
	_, err = srv.ManagedSync().Advance(id)
	require.NoError(t, err)
	_, err = srv.CloseCRM().CreateLead(map[string]any{"name": "Third"})
	require.NoError(t, err)
	require.NoError(t, srv.ManagedSync().Resync(id))
	require.NoError(t, srv.ManagedSync().Fail(id, "boom"))

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ds, err := srv.ManagedSync().WaitWebhooks(ctx, 4)
	require.NoError(t, err)
	var events []string
	for _, d := range ds {
		events = append(events, d.Event)
		assert.Equal(t, http.StatusOK, d.StatusCode)
	}
	assert.Equal(t, []string{"webhook_verification", "sync_complete", "record_created", "sync_errored"}, events)
	assert.Contains(t, string(ds[0].Response), "challenge")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 4)
	for _, m := range got[1:] {
		assert.Equal(t, id, m["syncInstanceId"])
		assert.Equal(t, "close", m["sync"])
		assert.Equal(t, map[string]any{"id": "u1"}, m["user"])
		assert.NotEmpty(t, m["credentialId"])
	}
	assert.EqualValues(t, 2, got[1]["data"].(map[string]any)["numRecords"])
	assert.Equal(t, "boom", got[3]["error"].(map[string]any)["message"])

	short, cancel2 := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel2()
	_, err = srv.ManagedSync().WaitWebhooks(short, 99)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestManagedSyncPermissions(t *testing.T) {
	t.Parallel()
	srv, tok := syncServer(t, 0)
	id := createSync(t, srv, tok)
	require.NoError(t, srv.ManagedSync().Grant(id,
		paragontest.PermissionGrant{Object: "f1", User: "ann@x.io", Role: "is_owner"},
		paragontest.PermissionGrant{Object: "d1", ObjectType: "folder", User: "ann@x.io", Role: "can_read"},
		paragontest.PermissionGrant{Object: "f2", User: "bob@x.io", Role: "can_read"},
	))
	require.Error(t, srv.ManagedSync().Grant(id, paragontest.PermissionGrant{Object: "f", User: "a", Role: "admin"}))
	base := "/api/permissions/" + id
	r := do(t, srv, req{method: "POST", path: base + "/check", token: tok, body: map[string]any{"object": "f1", "user": "ann@x.io", "role": "can_write"}})
	assert.JSONEq(t, `{"hasAccess":true}`, string(r.Body))
	r = do(t, srv, req{method: "POST", path: base + "/check", token: tok, body: map[string]any{"object": "f1", "user": "user:ann@x.io", "role": "can_read"}})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
	r = do(t, srv, req{method: "POST", path: base + "/batch-check", token: tok, body: map[string]any{"checks": []any{
		map[string]any{"object": "f2", "user": "user:bob@x.io", "role": "can_read"},
		map[string]any{"object": "f2", "user": "bob@x.io", "role": "can_read"},
	}}})
	var br struct {
		Result []struct {
			Allowed bool
			Request map[string]string
			Error   map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(r.Body, &br))
	require.Len(t, br.Result, 2)
	assert.Equal(t, "bob@x.io", br.Result[0].Request["user"], "answers come in reverse order")
	assert.NotNil(t, br.Result[0].Error, "a bare email is refused in batch-check")
	assert.True(t, br.Result[1].Allowed)

	r = do(t, srv, req{method: "POST", path: base + "/list-users", token: tok, body: map[string]any{"object": "f1", "role": "can_read"}})
	assert.JSONEq(t, `{"users":["ann@x.io"]}`, string(r.Body))
	r = do(t, srv, req{method: "POST", path: base + "/list-objects", token: tok, body: map[string]any{"objectType": "file", "user": "ann@x.io", "role": "can_read"}})
	assert.JSONEq(t, `{"objects":["f1"]}`, string(r.Body))
	r = do(t, srv, req{method: "POST", path: base + "/streamed-list-objects", token: tok, body: map[string]any{"objectType": "folder", "user": "ann@x.io", "role": "can_read"}})
	assert.Equal(t, "application/x-ndjson", r.Header.Get("Content-Type"))
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	assert.Equal(t, []string{`{"object":"d1"}`}, lines)
	r = do(t, srv, req{method: "POST", path: base + "/list-objects", token: tok, body: map[string]any{"objectType": "drive", "user": "ann@x.io", "role": "can_read"}})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
}

func TestManagedSyncSourceFailureErrors(t *testing.T) {
	t.Parallel()
	srv, tok := syncServer(t, 1)
	id := createSync(t, srv, tok)
	_, err := srv.ManagedSync().Advance(id)
	require.NoError(t, err)
	srv.CloseCRM().FailNext(1, http.StatusInternalServerError)
	st, err := srv.ManagedSync().Advance(id)
	require.NoError(t, err)
	assert.Equal(t, paragontest.SyncErrored, st)
	r := do(t, srv, req{method: "GET", path: "/api/syncs/" + id, token: tok})
	m := r.JSON(t)
	assert.Equal(t, "ERRORED", m["status"])
	assert.Contains(t, m["error"].(map[string]any)["message"], "Close leads")
	// Re-enabled, it runs again and succeeds.
	r = do(t, srv, req{method: "POST", path: "/api/syncs/" + id + "/reenable", token: tok})
	assert.Equal(t, http.StatusNoContent, r.Status)
	_, _ = srv.ManagedSync().Advance(id)
	st, err = srv.ManagedSync().Advance(id)
	require.NoError(t, err)
	assert.Equal(t, paragontest.SyncIdle, st)
}
