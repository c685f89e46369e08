package managedsync_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/managedsync"
)

func TestCreate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, syncBase+"/api/syncs", 200,
		`{"id":"`+testSync+`","userId":"acct-1042","integration":"googledrive","pipeline":"files","projectId":"`+testProject+`","status":"INITIALIZING"}`)
	s, err := h.ms.Create(t.Context(), &managedsync.CreateParams{
		Integration: "googledrive", Pipeline: "files",
		Configuration: map[string]any{"folderId": "root"}, CredentialID: "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10",
	})
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, syncBase+"/api/syncs", req.URL)
	assert.Equal(t, "application/json", req.Header.Get("Accept"))
	jsonBody(t, req, `{"integration":"googledrive","pipeline":"files","configuration":{"folderId":"root"},"credentialId":"b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10"}`)
	assert.Equal(t, testSync, s.ID)
	assert.Equal(t, managedsync.StatusInitializing, s.Status)
	assert.Equal(t, "acct-1042", s.UserID)
	assert.Equal(t, testProject, s.ProjectID)
	assert.Equal(t, "files", s.Pipeline)
	assert.NotEmpty(t, s.Raw)
}

func TestCreateDefaultsConfiguration(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, syncBase+"/api/syncs", 200, `{"id":"s1","status":"INITIALIZING"}`)
	_, err := h.ms.Create(t.Context(), &managedsync.CreateParams{Integration: "salesforce", Pipeline: "contacts", ConfigurationName: "eu"})
	require.NoError(t, err)
	jsonBody(t, h.only(), `{"integration":"salesforce","pipeline":"contacts","configuration":{},"configurationName":"eu"}`)
}

func TestGet(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, syncBase+"/api/syncs/"+testSync, 200,
		`{"status":"IDLE","summary":{"totalRecords":1000,"syncedRecordsCount":990,"lastSyncedAt":"2025-07-07T19:00:00.000Z","latestCursor":"c-99"}}`)
	s, err := h.ms.Get(t.Context(), testSync)
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, syncBase+"/api/syncs/"+testSync, req.URL)
	assert.Empty(t, req.Body)
	assert.Equal(t, testSync, s.ID, "the ID comes from the call")
	assert.Equal(t, managedsync.StatusIdle, s.Status)
	assert.Equal(t, managedsync.Summary{
		TotalRecords: 1000, SyncedRecordsCount: 990,
		LastSyncedAt: time.Date(2025, 7, 7, 19, 0, 0, 0, time.UTC), LatestCursor: "c-99",
	}, s.Summary)
	assert.Nil(t, s.Error)
}

func TestGetErroredAndUnknownStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, syncBase+"/api/syncs/a", 200, `{"status":"ERRORED","error":{"message":"token revoked","code":40101}}`)
	h.on(http.MethodGet, syncBase+"/api/syncs/b", 200, `{"status":"SYNCING"}`)
	s, err := h.ms.Get(t.Context(), "a")
	require.NoError(t, err)
	require.NotNil(t, s.Error)
	assert.Equal(t, "token revoked", s.Error.Message)
	assert.Equal(t, "40101", s.Error.Code)
	s, err = h.ms.Get(t.Context(), "b")
	require.NoError(t, err)
	assert.Equal(t, managedsync.Status("SYNCING"), s.Status)
	assert.False(t, s.Status.Known())
	assert.True(t, managedsync.StatusErrored.Known())
}

func TestList(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, syncBase+"/api/syncs?credentialId=cred-1", 200,
		`{"data":[{"id":"s1","integration":"googledrive","pipeline":"files","status":"ACTIVE","configurationName":"default","dateCreated":"2025-07-01T10:00:00.000Z","dateUpdated":"2025-07-02T10:00:00.000Z"}]}`)
	list, err := h.ms.List(t.Context(), &managedsync.ListParams{CredentialID: "cred-1"})
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, syncBase+"/api/syncs?credentialId=cred-1", req.URL)
	require.Len(t, list, 1)
	assert.Equal(t, "s1", list[0].ID)
	assert.Equal(t, managedsync.StatusActive, list[0].Status)
	assert.Equal(t, "default", list[0].ConfigurationName)
	assert.Equal(t, time.Date(2025, 7, 2, 10, 0, 0, 0, time.UTC), list[0].DateUpdated)
}

func TestListEmptyAndNoFilter(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, syncBase+"/api/syncs", 200, `{"data":[]}`)
	list, err := h.ms.List(t.Context(), nil)
	require.NoError(t, err)
	assert.NotNil(t, list)
	assert.Empty(t, list)
	assert.Equal(t, syncBase+"/api/syncs", h.only().URL)
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPatch, syncBase+"/api/syncs/"+testSync, 200, `{"id":"`+testSync+`","status":"IDLE","credentialId":"cred-2"}`)
	s, err := h.ms.Update(t.Context(), testSync, &managedsync.UpdateParams{CredentialID: "cred-2"})
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, http.MethodPatch, req.Method)
	assert.Equal(t, syncBase+"/api/syncs/"+testSync, req.URL)
	jsonBody(t, req, `{"credentialId":"cred-2"}`)
	assert.Equal(t, "cred-2", s.CredentialID)
}

func TestUpdateEmptyAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPatch, syncBase+"/api/syncs/s9", 204, ``)
	s, err := h.ms.Update(t.Context(), "s9", &managedsync.UpdateParams{CredentialID: "cred-2"})
	require.NoError(t, err)
	assert.Equal(t, "s9", s.ID)
}

func TestDisableReenableDelete(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, syncBase+"/api/syncs/"+testSync+"/disable", 200, `{}`)
	h.on(http.MethodPost, syncBase+"/api/syncs/"+testSync+"/reenable", 204, ``)
	h.on(http.MethodDelete, syncBase+"/api/syncs/"+testSync, 200, ``)
	ctx := t.Context()
	require.NoError(t, h.ms.Disable(ctx, testSync))
	require.NoError(t, h.ms.Reenable(ctx, testSync))
	require.NoError(t, h.ms.Delete(ctx, testSync))
	got := h.requests()
	require.Len(t, got, 3)
	for i, want := range []struct{ method, url string }{
		{http.MethodPost, syncBase + "/api/syncs/" + testSync + "/disable"},
		{http.MethodPost, syncBase + "/api/syncs/" + testSync + "/reenable"},
		{http.MethodDelete, syncBase + "/api/syncs/" + testSync},
	} {
		assert.Equal(t, want.method, got[i].Method)
		assert.Equal(t, want.url, got[i].URL)
		assert.Empty(t, got[i].Body)
		checkAuth(t, got[i].Header)
	}
}

func TestPathSegmentsEscaped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, syncBase+"/api/syncs/a%3Fb%23c", 200, `{"status":"IDLE"}`)
	_, err := h.ms.Get(t.Context(), "a?b#c")
	require.NoError(t, err)
	assert.Equal(t, syncBase+"/api/syncs/a%3Fb%23c", h.only().URL)
}

func TestErrorsAreParagonErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, syncBase+"/api/syncs/missing", 404, `{"message":"Sync not found.","code":"404","status":404,"meta":{"requestId":"r-1"}}`)
	_, err := h.ms.Get(t.Context(), "missing")
	require.ErrorIs(t, err, paragon.ErrNotFound)
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "r-1", pe.RequestID)
	assert.Equal(t, "/api/syncs/missing", pe.Path)
}

func TestBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := t.Context()
	long := string(make([]byte, 600))
	var nilCtx context.Context
	cases := map[string]func() error{
		"nil params":      func() error { _, err := h.ms.Create(ctx, nil); return err },
		"no integration":  func() error { _, err := h.ms.Create(ctx, &managedsync.CreateParams{Pipeline: "files"}); return err },
		"no pipeline":     func() error { _, err := h.ms.Create(ctx, &managedsync.CreateParams{Integration: "x"}); return err },
		"empty sync id":   func() error { _, err := h.ms.Get(ctx, ""); return err },
		"dot dot":         func() error { return h.ms.Delete(ctx, "..") },
		"slash":           func() error { return h.ms.Disable(ctx, "a/b") },
		"long":            func() error { return h.ms.Reenable(ctx, long) },
		"nil ctx":         func() error { _, err := h.ms.Get(nilCtx, "s"); return err },
		"nil update":      func() error { _, err := h.ms.Update(ctx, "s", nil); return err },
		"empty cred":      func() error { _, err := h.ms.Update(ctx, "s", &managedsync.UpdateParams{}); return err },
		"list cred":       func() error { _, err := h.ms.List(ctx, &managedsync.ListParams{CredentialID: "a\nb"}); return err },
		"record id":       func() error { _, err := h.ms.GetRecord(ctx, "s", ""); return err },
		"content id":      func() error { _, err := h.ms.RecordContent(ctx, "s", "a/../b"); return err },
		"nil client":      func() error { _, err := (*managedsync.Client)(nil).Get(ctx, "s"); return err },
		"nil user":        func() error { _, err := managedsync.New(nil).Get(ctx, "s"); return err },
		"unusable user":   func() error { _, err := managedsync.New(h.c.User("")).Get(ctx, "s"); return err },
		"negative page":   func() error { return firstErr(h.ms.Records(ctx, "s", &managedsync.RecordsParams{PageSize: -1})) },
		"records no sync": func() error { return firstErr(h.ms.Records(ctx, "", nil)) },
		"wait bad poll": func() error {
			_, err := h.ms.WaitIdle(ctx, "s", managedsync.WithPollInterval(time.Second, time.Millisecond))
			return err
		},
	}
	for name, fn := range cases {
		err := fn()
		require.ErrorIs(t, err, paragon.ErrInvalidInput, name)
	}
	assert.Empty(t, h.requests())
}

func firstErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		return err
	}
	return nil
}

func TestSyncDatesAreLenient(t *testing.T) {
	t.Parallel()
	var s managedsync.Sync
	require.NoError(t, json.Unmarshal([]byte(`{"id":"s","dateCreated":1751882400000,"dateUpdated":"not a date","summary":{"lastSyncedAt":"1751882400000","totalRecords":2}}`), &s))
	want := time.Date(2025, 7, 7, 10, 0, 0, 0, time.UTC)
	assert.Equal(t, want, s.DateCreated)
	assert.True(t, s.DateUpdated.IsZero())
	assert.Equal(t, want, s.Summary.LastSyncedAt)
	assert.Equal(t, int64(2), s.Summary.TotalRecords)
	var ss managedsync.Sync
	require.NoError(t, json.Unmarshal([]byte(`{"syncInstanceId":"x","status":"IDLE"}`), &ss))
	assert.Equal(t, "x", ss.ID)
}
