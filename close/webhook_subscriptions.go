package close

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// SignatureKey is a webhook subscription's signing key (Close's hex
// signature_key). It never shows itself: String, GoString, fmt verbs,
// slog and JSON all print "[REDACTED]". Close shows it once, in the reply
// to [WebhooksService.Create]; store Reveal() in your secret store, keyed
// by the subscription ID, and rebuild it with [ParseSignatureKey].
//
// See https://developer.close.com/api/resources/webhooks.
type SignatureKey struct {
	key []byte
}

const redacted = "[REDACTED]"

// ParseSignatureKey reads a hex signature_key. A key that is not hex, or
// empty, matches paragon.ErrInvalidInput; the error does not contain it.
//
// See https://developer.close.com/api/resources/webhooks.
func ParseSignatureKey(hexKey string) (SignatureKey, error) {
	k, err := hex.DecodeString(strings.TrimSpace(hexKey))
	if err != nil || len(k) == 0 {
		return SignatureKey{}, invalid("webhook signature key is not a hex string (%d chars)", len(hexKey))
	}
	return SignatureKey{key: k}, nil
}

// Reveal returns the key as Close sent it (hex), for your secret store.
func (k SignatureKey) Reveal() string { return hex.EncodeToString(k.key) }

// IsZero reports whether k holds no key.
func (k SignatureKey) IsZero() bool { return len(k.key) == 0 }

// String returns "[REDACTED]".
func (k SignatureKey) String() string { return redacted }

// GoString returns "[REDACTED]".
func (k SignatureKey) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (k SignatureKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue logs "[REDACTED]".
func (k SignatureKey) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON encodes "[REDACTED]"; store Reveal() instead.
func (k SignatureKey) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }

// UnmarshalJSON reads Close's hex signature_key.
func (k *SignatureKey) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("close: signature_key is not a string")
	}
	if s == "" {
		*k = SignatureKey{}
		return nil
	}
	p, err := ParseSignatureKey(s)
	if err != nil {
		return err
	}
	*k = p
	return nil
}

// WebhookStatus is a subscription's state.
//
// See https://developer.close.com/api/resources/webhooks.
type WebhookStatus string

// Subscription states. Close pauses a subscription itself after 3 days of
// failed deliveries or 100,000 queued events.
const (
	WebhookActive WebhookStatus = "active"
	WebhookPaused WebhookStatus = "paused"
)

// WebhookEventSpec is one event a subscription asks for: an object type
// ("lead", "activity.call", "task.lead", …), an action ("created",
// "updated", …) and an optional extra_filter tree as JSON.
//
// See https://developer.close.com/api/resources/webhooks/webhook-filters.
type WebhookEventSpec struct {
	ObjectType  string          `json:"object_type"`
	Action      string          `json:"action"`
	ExtraFilter json.RawMessage `json:"extra_filter,omitempty"`
}

// WebhookSubscription is a Close webhook subscription. Fields Close adds
// stay in Raw.
//
// See https://developer.close.com/api/resources/webhooks.
type WebhookSubscription struct {
	ID        string             `json:"id"`
	URL       string             `json:"url"`
	Events    []WebhookEventSpec `json:"events"`
	Status    WebhookStatus      `json:"status"`
	VerifySSL bool               `json:"verify_ssl"`
	Raw       json.RawMessage    `json:"-"`
}

type webhookSubJSON WebhookSubscription

// UnmarshalJSON decodes a subscription and keeps it in Raw.
func (w *WebhookSubscription) UnmarshalJSON(b []byte) error {
	return keepRaw(b, (*webhookSubJSON)(w), &w.Raw)
}

// CreatedWebhook is the reply to [WebhooksService.Create]: the
// subscription and its one-time signing key.
//
// See https://developer.close.com/api/resources/webhooks/create.
type CreatedWebhook struct {
	WebhookSubscription
	// SignatureKey verifies this subscription's deliveries. Close never
	// shows it again: store SignatureKey.Reveal() now.
	SignatureKey SignatureKey
}

// UnmarshalJSON decodes the subscription and its signature_key.
func (c *CreatedWebhook) UnmarshalJSON(b []byte) error {
	if err := c.WebhookSubscription.UnmarshalJSON(b); err != nil {
		return err
	}
	var k struct {
		SignatureKey SignatureKey `json:"signature_key"`
	}
	if err := json.Unmarshal(b, &k); err != nil {
		return err
	}
	c.SignatureKey = k.SignatureKey
	// The key must not linger in Raw, which prints and logs like any bytes.
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) == nil {
		delete(m, "signature_key")
		c.Raw, _ = json.Marshal(m)
	}
	return nil
}

// WebhookParams creates a subscription. URL and Events are required;
// VerifySSL defaults to true in Close (set it to Set(false) to turn it
// off).
//
// See https://developer.close.com/api/resources/webhooks/create.
type WebhookParams struct {
	URL       string             `json:"url"`
	Events    []WebhookEventSpec `json:"events"`
	VerifySSL Optional[bool]     `json:"verify_ssl,omitzero"`
}

// WebhookUpdate changes a subscription; only set fields are sent.
//
// See https://developer.close.com/api/resources/webhooks/update.
type WebhookUpdate struct {
	URL       Optional[string]             `json:"url,omitzero"`
	Events    Optional[[]WebhookEventSpec] `json:"events,omitzero"`
	Status    Optional[WebhookStatus]      `json:"status,omitzero"`
	VerifySSL Optional[bool]               `json:"verify_ssl,omitzero"`
}

// WebhooksService manages webhook subscriptions. Close's API key belongs to
// one organization, so a backend serving many Connected Users holds one
// subscription, and one key, per organization; verify deliveries with
// [VerifyWebhook] and a key lookup. Get it from [Client].Webhooks.
//
// See https://developer.close.com/api/resources/webhooks.
type WebhooksService struct{ svc }

// Create subscribes url to events (POST /webhook/, answered 201) and
// returns the subscription with its one-time signing key.
//
// See https://developer.close.com/api/resources/webhooks/create.
func (s *WebhooksService) Create(ctx context.Context, p *WebhookParams) (*CreatedWebhook, error) {
	if p == nil || p.URL == "" || len(p.Events) == 0 {
		return nil, invalid("a webhook subscription needs a URL and events")
	}
	for _, e := range p.Events {
		if e.ObjectType == "" || e.Action == "" {
			return nil, invalid("a webhook event needs an object type and an action")
		}
	}
	return sendObject[CreatedWebhook](ctx, &s.svc, http.MethodPost, "/webhook/", p)
}

// List returns the subscriptions (GET /webhook/): all of them for an admin
// key, the caller's own otherwise.
//
// See https://developer.close.com/api/resources/webhooks.
func (s *WebhooksService) List(ctx context.Context) iter2[WebhookSubscription] {
	l, err := simpleQuery(0, 0)
	return list[WebhookSubscription](ctx, &s.svc, "webhooks", "/webhook/", l, err)
}

// Get returns subscription id (GET /webhook/{id}/), without its key.
//
// See https://developer.close.com/api/resources/webhooks.
func (s *WebhooksService) Get(ctx context.Context, id string) (*WebhookSubscription, error) {
	p, err := objectPath("webhook", "webhook subscription", id)
	if err != nil {
		return nil, err
	}
	return getObject[WebhookSubscription](ctx, &s.svc, p, nil)
}

// Update changes subscription id (PUT /webhook/{id}/).
//
// See https://developer.close.com/api/resources/webhooks/update.
func (s *WebhooksService) Update(ctx context.Context, id string, u *WebhookUpdate) (*WebhookSubscription, error) {
	p, err := objectPath("webhook", "webhook subscription", id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, invalid("nil webhook update")
	}
	return sendObject[WebhookSubscription](ctx, &s.svc, http.MethodPut, p, u)
}

// Pause pauses subscription id (PUT {"status": "paused"}).
//
// See https://developer.close.com/api/resources/webhooks/update.
func (s *WebhooksService) Pause(ctx context.Context, id string) (*WebhookSubscription, error) {
	return s.Update(ctx, id, &WebhookUpdate{Status: Set(WebhookPaused)})
}

// Resume resumes subscription id, also after Close paused it (PUT
// {"status": "active"}).
//
// See https://developer.close.com/api/resources/webhooks/update.
func (s *WebhooksService) Resume(ctx context.Context, id string) (*WebhookSubscription, error) {
	return s.Update(ctx, id, &WebhookUpdate{Status: Set(WebhookActive)})
}

// Delete deletes subscription id (DELETE /webhook/{id}/).
//
// See https://developer.close.com/api/resources/webhooks.
func (s *WebhooksService) Delete(ctx context.Context, id string) error {
	p, err := objectPath("webhook", "webhook subscription", id)
	if err != nil {
		return err
	}
	return s.remove(ctx, p)
}
