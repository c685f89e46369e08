package paragon

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// HeaderSignature carries the signature of ActionKit trigger webhooks.
const HeaderSignature = "X-Paragon-Signature"

// ErrInvalidSignature is returned when an inbound webhook's signature is missing or wrong.
var ErrInvalidSignature = errors.New("paragon: invalid webhook signature")

// DefaultMaxWebhookBytes is the largest webhook body [ParseWebhook] reads.
const DefaultMaxWebhookBytes = 1 << 20

// VerifyWebhookSignature checks the X-Paragon-Signature header value
// ("v1=<HMAC-SHA256 of the raw body>") of an ActionKit trigger webhook against
// secret, the ActionKit signing secret from Paragon's settings. The digest is
// accepted in lower-case hex or in padded standard base64 (Paragon does not
// document which), and only in that canonical spelling: upper-case hex,
// base64 with other padding bits, without padding, URL-safe or with line
// breaks does not verify, so that one MAC has exactly one accepted text per
// encoding. The comparison is in constant time. Errors match
// [ErrInvalidSignature] and never include the secret.
//
// Docs: https://docs.useparagon.com/actionkit/triggers/receiving-webhooks
func VerifyWebhookSignature(secret string, body []byte, header string) error {
	if secret == "" {
		return fmt.Errorf("%w: empty signing secret", ErrInvalidInput)
	}
	if header == "" {
		return fmt.Errorf("%w: no %s header", ErrInvalidSignature, HeaderSignature)
	}
	if len(header) > 1024 {
		return fmt.Errorf("%w: header too long", ErrInvalidSignature)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	sum := mac.Sum(nil)
	// The canonical spellings of the MAC. Comparing the header's text with
	// them, rather than decoding it, leaves no room for a decoder's
	// leniency (non-zero padding bits, skipped CR/LF, either hex case).
	var hexWant [2 * sha256.Size]byte
	hex.Encode(hexWant[:], sum)
	b64Want := make([]byte, base64.StdEncoding.EncodedLen(sha256.Size))
	base64.StdEncoding.Encode(b64Want, sum)
	// The header may hold several comma-separated signatures (key rotation).
	for part := range strings.SplitSeq(header, ",") {
		scheme, sig, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || scheme != "v1" {
			continue
		}
		if hmac.Equal([]byte(sig), hexWant[:]) || hmac.Equal([]byte(sig), b64Want) {
			return nil
		}
	}
	return fmt.Errorf("%w: no v1 signature matches the body", ErrInvalidSignature)
}

// WebhookEvent is an ActionKit trigger event delivered to your webhook URL.
//
// Deprecated: use package actionkit's TriggerEvent and ParseTriggerWebhook,
// which keep the raw body and read dateReceived tolerantly.
type WebhookEvent struct {
	// EventID identifies the event; use it to drop duplicate deliveries.
	EventID                     string          `json:"eventId"`
	UserID                      string          `json:"userId,omitzero"`
	Integration                 string          `json:"integration,omitzero"`
	TriggerType                 string          `json:"triggerType,omitzero"`
	TriggerSubscriptionID       string          `json:"triggerSubscriptionId,omitzero"`
	CredentialID                string          `json:"credentialId,omitzero"`
	ProjectID                   string          `json:"projectId,omitzero"`
	DateReceived                time.Time       `json:"dateReceived,omitzero"`
	Payload                     json.RawMessage `json:"payload,omitzero"`
	TriggerSubscriptionMetadata map[string]any  `json:"triggerSubscriptionMetadata,omitzero"`
}

// ParseWebhook reads an ActionKit trigger webhook from r (at most
// DefaultMaxWebhookBytes), verifies its X-Paragon-Signature with secret, and
// decodes it. Use it in your webhook's http.Handler.
//
// Deprecated: use actionkit.ParseTriggerWebhook; both verify the same way
// (VerifyWebhookSignature).
func ParseWebhook(r *http.Request, secret string) (*WebhookEvent, error) {
	if r == nil || r.Body == nil {
		return nil, fmt.Errorf("%w: no request body", ErrInvalidInput)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, DefaultMaxWebhookBytes+1))
	if err != nil {
		return nil, fmt.Errorf("paragon: reading webhook: %w", err)
	}
	if len(body) > DefaultMaxWebhookBytes {
		return nil, fmt.Errorf("%w: webhook body over %d bytes", ErrInvalidInput, DefaultMaxWebhookBytes)
	}
	if err := VerifyWebhookSignature(secret, body, r.Header.Get(HeaderSignature)); err != nil {
		return nil, err
	}
	ev := new(WebhookEvent)
	if err := json.Unmarshal(body, ev); err != nil {
		return nil, fmt.Errorf("paragon: decoding webhook: %w", err)
	}
	if ev.EventID == "" {
		return nil, fmt.Errorf("paragon: webhook has no eventId")
	}
	return ev, nil
}
