package close

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// KeyLookup returns the signing key of a webhook subscription, by its ID
// ("whsub_…"), e.g. from the store where [WebhooksService.Create]'s key was
// saved. Return an error (wrapping [ErrUnknownSubscription] if you like)
// for a subscription you do not know; it is returned as it is, wrapped.
//
// See https://developer.close.com/api/resources/webhooks.
type KeyLookup func(ctx context.Context, subscriptionID string) (SignatureKey, error)

// ErrUnknownSubscription is for a [KeyLookup] to wrap when it has no key
// for a subscription: answer such a delivery 4xx.
var ErrUnknownSubscription = errors.New("close: unknown webhook subscription")

// VerifyWebhook verifies and decodes one Close webhook delivery for a
// backend that serves many Close organizations, each with its own
// subscription and key: it reads subscription_id from the unverified body,
// asks lookup for that subscription's key, verifies close-sig-hash over
// close-sig-timestamp and the raw body with it (see [VerifySignature] for
// the checks and the timestamp window), and only then decodes the body.
// Nothing of the payload but the subscription ID is used before the
// signature holds.
//
// Failures: [ErrWebhookTooLarge] (body over opts.MaxBodyBytes),
// [ErrInvalidSignature] (no or bad subscription_id, bad signature or
// timestamp), or the lookup's own error, wrapped. No error contains a key.
//
// See https://developer.close.com/api/resources/webhooks.
func VerifyWebhook(ctx context.Context, header http.Header, body []byte, lookup KeyLookup, opts *WebhookOptions) (*WebhookEvent, error) {
	o := webhookDefaults(opts)
	if ctx == nil || lookup == nil {
		return nil, invalid("nil context or key lookup")
	}
	if int64(len(body)) > o.MaxBodyBytes {
		return nil, fmt.Errorf("%w: %d bytes (max %d)", ErrWebhookTooLarge, len(body), o.MaxBodyBytes)
	}
	var head struct {
		SubscriptionID string `json:"subscription_id"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, fmt.Errorf("%w: body is not a JSON object", ErrInvalidSignature)
	}
	if checkID("subscription", head.SubscriptionID) != nil {
		return nil, fmt.Errorf("%w: no valid subscription_id in the body", ErrInvalidSignature)
	}
	key, err := lookup(ctx, head.SubscriptionID)
	if err != nil {
		return nil, fmt.Errorf("close: webhook key for subscription %q: %w", head.SubscriptionID, err)
	}
	if key.IsZero() {
		return nil, fmt.Errorf("%w: no key for subscription %q", ErrUnknownSubscription, head.SubscriptionID)
	}
	sig, ts := header.Get(HeaderSigHash), header.Get(HeaderSigTimestamp)
	if err := verifyKey(key.key, sig, ts, body, o.Now(), o.Tolerance); err != nil {
		return nil, err
	}
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("close: decoding webhook: %w", err)
	}
	return &ev, nil
}

// ParseWebhookRequest reads a delivery from r (at most opts.MaxBodyBytes)
// and verifies it with [VerifyWebhook], passing r's context to lookup.
// Answer 2xx quickly once it returns: Close retries failed deliveries for
// 72 hours and does not keep their order.
//
// See https://developer.close.com/api/resources/webhooks.
func ParseWebhookRequest(r *http.Request, lookup KeyLookup, opts *WebhookOptions) (*WebhookEvent, error) {
	o := webhookDefaults(opts)
	body, err := readWebhookBody(r, o.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	return VerifyWebhook(r.Context(), r.Header, body, lookup, &o)
}

func webhookDefaults(opts *WebhookOptions) WebhookOptions {
	var o WebhookOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxWebhookBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func readWebhookBody(r *http.Request, maxBytes int64) ([]byte, error) {
	if r == nil || r.Body == nil {
		return nil, invalid("nil webhook request or body")
	}
	if r.ContentLength > maxBytes {
		return nil, fmt.Errorf("%w: Content-Length %d (max %d)", ErrWebhookTooLarge, r.ContentLength, maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("close: reading webhook body: %w", err)
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrWebhookTooLarge, maxBytes)
	}
	return body, nil
}

// Kind returns the first part of the event's object type: "lead",
// "contact", "opportunity", "activity", "task", "status_change" and so on.
func (e *Event) Kind() string {
	k, _, _ := strings.Cut(e.ObjectType, ".")
	return k
}

// Subtype returns what follows the dot of the object type ("call" in
// "activity.call", "lead" in "task.lead"), or "".
func (e *Event) Subtype() string {
	_, s, _ := strings.Cut(e.ObjectType, ".")
	return s
}

// DecodeActivity decodes Data of an "activity.<type>" event; read the
// type's own fields with [Activity.Note], [Activity.Call] and so on. It
// fails with [ErrNoData] when Data is null (deletes).
func (e *Event) DecodeActivity() (*Activity, error) { return decodeEventKind[Activity](e, "activity") }

// DecodeTask decodes Data of a "task.<type>" event. It fails with
// [ErrNoData] when Data is null (deletes).
func (e *Event) DecodeTask() (*Task, error) { return decodeEventKind[Task](e, "task") }

// DecodeStatusChange decodes Data of a "status_change.lead" or
// "status_change.opportunity" event.
func (e *Event) DecodeStatusChange() (*StatusChange, error) {
	return decodeEventKind[StatusChange](e, "status_change")
}

func decodeEventKind[T any](e *Event, kind string) (*T, error) {
	if e.Kind() != kind || e.Subtype() == "" {
		return nil, fmt.Errorf("close: event is about a %q, not a %s.*", e.ObjectType, kind)
	}
	if !e.HasData() {
		return nil, fmt.Errorf("%w: %s.%s event (see PreviousData)", ErrNoData, e.ObjectType, e.Action)
	}
	var v T
	if err := json.Unmarshal(e.Data, &v); err != nil {
		return nil, fmt.Errorf("close: decoding %s event data: %w", e.ObjectType, err)
	}
	return &v, nil
}

// Decode decodes Data by the event's object type, for a type switch:
// *Lead, *Contact, *Opportunity, *Note, *Call, *Email, *Meeting, *SMS,
// *CustomActivity or *Activity (other activity types), *StatusChange,
// *Task; any other object type gives Data as json.RawMessage. It fails
// with [ErrNoData] when Data is null (deletes).
func (e *Event) Decode() (any, error) {
	if !e.HasData() {
		return nil, fmt.Errorf("%w: %s.%s event (see PreviousData)", ErrNoData, e.ObjectType, e.Action)
	}
	switch e.Kind() {
	case "lead":
		return e.DecodeLead()
	case "contact":
		return e.DecodeContact()
	case "opportunity":
		return e.DecodeOpportunity()
	case "task":
		return e.DecodeTask()
	case "status_change":
		return e.DecodeStatusChange()
	case "activity":
		a, err := e.DecodeActivity()
		if err != nil {
			return nil, err
		}
		switch a.Type {
		case ActivityNote:
			return a.Note()
		case ActivityCall:
			return a.Call()
		case ActivityEmail:
			return a.Email()
		case ActivityMeeting:
			return a.Meeting()
		case ActivitySMS:
			return a.SMS()
		case ActivityCustom:
			return a.CustomActivity()
		}
		return a, nil
	}
	return append(json.RawMessage(nil), e.Data...), nil
}
