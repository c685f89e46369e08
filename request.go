package paragon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/paragon-go/paragon/internal/jsonx"
	"github.com/paragon-go/paragon/internal/pathutil"
	"github.com/paragon-go/paragon/internal/transport"
)

// Headers Paragon reads on user-scoped calls.
const (
	HeaderCredential    = "X-Paragon-Credential" //nolint:gosec // G101: a header name, not a credential
	HeaderConfiguration = "X-Paragon-Configuration-Id"
	HeaderRawResponse   = "X-Paragon-Use-Raw-Response"
	HeaderProxyURL      = "X-Paragon-Proxy-Url"
	// HeaderSlackTokenType picks Slack's user token instead of its bot
	// token on proxy calls (see [WithSlackUserToken]).
	HeaderSlackTokenType = "X-Paragon-Use-Slack-Token-Type" //nolint:gosec // G101: a header name, not a token
)

// CallOption adjusts one call. See [WithCredential], [WithConfiguration],
// [WithHeader], [WithIdempotent] and [WithCallRetries].
type CallOption func(*callConfig) error

type callConfig struct {
	credential    string
	configuration string
	header        http.Header
	idempotent    bool
	maxRetries    int    // -1: the client's policy
	proxyURL      string // X-Paragon-Proxy-Url, proxy calls only
	slackUser     bool   // X-Paragon-Use-Slack-Token-Type: user, proxy calls only
	respInto      *ResponseInfo
	respFunc      func(ResponseInfo)
}

// WithCredential picks which of the user's connected accounts the call uses
// (header X-Paragon-Credential), when the user connected several for one
// integration. id is the credential's UUID.
func WithCredential(id string) CallOption {
	return func(c *callConfig) error {
		if err := checkHeaderID("credential ID", id); err != nil {
			return err
		}
		c.credential = id
		return nil
	}
}

// WithConfiguration pins the call to one configuration of a credential
// (header X-Paragon-Configuration-Id). Paragon accepts it only together with
// [WithCredential]; pinning App Events this way avoids duplicate runs.
func WithConfiguration(id string) CallOption {
	return func(c *callConfig) error {
		if err := checkHeaderID("configuration ID", id); err != nil {
			return err
		}
		c.configuration = id
		return nil
	}
}

// WithHeader adds a request header to the call. Authorization, Host,
// Content-Length and the X-Paragon-Credential, X-Paragon-Configuration-Id
// and X-Paragon-Proxy-Url headers (use [WithCredential], [WithConfiguration]
// and [WithProxyURL]) can't be set this way.
func WithHeader(key, value string) CallOption {
	return func(c *callConfig) error {
		if err := pathutil.HeaderName(key); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		if err := pathutil.HeaderValue(key, value); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		switch textproto.CanonicalMIMEHeaderKey(key) {
		case "Authorization", "Host", "Content-Length", "Transfer-Encoding", "Connection",
			HeaderCredential, HeaderConfiguration, HeaderProxyURL:
			return invalid("header %s can't be set with WithHeader (use its typed option)", key)
		}
		if c.header == nil {
			c.header = make(http.Header)
		}
		c.header.Add(key, value)
		return nil
	}
}

// WithIdempotent marks a call as safe to repeat, so that it is retried on
// 5xx answers and dropped connections even if its method is POST or PATCH.
// Use it only for calls the server de-duplicates.
func WithIdempotent() CallOption {
	return func(c *callConfig) error {
		c.idempotent = true
		return nil
	}
}

// WithCallRetries overrides the client's retry count for one call (0
// disables retries).
func WithCallRetries(n int) CallOption {
	return func(c *callConfig) error {
		if n < 0 {
			return invalid("call retries %d < 0", n)
		}
		c.maxRetries = n
		return nil
	}
}

func checkHeaderID(what, id string) error {
	if id == "" {
		return invalid("empty %s", what)
	}
	if len(id) > pathutil.MaxSegment {
		return invalid("%s is %d bytes long", what, len(id))
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c == 0x7f || c == ',' || c == ';' {
			return invalid("%s contains a space, separator or control character", what)
		}
	}
	return nil
}

// checkHeaders validates caller headers for a request (names are tokens,
// values have no CR, LF or NUL) and returns them canonicalised. Headers the
// SDK owns, and the extra ones named, are refused; where names the call in
// the error.
func checkHeaders(h http.Header, where string, extra ...string) (http.Header, error) {
	if len(h) == 0 {
		return nil, nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		if err := pathutil.HeaderName(k); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		ck := http.CanonicalHeaderKey(k)
		switch ck {
		case "Authorization", "Host", "Content-Length", "Transfer-Encoding", "Connection":
			return nil, invalid("header %s can't be set on %s", k, where)
		}
		for _, x := range extra {
			if ck == x {
				return nil, invalid("header %s can't be set on %s", k, where)
			}
		}
		for _, v := range vs {
			if err := pathutil.HeaderValue(k, v); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
			}
		}
		out[ck] = append(out[ck], vs...)
	}
	return out, nil
}

func applyCallOptions(opts []CallOption) (callConfig, error) {
	if len(opts) == 0 {
		return callConfig{maxRetries: -1}, nil // most calls: no allocation
	}
	cc := callConfig{maxRetries: -1} // escapes to the options
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cc); err != nil {
			return cc, err
		}
	}
	if cc.configuration != "" && cc.credential == "" {
		return cc, invalid("WithConfiguration needs WithCredential: Paragon accepts a configuration ID only together with a credential ID")
	}
	return cc, nil
}

// apiRequest is one call to Paragon, before call options are applied.
type apiRequest struct {
	svc      Service
	method   string
	path     string // escaped, after the base URL (e.g. "/projects/{pid}/sdk/me")
	template string // route for logs, e.g. "/sdk/triggers/{id}"
	query    url.Values
	rawBody  []byte // sent as is (with ctype) when non-nil; callers encode JSON themselves, to fail before any I/O
	// bodyReader streams the body instead (with ctype); bodyLength is its
	// length, -1 if unknown.
	bodyReader io.Reader
	bodyLength int64
	ctype      string
	header     http.Header // extra headers
	stream     bool        // leave a 2xx body open (raw proxy mode)
	proxy      bool        // the call goes through the proxy: redirects are not followed
	// triggered: a workflow trigger, retried only when provably not
	// processed (its Response step may set any status).
	triggered bool
	// statusOnly: a 2xx status is the whole answer; the body is dropped.
	statusOnly bool
}

// projectPath returns "/projects/{pid}" + suffix.
func (c *Client) projectPath(suffix string) string {
	return "/projects/" + c.projectID + suffix
}

// do sends r as user u and returns the 2xx response, or an *Error.
func (u *User) do(ctx context.Context, r *apiRequest, opts []CallOption) (*transport.Response, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, invalid("nil context")
	}
	cc, err := applyCallOptions(opts)
	if err != nil {
		return nil, err
	}
	c := u.c
	treq := &transport.Request{
		Method:       r.method,
		Header:       make(http.Header, 6+len(r.header)+len(cc.header)), // room for User-Agent and Authorization too
		Idempotent:   cc.idempotent,
		Stream:       r.stream,
		PathTemplate: r.template,
		MaxRetries:   cc.maxRetries,
		Authorize:    u.authorize,
		OwnHeader:    true,

		NoRedirects:          r.proxy,
		RetryUnprocessedOnly: r.triggered,
		DiscardBody:          r.statusOnly,
	}
	base := c.bases[r.svc]
	if base == nil {
		return nil, &NoHostError{Service: r.svc, Instance: c.instance}
	}
	var sb strings.Builder
	sb.Grow(len(base.Scheme) + len(base.Host) + len(base.Path) + len(r.path) + 4)
	sb.WriteString(base.Scheme)
	sb.WriteString("://")
	sb.WriteString(base.Host)
	sb.WriteString(base.Path)
	sb.WriteString(r.path)
	if len(r.query) > 0 {
		sb.WriteByte('?')
		sb.WriteString(r.query.Encode())
	}
	treq.URL = sb.String()

	if r.rawBody != nil || r.bodyReader != nil {
		treq.Body, treq.BodyReader, treq.BodyLength = r.rawBody, r.bodyReader, r.bodyLength
		if r.ctype != "" {
			treq.Header.Set("Content-Type", r.ctype)
		}
	}
	treq.Header.Set("Accept", "application/json")
	for k, vs := range r.header {
		treq.Header[k] = vs
	}
	for k, vs := range cc.header {
		treq.Header[k] = vs
	}
	if cc.credential != "" {
		treq.Header.Set(HeaderCredential, cc.credential)
	}
	if cc.configuration != "" {
		treq.Header.Set(HeaderConfiguration, cc.configuration)
	}
	if cc.proxyURL != "" || cc.slackUser {
		if !r.proxy {
			return nil, invalid("WithProxyURL and WithSlackUserToken apply to proxy calls (User.Request) only")
		}
		if cc.proxyURL != "" {
			treq.Header.Set(HeaderProxyURL, cc.proxyURL)
		}
		if cc.slackUser {
			treq.Header.Set(HeaderSlackTokenType, "user")
		}
	}

	bodyStart := offset(r.bodyReader)
	resp, err := c.tr.Do(ctx, treq)
	if err != nil {
		if errors.Is(err, errNoSigningKey) {
			return nil, err
		}
		return nil, fmt.Errorf("paragon: %s %s: %w", r.method, r.template, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := newError(r.method, redactPath(r.path, c.projectID), resp, r.proxy)
		if resp.StatusCode == http.StatusUnauthorized && u.token == "" && e.tokenFailure() && ctx.Err() == nil && rewind(r.bodyReader, bodyStart) {
			// Paragon refused a token this client signed (a rotated key,
			// a clock far off): sign a fresh one and send the call once
			// more. A 401 means the call was refused before it ran, so
			// resending is safe for writes too.
			c.tokens.InvalidateFor(u.id, u.variant)
			treq.MaxRetries = 0
			treq.OwnHeader = false // the first send may still be reading it
			if resp2, err2 := c.tr.Do(ctx, treq); err2 == nil {
				resp = resp2
				if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
					cc.report(resp)
					return resp, nil
				}
				e = newError(r.method, redactPath(r.path, c.projectID), resp, r.proxy)
				if resp.StatusCode == http.StatusUnauthorized {
					c.tokens.InvalidateFor(u.id, u.variant)
				}
			}
		}
		cc.report(resp)
		return nil, e
	}
	cc.report(resp)
	return resp, nil
}

// usable returns the error every call of u fails with: a nil *User (or one
// not made by a Client) is ErrInvalidInput, never a panic.
func (u *User) usable() error {
	if u == nil || u.c == nil {
		return errNilUser
	}
	return u.err
}

// projectPath is u's client's projectPath; "" for an unusable u, whose
// call then fails in do.
func (u *User) projectPath(suffix string) string {
	if u == nil || u.c == nil {
		return ""
	}
	return u.c.projectPath(suffix)
}

// offset is where a seekable body reader stands (-1 for any other body).
func offset(r io.Reader) int64 {
	if sk, ok := r.(io.Seeker); ok {
		if off, err := sk.Seek(0, io.SeekCurrent); err == nil {
			return off
		}
	}
	return -1
}

// rewind reports whether the body can be sent again: there is no reader,
// or it was rewound to start (see offset).
func rewind(r io.Reader, start int64) bool {
	if r == nil {
		return true
	}
	sk, ok := r.(io.Seeker)
	if !ok || start < 0 {
		return false
	}
	_, err := sk.Seek(start, io.SeekStart)
	return err == nil
}

// redactPath keeps error paths short: the project ID is known to the caller.
func redactPath(p, projectID string) string {
	return strings.Replace(p, "/projects/"+projectID, "/projects/{project}", 1)
}

// marshalBody encodes v as JSON, refusing NaN and infinities with
// ErrInvalidInput (encoding/json refuses them too, with a less clear error).
func marshalBody(v any) ([]byte, error) {
	switch b := v.(type) {
	case json.RawMessage:
		if !json.Valid(b) {
			return nil, invalid("body is not valid JSON")
		}
		return b, nil
	}
	out, err := json.Marshal(v)
	if err != nil {
		var uve *json.UnsupportedValueError
		if errors.As(err, &uve) {
			return nil, invalid("body: %s (JSON has no NaN or Inf)", uve.Str)
		}
		return nil, fmt.Errorf("%w: body: %w", ErrInvalidInput, err)
	}
	return out, nil
}

// decodeJSON decodes a response body into v with a clear error for an empty
// or malformed body.
func decodeJSON(resp *transport.Response, what string, v any) error {
	if len(resp.Body) == 0 {
		return fmt.Errorf("%w: %s: empty response body (status %d)", ErrInvalidResponse, what, resp.StatusCode)
	}
	if err := jsonx.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("%w: %s: decoding %s: %w", ErrInvalidResponse, what, bodyKind(resp.Header), err)
	}
	return nil
}

// bodyKind names a response body by its media type for decoding errors:
// "response" for JSON or none, "text/html response" otherwise.
func bodyKind(h http.Header) string {
	ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	if ct == "" || strings.Contains(ct, "json") {
		return "response"
	}
	if len(ct) > 64 || strings.IndexFunc(ct, func(r rune) bool { return r <= ' ' || r >= 0x7f }) >= 0 {
		return "non-JSON response"
	}
	return ct + " response"
}
