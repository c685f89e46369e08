package paragon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/paragon-go/paragon/internal/textutil"
	"github.com/paragon-go/paragon/internal/transport"
)

// Sentinel errors. A *[Error] matches the ones that fit its status and code
// with errors.Is; input mistakes match [ErrInvalidInput].
var (
	// ErrInvalidInput: the caller's input or configuration is invalid. It is
	// returned before any request is sent.
	ErrInvalidInput = errors.New("paragon: invalid input")
	// ErrUnauthorized: Paragon refused the user token (401 or 403). A
	// permission denial (code 7210, see [ErrPermissionDenied]), a
	// bring-your-own credential error (codes 7003 and 0704) and a
	// third party's refusal (meta.isIntegrationError) do not match it:
	// re-signing the token cannot fix those.
	ErrUnauthorized = errors.New("paragon: unauthorized")
	// ErrPermissionDenied: the token is valid, but its JWT permissions
	// (claim urn:useparagon:connect:permissions) do not allow the call
	// (Paragon code 7210, normally with 403). Re-signing the same token
	// does not help; sign one with the permission.
	ErrPermissionDenied = errors.New("paragon: permission denied by the token's JWT permissions")
	// ErrNotFound: the resource does not exist (404).
	ErrNotFound = errors.New("paragon: not found")
	// ErrRateLimited: too many requests (429), after the retries allowed.
	ErrRateLimited = errors.New("paragon: rate limited")
	// ErrIntegrationNotEnabled: the user has not connected the integration.
	ErrIntegrationNotEnabled = errors.New("paragon: integration not enabled for user")
	// ErrWorkflowTimeout: a Request-trigger workflow's Response step did not
	// answer within Paragon's 55 s window (status 542). The workflow may still
	// be running, so the call is never retried.
	ErrWorkflowTimeout = errors.New("paragon: workflow response timed out")
	// ErrResponseTooLarge: a response body was larger than the client's limit
	// (see [WithMaxResponseBytes]).
	ErrResponseTooLarge = transport.ErrBodyTooLarge
	// ErrRedirectRefused: the server redirected the call out of its route
	// (to another host, port, scheme or path), or too many times. The SDK
	// does not follow such redirects, so a user token never reaches a route
	// it was not meant for; the call is not retried. Proxy calls follow no
	// redirect at all: the 3xx comes back as an *Error with its Location.
	ErrRedirectRefused = transport.ErrRedirectRefused
	// ErrTooManyAttempts: net/http tried to send the request again by itself
	// more often than the SDK allows (an HTTP/2 server that resets or
	// refuses it, or sends GOAWAY, on every new connection). The call is
	// not retried. A request that is not idempotent is never sent twice
	// this way.
	ErrTooManyAttempts = transport.ErrTooManyAttempts
	// ErrInvalidResponse: a successful (2xx) answer's body is not the JSON
	// the call expects: empty, truncated, an HTML page. The decoding error
	// (e.g. a *json.SyntaxError) is wrapped as well.
	ErrInvalidResponse = errors.New("paragon: invalid response")
)

// StatusWorkflowTimeout is the status Paragon answers when a Request-trigger
// workflow's Response step does not answer in time.
const StatusWorkflowTimeout = 542

// maxErrorBody is how much of an error body an *Error keeps.
const maxErrorBody = 64 << 10

// Error is an error answer from Paragon, or from a third-party API through
// Paragon's proxy. Its Error method never prints tokens, keys or query strings.
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is Paragon's error code (a string of digits such as "7210"), if any.
	Code string
	// Message is the error message; Messages holds each message when Paragon
	// sent several (its 400 validation errors).
	Message  string
	Messages []string
	// RequestID identifies the request in Paragon's logs, when known.
	RequestID string
	// Meta is Paragon's "meta" object, if any.
	Meta map[string]any
	// Upstream is true when the error came from the third-party API through
	// the proxy rather than from Paragon itself.
	Upstream bool
	// RetryAfter is the server's requested wait, when it sent one (429).
	RetryAfter time.Duration
	// Method and Path identify the call (the path has no query string).
	Method, Path string
	// Header holds the response headers.
	Header http.Header
	// Body is the raw response body, capped at 64 KiB.
	Body []byte
}

// Error describes the failure: method, path, status, code, message and
// request ID. What the server sent is escaped (textutil.EscapeLimit: newlines,
// terminal escapes, DEL, bidi overrides), so the text is one line, safe to
// log; the fields keep the raw bytes.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("paragon: ")
	if e.Method != "" {
		b.WriteString(textutil.Escape(e.Method))
		b.WriteByte(' ')
		b.WriteString(textutil.Escape(e.Path))
		b.WriteString(": ")
	}
	if e.Upstream {
		b.WriteString("upstream ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, statusText(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(textutil.EscapeLimit(e.Message, textutil.MaxEscaped))
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " (code %s)", textutil.EscapeLimit(e.Code, textutil.MaxEscaped))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", textutil.EscapeLimit(e.RequestID, textutil.MaxEscaped))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %v)", e.RetryAfter)
	}
	return b.String()
}

// Paragon's error codes that a 401 or 403 may carry without being a token
// failure.
const (
	codeInsufficientPermission = "7210" // INSUFFICIENT_PERMISSION
	codeBYOCredential          = "7003" // BYO_CREDENTIAL_VERIFICATION_ERROR
	codeBYOUserProfile         = "0704" // BYO_USER_PROFILE_ERROR_CODE
)

// Is reports whether the error matches target: [ErrUnauthorized] for a
// 401/403 from Paragon that is a token failure (not code 7210, 7003 or 0704,
// not an integration error), [ErrPermissionDenied] for code 7210,
// [ErrNotFound] for 404, [ErrRateLimited] for 429, [ErrWorkflowTimeout] for
// 542, and [ErrIntegrationNotEnabled] when Paragon says the user has not
// connected the integration.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.tokenFailure()
	case ErrPermissionDenied:
		return !e.Upstream && e.Code == codeInsufficientPermission
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrWorkflowTimeout:
		return e.StatusCode == StatusWorkflowTimeout
	case ErrIntegrationNotEnabled:
		return !e.Upstream && (strings.EqualFold(e.Code, "integration_not_enabled") ||
			strings.Contains(strings.ToLower(e.Message), "integration not enabled"))
	}
	return false
}

// tokenFailure reports whether Paragon itself refused the token: a 401 or
// 403 that is not a permission denial, a bring-your-own credential error or
// a third party's answer (spec §6.3).
func (e *Error) tokenFailure() bool {
	if e.Upstream || (e.StatusCode != http.StatusUnauthorized && e.StatusCode != http.StatusForbidden) {
		return false
	}
	switch e.Code {
	case codeInsufficientPermission, codeBYOCredential, codeBYOUserProfile:
		return false
	}
	integ, _ := e.Meta["isIntegrationError"].(bool)
	return !integ
}

func statusText(code int) string {
	if code == StatusWorkflowTimeout {
		return "Workflow Timeout"
	}
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "Status"
}

// wireError is Paragon's error body, decoded tolerantly.
type wireError struct {
	Message json.RawMessage `json:"message"`
	Code    json.RawMessage `json:"code"`
	Status  json.RawMessage `json:"status"`
	Meta    map[string]any  `json:"meta"`
	// StatusCode is NestJS's field in its bare {"message", "statusCode"}
	// answers, which Paragon's own gateways send too.
	StatusCode json.RawMessage `json:"statusCode"`
	// Upstream shapes seen through the proxy (Close and others).
	Error  json.RawMessage `json:"error"`
	Errors json.RawMessage `json:"errors"`
	Output json.RawMessage `json:"output"`
}

// newError builds an *Error from a non-2xx response. proxy says whether the
// call went through Paragon's proxy, where the body may be the upstream's.
func newError(method, path string, resp *transport.Response, proxy bool) *Error {
	e := &Error{
		StatusCode: resp.StatusCode,
		Method:     method,
		Path:       path,
		Header:     resp.Header,
		RetryAfter: resp.RetryAfter,
	}
	body := resp.Body
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
	}
	e.Body = body
	e.RequestID = transport.RequestID(resp.Header)

	var w wireError
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &w) != nil {
		// HTML gateway pages and plain text: keep a short, readable prefix.
		e.Message = textutil.Snippet(trimmed)
		e.Upstream = proxy && resp.Header.Get("Content-Type") != "" && !strings.Contains(resp.Header.Get("Content-Type"), "json")
		return e
	}
	if id, ok := w.Meta["requestId"].(string); ok && e.RequestID == "" {
		e.RequestID = id
	}
	e.Meta = w.Meta
	e.Code = rawString(w.Code)
	e.Messages = decodeMessages(w.Message)
	if len(e.Messages) > 0 {
		e.Message = strings.Join(e.Messages, "; ")
		if len(e.Messages) == 1 {
			e.Messages = nil
		}
	}
	paragonShape := len(w.Message) > 0 && (len(w.Status) > 0 || len(w.Code) > 0 || w.Meta != nil || len(w.StatusCode) > 0)
	if integ, _ := w.Meta["isIntegrationError"].(bool); integ {
		e.Upstream = true
	} else if proxy && !paragonShape {
		e.Upstream = true
	}
	if e.Upstream && e.Message == "" {
		e.Message = upstreamMessage(w)
	}
	return e
}

// decodeMessages reads "message" as a string, or as class-validator style
// objects ({"constraints": {...}, "children": [...]}) whose texts are joined.
func decodeMessages(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, item := range list {
		out = appendConstraints(out, item, 0)
	}
	return out
}

type validationError struct {
	Property    string            `json:"property"`
	Constraints map[string]string `json:"constraints"`
	Children    []json.RawMessage `json:"children"`
}

func appendConstraints(out []string, raw json.RawMessage, depth int) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return append(out, s)
	}
	var v validationError
	if depth > 8 || json.Unmarshal(raw, &v) != nil {
		return out
	}
	start := len(out)
	for _, text := range v.Constraints {
		out = append(out, text)
	}
	slices.Sort(out[start:]) // map order is random; keep messages stable
	for _, c := range v.Children {
		out = appendConstraints(out, c, depth+1)
	}
	return out
}

// upstreamMessage finds a readable message in a third-party error body:
// {"output": …} wrapping, {"error": "…"|{"message": "…"}}, {"errors": […]}.
func upstreamMessage(w wireError) string {
	if len(w.Output) > 0 {
		var inner wireError
		if json.Unmarshal(w.Output, &inner) == nil {
			if m := decodeMessages(inner.Message); len(m) > 0 {
				return strings.Join(m, "; ")
			}
			return upstreamMessage(wireError{Error: inner.Error, Errors: inner.Errors})
		}
	}
	if len(w.Error) > 0 {
		var s string
		if json.Unmarshal(w.Error, &s) == nil {
			return s
		}
		var obj struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(w.Error, &obj) == nil && obj.Message != "" {
			return obj.Message
		}
	}
	if len(w.Errors) > 0 {
		var list []any
		if json.Unmarshal(w.Errors, &list) == nil {
			parts := make([]string, 0, len(list))
			for _, x := range list {
				parts = append(parts, fmt.Sprint(x))
			}
			return strings.Join(parts, "; ")
		}
	}
	return ""
}

func rawString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// invalid returns an error matching ErrInvalidInput.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidInput}, args...)...)
}
