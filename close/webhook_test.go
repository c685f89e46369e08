package close_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

const webhookKey = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0b"

const wonEvent = `{
  "subscription_id": "whsub_7Gf5Dd",
  "event": {
    "id": "ev_3Qq5Ww",
    "object_type": "opportunity",
    "action": "updated",
    "object_id": "oppo_Ee2Rr4",
    "lead_id": "lead_4pT9wQ",
    "organization_id": "orga_Wq3Er5",
    "user_id": "user_Mn4Bv6",
    "request_id": "req_1Zz3Xx",
    "api_key_id": null,
    "date_created": "2025-10-01T17:45:03.112000",
    "date_updated": "2025-10-01T17:45:03.112000",
    "changed_fields": ["confidence", "date_won", "status_id", "status_type"],
    "previous_data": {"confidence": 40, "date_won": null, "status_type": "active"},
    "data": {"id": "oppo_Ee2Rr4", "status_type": "won", "confidence": 100,
             "date_won": "2025-10-01", "value": 1250000, "value_period": "annual", "custom.cf_q": "Q4"},
    "meta": {"request_method": "PUT", "request_path": "/api/v1/opportunity/oppo_Ee2Rr4/"}
  }
}`

const deleteEvent = `{"subscription_id": "whsub_1", "event": {"id": "ev_2", "object_type": "contact", "action": "deleted",
  "object_id": "cont_1", "data": null, "previous_data": {"id": "cont_1", "name": "Gone"},
  "date_created": "2025-10-01T17:45:03", "date_updated": "2025-10-01T17:45:03", "meta": {}}}`

var webhookNow = time.Unix(1759340703, 0)

// sign signs body the way Close does.
func sign(t *testing.T, key string, ts string, body []byte) string {
	t.Helper()
	k, err := hex.DecodeString(key)
	require.NoError(t, err)
	m := hmac.New(sha256.New, k)
	m.Write([]byte(ts))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func signedHeader(t *testing.T, ts time.Time, body []byte) http.Header {
	t.Helper()
	s := strconv.FormatInt(ts.Unix(), 10)
	h := http.Header{}
	h.Set("close-sig-hash", sign(t, webhookKey, s, body))
	h.Set("close-sig-timestamp", s)
	return h
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	body := []byte(wonEvent)
	good := signedHeader(t, webhookNow, body)
	require.NoError(t, close.VerifySignature(webhookKey, good, body, webhookNow, 0))
	require.NoError(t, close.VerifySignature(strings.ToUpper(webhookKey), good, body, webhookNow.Add(4*time.Minute), 0))
	require.NoError(t, close.VerifySignature(webhookKey, good, body, webhookNow.Add(-4*time.Minute), 0), "a little clock skew")
	require.NoError(t, close.VerifySignature(webhookKey, good, body, webhookNow.Add(time.Hour), -1), "negative tolerance disables the check")
	upper := good.Clone()
	upper.Set("close-sig-hash", strings.ToUpper(good.Get("close-sig-hash")))
	require.NoError(t, close.VerifySignature(webhookKey, upper, body, webhookNow, 0))

	tampered := bytes.Replace(body, []byte("1250000"), []byte("9250000"), 1)
	otherKey := strings.Repeat("ab", 32)
	wrongTS := good.Clone()
	wrongTS.Set("close-sig-timestamp", strconv.FormatInt(webhookNow.Unix()+1, 10))
	badHex := good.Clone()
	badHex.Set("close-sig-hash", "zz"+good.Get("close-sig-hash")[2:])
	short := good.Clone()
	short.Set("close-sig-hash", good.Get("close-sig-hash")[:62])
	noHash := good.Clone()
	noHash.Del("close-sig-hash")
	noTS := good.Clone()
	noTS.Del("close-sig-timestamp")
	notUnix := http.Header{}
	notUnix.Set("close-sig-timestamp", "yesterday")
	notUnix.Set("close-sig-hash", sign(t, webhookKey, "yesterday", body))

	tests := []struct {
		name   string
		key    string
		h      http.Header
		body   []byte
		now    time.Time
		tol    time.Duration
		target error
	}{
		{"tampered body", webhookKey, good, tampered, webhookNow, 0, close.ErrInvalidSignature},
		{"other key", otherKey, good, body, webhookNow, 0, close.ErrInvalidSignature},
		{"timestamp changed", webhookKey, wrongTS, body, webhookNow, 0, close.ErrInvalidSignature},
		{"stale", webhookKey, good, body, webhookNow.Add(73*time.Hour + time.Minute), 0, close.ErrInvalidSignature},
		{"future custom tolerance", webhookKey, good, body, webhookNow.Add(-2 * time.Minute), time.Minute, close.ErrInvalidSignature},
		{"stale custom tolerance", webhookKey, good, body, webhookNow.Add(2 * time.Minute), time.Minute, close.ErrInvalidSignature},
		{"future", webhookKey, good, body, webhookNow.Add(-6 * time.Minute), 0, close.ErrInvalidSignature},
		{"bad hex", webhookKey, badHex, body, webhookNow, 0, close.ErrInvalidSignature},
		{"short hash", webhookKey, short, body, webhookNow, 0, close.ErrInvalidSignature},
		{"no hash", webhookKey, noHash, body, webhookNow, 0, close.ErrInvalidSignature},
		{"no timestamp", webhookKey, noTS, body, webhookNow, 0, close.ErrInvalidSignature},
		{"timestamp not unix", webhookKey, notUnix, body, webhookNow, 0, close.ErrInvalidSignature},
		{"oversized", webhookKey, good, bytes.Repeat([]byte("x"), close.DefaultMaxWebhookBytes+1), webhookNow, 0, close.ErrWebhookTooLarge},
		{"key not hex", "not-hex-" + webhookKey, good, body, webhookNow, 0, paragon.ErrInvalidInput},
		{"empty key", "", good, body, webhookNow, 0, paragon.ErrInvalidInput},
	}
	for _, tt := range tests {
		err := close.VerifySignature(tt.key, tt.h, tt.body, tt.now, tt.tol)
		require.ErrorIs(t, err, tt.target, tt.name)
		assert.NotContains(t, err.Error(), webhookKey, tt.name)
		assert.NotContains(t, err.Error(), webhookKey[:16], tt.name)
		assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), webhookKey[:16], tt.name)
	}
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	body := []byte(wonEvent)
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/hooks/close", bytes.NewReader(body))
	for k, v := range signedHeader(t, webhookNow, body) {
		r.Header[k] = v
	}
	ev, err := close.ParseWebhook(r, webhookKey, &close.WebhookOptions{Now: func() time.Time { return webhookNow }})
	require.NoError(t, err)
	assert.Equal(t, "whsub_7Gf5Dd", ev.SubscriptionID)
	assert.Equal(t, "opportunity", ev.ObjectType, "Event is embedded")
	_, err = ev.DecodeOpportunity()
	require.NoError(t, err)
	e := ev.Event
	assert.Equal(t, "ev_3Qq5Ww", e.ID)
	assert.Equal(t, "opportunity", e.ObjectType)
	assert.Equal(t, "updated", e.Action)
	assert.Equal(t, "oppo_Ee2Rr4", e.ObjectID)
	assert.Equal(t, "lead_4pT9wQ", e.LeadID)
	assert.Equal(t, "orga_Wq3Er5", e.OrganizationID)
	assert.Equal(t, "user_Mn4Bv6", e.UserID)
	assert.Equal(t, "req_1Zz3Xx", e.RequestID)
	assert.True(t, e.APIKeyID.IsNull(), "api_key_id null stays apart from \"\"")
	assert.Equal(t, time.Date(2025, 10, 1, 17, 45, 3, 112000000, time.UTC), e.DateCreated.Time)
	assert.Equal(t, e.DateCreated, e.DateUpdated)
	assert.Equal(t, []string{"confidence", "date_won", "status_id", "status_type"}, e.ChangedFields)
	assert.Equal(t, "PUT", e.Meta.RequestMethod)
	assert.Equal(t, "/api/v1/opportunity/oppo_Ee2Rr4/", e.Meta.RequestPath)

	o, err := e.DecodeOpportunity()
	require.NoError(t, err)
	assert.Equal(t, close.StatusWon, o.StatusType)
	assert.Equal(t, close.NewDate(2025, 10, 1), o.DateWon)
	assert.Equal(t, close.Set[int64](1250000), o.Value)
	q, _ := o.CustomString("cf_q")
	assert.Equal(t, "Q4", q)
	var prev close.Opportunity
	require.NoError(t, e.DecodePrevious(&prev))
	assert.Equal(t, 40, prev.Confidence)
	_, err = e.DecodeLead()
	assert.Error(t, err, "not a lead event")
	_, err = e.DecodeContact()
	assert.Error(t, err)
}

func TestParseWebhookRejects(t *testing.T) {
	t.Parallel()
	body := []byte(wonEvent)
	now := func() time.Time { return webhookNow }

	stale := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", bytes.NewReader(body))
	for k, v := range signedHeader(t, webhookNow.Add(-74*time.Hour), body) {
		stale.Header[k] = v
	}
	_, err := close.ParseWebhook(stale, webhookKey, &close.WebhookOptions{Now: now})
	assert.ErrorIs(t, err, close.ErrInvalidSignature)

	big := bytes.Repeat([]byte(" "), 2048)
	big = append(big, body...)
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", bytes.NewReader(big))
	r.ContentLength = -1 // unknown length: the read itself must stop
	for k, v := range signedHeader(t, webhookNow, big) {
		r.Header[k] = v
	}
	_, err = close.ParseWebhook(r, webhookKey, &close.WebhookOptions{Now: now, MaxBodyBytes: 1024})
	assert.ErrorIs(t, err, close.ErrWebhookTooLarge)

	declared := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", bytes.NewReader(big))
	_, err = close.ParseWebhook(declared, webhookKey, &close.WebhookOptions{Now: now, MaxBodyBytes: 1024})
	assert.ErrorIs(t, err, close.ErrWebhookTooLarge)

	garbage := []byte(`{"event": [`)
	g := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", bytes.NewReader(garbage))
	for k, v := range signedHeader(t, webhookNow, garbage) {
		g.Header[k] = v
	}
	_, err = close.ParseWebhook(g, webhookKey, &close.WebhookOptions{Now: now})
	assert.ErrorContains(t, err, "decoding webhook")

	_, err = close.ParseWebhook(nil, webhookKey, nil)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
}

func TestWebhookDeleteHasNoData(t *testing.T) {
	t.Parallel()
	body := []byte(deleteEvent)
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", bytes.NewReader(body))
	for k, v := range signedHeader(t, time.Now(), body) {
		r.Header[k] = v
	}
	ev, err := close.ParseWebhook(r, webhookKey, nil)
	require.NoError(t, err)
	assert.False(t, ev.Event.HasData())
	_, err = ev.Event.DecodeContact()
	require.ErrorIs(t, err, close.ErrNoData)
	var prev close.Contact
	require.NoError(t, ev.Event.DecodePrevious(&prev))
	assert.Equal(t, close.Set("Gone"), prev.Name)

	var empty close.Event
	assert.ErrorIs(t, empty.DecodePrevious(&prev), close.ErrNoData)
}
