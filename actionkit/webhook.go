package actionkit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/paragon-go/paragon"
)

// TriggerEvent is one ActionKit trigger event, as delivered to your webhook
// URL (or a subscription's webhook override).
//
// See https://docs.useparagon.com/actionkit/triggers/receiving-webhooks.
type TriggerEvent struct {
	// EventID identifies the event; drop deliveries whose EventID you have
	// seen (ActionKit documents no replay window).
	EventID string `json:"eventId"`
	// UserID is the Connected User the subscription belongs to.
	UserID      string `json:"userId,omitzero"`
	Integration string `json:"integration,omitzero"`
	// TriggerType is the subscription's trigger type.
	TriggerType           string `json:"triggerType,omitzero"`
	TriggerSubscriptionID string `json:"triggerSubscriptionId,omitzero"`
	CredentialID          string `json:"credentialId,omitzero"`
	ProjectID             string `json:"projectId,omitzero"`
	// DateReceived is when ActionKit received the event (zero if absent or
	// unreadable).
	DateReceived time.Time `json:"-"`
	// Payload is the event's data (e.g. the created record) as sent.
	Payload json.RawMessage `json:"payload,omitzero"`
	// Metadata is the subscription's webhookOverride.metadata
	// (triggerSubscriptionMetadata).
	Metadata map[string]any `json:"triggerSubscriptionMetadata,omitzero"`
	// Raw is the whole delivery body, exactly as signed.
	Raw json.RawMessage `json:"-"`
}

// DecodePayload decodes the event's payload into v.
func (e *TriggerEvent) DecodePayload(v any) error {
	if isNull(e.Payload) {
		return fmt.Errorf("%w: actionkit: event %s has no payload", paragon.ErrInvalidResponse, e.EventID)
	}
	if err := json.Unmarshal(e.Payload, v); err != nil {
		return fmt.Errorf("%w: actionkit: event %s payload: %w", paragon.ErrInvalidResponse, e.EventID, err)
	}
	return nil
}

// DecodeTriggerEvent decodes a delivery body that has already been
// verified (see [ParseTriggerWebhook], which verifies first).
func DecodeTriggerEvent(body []byte) (*TriggerEvent, error) {
	type plain TriggerEvent
	var w struct {
		plain
		DateReceived json.RawMessage `json:"dateReceived"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: actionkit: trigger webhook: %w", paragon.ErrInvalidInput, err)
	}
	ev := TriggerEvent(w.plain)
	if ev.EventID == "" {
		return nil, invalid("trigger webhook has no eventId")
	}
	ev.DateReceived = parseTime(w.DateReceived)
	ev.Raw = append(json.RawMessage(nil), body...)
	return &ev, nil
}

// ParseTriggerWebhook reads one ActionKit trigger delivery from r (at most
// paragon.DefaultMaxWebhookBytes), verifies its x-paragon-signature against
// secret (your ActionKit signing secret) with
// paragon.VerifyWebhookSignature, and decodes it. A missing or wrong
// signature fails with an error matching paragon.ErrInvalidSignature and
// nothing is decoded; answer it with 401. The error never contains the
// secret.
//
// See https://docs.useparagon.com/actionkit/triggers/receiving-webhooks.
func ParseTriggerWebhook(r *http.Request, secret string) (*TriggerEvent, error) {
	if r == nil || r.Body == nil {
		return nil, invalid("no request body")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, paragon.DefaultMaxWebhookBytes+1))
	if err != nil {
		return nil, fmt.Errorf("actionkit: reading trigger webhook: %w", err)
	}
	if len(body) > paragon.DefaultMaxWebhookBytes {
		return nil, invalid("trigger webhook body over %d bytes", paragon.DefaultMaxWebhookBytes)
	}
	if err := paragon.VerifyWebhookSignature(secret, body, r.Header.Get(paragon.HeaderSignature)); err != nil {
		return nil, err
	}
	return DecodeTriggerEvent(body)
}

// SignatureHeader returns the x-paragon-signature value ActionKit sends with
// body when signing with secret ("v1=" and the hex HMAC-SHA256), for tests
// of your webhook handler.
func SignatureHeader(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}
