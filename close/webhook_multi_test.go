package close_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

const otherAccountKey = "0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0b9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c"

// keys is a key store of two Close organizations' subscriptions.
func keys(t *testing.T) close.KeyLookup {
	t.Helper()
	store := map[string]string{"whsub_acme": webhookKey, "whsub_globex": otherAccountKey}
	return func(_ context.Context, id string) (close.SignatureKey, error) {
		hexKey, ok := store[id]
		if !ok {
			return close.SignatureKey{}, close.ErrUnknownSubscription
		}
		return close.ParseSignatureKey(hexKey)
	}
}

func delivery(sub, objectType, data string) []byte {
	return []byte(`{"subscription_id": "` + sub + `", "event": {"id": "ev_1", "object_type": "` + objectType + `",
	  "action": "created", "object_id": "x", "api_key_id": "api_1", "date_created": "2025-10-01T17:50:11.004000",
	  "date_updated": "2025-10-01T17:50:11.004000", "data": ` + data + `,
	  "meta": {"request_method": "POST", "request_path": "/api/v1/activity/call/", "bulk_action_id": "bulk_1", "future": {"x": 1}}},
	  "new_envelope_key": true}`)
}

func signedFor(t *testing.T, key string, body []byte) http.Header {
	t.Helper()
	ts := strconv.FormatInt(webhookNow.Unix(), 10)
	h := http.Header{}
	h.Set("close-sig-timestamp", ts)
	h.Set("close-sig-hash", sign(t, key, ts, body))
	return h
}

func TestVerifyWebhookManyAccounts(t *testing.T) {
	t.Parallel()
	opts := &close.WebhookOptions{Now: func() time.Time { return webhookNow }}
	acme := delivery("whsub_acme", "activity.call", `{"id": "acti_1", "_type": "Call", "duration": 60, "direction": "inbound"}`)
	globex := delivery("whsub_globex", "task.lead", `{"id": "task_1", "_type": "lead", "text": "Follow up"}`)

	ev, err := close.VerifyWebhook(t.Context(), signedFor(t, webhookKey, acme), acme, keys(t), opts)
	require.NoError(t, err)
	assert.Equal(t, "whsub_acme", ev.SubscriptionID)
	assert.Equal(t, "activity", ev.Kind())
	assert.Equal(t, "call", ev.Subtype())
	v, err := ev.Decode()
	require.NoError(t, err)
	call, ok := v.(*close.Call)
	require.True(t, ok, "%T", v)
	assert.Equal(t, 60, call.Duration)
	assert.Contains(t, string(ev.Raw), "new_envelope_key", "the envelope keeps unknown keys")
	future, ok := ev.Meta.Value("future")
	require.True(t, ok, "meta keeps unknown keys")
	assert.JSONEq(t, `{"x": 1}`, string(future))
	assert.Equal(t, "bulk_1", ev.Meta.BulkActionID)
	assert.Equal(t, close.Set("api_1"), ev.APIKeyID)

	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/hooks/close", bytes.NewReader(globex))
	r.Header = signedFor(t, otherAccountKey, globex)
	ev, err = close.ParseWebhookRequest(r, keys(t), opts)
	require.NoError(t, err)
	task, err := ev.DecodeTask()
	require.NoError(t, err)
	assert.Equal(t, "Follow up", task.Text)
	_, err = ev.DecodeActivity()
	require.Error(t, err)

	// One account's key never verifies another's delivery.
	_, err = close.VerifyWebhook(t.Context(), signedFor(t, webhookKey, globex), globex, keys(t), opts)
	require.ErrorIs(t, err, close.ErrInvalidSignature)
	// A subscription_id swapped in the body breaks the signature too.
	swapped := bytes.Replace(acme, []byte("whsub_acme"), []byte("whsub_globex"), 1)
	_, err = close.VerifyWebhook(t.Context(), signedFor(t, webhookKey, acme), swapped, keys(t), opts)
	require.ErrorIs(t, err, close.ErrInvalidSignature)
	// Unknown subscriptions, no subscription, garbage.
	unknown := delivery("whsub_nobody", "lead", `null`)
	_, err = close.VerifyWebhook(t.Context(), signedFor(t, webhookKey, unknown), unknown, keys(t), opts)
	require.ErrorIs(t, err, close.ErrUnknownSubscription)
	for _, b := range [][]byte{[]byte(`{"event": {}}`), []byte(`[1]`), []byte(`{"subscription_id": "../x"}`)} {
		_, err = close.VerifyWebhook(t.Context(), signedFor(t, webhookKey, b), b, keys(t), opts)
		require.ErrorIs(t, err, close.ErrInvalidSignature, string(b))
	}
	lookupErr := errors.New("db down")
	_, err = close.VerifyWebhook(t.Context(), signedFor(t, webhookKey, acme), acme,
		func(context.Context, string) (close.SignatureKey, error) { return close.SignatureKey{}, lookupErr }, opts)
	require.ErrorIs(t, err, lookupErr)
	_, err = close.VerifyWebhook(t.Context(), nil, acme, nil, opts)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)

	// A retry arriving 72 hours later with its first timestamp verifies by
	// default; one past the window does not.
	late := &close.WebhookOptions{Now: func() time.Time { return webhookNow.Add(72 * time.Hour) }}
	_, err = close.VerifyWebhook(t.Context(), signedFor(t, webhookKey, acme), acme, keys(t), late)
	require.NoError(t, err)
	tooLate := &close.WebhookOptions{Now: func() time.Time { return webhookNow.Add(74 * time.Hour) }}
	_, err = close.VerifyWebhook(t.Context(), signedFor(t, webhookKey, acme), acme, keys(t), tooLate)
	require.ErrorIs(t, err, close.ErrInvalidSignature)
}

func TestEventTypedDecoding(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		objectType, data string
		check            func(t *testing.T, v any)
	}{
		"note":    {"activity.note", `{"id": "a", "_type": "Note", "note": "hi"}`, func(t *testing.T, v any) { assert.Equal(t, close.Set("hi"), v.(*close.Note).Note) }},
		"email":   {"activity.email", `{"id": "a", "_type": "Email", "subject": "s"}`, func(t *testing.T, v any) { assert.Equal(t, "s", v.(*close.Email).Subject) }},
		"meeting": {"activity.meeting", `{"id": "a", "_type": "Meeting", "title": "m"}`, func(t *testing.T, v any) { assert.Equal(t, "m", v.(*close.Meeting).Title) }},
		"sms":     {"activity.sms", `{"id": "a", "_type": "SMS", "text": "t"}`, func(t *testing.T, v any) { assert.Equal(t, "t", v.(*close.SMS).Text) }},
		"custom":  {"activity.custom", `{"id": "a", "_type": "Custom", "custom.cf_1": "v"}`, func(t *testing.T, v any) { assert.Equal(t, "v", v.(*close.CustomActivity).Custom["cf_1"]) }},
		"other activity": {"activity.emailthread", `{"id": "a", "_type": "EmailThread"}`, func(t *testing.T, v any) {
			assert.Equal(t, close.ActivityEmailThread, v.(*close.Activity).Type)
		}},
		"status change": {"status_change.opportunity", `{"id": "a", "_type": "OpportunityStatusChange", "old_status_type": "active", "new_status_type": "won"}`,
			func(t *testing.T, v any) { assert.Equal(t, close.StatusWon, v.(*close.StatusChange).NewStatusType) }},
		"lead":    {"lead", `{"id": "lead_1", "name": null}`, func(t *testing.T, v any) { assert.True(t, v.(*close.Lead).Name.IsNull()) }},
		"unknown": {"import", `{"id": "imp_1"}`, func(t *testing.T, v any) { assert.JSONEq(t, `{"id": "imp_1"}`, string(v.(json.RawMessage))) }},
	}
	for name, c := range cases {
		var ev close.WebhookEvent
		require.NoError(t, ev.UnmarshalJSON(delivery("whsub_acme", c.objectType, c.data)), name)
		v, err := ev.Decode()
		require.NoError(t, err, name)
		c.check(t, v)
	}
	var del close.WebhookEvent
	require.NoError(t, del.UnmarshalJSON(delivery("whsub_acme", "task.lead", `null`)))
	_, err := del.Decode()
	require.ErrorIs(t, err, close.ErrNoData)
}
