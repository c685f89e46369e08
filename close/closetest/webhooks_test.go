package closetest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close/closetest"
)

// receiver is a loopback webhook endpoint that records deliveries.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []*http.Request
	body [][]byte
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got, r.body = append(r.got, req), append(r.body, b)
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

// verify checks a delivery's signature as a receiver must: HMAC-SHA256 of
// close-sig-timestamp + raw body, keyed by the hex-decoded key.
func verify(t *testing.T, key string, h http.Header, body []byte) {
	t.Helper()
	k, err := hex.DecodeString(key)
	require.NoError(t, err)
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte(h.Get("close-sig-timestamp")))
	mac.Write(body)
	assert.Equal(t, hex.EncodeToString(mac.Sum(nil)), h.Get("close-sig-hash"))
	ts, err := strconv.ParseInt(h.Get("close-sig-timestamp"), 10, 64)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), time.Unix(ts, 0), time.Minute)
}

func TestWebhookSubscriptionsAndDeliveries(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	rcv := newReceiver(t)
	ctx := t.Context()

	st, sub, _ := a.call(t, "POST", "/webhook/", map[string]any{
		"url": rcv.URL + "/close",
		"events": []any{
			map[string]any{"object_type": "lead", "action": "created"},
			map[string]any{"object_type": "lead", "action": "updated",
				"extra_filter": map[string]any{"type": "field_accessor", "field": "changed_fields",
					"filter": map[string]any{"type": "contains", "value": "status_id"}}},
		},
	})
	require.Equal(t, http.StatusCreated, st, "body: %v", sub)
	subID := sub["id"].(string)
	key, _ := sub["signature_key"].(string)
	assert.Regexp(t, `^whsub_`, subID)
	assert.Regexp(t, `^[0-9a-f]{64}$`, key)
	assert.Equal(t, "active", sub["status"])
	assert.Equal(t, true, sub["verify_ssl"])

	// The key is shown once.
	st, got, _ := a.call(t, "GET", "/webhook/"+subID+"/", nil)
	require.Equal(t, 200, st)
	assert.NotContains(t, got, "signature_key")
	st, list, _ := a.call(t, "GET", "/webhook/", nil)
	require.Equal(t, 200, st)
	require.Len(t, list["data"], 1)
	assert.NotContains(t, list["data"].([]any)[0], "signature_key")
	assert.Equal(t, key, a.crm.Subscriptions()[0]["signature_key"])

	st, lead, _ := a.call(t, "POST", "/lead/", map[string]any{"name": "Acme"})
	require.Equal(t, 200, st)
	id := lead["id"].(string)
	st, _, _ = a.call(t, "PUT", "/lead/"+id+"/", map[string]any{"description": "filtered out"})
	require.Equal(t, 200, st)
	st, _, _ = a.call(t, "PUT", "/lead/"+id+"/", map[string]any{"status_id": closetest.LeadStatusCustomer})
	require.Equal(t, 200, st)
	require.NoError(t, a.crm.FlushWebhooks(ctx))

	rcv.mu.Lock()
	require.Len(t, rcv.got, 2)
	var actions []string
	for i, req := range rcv.got {
		assert.Equal(t, http.MethodPost, req.Method)
		assert.Equal(t, "/close", req.URL.Path)
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		verify(t, key, req.Header, rcv.body[i])
		var p struct {
			SubscriptionID string         `json:"subscription_id"`
			Event          map[string]any `json:"event"`
		}
		require.NoError(t, json.Unmarshal(rcv.body[i], &p))
		assert.Equal(t, subID, p.SubscriptionID)
		assert.Equal(t, id, p.Event["object_id"])
		actions = append(actions, p.Event["action"].(string))
	}
	rcv.mu.Unlock()
	assert.Equal(t, []string{"created", "updated"}, actions)
	ds := a.crm.Deliveries()
	require.Equal(t, 2, len(ds))
	assert.Equal(t, http.StatusNoContent, ds[1].StatusCode)
	assert.NoError(t, ds[1].Err)

	// Paused subscriptions get nothing; resumed ones do again.
	st, got, _ = a.call(t, "PUT", "/webhook/"+subID+"/", map[string]any{"status": "paused"})
	require.Equal(t, 200, st)
	assert.Equal(t, "paused", got["status"])
	_, err := a.crm.CreateLead(map[string]any{"name": "While paused"})
	require.NoError(t, err)
	require.NoError(t, a.crm.FlushWebhooks(ctx))
	assert.Equal(t, 2, len(a.crm.Deliveries()))
	st, _, _ = a.call(t, "PUT", "/webhook/"+subID+"/", map[string]any{"status": "active"})
	require.Equal(t, 200, st)
	_, err = a.crm.CreateLead(map[string]any{"name": "After"})
	require.NoError(t, err)
	require.NoError(t, a.crm.FlushWebhooks(ctx))
	assert.Equal(t, 3, len(a.crm.Deliveries()))

	// A URL that is not loopback is never called.
	st, far, _ := a.call(t, "POST", "/webhook/", map[string]any{"url": "https://hooks.acme.example/close",
		"events": []any{map[string]any{"object_type": "contact", "action": "created"}}})
	require.Equal(t, http.StatusCreated, st)
	_, err = a.crm.CreateContact(map[string]any{"name": "Solo"})
	require.NoError(t, err)
	require.NoError(t, a.crm.FlushWebhooks(ctx))
	ds = a.crm.Deliveries()
	require.Equal(t, 5, len(ds), "the contact's new lead goes to the first subscription")
	assert.Equal(t, subID, ds[3].SubscriptionID)
	assert.Equal(t, far["id"], ds[4].SubscriptionID)
	assert.ErrorIs(t, ds[4].Err, closetest.ErrNotLoopback)
	assert.Zero(t, ds[4].StatusCode)

	st, _, _ = a.call(t, "DELETE", "/webhook/"+subID+"/", nil)
	require.Equal(t, 200, st)
	st, got, _ = a.call(t, "GET", "/webhook/"+subID+"/", nil)
	assert.Equal(t, 404, st)
	assert.Contains(t, got["error"], "does not exist")

	for name, body := range map[string]map[string]any{
		"no url":       {"events": []any{map[string]any{"object_type": "lead", "action": "created"}}},
		"bad url":      {"url": "not a url", "events": []any{map[string]any{"object_type": "lead", "action": "created"}}},
		"no events":    {"url": rcv.URL},
		"empty events": {"url": rcv.URL, "events": []any{}},
		"bad event":    {"url": rcv.URL, "events": []any{map[string]any{"object_type": "lead"}}},
	} {
		st, out, _ := a.call(t, "POST", "/webhook/", body)
		assert.Equal(t, 400, st, name)
		assert.NotEmpty(t, out["field-errors"], name)
	}
	st, _, _ = a.call(t, "PUT", "/webhook/"+far["id"].(string)+"/", map[string]any{"status": "stopped"})
	assert.Equal(t, 400, st)
}

func TestSignWebhook(t *testing.T) {
	t.Parallel()
	key := "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0b"
	body := []byte(`{"subscription_id":"whsub_x","event":{"id":"ev_1"}}`)
	at := time.Unix(1759340703, 0)
	h, err := closetest.SignWebhook(key, body, at)
	require.NoError(t, err)
	assert.Equal(t, "1759340703", h.Get("close-sig-timestamp"))
	verify2 := hmac.New(sha256.New, mustHex(t, key))
	verify2.Write([]byte("1759340703"))
	verify2.Write(body)
	assert.Equal(t, hex.EncodeToString(verify2.Sum(nil)), h.Get("close-sig-hash"))

	req, err := closetest.NewWebhookRequest("http://app.test/hooks/close", key, body, at)
	require.NoError(t, err)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, h.Get("close-sig-hash"), req.Header.Get("close-sig-hash"))
	b, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, body, b)

	_, err = closetest.SignWebhook("not hex", body, at)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "not hex", "the key stays out of errors")
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}
