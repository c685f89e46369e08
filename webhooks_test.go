package paragon_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

const webhookSecret = "whsec-actionkit-test"

func sign(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

func TestVerifyWebhookSignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"eventId":"evt_1","userId":"acct-1042","integration":"close","payload":{"id":"lead_1"}}`)
	mac := sign(webhookSecret, body)
	good := "v1=" + hex.EncodeToString(mac)
	assert.NoError(t, paragon.VerifyWebhookSignature(webhookSecret, body, good))
	assert.NoError(t, paragon.VerifyWebhookSignature(webhookSecret, body, "v1="+base64.StdEncoding.EncodeToString(mac)))
	assert.NoError(t, paragon.VerifyWebhookSignature(webhookSecret, body, "v0=abc, "+good))

	bad := map[string]string{
		"missing":        "",
		"other scheme":   "v2=" + hex.EncodeToString(mac),
		"tampered":       "v1=" + hex.EncodeToString(sign(webhookSecret, append(body, ' '))),
		"other secret":   "v1=" + hex.EncodeToString(sign("other", body)),
		"not hex":        "v1=zz",
		"truncated sig":  good[:20],
		"huge":           "v1=" + strings.Repeat("a", 5000),
		"upper-case hex": "v1=" + strings.ToUpper(hex.EncodeToString(mac)),
		"unpadded b64":   "v1=" + base64.RawStdEncoding.EncodeToString(mac),
		"URL-safe b64":   "v1=" + base64.URLEncoding.EncodeToString(mac),
		"b64 with CRLF":  "v1=" + base64.StdEncoding.EncodeToString(mac)[:20] + "\r\n" + base64.StdEncoding.EncodeToString(mac)[20:],
	}
	// Non-canonical base64 of the same MAC: the last character before the
	// padding carries two unused bits, which a lenient decoder ignores.
	canon := base64.StdEncoding.EncodeToString(mac)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	last := strings.IndexByte(alphabet, canon[len(canon)-2])
	for bits := 1; bits < 4; bits++ {
		variant := canon[:len(canon)-2] + string(alphabet[last^bits]) + "="
		got, err := base64.StdEncoding.DecodeString(variant)
		require.NoError(t, err)
		require.Equal(t, mac, got, "the variant decodes to the same MAC")
		bad["padding bits "+strconv.Itoa(bits)] = "v1=" + variant
	}
	for name, hdr := range bad {
		err := paragon.VerifyWebhookSignature(webhookSecret, body, hdr)
		assert.ErrorIs(t, err, paragon.ErrInvalidSignature, name)
		if err != nil {
			assert.NotContains(t, err.Error(), webhookSecret)
		}
	}
	assert.ErrorIs(t, paragon.VerifyWebhookSignature("", body, good), paragon.ErrInvalidInput)
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	body := `{"eventId":"evt_5f1c0a7e","userId":"acct-1042","integration":"close","triggerType":"CLOSE_TRIGGER_RECORD_CREATED",
	  "dateReceived":"2026-01-01T00:07:00.000Z","payload":{"id":"lead_7Hn2"},"triggerSubscriptionMetadata":{"team":"west"}}`
	r := httptest.NewRequest("POST", "/hooks/paragon", strings.NewReader(body))
	r.Header.Set("X-Paragon-Signature", "v1="+hex.EncodeToString(sign(webhookSecret, []byte(body))))
	ev, err := paragon.ParseWebhook(r, webhookSecret)
	require.NoError(t, err)
	assert.Equal(t, "evt_5f1c0a7e", ev.EventID)
	assert.Equal(t, "close", ev.Integration)
	assert.JSONEq(t, `{"id":"lead_7Hn2"}`, string(ev.Payload))
	assert.Equal(t, "west", ev.TriggerSubscriptionMetadata["team"])
	assert.Equal(t, 2026, ev.DateReceived.Year())

	big := strings.Repeat("x", paragon.DefaultMaxWebhookBytes+10)
	r = httptest.NewRequest("POST", "/hooks/paragon", strings.NewReader(big))
	_, err = paragon.ParseWebhook(r, webhookSecret)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
}

func FuzzVerifyWebhookSignature(f *testing.F) {
	body := []byte(`{"eventId":"e"}`)
	f.Add(body, "v1="+hex.EncodeToString(sign(webhookSecret, body)))
	f.Add([]byte{}, "")
	f.Add([]byte("x"), "v1=,v1==,=,,")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		err := paragon.VerifyWebhookSignature(webhookSecret, body, header)
		if err == nil {
			// Only a header carrying the real MAC may pass.
			// Only a header carrying the MAC in its canonical spelling
			// (lower-case hex, padded standard base64) may pass.
			mac := sign(webhookSecret, body)
			for part := range strings.SplitSeq(header, ",") {
				if s := strings.TrimSpace(part); s == "v1="+hex.EncodeToString(mac) || s == "v1="+base64.StdEncoding.EncodeToString(mac) {
					return
				}
			}
			t.Fatalf("accepted a header without the canonical MAC: %q", header)
		}
	})
}
