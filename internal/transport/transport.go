// Package transport sends HTTP requests for the paragon SDK: retries with capped,
// jittered backoff, Retry-After handling, a client-wide retry budget, response size
// limits and redacted errors. It is internal: users never see its types.
//
// The retry policy, in the order it is applied after every attempt:
//
//  1. A done context is never retried.
//  2. A transport error is retried for any method when the request certainly
//     did not reach the server (dial and DNS failures, a server that closed an
//     idle connection), and for idempotent requests also when it may have
//     (resets, EOF, timeouts, a 2xx body that broke off mid-read). TLS,
//     certificate and redirect errors are final.
//  3. A response is retried on 429 for any method, and on 408, 500, 502, 503
//     and 504 for idempotent requests. Everything else is final; in
//     particular 501, 542 and any 2xx that arrived whole (or was handed
//     over as a stream). A Request with RetryUnprocessedOnly (a workflow
//     trigger, whose own Response step may set any status) is never retried
//     on a status.
//  4. Once a non-idempotent request was answered with a redirect, it is
//     never sent again, whatever happens next.
//
// Below this policy, net/http may send a request again by itself: HTTP/1
// on a kept-alive connection the server closed, HTTP/2 on REFUSED_STREAM,
// on GOAWAY and on a stream reset with PROTOCOL_ERROR (golang/go#47635),
// looping across fresh connections when every one fails (golang/go#52459).
// Two rules keep that in check:
//
//   - A non-idempotent request gets a body without GetBody (an empty body
//     is still a non-nil reader), so net/http can't replay it once it was
//     written. When HTTP/2 proves it was not processed (REFUSED_STREAM, or
//     a GOAWAY whose last stream ID is below it; RFC 9113 §8.7), the
//     error is classified as never sent, and this policy may retry it.
//   - Every attempt counts the connections net/http takes for it
//     (httptrace.GotConn). More than one per redirect followed, plus
//     MaxReplays, end the attempt with ErrTooManyAttempts, which the
//     policy treats like a reset (retried for idempotent calls only).
//
// Redirects: a call marked NoRedirects (the proxy) never follows one; the
// 3xx is its answer. Other calls follow at most MaxRedirects, and only to
// the same scheme, host, port and path (the query may change): no hop
// leaves the call's route.
// A retry also needs an attempt left, a wait (server hint or backoff) that
// neither exceeds Config.MaxRetryAfter nor passes the context's deadline, and
// tokens from the Budget. When any of these is missing the last response or
// error is returned as it is.
package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultInitialBackoff = 500 * time.Millisecond
	DefaultMaxBackoff     = 8 * time.Second
	DefaultMaxRetryAfter  = 20 * time.Second
	DefaultMaxBodyBytes   = 32 << 20
)

// MaxErrorBodyBytes is how much of a non-2xx response body is kept in
// Response.Body; the rest is drained up to a small cap and discarded.
const MaxErrorBodyBytes = 64 << 10

// maxDrainBytes is how much of a discarded body is read so that the
// connection can be reused; past it the connection is closed instead.
const maxDrainBytes = 4 << 10

// ErrBodyTooLarge is matched (errors.Is) by *BodyTooLargeError.
var ErrBodyTooLarge = errors.New("paragon: response body too large")

// BodyTooLargeError reports a 2xx response body over the configured limit.
// The body is not read past the limit.
type BodyTooLargeError struct {
	Limit int64 // Config.MaxBodyBytes in force
}

// Error implements error.
func (e *BodyTooLargeError) Error() string {
	return "response body exceeds limit of " + strconv.FormatInt(e.Limit, 10) + " bytes"
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
	// Authorize returns the Authorization header value ("Bearer <token>")
	// for one attempt; called inside the
	// retry loop so an expiring token is re-signed. nil = no Authorization.
	Authorize func(ctx context.Context) (string, error)
	// OwnHeader hands Header to the transport: it is this request's own
	// map, which the first attempt uses as its header, setting User-Agent
	// and Authorization in it, instead of copying it into a fresh map.
	// Send a Request with OwnHeader once only.
	OwnHeader bool
	// Stream leaves a 2xx body unread in Response.Stream (raw proxy mode).
	Stream bool
	// PathTemplate names the route in logs (e.g. "/sdk/proxy/{integration}/…").
	PathTemplate string
	// BodyReader, when non-nil, is the body instead of Body: it streams,
	// never buffered. A request with one is sent again (a retry) only when
	// it is an io.Seeker, rewound to where it started; otherwise its first
	// attempt is its only one. BodyLength is its length, or 0 or -1 if
	// unknown (then it goes chunked).
	BodyReader io.Reader
	BodyLength int64
	// MaxRetries overrides Config.MaxRetries when >= 0; -1 = use the config.
	// Note that the zero value means "no retries".
	MaxRetries int
	// NoRedirects returns a 3xx as the answer instead of following it
	// (proxy calls: a third party must not steer the user's token to
	// another route).
	NoRedirects bool
	// RetryUnprocessedOnly retries the request only when it provably was
	// not processed (dial failures, REFUSED_STREAM, GOAWAY below it), never
	// on a status and never because of Idempotent (workflow triggers).
	RetryUnprocessedOnly bool
	// DiscardBody drops a 2xx body unread (drained a little, for
	// connection reuse): the status is the whole answer, and a body that
	// breaks off or a deadline that passes while draining it changes
	// nothing (App Events).
	DiscardBody bool
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

// Transport sends Requests. It is safe for concurrent use.
type Transport struct {
	cfg       Config
	client    *http.Client // a copy of cfg.HTTPClient with a guarded CheckRedirect
	userAgent []string     // the User-Agent header value, shared by all requests; nil if none
}

// New returns a Transport for cfg, filling in defaults. It copies
// cfg.HTTPClient (the copy shares its RoundTripper) and wraps its
// CheckRedirect so that Authorization never follows a redirect to another
// host and redirect failures are never retried. A nil HTTPClient gets a
// client over NewHTTPTransport with CheckRedirect.
func New(cfg Config) *Transport {
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.InitialBackoff <= 0 {
		cfg.InitialBackoff = DefaultInitialBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Transport: NewHTTPTransport(), CheckRedirect: CheckRedirect}
	}
	client := *cfg.HTTPClient
	client.CheckRedirect = guardRedirect(cfg.HTTPClient.CheckRedirect)
	t := &Transport{cfg: cfg, client: &client}
	if cfg.UserAgent != "" {
		t.userAgent = []string{cfg.UserAgent}
	}
	return t
}

// Do sends r, retrying per policy, and returns the final response. A non-2xx
// final response is returned with a nil error. Errors are the Authorize
// error as it is, a *BodyTooLargeError, or a *url.Error whose URL holds only
// scheme, host and path; they wrap context.Canceled or
// context.DeadlineExceeded when the context ended the call.
func (t *Transport) Do(ctx context.Context, r *Request) (*Response, error) {
	if ctx == nil {
		return nil, errors.New("transport: nil context")
	}
	if r == nil {
		return nil, errors.New("transport: nil request")
	}
	c := &call{t: t, r: r, idempotent: r.Idempotent || idempotentMethod(r.Method)}
	if r.RetryUnprocessedOnly {
		c.idempotent = false
	}
	// The call's context carries the call for the redirect guard and the
	// trace that counts connections. Each attempt runs in a child that is
	// cancelled with ErrTooManyAttempts when net/http replays the request
	// too often, and released when the attempt is over (for a stream, when
	// the caller closes it).
	c.trace.GotConn = c.gotConn
	cctx := httptrace.WithClientTrace(context.WithValue(ctx, callKey{}, c), &c.trace)
	defer func() {
		if c.cancel != nil && !c.streaming {
			c.cancel(nil)
		}
	}()
	retries := t.cfg.MaxRetries
	if r.MaxRetries >= 0 {
		retries = r.MaxRetries
	}

	paid := 0 // budget tokens paid for the attempt in flight
	for attempt := 1; ; attempt++ {
		c.redirected, c.redirectFailed = false, false
		c.conns.Store(0)
		c.hops.Store(0)
		if c.cancel != nil {
			c.cancel(nil) // the last attempt's body was discarded
		}
		actx, cancel := context.WithCancelCause(cctx)
		c.cancel = cancel
		req, err := c.newRequest(actx, attempt)
		if err != nil {
			t.cfg.Budget.release(paid) // the retry paid for was never sent
			return nil, err
		}
		start := time.Now()
		resp, err := t.client.Do(req)
		o := outcome{attempt: attempt}
		if err != nil {
			if ctx.Err() == nil && errors.Is(context.Cause(actx), ErrTooManyAttempts) {
				err = &url.Error{Op: urlErrorOp(r.Method), URL: r.URL, Err: ErrTooManyAttempts}
			}
			o.err = redact(err)
			o.retryable, o.timeout = c.retryableError(ctx, err)
		} else {
			o.resp = resp
			o.hint, o.hasHint = RetryAfter(resp.Header, time.Now())
			switch {
			case resp.StatusCode >= 200 && resp.StatusCode <= 299:
				c.readSuccess(ctx, &o)
			case r.RetryUnprocessedOnly:
				// A workflow's Response step may set any status: it ran.
			default:
				o.retryable = ctx.Err() == nil && retryableStatus(resp.StatusCode, c.idempotent)
			}
		}
		if c.redirected && !c.idempotent {
			// The write reached a server, which answered with a redirect:
			// whatever the next hop said, it is never sent again.
			o.retryable = false
		}

		var wait time.Duration
		cost, again := 0, false
		if o.retryable && attempt <= retries && c.canResend() {
			wait, cost, again = t.plan(ctx, &o)
		}
		c.log(ctx, req, &o, time.Since(start), again, wait)

		if !again {
			return c.finish(&o, paid)
		}
		if o.resp != nil && o.err == nil {
			discard(o.resp.Body)
		}
		if err := sleep(ctx, wait); err != nil {
			t.cfg.Budget.release(cost)
			return nil, &url.Error{Op: urlErrorOp(r.Method), URL: redactURL(r.URL), Err: err}
		}
		paid = cost
	}
}

// call is the state of one Do: the request and what the redirect guard
// and the connection trace learned during the current attempt. The flags
// are touched by Do's goroutine and by CheckRedirect, which http.Client
// calls on it; the counters also by net/http's trace hooks.
type call struct {
	t          *Transport
	r          *Request
	idempotent bool

	redirected     bool // the current attempt was answered with a redirect
	redirectFailed bool // CheckRedirect refused a redirect
	streaming      bool // the context lives on with a 2xx stream

	bodyStart      int64 // where a seekable BodyReader started
	bodyStartKnown bool

	trace  httptrace.ClientTrace
	cancel context.CancelCauseFunc
	conns  atomic.Int32 // connections taken in the current attempt
	hops   atomic.Int32 // redirects followed in the current attempt
}

// MaxReplays is how many times, within one attempt of the retry policy,
// net/http may send a request again by itself (on a fresh connection after
// a stream reset or GOAWAY, or after a kept-alive connection was closed)
// before the call ends with ErrTooManyAttempts. Each redirect followed
// allows one more connection.
const MaxReplays = 2

// ErrTooManyAttempts ends an attempt that net/http sent more than
// MaxReplays extra times on its own (a server that resets or refuses every
// stream, or sends GOAWAY on every new connection). The policy treats it as
// a reset: an idempotent call is retried (with backoff, within the budget),
// any other is not. A call thus puts at most
// (MaxRetries+1)·(1+redirects+MaxReplays+1) requests on the wire; a
// non-idempotent one is never among the replays.
var ErrTooManyAttempts = errors.New("paragon: too many attempts at the HTTP layer (the server reset or refused the request on every connection)")

// gotConn counts the connections taken for the current attempt and ends
// the call once net/http's own replays pass MaxReplays.
func (c *call) gotConn(httptrace.GotConnInfo) {
	if n := c.conns.Add(1); n > 1+c.hops.Load()+MaxReplays {
		c.cancel(ErrTooManyAttempts)
	}
}

// callKey is the context key under which Do stores its *call for the
// redirect guard.
type callKey struct{}

// outcome is what one attempt produced and what the policy made of it.
type outcome struct {
	attempt   int
	resp      *http.Response // nil on a transport error
	out       *Response      // set once a 2xx was read (or opened as a stream)
	err       error          // redacted transport or body error
	hint      time.Duration  // server wait hint from resp's headers
	hasHint   bool
	retryable bool // the policy allows another attempt
	timeout   bool // the failure was a timeout (a dearer retry)
}

// newRequest builds the *http.Request for one attempt: a fresh body reader
// over r.Body, a copy of r.Header, User-Agent and a freshly authorized
// token. An idempotent request's body is a bytes.Reader, for which
// http.NewRequestWithContext sets ContentLength and GetBody, so net/http
// may replay it. A non-idempotent request's body is a writeBody without
// GetBody, present even when empty (net/http replays a request without a
// body freely), so that net/http can't send it twice.
func (c *call) newRequest(ctx context.Context, attempt int) (*http.Request, error) {
	r := c.r
	var body io.Reader
	if r.Body != nil && c.idempotent {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, redact(err)
	}
	if r.BodyReader != nil {
		if err := c.rewind(); err != nil {
			return nil, err
		}
		// No GetBody: net/http must not replay a stream; this policy
		// decides, and only for a body it can rewind.
		req.Body, req.GetBody, req.ContentLength = io.NopCloser(r.BodyReader), nil, r.BodyLength
	} else if !c.idempotent {
		wb := &writeBody{}
		wb.Reset(r.Body)
		req.Body, req.GetBody, req.ContentLength = wb, nil, int64(len(r.Body))
	}
	if r.OwnHeader && attempt == 1 {
		// The first attempt takes the request's own map: no cookie jar can
		// add to it (the SDK refuses clients with one) and a RoundTripper
		// must not modify it. Later attempts copy it, as HTTP/2 may still
		// be reading an earlier attempt's header when the next one starts.
		req.Header = r.Header
	} else {
		// A fresh map per attempt, sized for the two headers set here. Its
		// values are r.Header's slices, capped so that an append copies
		// them. (Cloning them cost three allocations a call.)
		req.Header = make(http.Header, len(r.Header)+2)
		for k, vs := range r.Header {
			req.Header[k] = vs[:len(vs):len(vs)]
		}
	}
	if c.t.userAgent != nil && req.Header.Get("User-Agent") == "" {
		req.Header["User-Agent"] = c.t.userAgent
	}
	if r.Authorize != nil {
		auth, err := r.Authorize(ctx)
		if err != nil {
			return nil, err
		}
		if auth != "" {
			req.Header["Authorization"] = []string{auth}
		}
	}
	return req, nil
}

// canResend reports whether the request's body can be sent again: it has
// none, or bytes, or a reader that can be rewound.
func (c *call) canResend() bool {
	if c.r.BodyReader == nil {
		return true
	}
	_, ok := c.r.BodyReader.(io.Seeker)
	return ok
}

// rewind positions a seekable BodyReader where it was when the call
// started, before every attempt. The first attempt records that offset.
func (c *call) rewind() error {
	sk, ok := c.r.BodyReader.(io.Seeker)
	if !ok {
		return nil
	}
	if !c.bodyStartKnown {
		off, err := sk.Seek(0, io.SeekCurrent)
		if err != nil {
			return fmt.Errorf("paragon: request body: %w", err)
		}
		c.bodyStart, c.bodyStartKnown = off, true
		return nil
	}
	if _, err := sk.Seek(c.bodyStart, io.SeekStart); err != nil {
		return fmt.Errorf("paragon: rewinding the request body to send it again: %w", err)
	}
	return nil
}

// readSuccess reads (or, in stream mode, opens) a 2xx body into o.out. A
// body that breaks off is a failure mid-response, retried only for
// idempotent requests; an oversized body is final.
func (c *call) readSuccess(ctx context.Context, o *outcome) {
	resp := o.resp
	if c.r.Stream {
		o.out = c.response(o)
		o.out.Stream = &streamBody{ReadCloser: resp.Body, cancel: c.cancel}
		c.streaming = true
		return
	}
	if c.r.DiscardBody {
		// The status is the answer: what follows can't undo it.
		discard(resp.Body)
		o.out = c.response(o)
		return
	}
	n := resp.ContentLength
	if resp.Body == http.NoBody || c.r.Method == http.MethodHead {
		n = 0 // a HEAD response declares the length of a body it does not send
	}
	b, err := readBody(resp.Body, n, c.t.cfg.MaxBodyBytes)
	if err == nil {
		_ = resp.Body.Close()
		o.out = c.response(o)
		o.out.Body = b
		return
	}
	_ = resp.Body.Close() // without draining: an oversized or broken body drops the connection
	if errors.Is(err, ErrBodyTooLarge) {
		o.err = err
		return
	}
	o.err = &url.Error{Op: urlErrorOp(c.r.Method), URL: redactURL(c.r.URL), Err: fmt.Errorf("reading response body: %w", err)}
	o.retryable = c.idempotent && ctx.Err() == nil
	o.timeout = isTimeout(err)
}

// writeBody is the body of a non-idempotent request: a reader over the
// request's bytes that net/http can't rewind, as the request has no GetBody.
type writeBody struct{ bytes.Reader }

// Close implements io.Closer.
func (*writeBody) Close() error { return nil }

// streamBody is a 2xx body handed over as a stream; closing it releases
// the call's context.
type streamBody struct {
	io.ReadCloser
	cancel context.CancelCauseFunc
}

// Close closes the body and releases the call's context.
func (b *streamBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}

// finish turns the last attempt into Do's result and settles the budget.
func (c *call) finish(o *outcome, paid int) (*Response, error) {
	switch {
	case o.out != nil:
		if o.attempt == 1 {
			c.t.cfg.Budget.release(successReward)
		} else {
			c.t.cfg.Budget.release(paid)
		}
		return o.out, nil
	case o.err != nil:
		return nil, o.err
	}
	out := c.response(o)
	out.Body = readErrorBody(o.resp.Body, o.resp.ContentLength)
	return out, nil
}

// response returns the Response for o's HTTP response, without a body.
func (c *call) response(o *outcome) *Response {
	out := &Response{StatusCode: o.resp.StatusCode, Header: o.resp.Header, Attempts: o.attempt}
	if o.hasHint {
		out.RetryAfter = o.hint
	}
	return out
}

// plan decides whether o is retried and after how long, and pays the
// budget for it. It returns again=false when the server's hint is over
// MaxRetryAfter, when the wait would pass ctx's deadline, or when the budget
// is empty.
func (t *Transport) plan(ctx context.Context, o *outcome) (wait time.Duration, cost int, again bool) {
	wait = t.backoff(o.attempt - 1)
	if o.hasHint {
		if o.hint > t.cfg.MaxRetryAfter {
			return 0, 0, false
		}
		wait = o.hint
	}
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
		return 0, 0, false
	}
	cost = retryCost
	if o.timeout {
		cost = timeoutRetryCost
	}
	if !t.cfg.Budget.take(cost) {
		return 0, 0, false
	}
	return wait, cost, true
}

// backoff returns the wait before retry number n (0 for the first retry):
// min(MaxBackoff, InitialBackoff·2^n) with "equal jitter", a uniform pick in
// [capped/2, capped]. The jitter is taken on the capped value, so it still
// spreads clients out once the cap is reached.
func (t *Transport) backoff(n int) time.Duration {
	capped := t.cfg.MaxBackoff
	if n < 63 {
		if d := t.cfg.InitialBackoff << n; d>>n == t.cfg.InitialBackoff && d < capped {
			capped = d
		}
	}
	half := capped / 2
	return half + rand.N(capped-half+1)
}

// sleep waits d on a timer, or until ctx is done, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// log writes one Debug record for an attempt, when the logger wants it.
// Only the method, host, path template, status, attempt number, duration,
// request ID, the error and the coming wait are logged: never headers,
// bodies, the real path or the query.
func (c *call) log(ctx context.Context, req *http.Request, o *outcome, d time.Duration, again bool, wait time.Duration) {
	l := c.t.cfg.Logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("method", req.Method),
		slog.String("host", req.URL.Host),
		slog.String("path_template", c.r.PathTemplate),
		slog.Int("attempt", o.attempt),
		slog.Duration("duration", d),
	)
	if o.resp != nil {
		attrs = append(attrs, slog.Int("status", o.resp.StatusCode))
		if id := RequestID(o.resp.Header); id != "" {
			attrs = append(attrs, slog.String("request_id", id))
		}
	}
	if o.err != nil {
		attrs = append(attrs, slog.String("error", logError(o.err)))
	}
	if again {
		attrs = append(attrs, slog.Duration("retry_in", wait))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "paragon: http attempt", attrs...)
}

// RequestID returns the server's request ID (X-Paragon-Request-Id, else
// X-Request-Id), if any. Logs and errors both use it, so they name the same ID.
func RequestID(h http.Header) string {
	for _, k := range [...]string{"X-Paragon-Request-Id", "X-Request-Id"} {
		if v := h[k]; len(v) > 0 && v[0] != "" {
			return v[0]
		}
	}
	return ""
}

// logError returns the part of err that is safe and useful in a log: the
// cause inside a *url.Error, without the URL.
func logError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// idempotentMethod reports whether method is idempotent per RFC 9110 (the
// empty method means GET).
func idempotentMethod(method string) bool {
	switch method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// retryableStatus reports whether a response status may be retried.
func retryableStatus(code int, idempotent bool) bool {
	switch code {
	case http.StatusTooManyRequests:
		return true
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return idempotent
	}
	return false
}
