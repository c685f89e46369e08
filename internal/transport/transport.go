// Package transport sends HTTP requests for the paragon SDK: retries with capped,
// jittered backoff, Retry-After handling, a client-wide retry budget, response size
// limits and redacted errors. It is internal: users never see its types.
package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// ErrBodyTooLarge is matched (errors.Is) by *BodyTooLargeError.
var ErrBodyTooLarge = errors.New("paragon: response body too large")

// BodyTooLargeError reports a response body over the configured limit.
type BodyTooLargeError struct {
	Limit int64
}

func (e *BodyTooLargeError) Error() string {
	return "paragon: response body exceeds limit"
}

// Is reports whether target is ErrBodyTooLarge.
func (e *BodyTooLargeError) Is(target error) bool { return target == ErrBodyTooLarge }

// Config configures a Transport. Zero values take the defaults noted.
type Config struct {
	HTTPClient     *http.Client  // required; the SDK builds or copies it
	MaxRetries     int           // retries after the first attempt; 0 = none
	InitialBackoff time.Duration // default 500ms
	MaxBackoff     time.Duration // default 8s
	MaxRetryAfter  time.Duration // server hints longer than this are not slept on; default 20s
	MaxBodyBytes   int64         // limit on a buffered body; default 32 MiB
	UserAgent      string
	Logger         *slog.Logger // nil = silent
	Budget         *Budget      // nil = unlimited
}

// Request is one logical call; the transport may send it several times.
type Request struct {
	Method string
	URL    string // full URL; never logged or put in errors with its query
	Header http.Header
	Body   []byte // rebuilt for every attempt; nil = no body
	// Idempotent marks a non-idempotent method as safe to retry on 5xx/resets.
	Idempotent bool
	// Authorize returns the bearer token for one attempt; called inside the
	// retry loop so an expiring token is re-signed. nil = no Authorization.
	Authorize func(ctx context.Context) (string, error)
	// Stream leaves a 2xx body unread in Response.Stream (raw proxy mode).
	Stream bool
	// PathTemplate names the route in logs (e.g. "/sdk/proxy/{integration}/…").
	PathTemplate string
	// MaxRetries overrides Config.MaxRetries when >= 0; -1 = use the config.
	MaxRetries int
}

// Response is the final answer to a Request. Non-2xx statuses come back as a
// Response with a nil error; the caller maps them to typed errors.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte        // read body (non-stream, or any non-2xx)
	Stream     io.ReadCloser // 2xx body when Request.Stream; caller closes
	Attempts   int
	RetryAfter time.Duration // server wait hint on the final response, if any
}

// Budget is a client-wide retry token bucket.
type Budget struct{}

// NewBudget returns a bucket with the given capacity.
func NewBudget(capacity int) *Budget { return &Budget{} }

// Transport sends Requests.
type Transport struct {
	cfg Config
}

// New returns a Transport for cfg.
func New(cfg Config) *Transport { return &Transport{cfg: cfg} }

// Do sends r, retrying per policy, and returns the final response.
func (t *Transport) Do(ctx context.Context, r *Request) (*Response, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if r.Authorize != nil {
		tok, err := r.Authorize(ctx)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := t.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	out := &Response{StatusCode: resp.StatusCode, Header: resp.Header, Attempts: 1}
	if r.Stream && resp.StatusCode/100 == 2 {
		out.Stream = resp.Body
		return out, nil
	}
	defer resp.Body.Close()
	out.Body, err = io.ReadAll(resp.Body)
	return out, err
}

// NewHTTPTransport returns the SDK's own tuned *http.Transport (never
// http.DefaultTransport).
func NewHTTPTransport() *http.Transport {
	return &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 64}
}
