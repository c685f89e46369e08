package close

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook headers Close signs its deliveries with.
const (
	HeaderSigHash      = "Close-Sig-Hash"
	HeaderSigTimestamp = "Close-Sig-Timestamp"
)

// Webhook defaults.
const (
	// DefaultWebhookTolerance is how old a delivery's close-sig-timestamp
	// may be. Close retries a failed delivery with backoff for 72 hours, and
	// does not document whether a retry keeps its first timestamp; a
	// minutes-long window would then reject every late retry (and Close
	// pauses the subscription after 3 days of failures). 73 hours accepts
	// every retry with an hour to spare. A replayed delivery inside the
	// window still verifies: deduplicate on Event.ID (with DateUpdated),
	// which a sync needs anyway since Close may deliver an event twice.
	DefaultWebhookTolerance = 73 * time.Hour
	// DefaultWebhookClockSkew is how far in the future a timestamp may be
	// (clock skew between Close and you); a smaller Tolerance caps it too.
	DefaultWebhookClockSkew = 5 * time.Minute
	// DefaultMaxWebhookBytes is the largest webhook body read or verified.
	DefaultMaxWebhookBytes = 1 << 20
)

// Webhook errors.
var (
	// ErrInvalidSignature: a delivery's signature headers are missing or
	// malformed, the signature does not match, or its timestamp is outside
	// the tolerance. Answer 4xx and drop the delivery.
	ErrInvalidSignature = errors.New("close: invalid webhook signature")
	// ErrWebhookTooLarge: a delivery's body is over the size limit.
	ErrWebhookTooLarge = errors.New("close: webhook body too large")
	// ErrNoData: the event carries no object ("data" is null, as on
	// deletes); the prior state is in PreviousData.
	ErrNoData = errors.New("close: event has no data")
)

// WebhookEvent is the body of a Close webhook delivery. Event is embedded,
// so its fields and methods are reachable directly (ev.ObjectType,
// ev.DecodeLead()) as well as through ev.Event.
//
// See https://developer.close.com/api/resources/webhooks.
type WebhookEvent struct {
	SubscriptionID string `json:"subscription_id"`
	Event          `json:"event"`

	// Raw is the whole delivery body as Close sent it, keys not modelled
	// here included.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a delivery and keeps the body in Raw (and the
// event in Event.Raw).
func (w *WebhookEvent) UnmarshalJSON(b []byte) error {
	var env struct {
		SubscriptionID string `json:"subscription_id"`
		Event          *Event `json:"event"`
	}
	env.Event = &w.Event
	if err := json.Unmarshal(b, &env); err != nil {
		return err
	}
	w.SubscriptionID = env.SubscriptionID
	w.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Event is a Close event-log entry, as delivered by webhooks. DateCreated
// and DateUpdated come without a UTC offset and are read as UTC.
//
// See https://developer.close.com/api/resources/events.
type Event struct {
	ID             string `json:"id"`
	ObjectType     string `json:"object_type"` // "lead", "contact", "opportunity", …
	Action         string `json:"action"`      // "created", "updated", "deleted", "merged", …
	ObjectID       string `json:"object_id"`
	LeadID         string `json:"lead_id"`
	OrganizationID string `json:"organization_id"`
	UserID         string `json:"user_id"`
	RequestID      string `json:"request_id"`
	// APIKeyID is the API key that made the change; null (IsNull) when
	// the change did not come through an API key.
	APIKeyID      Optional[string] `json:"api_key_id"`
	DateCreated   Time             `json:"date_created"`
	DateUpdated   Time             `json:"date_updated"`
	ChangedFields []string         `json:"changed_fields"`
	Meta          EventMeta        `json:"meta"`
	// Data is the object as GET would return it; JSON null on deletes.
	Data json.RawMessage `json:"data"`
	// PreviousData holds, on updates, the prior values of the changed
	// fields, and on deletes the whole prior object.
	PreviousData json.RawMessage `json:"previous_data"`

	// Raw is the event exactly as Close sent it, fields not modelled here
	// (oauth_client_id, …) included.
	Raw json.RawMessage `json:"-"`
}

type eventJSON Event

// UnmarshalJSON decodes an event and keeps it in Raw.
func (e *Event) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, (*eventJSON)(e)); err != nil {
		return err
	}
	e.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// EventMeta is an event's "meta": the request that caused it and, for
// merges and bulk actions, what they involved.
//
// See https://developer.close.com/api/resources/events.
type EventMeta struct {
	RequestMethod          string `json:"request_method"`
	RequestPath            string `json:"request_path"`
	BulkActionID           string `json:"bulk_action_id"`
	MergeSourceLeadID      string `json:"merge_source_lead_id"`
	MergeDestinationLeadID string `json:"merge_destination_lead_id"`
	// RevertImportID is set when the event comes from reverting an import.
	RevertImportID string `json:"revert_import_id"`

	// Raw is "meta" exactly as Close sent it; Close adds keys over time.
	Raw json.RawMessage `json:"-"`
}

type eventMetaJSON EventMeta

// UnmarshalJSON decodes meta and keeps it in Raw.
func (m *EventMeta) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, (*eventMetaJSON)(m)); err != nil {
		return err
	}
	m.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Value returns meta key k as raw JSON, known or not.
func (m EventMeta) Value(k string) (json.RawMessage, bool) {
	var all map[string]json.RawMessage
	if json.Unmarshal(m.Raw, &all) != nil {
		return nil, false
	}
	v, ok := all[k]
	return v, ok
}

// HasData reports whether the event carries the object (false on deletes).
func (e *Event) HasData() bool {
	d := bytes.TrimSpace(e.Data)
	return len(d) > 0 && string(d) != "null"
}

// DecodeContact decodes Data of a contact event. It fails with [ErrNoData]
// when Data is null (deletes).
func (e *Event) DecodeContact() (*Contact, error) { return decodeEventData[Contact](e, "contact") }

// DecodeLead decodes Data of a lead event. It fails with [ErrNoData] when
// Data is null (deletes).
func (e *Event) DecodeLead() (*Lead, error) { return decodeEventData[Lead](e, "lead") }

// DecodeOpportunity decodes Data of an opportunity event. It fails with
// [ErrNoData] when Data is null (deletes).
func (e *Event) DecodeOpportunity() (*Opportunity, error) {
	return decodeEventData[Opportunity](e, "opportunity")
}

// DecodePrevious decodes PreviousData into v (a *Contact, *Lead,
// *Opportunity or map). It fails with [ErrNoData] when there is none.
func (e *Event) DecodePrevious(v any) error {
	d := bytes.TrimSpace(e.PreviousData)
	if len(d) == 0 || string(d) == "null" {
		return fmt.Errorf("%w: no previous_data on %s.%s event", ErrNoData, e.ObjectType, e.Action)
	}
	return json.Unmarshal(d, v)
}

func decodeEventData[T any](e *Event, want string) (*T, error) {
	if e.ObjectType != want {
		return nil, fmt.Errorf("close: event is about a %q, not a %s", e.ObjectType, want)
	}
	if !e.HasData() {
		return nil, fmt.Errorf("%w: %s.%s event (see PreviousData)", ErrNoData, e.ObjectType, e.Action)
	}
	var v T
	if err := json.Unmarshal(e.Data, &v); err != nil {
		return nil, fmt.Errorf("close: decoding %s event data: %w", want, err)
	}
	return &v, nil
}

// VerifySignature checks a Close webhook delivery: header close-sig-hash
// must be the hex HMAC-SHA256, keyed with the hex-decoded signatureKey
// (the subscription's signature_key), of header close-sig-timestamp followed
// by the raw body, compared in constant time; and the timestamp (Unix
// seconds) may be at most tolerance old (0 means [DefaultWebhookTolerance],
// 73 h, to accept Close's retries; negative disables the check, for replays
// you vetted) and at most [DefaultWebhookClockSkew] (or tolerance, if
// smaller) ahead. For many Close accounts, each with its own subscription
// and key, use [VerifyWebhook]. Bodies over [DefaultMaxWebhookBytes] fail with
// [ErrWebhookTooLarge]. Verification failures match [ErrInvalidSignature]; a
// key that is not hex matches paragon.ErrInvalidInput. No error contains the
// key.
//
// See https://developer.close.com/api/resources/webhooks.
func VerifySignature(signatureKey string, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	return verifySignature(signatureKey, header.Get(HeaderSigHash), header.Get(HeaderSigTimestamp), body, now, tolerance, DefaultMaxWebhookBytes)
}

func verifySignature(keyHex, sigHex, ts string, body []byte, now time.Time, tolerance time.Duration, maxBytes int64) error {
	key, err := hex.DecodeString(strings.TrimSpace(keyHex))
	if err != nil || len(key) == 0 {
		return invalid("webhook signature key is not a hex string (%d chars)", len(keyHex))
	}
	if int64(len(body)) > maxBytes {
		return fmt.Errorf("%w: %d bytes (max %d)", ErrWebhookTooLarge, len(body), maxBytes)
	}
	return verifyKey(key, sigHex, ts, body, now, tolerance)
}

// verifyKey checks the signature headers of body with the raw key.
func verifyKey(key []byte, sigHex, ts string, body []byte, now time.Time, tolerance time.Duration) error {
	sigHex, ts = strings.TrimSpace(sigHex), strings.TrimSpace(ts)
	if sigHex == "" || ts == "" {
		return fmt.Errorf("%w: missing %s or %s header", ErrInvalidSignature, HeaderSigHash, HeaderSigTimestamp)
	}
	got, err := hex.DecodeString(sigHex)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: %s is not a hex SHA-256 HMAC", ErrInvalidSignature, HeaderSigHash)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(ts))
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), got) {
		return fmt.Errorf("%w: signature mismatch", ErrInvalidSignature)
	}
	sent, ok := unixSeconds(ts)
	if !ok {
		return fmt.Errorf("%w: %s is not Unix seconds", ErrInvalidSignature, HeaderSigTimestamp)
	}
	if tolerance == 0 {
		tolerance = DefaultWebhookTolerance
	}
	if tolerance > 0 {
		skew := min(tolerance, DefaultWebhookClockSkew)
		if d := now.Sub(sent); d > tolerance || d < -skew {
			return fmt.Errorf("%w: timestamp is %v away from now (allowed: %v old, %v ahead)", ErrInvalidSignature, d.Round(time.Second), tolerance, skew)
		}
	}
	return nil
}

// unixSeconds parses a Unix timestamp in (possibly fractional) seconds.
func unixSeconds(s string) (time.Time, bool) {
	if len(s) > 32 {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > 1<<40 {
			return time.Time{}, false
		}
		return time.Unix(n, 0), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1<<40 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// WebhookOptions tune [ParseWebhook]. The zero value uses the defaults.
//
// See https://developer.close.com/api/resources/webhooks.
type WebhookOptions struct {
	// MaxBodyBytes is the largest body read (default
	// [DefaultMaxWebhookBytes]).
	MaxBodyBytes int64
	// Tolerance is how old the delivery's timestamp may be (default
	// [DefaultWebhookTolerance], 73 h; negative disables the check); see
	// [VerifySignature].
	Tolerance time.Duration
	// Now returns the current time (default time.Now), for tests.
	Now func() time.Time
}

// ParseWebhook reads a Close webhook delivery from r (at most
// opts.MaxBodyBytes), verifies its signature with signatureKey (see
// [VerifySignature]) and decodes it. Answer 2xx quickly once it returns: Close
// retries failed deliveries and does not keep their order.
//
// See https://developer.close.com/api/resources/webhooks.
func ParseWebhook(r *http.Request, signatureKey string, opts *WebhookOptions) (*WebhookEvent, error) {
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
	if r == nil || r.Body == nil {
		return nil, invalid("nil webhook request or body")
	}
	if r.ContentLength > o.MaxBodyBytes {
		return nil, fmt.Errorf("%w: Content-Length %d (max %d)", ErrWebhookTooLarge, r.ContentLength, o.MaxBodyBytes)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, o.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("close: reading webhook body: %w", err)
	}
	sig, ts := r.Header.Get(HeaderSigHash), r.Header.Get(HeaderSigTimestamp)
	if err := verifySignature(signatureKey, sig, ts, body, o.Now(), o.Tolerance, o.MaxBodyBytes); err != nil {
		return nil, err
	}
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("close: decoding webhook: %w", err)
	}
	return &ev, nil
}
