package managedsync

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// EventType names a Managed Sync webhook event.
type EventType string

// Managed Sync webhook events. Types Paragon adds later are passed on as
// they come.
const (
	// EventSyncComplete: the initial sync finished ([Event.SyncComplete]).
	EventSyncComplete EventType = "sync_complete"
	// EventSyncErrored: a permanent failure; the sync is now ERRORED
	// ([Event.Failure]).
	EventSyncErrored EventType = "sync_errored"
	// EventRecordCreated, EventRecordUpdated, EventRecordDeleted and
	// EventRecordErrored report changes to one record ([Event.Record]).
	EventRecordCreated EventType = "record_created"
	EventRecordUpdated EventType = "record_updated"
	EventRecordDeleted EventType = "record_deleted"
	EventRecordErrored EventType = "record_errored"
	// EventWebhookVerification is the probe Paragon sends to check a
	// webhook URL. [NewWebhookHandler] answers it itself.
	EventWebhookVerification EventType = "webhook_verification"
)

// Event is one Managed Sync webhook delivery.
//
// Docs: https://docs.useparagon.com/managed-sync/webhooks
type Event struct {
	// Type is the event ("event").
	Type EventType `json:"event"`
	// Integration is the sync's integration ("sync"), e.g. "googledrive".
	Integration string `json:"sync"`
	// SyncID is the sync's ID in the Sync API ("syncInstanceId").
	SyncID string `json:"syncInstanceId"`
	// CredentialID is the account the sync reads, when sent.
	CredentialID string `json:"credentialId,omitzero"`
	// User is the Connected User.
	User EventUser `json:"user"`
	// Data is the event's data, as sent.
	Data json.RawMessage `json:"data,omitzero"`
	// ErrorJSON is the event's error (sync_errored, record_errored), as sent.
	ErrorJSON json.RawMessage `json:"error,omitzero"`
	// Raw is the whole delivery as sent.
	Raw json.RawMessage `json:"-"`
}

// EventUser identifies the Connected User of an event.
type EventUser struct {
	ID string `json:"id"`
}

// SyncCompleteData is the data of a sync_complete event.
type SyncCompleteData struct {
	Model      string    `json:"model"`
	SyncedAt   time.Time `json:"syncedAt"`
	NumRecords int64     `json:"numRecords"`
}

// RecordEventData is the data of a record_* event. Only recordId is known
// (its shape is not documented); Raw has the rest.
type RecordEventData struct {
	RecordID string          `json:"recordId"`
	Raw      json.RawMessage `json:"-"`
}

// SyncComplete decodes the data of a sync_complete event.
func (e *Event) SyncComplete() (SyncCompleteData, error) {
	var d SyncCompleteData
	if len(e.Data) == 0 {
		return d, invalidResponse("webhook "+string(e.Type), "no data")
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return d, invalidResponseErr("webhook "+string(e.Type), err)
	}
	return d, nil
}

// Record decodes the data of a record_* event.
func (e *Event) Record() (RecordEventData, error) {
	d := RecordEventData{Raw: e.Data}
	if len(e.Data) == 0 {
		return d, invalidResponse("webhook "+string(e.Type), "no data")
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return d, invalidResponseErr("webhook "+string(e.Type), err)
	}
	return d, nil
}

// Failure returns the event's error (sync_errored, record_errored) as a
// [SyncFailure], or nil when it has none.
func (e *Event) Failure() *SyncFailure { return decodeFailure(e.ErrorJSON) }

// ParseEvent decodes one webhook delivery body.
func ParseEvent(body []byte) (*Event, error) {
	e := new(Event)
	if err := json.Unmarshal(body, e); err != nil {
		return nil, invalidResponseErr("webhook", err)
	}
	if e.Type == "" {
		return nil, invalidResponse("webhook", "no event type")
	}
	e.Raw = append(json.RawMessage(nil), body...)
	return e, nil
}

// MaxWebhookBody bounds the body [NewWebhookHandler] reads; larger
// deliveries are answered 413.
const MaxWebhookBody = 1 << 20

// DefaultSecretParam is the query parameter [WithURLSecret] reads.
const DefaultSecretParam = "secret"

// WebhookOption configures [NewWebhookHandler].
type WebhookOption func(*webhookConfig) error

type webhookConfig struct {
	secretSum   *[sha256.Size]byte
	secretParam string
	logger      *slog.Logger
}

// WithURLSecret makes the handler accept only deliveries whose URL carries
// secret in the query parameter param ("" means [DefaultSecretParam]),
// compared in constant time. Paragon does not sign Managed Sync webhooks, so
// register the URL as https://your.app/hooks/sync?secret=<long random
// value> and keep the value secret. A delivery without it gets 401.
func WithURLSecret(param, secret string) WebhookOption {
	return func(c *webhookConfig) error {
		if len(secret) < 16 {
			return invalid("webhook URL secret is shorter than 16 bytes")
		}
		if param == "" {
			param = DefaultSecretParam
		}
		sum := sha256.Sum256([]byte(secret))
		c.secretSum, c.secretParam = &sum, param
		return nil
	}
}

// WithWebhookLogger logs refused deliveries and handler errors (at warn
// level, without bodies or secrets). Default: no logging.
func WithWebhookLogger(l *slog.Logger) WebhookOption {
	return func(c *webhookConfig) error {
		c.logger = l
		return nil
	}
}

// NewWebhookHandler returns an http.Handler for Managed Sync webhooks:
//
//   - it accepts POST only (405 otherwise), reads at most [MaxWebhookBody]
//     (413 past it) and, with [WithURLSecret], refuses deliveries without
//     the URL secret (401);
//   - it answers the webhook_verification probe itself, with 200 and, when
//     the probe carries a "challenge" (at the top level or in data), the
//     JSON {"challenge": <the value>}; Paragon documents neither the probe's
//     shape nor the answer it expects, and any 2xx is taken as success, so
//     echoing a challenge covers both readings;
//   - every other event (unknown types included) goes to fn, with the
//     request's context: nil answers 200, an error 500 (Paragon retries and,
//     after repeated failures, may disable the URL, so return quickly and do
//     slow work elsewhere).
//
// Paragon documents no signature for these webhooks (unlike ActionKit's
// x-paragon-signature), so anyone who learns the URL can post to it: use
// [WithURLSecret] and HTTPS.
func NewWebhookHandler(fn func(context.Context, *Event) error, opts ...WebhookOption) (http.Handler, error) {
	if fn == nil {
		return nil, invalid("nil webhook func")
	}
	var cfg webhookConfig
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	return &webhookHandler{fn: fn, cfg: cfg}, nil
}

type webhookHandler struct {
	fn  func(context.Context, *Event) error
	cfg webhookConfig
}

// String describes the handler without its secret.
func (h *webhookHandler) String() string { return "managedsync.WebhookHandler" }

// Format prints the redacted description for every verb.
func (h *webhookHandler) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, h.String()) }

func (h *webhookHandler) warn(r *http.Request, msg string, args ...any) {
	if h.cfg.logger != nil {
		h.cfg.logger.WarnContext(r.Context(), "managedsync webhook: "+msg, args...)
	}
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if h.cfg.secretSum != nil {
		got := sha256.Sum256([]byte(r.URL.Query().Get(h.cfg.secretParam)))
		if subtle.ConstantTimeCompare(got[:], h.cfg.secretSum[:]) != 1 {
			h.warn(r, "refused: wrong or missing URL secret")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.warn(r, "refused: body too large")
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading body failed", http.StatusBadRequest)
		return
	}
	ev, err := ParseEvent(body)
	if err != nil {
		h.warn(r, "refused: not a Managed Sync event")
		http.Error(w, "not a Managed Sync webhook event", http.StatusBadRequest)
		return
	}
	if ev.Type == EventWebhookVerification {
		answerProbe(w, ev)
		return
	}
	if err := h.fn(r.Context(), ev); err != nil {
		h.warn(r, "handler failed", slog.String("event", string(ev.Type)), slog.String("sync", ev.SyncID), slog.Any("error", err))
		http.Error(w, "webhook handler failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// answerProbe answers webhook_verification: 200, echoing a challenge.
func answerProbe(w http.ResponseWriter, ev *Event) {
	var probe struct {
		Challenge json.RawMessage `json:"challenge"`
		Data      struct {
			Challenge json.RawMessage `json:"challenge"`
		} `json:"data"`
	}
	_ = json.Unmarshal(ev.Raw, &probe)
	ch := probe.Challenge
	if len(ch) == 0 {
		ch = probe.Data.Challenge
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if len(ch) > 0 && string(ch) != "null" {
		_, _ = fmt.Fprintf(w, `{"challenge":%s}`, ch)
		return
	}
	_, _ = io.WriteString(w, `{}`)
}
