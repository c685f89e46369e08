package close

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRateWait is the longest wait hint accepted; larger values are garbage.
const maxRateWait = 30 * 24 * time.Hour

// rateLimit is Close's RateLimit header: "limit=60, remaining=0, reset=0.84"
// (semicolons are accepted as separators too).
type rateLimit struct {
	Limit, Remaining int
	Reset            time.Duration
	HasReset         bool
}

// parseRateLimit parses a RateLimit header value. Unknown keys, quotes and
// extra spaces are tolerated; ok is false when nothing usable was found.
func parseRateLimit(v string) (rl rateLimit, ok bool) {
	if len(v) > 1024 {
		return rl, false
	}
	for part := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == ',' || r == ';' }) {
		k, val, found := strings.Cut(part, "=")
		if !found {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"`)
		switch k {
		case "limit":
			if n, err := strconv.Atoi(val); err == nil && n >= 0 {
				rl.Limit, ok = n, true
			}
		case "remaining":
			if n, err := strconv.Atoi(val); err == nil && n >= 0 {
				rl.Remaining, ok = n, true
			}
		case "reset":
			if d, good := seconds(val); good {
				rl.Reset, rl.HasReset, ok = d, true, true
			}
		}
	}
	return rl, ok
}

// seconds parses a non-negative, possibly fractional number of seconds.
func seconds(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > maxRateWait.Seconds() {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// retryAfter finds Close's wait hint on a response. On 429 the order is
// RateLimit reset, Retry-After, RateLimit-Reset, X-Rate-Limit-Reset and the
// legacy body's rate_reset (top-level or under "error", string or number);
// on other statuses only Retry-After counts. Garbage and negative values are
// skipped.
func retryAfter(status int, h http.Header, w *wireError, now time.Time) time.Duration {
	if status != http.StatusTooManyRequests {
		d, _ := retryAfterHeader(h.Get("Retry-After"), now)
		return d
	}
	if rl, ok := parseRateLimit(h.Get("RateLimit")); ok && rl.HasReset {
		return rl.Reset
	}
	if d, ok := retryAfterHeader(h.Get("Retry-After"), now); ok {
		return d
	}
	for _, name := range []string{"RateLimit-Reset", "X-Rate-Limit-Reset"} {
		if d, ok := seconds(h.Get(name)); ok {
			return d
		}
	}
	if w == nil {
		return 0
	}
	if d, ok := rawSeconds(w.RateReset); ok {
		return d
	}
	var nested struct {
		RateReset json.RawMessage `json:"rate_reset"`
	}
	if isSet(w.Error) && json.Unmarshal(w.Error, &nested) == nil {
		if d, ok := rawSeconds(nested.RateReset); ok {
			return d
		}
	}
	return 0
}

// retryAfterHeader parses Retry-After: delay seconds or an HTTP date.
func retryAfterHeader(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if d, ok := seconds(v); ok {
		return d, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 || d > maxRateWait {
		return 0, false
	}
	return d, true
}

// rawSeconds reads a JSON number or numeric string of seconds.
func rawSeconds(raw json.RawMessage) (time.Duration, bool) {
	if !isSet(raw) {
		return 0, false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return seconds(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return seconds(n.String())
	}
	return 0, false
}
