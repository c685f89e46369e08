package actionkit_test

import (
	"bytes"
	"encoding/json"
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
	"github.com/paragon-go/paragon/actionkit"
)

const triggersReply = `{
  "triggers": {
    "hubspot": [
      {"type": "HUBSPOT_RECORD_CREATED", "triggerModel": "POLLING", "title": "New Record",
       "description": "Trigger when a new record is created in HubSpot",
       "parameters": [{"id": "recordType", "type": "TEXT_NO_VARS", "label": "Record Type", "required": true}]}
    ],
    "close": [
      {"type": "CLOSE_TRIGGER_RECORD_CREATED", "triggerModel": "WEBHOOK", "title": "New lead", "description": "", "parameters": []}
    ]
  },
  "errors": [{"type": "salesforce", "message": "Integration not enabled for user."}]
}`

const subReply = `{"id": "3b9d7f1e-2a4c-4e6b-8d0f-1a3c5e7b9d2f", "type": "CLOSE_TRIGGER_RECORD_CREATED",
  "parameters": {"objectType": "lead"}, "status": "ACTIVE", "dateCreated": "2026-01-01T00:06:52.345Z",
  "dateLastReceivedEvent": null, "credentialId": "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10"}`

func TestListTriggers(t *testing.T) {
	t.Parallel()
	w := newWire(t, 0,
		exchange{Method: "GET", Path: "/triggers", Reply: triggersReply},
		exchange{Method: "GET", Path: "/triggers", Query: "integrations=close,hubspot&limit_to_available=false",
			Header: map[string]string{paragon.HeaderCredential: "cred-9"}, Reply: `{"triggers": {}}`},
	)
	ak := actionkit.New(w.user)
	list, err := ak.ListTriggers(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, list.Triggers, 2)
	c, h := list.Triggers[0], list.Triggers[1]
	assert.Equal(t, "close", c.Integration)
	assert.Equal(t, actionkit.TriggerModelWebhook, c.Model)
	assert.Equal(t, "hubspot", h.Integration)
	assert.Equal(t, "HUBSPOT_RECORD_CREATED", h.Type)
	assert.Equal(t, actionkit.TriggerModelPolling, h.Model)
	assert.Equal(t, "New Record", h.Title)
	assert.Equal(t, []actionkit.TriggerParameter{{ID: "recordType", Type: "TEXT_NO_VARS", Label: "Record Type", Required: true}}, h.Parameters)
	require.Len(t, list.Errors, 1)
	assert.Equal(t, "salesforce", list.Errors[0].Integration)

	list, err = ak.ListTriggers(t.Context(), &actionkit.ListTriggersParams{Integrations: []string{"close", "hubspot"}, IncludeUnavailable: true},
		paragon.WithCredential("cred-9"))
	require.NoError(t, err)
	assert.Empty(t, list.Triggers)
}

func TestSubscriptionsLifecycle(t *testing.T) {
	t.Parallel()
	id := "3b9d7f1e-2a4c-4e6b-8d0f-1a3c5e7b9d2f"
	w := newWire(t, 3,
		exchange{Method: "POST", Path: "/trigger-subscriptions",
			Header: map[string]string{paragon.HeaderCredential: "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10"},
			Body: `{"integration": "close", "type": "CLOSE_TRIGGER_RECORD_CREATED", "parameters": {"objectType": "lead"},
			  "webhookOverride": {"url": "https://hooks.example.com/paragon", "headers": {"Authorization": "Bearer s3cret"}, "metadata": {"team": "west"}}}`,
			Reply: subReply},
		exchange{Method: "POST", Path: "/trigger-subscriptions", Body: `{"type": "HUBSPOT_RECORD_CREATED", "parameters": {}}`,
			Status: 503, Reply: `{"message": "busy", "status": 503}`},
		exchange{Method: "PATCH", Path: "/trigger-subscriptions/" + id,
			Body:  `{"parameters": {"objectType": "contact", "filter": null}, "webhookOverride": null}`,
			Reply: strings.Replace(subReply, `"lead"`, `"contact"`, 1)},
		exchange{Method: "PATCH", Path: "/trigger-subscriptions/" + id,
			Body:  `{"webhookOverride": {"url": "https://hooks.example.com/b"}}`,
			Reply: strings.Replace(subReply, `"ACTIVE"`, `"ERRORED"`, 1)},
		exchange{Method: "GET", Path: "/trigger-subscriptions", Reply: `[` + subReply + `]`},
		exchange{Method: "GET", Path: "/trigger-subscriptions", Query: "integrations=close&status=ERRORED&type=CLOSE_TRIGGER_RECORD_CREATED",
			Reply: `{"data": [` + subReply + `]}`},
		exchange{Method: "DELETE", Path: "/trigger-subscriptions/sub-2", Status: 500, Reply: `{"message": "x", "status": 500}`},
		exchange{Method: "DELETE", Path: "/trigger-subscriptions/sub-2", Reply: `{"success": true, "warning": "webhook already removed"}`},
		exchange{Method: "DELETE", Path: "/trigger-subscriptions/" + id, Status: 204},
	)
	ak := actionkit.New(w.user)
	ctx := t.Context()
	sub, err := ak.CreateSubscription(ctx, &actionkit.SubscriptionParams{
		Integration: "close", Type: "CLOSE_TRIGGER_RECORD_CREATED",
		Parameters: map[string]string{"objectType": "lead"},
		WebhookOverride: &actionkit.WebhookOverride{URL: "https://hooks.example.com/paragon",
			Headers: map[string]string{"Authorization": "Bearer s3cret"}, Metadata: map[string]any{"team": "west"}},
	}, paragon.WithCredential("b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10"))
	require.NoError(t, err)
	assert.Equal(t, id, sub.ID)
	assert.Equal(t, actionkit.SubscriptionActive, sub.Status)
	assert.Equal(t, time.Date(2026, 1, 1, 0, 6, 52, 345e6, time.UTC), sub.DateCreated)
	assert.True(t, sub.DateLastReceivedEvent.IsZero())
	assert.Equal(t, "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10", sub.CredentialID)
	assert.JSONEq(t, `{"objectType": "lead"}`, string(sub.Parameters))

	n := w.count()
	_, err = ak.CreateSubscription(ctx, &actionkit.SubscriptionParams{Type: "HUBSPOT_RECORD_CREATED"})
	require.Error(t, err)
	assert.Equal(t, n+1, w.count(), "a create is a write: a 503 is not retried")

	sub, err = ak.UpdateSubscription(ctx, id, &actionkit.SubscriptionUpdate{
		Parameters: map[string]any{"objectType": "contact", "filter": nil}, RemoveWebhookOverride: true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"objectType": "contact"}`, string(sub.Parameters))
	sub, err = ak.UpdateSubscription(ctx, id, &actionkit.SubscriptionUpdate{WebhookOverride: &actionkit.WebhookOverride{URL: "https://hooks.example.com/b"}})
	require.NoError(t, err)
	assert.Equal(t, actionkit.SubscriptionErrored, sub.Status)

	subs, err := ak.ListSubscriptions(ctx, nil)
	require.NoError(t, err)
	require.Len(t, subs, 1)
	assert.Equal(t, id, subs[0].ID)
	subs, err = ak.ListSubscriptions(ctx, &actionkit.ListSubscriptionsParams{Integrations: []string{"close"},
		Status: actionkit.SubscriptionErrored, Type: "CLOSE_TRIGGER_RECORD_CREATED"})
	require.NoError(t, err)
	require.Len(t, subs, 1)

	del, err := ak.DeleteSubscription(ctx, "sub-2")
	require.NoError(t, err, "DELETE is idempotent: retried after a 500")
	assert.Equal(t, &actionkit.DeleteResult{Success: true, Warning: "webhook already removed"}, del)
	del, err = ak.DeleteSubscription(ctx, id)
	require.NoError(t, err)
	assert.True(t, del.Success)
}

const delivery = `{
  "eventId": "evt_5f1c0a7e",
  "userId": "acct-1042",
  "integration": "close",
  "triggerType": "CLOSE_TRIGGER_RECORD_CREATED",
  "triggerSubscriptionId": "3b9d7f1e-2a4c-4e6b-8d0f-1a3c5e7b9d2f",
  "credentialId": "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10",
  "projectId": "4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3",
  "dateReceived": "2026-01-01T00:07:00.000Z",
  "payload": {"id": "lead_7Hn2", "display_name": "Harbor Analytics"},
  "triggerSubscriptionMetadata": {"team": "west"}
}`

func TestParseTriggerWebhook(t *testing.T) {
	t.Parallel()
	const secret = "whsec-test-not-real"
	req := func(body, sig string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/hooks/paragon", strings.NewReader(body))
		if sig != "" {
			r.Header.Set("x-paragon-signature", sig)
		}
		return r
	}
	sig := actionkit.SignatureHeader(secret, []byte(delivery))
	assert.True(t, strings.HasPrefix(sig, "v1="))
	assert.Len(t, sig, 3+64, "hex digest")

	ev, err := actionkit.ParseTriggerWebhook(req(delivery, sig), secret)
	require.NoError(t, err)
	assert.Equal(t, "evt_5f1c0a7e", ev.EventID)
	assert.Equal(t, "acct-1042", ev.UserID)
	assert.Equal(t, "close", ev.Integration)
	assert.Equal(t, "CLOSE_TRIGGER_RECORD_CREATED", ev.TriggerType)
	assert.Equal(t, "3b9d7f1e-2a4c-4e6b-8d0f-1a3c5e7b9d2f", ev.TriggerSubscriptionID)
	assert.Equal(t, "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10", ev.CredentialID)
	assert.Equal(t, testProject, ev.ProjectID)
	assert.Equal(t, time.Date(2026, 1, 1, 0, 7, 0, 0, time.UTC), ev.DateReceived)
	assert.Equal(t, map[string]any{"team": "west"}, ev.Metadata)
	assert.JSONEq(t, delivery, string(ev.Raw))
	var lead struct {
		ID string `json:"id"`
	}
	require.NoError(t, ev.DecodePayload(&lead))
	assert.Equal(t, "lead_7Hn2", lead.ID)

	// A changed byte, another secret, no header, a wrong scheme: refused.
	tampered := strings.Replace(delivery, "lead_7Hn2", "lead_7Hn3", 1)
	for name, r := range map[string]*http.Request{
		"tampered":     req(tampered, sig),
		"other secret": req(delivery, actionkit.SignatureHeader("other", []byte(delivery))),
		"no header":    req(delivery, ""),
		"v0 scheme":    req(delivery, "v0="+sig[3:]),
	} {
		_, err := actionkit.ParseTriggerWebhook(r, secret)
		require.ErrorIs(t, err, paragon.ErrInvalidSignature, name)
		assert.NotContains(t, err.Error(), secret, name)
	}
	_, err = actionkit.ParseTriggerWebhook(req(delivery, sig), "")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = actionkit.ParseTriggerWebhook(nil, secret)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)

	// Signed but not an event.
	for _, body := range []string{`{"payload": {}}`, `not json`} {
		_, err = actionkit.ParseTriggerWebhook(req(body, actionkit.SignatureHeader(secret, []byte(body))), secret)
		require.ErrorIs(t, err, paragon.ErrInvalidInput, body)
	}
	big := bytes.Repeat([]byte("x"), paragon.DefaultMaxWebhookBytes+1)
	_, err = actionkit.ParseTriggerWebhook(req(string(big), actionkit.SignatureHeader(secret, big)), secret)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
}

func TestWebhookOverrideRedacts(t *testing.T) {
	t.Parallel()
	o := &actionkit.WebhookOverride{URL: "https://hooks.example.com/x", Headers: map[string]string{"Authorization": "Bearer s3cret-value"}}
	p := &actionkit.SubscriptionParams{Type: "T", WebhookOverride: o}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("sub", "override", *o)
	for _, s := range []string{fmt.Sprint(o), fmt.Sprintf("%v %+v %#v %s", *o, p, *o, *o), logged.String()} {
		assert.NotContains(t, s, "s3cret-value")
		assert.Contains(t, s, "Authorization")
	}
	b, err := json.Marshal(o)
	require.NoError(t, err)
	assert.Contains(t, string(b), "s3cret-value", "sent to Paragon as given")
}
