package managedsync_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/managedsync"
)

const (
	syncCompleteBody = `{"event":"sync_complete","sync":"googledrive","syncInstanceId":"163a345e-2dd4-51ff-bcf5-7667de564bb0","user":{"id":"acct-1042"},"data":{"model":"files","syncedAt":"2025-07-07T19:00:00.000Z","numRecords":1000}}`
	recordBody       = `{"event":"record_updated","sync":"crm-contacts","syncInstanceId":"8f7e6d5c-4b3a-4291-8070-6f5e4d3c2b1a","credentialId":"b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10","user":{"id":"acct-1042"},"data":{"recordId":"cont_Q1w2E3"}}`
	erroredBody      = `{"event":"sync_errored","sync":"googledrive","syncInstanceId":"s-1","user":{"id":"acct-1042"},"error":{"message":"Refresh token revoked","code":"7003"}}`
	webhookSecret    = "s3cr3t-0123456789abcdef"
)

func TestParseEvent(t *testing.T) {
	t.Parallel()
	e, err := managedsync.ParseEvent([]byte(syncCompleteBody))
	require.NoError(t, err)
	assert.Equal(t, managedsync.EventSyncComplete, e.Type)
	assert.Equal(t, "googledrive", e.Integration)
	assert.Equal(t, "163a345e-2dd4-51ff-bcf5-7667de564bb0", e.SyncID)
	assert.Equal(t, "acct-1042", e.User.ID)
	d, err := e.SyncComplete()
	require.NoError(t, err)
	assert.Equal(t, managedsync.SyncCompleteData{Model: "files", SyncedAt: time.Date(2025, 7, 7, 19, 0, 0, 0, time.UTC), NumRecords: 1000}, d)
	assert.Nil(t, e.Failure())

	e, err = managedsync.ParseEvent([]byte(recordBody))
	require.NoError(t, err)
	assert.Equal(t, managedsync.EventRecordUpdated, e.Type)
	assert.Equal(t, "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10", e.CredentialID)
	rd, err := e.Record()
	require.NoError(t, err)
	assert.Equal(t, "cont_Q1w2E3", rd.RecordID)

	e, err = managedsync.ParseEvent([]byte(erroredBody))
	require.NoError(t, err)
	require.NotNil(t, e.Failure())
	assert.Equal(t, "Refresh token revoked", e.Failure().Message)
	assert.Equal(t, "7003", e.Failure().Code)

	_, err = managedsync.ParseEvent([]byte(`{"sync":"x"}`))
	require.ErrorIs(t, err, paragon.ErrInvalidResponse)
	_, err = managedsync.ParseEvent([]byte(`[`))
	require.ErrorIs(t, err, paragon.ErrInvalidResponse)
}

func serve(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, target, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestWebhookHandlerDispatches(t *testing.T) {
	t.Parallel()
	var got []*managedsync.Event
	h, err := managedsync.NewWebhookHandler(func(_ context.Context, e *managedsync.Event) error {
		got = append(got, e)
		return nil
	})
	require.NoError(t, err)
	for _, body := range []string{syncCompleteBody, recordBody, erroredBody, `{"event":"record_archived","syncInstanceId":"s"}`} {
		rec := serve(t, h, http.MethodPost, "/hooks/sync", body)
		assert.Equal(t, http.StatusOK, rec.Code)
	}
	require.Len(t, got, 4)
	assert.Equal(t, managedsync.EventSyncComplete, got[0].Type)
	assert.Equal(t, managedsync.EventRecordUpdated, got[1].Type)
	assert.Equal(t, managedsync.EventSyncErrored, got[2].Type)
	assert.Equal(t, managedsync.EventType("record_archived"), got[3].Type, "unknown types are passed on")
	assert.JSONEq(t, recordBody, string(got[1].Raw))
}

func TestWebhookHandlerAnswersProbe(t *testing.T) {
	t.Parallel()
	called := false
	h, err := managedsync.NewWebhookHandler(func(context.Context, *managedsync.Event) error { called = true; return nil })
	require.NoError(t, err)
	for body, want := range map[string]string{
		`{"event":"webhook_verification","challenge":"c-123"}`:          `{"challenge":"c-123"}`,
		`{"event":"webhook_verification","data":{"challenge":"c-456"}}`: `{"challenge":"c-456"}`,
		`{"event":"webhook_verification"}`:                              `{}`,
	} {
		rec := serve(t, h, http.MethodPost, "/hooks", body)
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		assert.JSONEq(t, want, rec.Body.String())
	}
	assert.False(t, called, "the probe is not passed on")
}

func TestWebhookHandlerURLSecret(t *testing.T) {
	t.Parallel()
	n := 0
	var logs bytes.Buffer
	h, err := managedsync.NewWebhookHandler(func(context.Context, *managedsync.Event) error { n++; return nil },
		managedsync.WithURLSecret("", webhookSecret), managedsync.WithWebhookLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, serve(t, h, http.MethodPost, "/hooks", syncCompleteBody).Code)
	assert.Equal(t, http.StatusUnauthorized, serve(t, h, http.MethodPost, "/hooks?secret=wrong", syncCompleteBody).Code)
	assert.Equal(t, http.StatusUnauthorized, serve(t, h, http.MethodPost, "/hooks?secret="+webhookSecret+"x", syncCompleteBody).Code)
	assert.Equal(t, http.StatusUnauthorized, serve(t, h, http.MethodPost, "/hooks?secret=wrong", `{"event":"webhook_verification"}`).Code)
	assert.Equal(t, 0, n)
	assert.Equal(t, http.StatusOK, serve(t, h, http.MethodPost, "/hooks?secret="+webhookSecret, syncCompleteBody).Code)
	assert.Equal(t, 1, n)
	assert.NotContains(t, logs.String(), webhookSecret)
	assert.Contains(t, logs.String(), "URL secret")
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v %s", h, h, h, h), webhookSecret)

	h2, err := managedsync.NewWebhookHandler(func(context.Context, *managedsync.Event) error { n++; return nil },
		managedsync.WithURLSecret("k", webhookSecret))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, serve(t, h2, http.MethodPost, "/hooks?secret="+webhookSecret, syncCompleteBody).Code)
	assert.Equal(t, http.StatusOK, serve(t, h2, http.MethodPost, "/hooks?k="+webhookSecret, syncCompleteBody).Code)
}

func TestWebhookHandlerRefusals(t *testing.T) {
	t.Parallel()
	h, err := managedsync.NewWebhookHandler(func(_ context.Context, e *managedsync.Event) error {
		if e.SyncID == "fail" {
			return errors.New("store down")
		}
		return nil
	})
	require.NoError(t, err)
	rec := serve(t, h, http.MethodGet, "/hooks", "")
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
	assert.Equal(t, http.StatusBadRequest, serve(t, h, http.MethodPost, "/hooks", `not json`).Code)
	assert.Equal(t, http.StatusBadRequest, serve(t, h, http.MethodPost, "/hooks", `{"sync":"x"}`).Code)
	big := `{"event":"record_created","data":"` + strings.Repeat("a", managedsync.MaxWebhookBody) + `"}`
	assert.Equal(t, http.StatusRequestEntityTooLarge, serve(t, h, http.MethodPost, "/hooks", big).Code)
	assert.Equal(t, http.StatusInternalServerError, serve(t, h, http.MethodPost, "/hooks", `{"event":"record_created","syncInstanceId":"fail"}`).Code)
}

func TestNewWebhookHandlerBadOptions(t *testing.T) {
	t.Parallel()
	_, err := managedsync.NewWebhookHandler(nil)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = managedsync.NewWebhookHandler(func(context.Context, *managedsync.Event) error { return nil }, managedsync.WithURLSecret("", "tiny-pw"))
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.NotContains(t, err.Error(), "tiny-pw")
}
