package close

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want rateLimit
		ok   bool
	}{
		{"limit=60, remaining=0, reset=0.84", rateLimit{60, 0, 840 * time.Millisecond, true}, true},
		{"limit=160; remaining=159; reset=8", rateLimit{160, 159, 8 * time.Second, true}, true},
		{` LIMIT = 5 ,reset="1.5"`, rateLimit{Limit: 5, Reset: 1500 * time.Millisecond, HasReset: true}, true},
		{"limit=60, remaining=3", rateLimit{Limit: 60, Remaining: 3}, true},
		{"reset=-1", rateLimit{}, false},
		{"reset=NaN", rateLimit{}, false},
		{"reset=Inf", rateLimit{}, false},
		{"reset=1e300", rateLimit{}, false},
		{"garbage", rateLimit{}, false},
		{"", rateLimit{}, false},
	}
	for _, tt := range tests {
		got, ok := parseRateLimit(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestRetryAfterPrecedence(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	body := &wireError{RateReset: json.RawMessage(`"4.5"`)}
	tests := []struct {
		name   string
		status int
		h      http.Header
		w      *wireError
		want   time.Duration
	}{
		{"RateLimit first", 429, h("RateLimit", "reset=0.5", "Retry-After", "2", "X-Rate-Limit-Reset", "3"), body, 500 * time.Millisecond},
		{"then Retry-After", 429, h("RateLimit", "limit=1", "Retry-After", "2", "X-Rate-Limit-Reset", "3"), body, 2 * time.Second},
		{"Retry-After date", 429, h("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)), nil, 90 * time.Second},
		{"Retry-After past date", 429, h("Retry-After", now.Add(-time.Hour).Format(http.TimeFormat), "RateLimit-Reset", "7"), nil, 7 * time.Second},
		{"then RateLimit-Reset", 429, h("RateLimit-Reset", "7", "X-Rate-Limit-Reset", "3"), body, 7 * time.Second},
		{"then X-Rate-Limit-Reset", 429, h("X-Rate-Limit-Reset", "14.26"), body, 14260 * time.Millisecond},
		{"then body", 429, h("Retry-After", "soon"), body, 4500 * time.Millisecond},
		{"body number", 429, nil, &wireError{RateReset: json.RawMessage(`1`)}, time.Second},
		{"nested body", 429, nil, &wireError{Error: json.RawMessage(`{"rate_reset": "0.25"}`)}, 250 * time.Millisecond},
		{"nothing", 429, nil, &wireError{Error: json.RawMessage(`"x"`)}, 0},
		{"not 429 ignores RateLimit", 404, h("RateLimit", "reset=5"), body, 0},
		{"503 Retry-After", 503, h("Retry-After", "9"), nil, 9 * time.Second},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, retryAfter(tt.status, tt.h, tt.w, now), tt.name)
	}
}

func TestUnwrapOutput(t *testing.T) {
	t.Parallel()
	assert.Equal(t, `{"id":1}`, string(unwrapOutput([]byte(`{"output": {"id":1}}`))))
	assert.Equal(t, `{"output": {"id":1}, "x": 2}`, string(unwrapOutput([]byte(`{"output": {"id":1}, "x": 2}`))))
	assert.Equal(t, `{"output": null}`, string(unwrapOutput([]byte(`{"output": null}`))))
	assert.Equal(t, `[1]`, string(unwrapOutput([]byte(`[1]`))))
	assert.Empty(t, unwrapOutput(nil))
}

func TestErrorTextShapes(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a", errorText(json.RawMessage(`"a"`)))
	assert.Equal(t, "b", errorText(json.RawMessage(`{"message": "b"}`)))
	assert.Equal(t, "c", errorText(json.RawMessage(`{"error": "c"}`)))
	assert.Equal(t, `{"code": 1}`, errorText(json.RawMessage(`{"code": 1}`)))
	assert.Empty(t, errorText(json.RawMessage(`null`)))
	assert.Equal(t, []string{"x"}, errorList(json.RawMessage(`"x"`)))
	assert.Equal(t, []string{"x", `{"a":1}`}, errorList(json.RawMessage(`["x", {"a":1}]`)))
	assert.Nil(t, errorList(json.RawMessage(`""`)))
	assert.Nil(t, errorList(json.RawMessage(`{}`)))
	assert.Nil(t, decodeError(200, nil, []byte(`{"errors": [], "field-errors": {}}`)))
	assert.Nil(t, decodeError(204, nil, nil))
	assert.NotNil(t, decodeError(200, nil, []byte(`{"error": "x"}`)))

	// Only a key is a reason to look for an error; the word in a value is not.
	for body, want := range map[string]bool{
		`{"error" : "x"}`: true,
		`{"data":[{"field-errors":{}}],"has_more":false}`:                                  true,
		`{"data":[{"description":"an error","tags":["errors","error"]}],"has_more":false}`: false,
		`{"data":[{"description":"say \"error\": no"}]}`:                                   false,
		`{"data":[{"email":"error@example.com"}]}`:                                         false,
	} {
		assert.Equal(t, want, hasKey([]byte(body), "error", "errors", "field-errors"), body)
	}
	assert.Nil(t, decodeError(200, nil, []byte(`{"data":[{"description":"an error"}],"has_more":false}`)))
}

// FuzzDecodeError: any status and body give a *Error without panicking,
// whose message is valid UTF-8 and bounded, and whose Is never panics.
func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{
		`{"error": "Empty query: Lead matching query does not exist."}`,
		`{"errors": [], "field-errors": {"status": "Not a valid choice."}}`,
		`{"errors": ["Destination lead does not exist."]}`,
		`{"error": {"message": "x", "rate_reset": "0.5"}}`,
		`{"message": "API call count exceeded", "rate_reset": "1.204518"}`,
		`{"error": "The skip value is too large (max_skip = 250000)."}`,
		`<html><title>502</title></html>`,
		``, `null`, `{"field-errors": {"emails": {"0": {"email": ["bad"]}}}}`,
	} {
		f.Add(400, s, "limit=60, remaining=0, reset=0.84")
	}
	f.Add(429, `{}`, "reset=1e309")
	f.Add(200, `{"error": null, "errors": [null]}`, "")
	f.Fuzz(func(t *testing.T, status int, body, rl string) {
		h := http.Header{}
		h.Set("RateLimit", rl)
		e := parseError(status, h, []byte(body))
		require.NotNil(t, e)
		msg := e.Error()
		assert.True(t, utf8.ValidString(e.Message) || !utf8.ValidString(body), "message")
		assert.LessOrEqual(t, len(e.Body), maxErrorBody)
		assert.GreaterOrEqual(t, e.RetryAfter, time.Duration(0))
		assert.LessOrEqual(t, e.RetryAfter, maxRateWait)
		_ = msg
		for _, target := range []error{ErrNotFound, ErrValidation, ErrRateLimited, ErrUnauthorized, ErrMaxSkip} {
			_ = errors.Is(e, target)
		}
		if d := decodeError(status, h, []byte(body)); d != nil && status >= 200 && status <= 299 {
			assert.True(t, hasErrorKeys([]byte(body)))
		}
	})
}

// FuzzTime: parsing never panics, and whatever parses re-encodes to a
// timestamp that parses back to the same instant (to the microsecond).
func FuzzTime(f *testing.F) {
	for _, s := range []string{
		"2025-09-04T14:22:09.518000+00:00", "2025-09-04T14:22:09.518000", "2025-09-04T14:22:09",
		"2025-09-04T14:22:09Z", "2025-09-04 14:22:09.1-05:30", "0000-01-01T00:00:00", "", "2025-09-04",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var tm Time
		b, _ := json.Marshal(s)
		if err := json.Unmarshal(b, &tm); err != nil {
			return
		}
		out, err := json.Marshal(tm)
		if err != nil {
			return // years outside 0..9999 do not encode
		}
		var back Time
		require.NoError(t, json.Unmarshal(out, &back), "re-parse %s", out)
		assert.True(t, tm.Truncate(time.Microsecond).Equal(back.Time), "%s → %s", s, out)
		var d Date
		_ = json.Unmarshal(b, &d)
	})
}

// FuzzRateLimit: the parser never panics and never returns a negative or
// absurd wait.
func FuzzRateLimit(f *testing.F) {
	for _, s := range []string{
		"limit=60, remaining=0, reset=0.84", "limit=160; remaining=159; reset=8", "reset=", "=,;",
		`reset="2"`, "reset=1e9", "reset=0x10", "remaining=-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rl, ok := parseRateLimit(s)
		if !ok {
			assert.Equal(t, rateLimit{}, rl)
			return
		}
		assert.GreaterOrEqual(t, rl.Reset, time.Duration(0))
		assert.LessOrEqual(t, rl.Reset, maxRateWait)
		assert.GreaterOrEqual(t, rl.Limit, 0)
		assert.GreaterOrEqual(t, rl.Remaining, 0)
	})
}

// FuzzVerifySignature: only a correct signature over exactly these bytes
// verifies, and no error ever contains the key.
func FuzzVerifySignature(f *testing.F) {
	const key = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0b"
	f.Add("1759340703", "", []byte(`{"event": {}}`))
	f.Add("1759340703", "00", []byte(``))
	f.Add("1759340703.5", strings.Repeat("ab", 32), []byte(`x`))
	f.Add("", "", []byte(nil))
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		now := time.Unix(1759340703, 0)
		err := verifySignature(key, sig, ts, body, now, time.Minute, DefaultMaxWebhookBytes)
		if err != nil {
			assert.NotContains(t, err.Error(), key[:12])
		}
		k, _ := hex.DecodeString(key)
		m := hmac.New(sha256.New, k)
		m.Write([]byte(ts))
		m.Write(body)
		want := hex.EncodeToString(m.Sum(nil))
		if err == nil {
			assert.True(t, strings.EqualFold(strings.TrimSpace(sig), want), "verified a wrong signature")
		}
		goodErr := verifySignature(key, want, ts, body, now, -1, DefaultMaxWebhookBytes)
		if _, ok := unixSeconds(strings.TrimSpace(ts)); ok && strings.TrimSpace(ts) == ts {
			assert.NoError(t, goodErr, "a correct signature must verify")
		}
		if len(body) > 0 {
			flipped := append([]byte(nil), body...)
			flipped[0] ^= 1
			assert.Error(t, verifySignature(key, want, ts, flipped, now, -1, DefaultMaxWebhookBytes))
		}
	})
}
