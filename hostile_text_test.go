package paragon_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

// nastyText holds what a log line or terminal must never receive raw: a
// newline that forges a second log record, terminal escapes (clear screen,
// set title, hyperlink), DEL, a C1 CSI, bidi overrides and isolates, a
// line separator and a byte that is not UTF-8.
const nastyText = "lead created\nlevel=INFO msg=\"forged\" \x1b[2J\x1b]0;pwned\x07\x1b]8;;https://evil.example\x1b\\" +
	"del\x7f c1\u009b bidi\u202eexe.pdf\u202c iso\u2066x\u2069 lrm\u200e sep\u2028 bad\xff"

// assertSafeLine fails if s holds a control, format or separator character
// or is not one line.
func assertSafeLine(t *testing.T, s string) {
	t.Helper()
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r) {
			t.Errorf("unsafe %U in error text %q", r, s)
			return
		}
	}
}

// TestHostileErrorTextIsSafeToLog: messages from Paragon, from a third party
// through the proxy, and from Close (whose field errors echo user input)
// come out of Error() escaped, on one line; the fields keep the raw text.
func TestHostileErrorTextIsSafeToLog(t *testing.T) {
	t.Parallel()
	bodies := map[string]string{
		"Paragon message":  `{"message": ` + jsonString(nastyText) + `, "code": "7210\n", "status": 403, "meta": {"requestId": "req\u001b[1m"}}`,
		"validation array": `{"message": [{"property": "name", "constraints": {"isString": ` + jsonString(nastyText) + `}}], "status": 400}`,
		"upstream error":   `{"error": ` + jsonString(nastyText) + `}`,
		"upstream output":  `{"output": {"errors": [` + jsonString(nastyText) + `]}}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newHostileEnv(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Request-Id", "id\u202ewith-bidi")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, body)
			})
			for _, c := range hostileCalls {
				err := c.call(t.Context(), e.u)
				require.Error(t, err, c.name)
				assertSafeLine(t, err.Error())
				var pe *paragon.Error
				require.ErrorAs(t, err, &pe, "%s: %v", c.name, err)
				assert.Contains(t, string(pe.Body), `\u001b`, "the raw body is kept")
				if name == "Paragon message" {
					assert.Equal(t, nastyText[:len(nastyText)-len("\xff")]+"\uFFFD", pe.Message, "the raw message is kept")
					assert.Contains(t, err.Error(), `lead created\nlevel=INFO`)
					assert.Contains(t, err.Error(), `bidi\u202eexe.pdf`)
				} else {
					assert.Equal(t, "id\u202ewith-bidi", pe.RequestID, "the raw request ID is kept")
					assert.Contains(t, err.Error(), `[request id\u202ewith-bidi]`)
				}
			}
		})
	}
	t.Run("plain text body", func(t *testing.T) {
		t.Parallel()
		e := newHostileEnv(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, nastyText)
		})
		_, err := e.u.GetUser(t.Context())
		require.Error(t, err)
		assertSafeLine(t, err.Error())
	})
}

// TestCloseErrorTextIsSafeToLog: close.Error escapes its message, field
// names and field errors, and keeps them raw in its fields.
func TestCloseErrorTextIsSafeToLog(t *testing.T) {
	t.Parallel()
	e := &close.Error{
		StatusCode: 400, Method: "POST", Path: "/lead/",
		Message:     nastyText,
		FieldErrors: map[string]json.RawMessage{"name\u202e": json.RawMessage(jsonString("bad value: " + nastyText))},
	}
	msg := e.Error()
	assertSafeLine(t, msg)
	assert.Contains(t, msg, `lead created\nlevel=INFO`)
	assert.Contains(t, msg, `name\u202e: bad value`)
	assert.Equal(t, nastyText, e.Message)
	assert.True(t, strings.HasPrefix(e.FieldError("name\u202e"), "bad value: lead created\n"))
}

// jsonString encodes s as a JSON string (invalid UTF-8 becomes U+FFFD).
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
