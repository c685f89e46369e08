package close

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/internal/textutil"
)

// Sentinel errors matched by *[Error] with errors.Is.
//
// See https://developer.close.com/api/overview/http-response-codes.
var (
	// ErrNotFound: the object or URL does not exist (404). A *Error that
	// matches it also matches paragon.ErrNotFound.
	ErrNotFound = errors.New("close: not found")
	// ErrValidation: Close refused the input, listing messages in "errors"
	// and/or per-field messages in "field-errors" (usually 400).
	ErrValidation = errors.New("close: validation failed")
	// ErrRateLimited: Close's rate limit was hit (429) and Paragon's
	// transport ran out of retries; Error.RetryAfter says how long to wait. A
	// *Error that matches it also matches paragon.ErrRateLimited.
	ErrRateLimited = errors.New("close: rate limited")
	// ErrUnauthorized: Close refused the connected account's API key (401) or
	// the action is not allowed for it (403). Paragon refusing the user token
	// is a *paragon.Error matching paragon.ErrUnauthorized instead.
	ErrUnauthorized = errors.New("close: unauthorized")
	// ErrMaxSkip: a list call paged past Close's cap on _skip. Narrow the
	// query with a date range (e.g. DateCreated) and start again at skip 0.
	ErrMaxSkip = errors.New("close: _skip is past Close's max_skip")
)

// Error is an error answer from Close: a non-2xx status, or a 2xx whose body
// holds "error", "errors" or "field-errors". Its Error method never prints
// query strings or credentials. Unwrap returns the underlying *paragon.Error,
// when there is one, so its RequestID stays reachable with errors.As.
//
// See https://developer.close.com/api/overview/http-response-codes.
type Error struct {
	// StatusCode is Close's HTTP status.
	StatusCode int
	// Message is Close's "error" text (a string, or an object's "message"),
	// or all Messages joined.
	Message string
	// Messages holds Close's "errors" list.
	Messages []string
	// FieldErrors holds Close's "field-errors", field name to raw JSON value
	// (a string, or a nested object for nested fields). See [Error.FieldError].
	FieldErrors map[string]json.RawMessage
	// RetryAfter is how long Close asked to wait (429): RateLimit reset,
	// then Retry-After, RateLimit-Reset, X-Rate-Limit-Reset, body rate_reset.
	RetryAfter time.Duration
	// Method and Path name the Close call (no query string).
	Method, Path string
	// Header holds the response headers, when known.
	Header http.Header
	// Body is the raw Close error body (capped at 64 KiB).
	Body []byte

	err error // the *paragon.Error it came from, if any
}

// Error describes the failure: call, status, message and field errors.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("close: ")
	if e.Method != "" {
		b.WriteString(textutil.Escape(e.Method))
		b.WriteByte(' ')
		b.WriteString(textutil.Escape(e.Path))
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	if e.StatusCode >= 200 && e.StatusCode <= 299 {
		b.WriteString(" with an error body")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(textutil.EscapeLimit(e.Message, textutil.MaxEscaped)) // Close's text may echo user input
	}
	if len(e.FieldErrors) > 0 {
		names := make([]string, 0, len(e.FieldErrors))
		for k := range e.FieldErrors {
			names = append(names, k)
		}
		sort.Strings(names)
		b.WriteString(" (")
		for i, k := range names {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(textutil.Escape(k))
			b.WriteString(": ")
			b.WriteString(textutil.EscapeLimit(e.FieldError(k), textutil.MaxEscaped))
		}
		b.WriteByte(')')
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %v)", e.RetryAfter)
	}
	if e.isMaxSkip() {
		b.WriteString(" (narrow the query with a date range, e.g. date_created, and page again from skip 0)")
	}
	return b.String()
}

// FieldError returns the error Close reported for field name: the string, or
// the raw JSON text of a nested value; "" if none.
func (e *Error) FieldError(name string) string {
	raw, ok := e.FieldErrors[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// Is reports whether e matches target: [ErrNotFound] and paragon.ErrNotFound
// for 404, [ErrRateLimited] and paragon.ErrRateLimited for 429,
// [ErrUnauthorized] for 401 and 403, [ErrValidation] when Close listed errors
// or field errors on a 400 (or a 2xx), and [ErrMaxSkip] when Close refused
// the _skip value.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound, paragon.ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited, paragon.ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrValidation:
		ok := e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity ||
			e.StatusCode >= 200 && e.StatusCode <= 299
		return ok && (len(e.FieldErrors) > 0 || len(e.Messages) > 0)
	case ErrMaxSkip:
		return e.isMaxSkip()
	}
	return false
}

// Unwrap returns the *paragon.Error the error came from, or nil.
func (e *Error) Unwrap() error { return e.err }

func (e *Error) isMaxSkip() bool {
	return (e.StatusCode == http.StatusBadRequest || e.StatusCode >= 200 && e.StatusCode <= 299) &&
		strings.Contains(e.Message, "max_skip")
}

// wireError is Close's error body, decoded tolerantly.
type wireError struct {
	Error       json.RawMessage            `json:"error"`
	Errors      json.RawMessage            `json:"errors"`
	FieldErrors map[string]json.RawMessage `json:"field-errors"`
	Message     json.RawMessage            `json:"message"` // legacy 429 body
	RateReset   json.RawMessage            `json:"rate_reset"`
}

// decodeError returns a *Error when a response is one: any non-2xx status,
// or a 2xx body carrying "error", a non-empty "errors" or "field-errors".
func decodeError(status int, h http.Header, body []byte) *Error {
	if status >= 200 && status <= 299 && !hasErrorKeys(body) {
		return nil
	}
	return parseError(status, h, body)
}

// hasErrorKeys reports whether a 2xx JSON object carries Close's error keys.
// Only a body with one of those keys (at any depth) is decoded: the word
// alone, in a lead's description say, cost a second parse of every page
// that contained it.
func hasErrorKeys(body []byte) bool {
	if len(body) == 0 || body[0] != '{' || !hasKey(body, "error", "errors", "field-errors") {
		return false
	}
	var w wireError
	if json.Unmarshal(body, &w) != nil {
		return false
	}
	return isSet(w.Error) || len(w.FieldErrors) > 0 || len(errorList(w.Errors)) > 0
}

// hasKey reports whether the JSON document b has one of keys as an object
// key at any depth: quoted and followed by a colon, where a string value is
// followed by a comma or a closing bracket.
func hasKey(b []byte, keys ...string) bool {
	for _, k := range keys {
		quoted := []byte(`"` + k + `"`)
		for rest := b; ; {
			i := bytes.Index(rest, quoted)
			if i < 0 {
				break
			}
			rest = bytes.TrimLeft(rest[i+len(quoted):], " \t\r\n")
			if len(rest) > 0 && rest[0] == ':' {
				return true
			}
		}
	}
	return false
}

func isSet(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// parseError builds a *Error from status, headers and a Close error body
// (already unwrapped from {"output": …}). It never fails: a body that is not
// JSON becomes a short, readable message.
func parseError(status int, h http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, Header: h}
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
	}
	e.Body = body
	var w wireError
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &w) != nil {
		e.Message = textutil.Snippet(body)
		e.RetryAfter = retryAfter(status, h, nil, time.Now())
		return e
	}
	e.Message = errorText(w.Error)
	e.Messages = errorList(w.Errors)
	if len(w.FieldErrors) > 0 {
		e.FieldErrors = w.FieldErrors
	}
	if e.Message == "" {
		e.Message = strings.Join(e.Messages, "; ")
	}
	if e.Message == "" {
		e.Message = errorText(w.Message)
	}
	e.RetryAfter = retryAfter(status, h, &w, time.Now())
	return e
}

// errorText reads "error" as a string or an object with "message".
func errorText(raw json.RawMessage) string {
	if !isSet(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		if json.Unmarshal(obj.Message, &s) == nil && s != "" {
			return s
		}
		if json.Unmarshal(obj.Error, &s) == nil && s != "" {
			return s
		}
	}
	return textutil.Snippet(raw)
}

// errorList reads "errors" as a list of strings (other items as JSON text),
// or a single string.
func errorList(raw json.RawMessage) []string {
	if !isSet(raw) {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []string
	for _, it := range items {
		if json.Unmarshal(it, &s) == nil {
			out = append(out, s)
			continue
		}
		out = append(out, string(bytes.TrimSpace(it)))
	}
	return out
}
