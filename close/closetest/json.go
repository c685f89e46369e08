package closetest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paragon-go/paragon/internal/fakewire"
)

// maxBody bounds the request bodies the fake reads.
const maxBody = 10 << 20

// readBody reads r's body, at most maxBody bytes.
func readBody(r *http.Request) ([]byte, error) { return fakewire.ReadBody(r, maxBody) }

// decodeObject decodes a JSON object body, keeping numbers as json.Number.
// An empty body decodes as an empty object.
func decodeObject(b []byte) (map[string]any, error) { return fakewire.DecodeObject(b) }

// normalize turns any JSON-encodable Go value into plain JSON values (maps,
// []any, json.Number, strings, bools, nil) by a JSON round trip, so stored
// state shares nothing with the caller. The value must encode as an object.
func normalize(v any) (map[string]any, error) {
	if v == nil {
		return map[string]any{}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return map[string]any{}, nil
	}
	return decodeObject(b)
}

// encodeJSON encodes v without HTML escaping, with a final newline.
func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`{"error":"the fake could not encode its answer"}` + "\n")
	}
	return buf.Bytes()
}

// deepCopy copies JSON-like values so that callers can't reach the state.
func deepCopy(v any) any { return fakewire.DeepCopy(v) }

// copyMap deep-copies m; nil stays nil.
func copyMap(m map[string]any) map[string]any { return fakewire.CopyMap(m) }

// str returns v as a string ("" for nil; numbers and bools in JSON form).
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// toInt returns v as an integer when it is a whole JSON number.
func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true
		}
		if f, err := x.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	case int:
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}

// toFloat returns v as a number when it is one (or a string of one).
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case nil, bool, map[string]any, []any:
		return 0, false
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	f, err := strconv.ParseFloat(str(v), 64)
	return f, err == nil
}

func num(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return []any{}
	case []any:
		return slices.Clone(x)
	}
	return []any{v}
}

// newID returns a new ID with Close's prefix (e.g. "lead_").
func newID(prefix string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [32]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b[:])
}

// Timestamp layouts of Close.
const (
	objectTimeLayout = "2006-01-02T15:04:05.000000+00:00"
	eventTimeLayout  = "2006-01-02T15:04:05.000000"
	dateLayout       = "2006-01-02"
)

// parseTime parses the date and time layouts Close and its clients use; a
// value without an offset is UTC.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04", dateLayout} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// compareValues orders two JSON values: as numbers when both are, as times
// when both parse as dates or timestamps, and as strings otherwise (case
// folded). nil sorts first.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if x, ok := toFloat(a); ok {
		if y, ok := toFloat(b); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	if x, ok := parseTime(str(a)); ok {
		if y, ok := parseTime(str(b)); ok {
			return x.Compare(y)
		}
	}
	return strings.Compare(strings.ToLower(str(a)), strings.ToLower(str(b)))
}
