package transport

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var fuzzNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestRetryAfterParse(t *testing.T) {
	t.Parallel()
	date := func(d time.Duration) string { return fuzzNow.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		name string
		kv   []string
		want time.Duration
		ok   bool
	}{
		{"none", nil, 0, false},
		{"seconds", []string{"Retry-After", "120"}, 2 * time.Minute, true},
		{"seconds with spaces", []string{"Retry-After", " 3 "}, 3 * time.Second, true},
		{"zero", []string{"Retry-After", "0"}, 0, true},
		{"fractional seconds", []string{"Retry-After", "1.5"}, 1500 * time.Millisecond, true},
		{"date", []string{"Retry-After", date(90 * time.Second)}, 90 * time.Second, true},
		{"date RFC 850", []string{"Retry-After", fuzzNow.Add(time.Minute).Format(time.RFC850)}, time.Minute, true},
		{"date in the past", []string{"Retry-After", date(-time.Minute)}, 0, false},
		{"negative", []string{"Retry-After", "-1"}, 0, false},
		{"plus sign", []string{"Retry-After", "+1"}, 0, false},
		{"exponent", []string{"Retry-After", "1e3"}, 0, false},
		{"garbage", []string{"Retry-After", "later"}, 0, false},
		{"dot only", []string{"Retry-After", "."}, 0, false},
		{"trailing dot", []string{"Retry-After", "5."}, 0, false},
		{"leading dot", []string{"Retry-After", ".5"}, 0, false},
		{"overflow", []string{"Retry-After", "99999999999999999999"}, 0, false},
		{"largest", []string{"Retry-After", "9223372036.854775807"}, math.MaxInt64, true},
		{"just too large", []string{"Retry-After", "9223372036.854775808"}, 0, false},
		{"far date", []string{"Retry-After", "Wed, 01 Oct 2700 00:00:00 GMT"}, math.MaxInt64, true},
		{"ms", []string{"Retry-After-Ms", "250"}, 250 * time.Millisecond, true},
		{"ms fractional", []string{"Retry-After-Ms", "0.5"}, 500 * time.Microsecond, true},
		{"ms beyond ns", []string{"Retry-After-Ms", "1.0000009"}, time.Millisecond, true},
		{"ms garbage then seconds", []string{"Retry-After-Ms", "x", "Retry-After", "2"}, 2 * time.Second, true},
		{"ratelimit", []string{"RateLimit", "limit=60, remaining=0, reset=0.84"}, 840 * time.Millisecond, true},
		{"ratelimit semicolons", []string{"RateLimit", "limit=160; remaining=0; reset=8"}, 8 * time.Second, true},
		{"ratelimit spaces and case", []string{"Ratelimit", " Limit = 5 ;Reset= 1.25 ; REMAINING=0"}, 1250 * time.Millisecond, true},
		{"ratelimit quoted", []string{"RateLimit", `limit=5, remaining=0, reset="3"`}, 3 * time.Second, true},
		{"ratelimit structured", []string{"RateLimit", `"default";r=0;t=7`}, 7 * time.Second, true},
		{"ratelimit no remaining", []string{"RateLimit", "reset=4"}, 4 * time.Second, true},
		{"ratelimit quota left", []string{"RateLimit", "limit=60, remaining=59, reset=4", "Retry-After", "1"}, time.Second, true},
		{"ratelimit quota left alone", []string{"RateLimit", "limit=60, remaining=59, reset=4"}, 0, false},
		{"ratelimit bad reset", []string{"RateLimit", "limit=60, remaining=0, reset=-1", "Retry-After", "2"}, 2 * time.Second, true},
		{"ratelimit empty", []string{"RateLimit", ",;=,"}, 0, false},
		{"ratelimit-reset", []string{"RateLimit-Reset", "6"}, 6 * time.Second, true},
		{"legacy", []string{"X-Rate-Limit-Reset", "14.26"}, 14260 * time.Millisecond, true},
		{"legacy quota left", []string{"X-Rate-Limit-Reset", "14.26", "X-Rate-Limit-Remaining", "3"}, 0, false},
		{"legacy quota used", []string{"X-Rate-Limit-Reset", "14", "X-Rate-Limit-Remaining", "0"}, 14 * time.Second, true},
		{"precedence", []string{
			"X-Rate-Limit-Reset", "4", "Retry-After", "3", "RateLimit", "remaining=0, reset=2", "Retry-After-Ms", "1000",
		}, time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for i := 0; i+1 < len(tt.kv); i += 2 {
				h.Add(tt.kv[i], tt.kv[i+1])
			}
			got, ok := RetryAfter(h, fuzzNow)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

// FuzzRetryAfter checks that no header value makes the parser panic or
// return a negative or inconsistent wait, and that any wait it returns
// survives a round trip through Retry-After in decimal seconds.
func FuzzRetryAfter(f *testing.F) {
	f.Add("1500", "", "", "")
	f.Add("", "limit=60, remaining=0, reset=0.84", "1", "")
	f.Add("", "limit=160; remaining=0; reset=8", "", "")
	f.Add("", "", "Wed, 21 Oct 2015 07:28:00 GMT", "")
	f.Add("", "", "", "14.26")
	f.Add("-1", "reset=-3", "1e9", "NaN")
	f.Fuzz(func(t *testing.T, ms, rateLimit, retryAfter, legacy string) {
		h := http.Header{}
		for k, v := range map[string]string{
			"Retry-After-Ms": ms, "Ratelimit": rateLimit, "Retry-After": retryAfter, "X-Rate-Limit-Reset": legacy,
		} {
			if v != "" {
				h.Set(k, v)
			}
		}
		d, ok := RetryAfter(h, fuzzNow)
		if d < 0 {
			t.Fatalf("negative wait %v", d)
		}
		if !ok && d != 0 {
			t.Fatalf("no hint but wait %v", d)
		}
		if d2, ok2 := RetryAfter(h, fuzzNow); d2 != d || ok2 != ok {
			t.Fatalf("not deterministic: %v,%v then %v,%v", d, ok, d2, ok2)
		}
		if !ok {
			return
		}
		s := fmt.Sprintf("%d.%09d", d/time.Second, d%time.Second)
		back, ok := RetryAfter(http.Header{"Retry-After": {s}}, fuzzNow)
		if !ok || back != d {
			t.Fatalf("round trip of %v via %q gave %v,%v", d, s, back, ok)
		}
	})
}
