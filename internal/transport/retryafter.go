package transport

import (
	"math"
	"net/http"
	"strings"
	"time"
)

// RetryAfter returns the wait a response's headers ask for, and whether
// they ask for one. It reads, in this order, the first that parses:
//
//   - Retry-After-Ms: milliseconds, may be fractional;
//   - RateLimit: "limit=60, remaining=0, reset=0.84" (Close; ',' or ';'
//     between items; "r" and "t" are read as remaining and reset): reset in
//     seconds, may be fractional;
//   - Retry-After: seconds, or an HTTP date still in the future;
//   - RateLimit-Reset, then the legacy X-Rate-Limit-Reset: seconds, may be
//     fractional.
//
// A reset is a wait only when its quota is used up: it is skipped when the
// matching remaining count is present and above zero. Negative, malformed
// and out-of-range values are skipped. now is the time the response arrived.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if len(h) == 0 {
		return 0, false
	}
	if d, ok := parseDecimal(header(h, "Retry-After-Ms"), time.Millisecond); ok {
		return d, true
	}
	if d, ok := rateLimitReset(header(h, "Ratelimit")); ok {
		return d, true
	}
	if v := header(h, "Retry-After"); v != "" {
		if d, ok := parseDecimal(v, time.Second); ok {
			return d, true
		}
		if t, err := http.ParseTime(v); err == nil && t.After(now) {
			return t.Sub(now), true
		}
	}
	if d, ok := resetHeader(h, "Ratelimit-Reset", "Ratelimit-Remaining"); ok {
		return d, true
	}
	return resetHeader(h, "X-Rate-Limit-Reset", "X-Rate-Limit-Remaining")
}

// header returns the first value of the canonical key in h, without the
// canonicalization cost of http.Header.Get.
func header(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// resetHeader parses a reset header in seconds, unless the remaining
// header says the quota is not used up.
func resetHeader(h http.Header, resetKey, remainingKey string) (time.Duration, bool) {
	v := header(h, resetKey)
	if v == "" || positive(header(h, remainingKey)) {
		return 0, false
	}
	return parseDecimal(v, time.Second)
}

// rateLimitReset parses the reset of a RateLimit header value, unless its
// remaining item is above zero.
func rateLimitReset(v string) (time.Duration, bool) {
	var reset string
	for v != "" {
		var item string
		if i := strings.IndexAny(v, ",;"); i >= 0 {
			item, v = v[:i], v[i+1:]
		} else {
			item, v = v, ""
		}
		key, val, ok := strings.Cut(item, "=")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		val = strings.Trim(strings.TrimSpace(val), `"`)
		switch {
		case strings.EqualFold(key, "reset") || key == "t":
			if reset == "" {
				reset = val
			}
		case strings.EqualFold(key, "remaining") || key == "r":
			if positive(val) {
				return 0, false
			}
		}
	}
	return parseDecimal(reset, time.Second)
}

// positive reports whether s is a decimal integer above zero.
func positive(s string) bool {
	s = strings.TrimSpace(s)
	nonzero := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < '0' || c > '9':
			return false
		case c != '0':
			nonzero = true
		}
	}
	return nonzero
}

// parseDecimal parses s, an unsigned decimal number of units such as "12"
// or "0.84", into a Duration. Fraction digits finer than a nanosecond are
// checked but dropped. It rejects signs, exponents, empty parts and values
// that do not fit in a Duration.
func parseDecimal(s string, unit time.Duration) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") {
		return 0, false
	}
	var d time.Duration
	for i := 0; i < len(whole); i++ {
		c := whole[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if d > (math.MaxInt64-unit*time.Duration(c-'0'))/10 {
			return 0, false
		}
		d = d*10 + unit*time.Duration(c-'0')
	}
	scale := unit / 10
	for i := 0; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		step := scale * time.Duration(c-'0')
		if d > math.MaxInt64-step {
			return 0, false
		}
		d += step
		scale /= 10
	}
	return d, true
}
