package paragon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/paragon-go/paragon/internal/jsonscan"
	"github.com/paragon-go/paragon/internal/jsonx"
	"github.com/paragon-go/paragon/internal/pathutil"
)

// RequestOptions describe a proxy call made with [User.Request].
type RequestOptions struct {
	// Method is the HTTP method; empty means GET.
	Method string
	// Query is added to the path's own query string, if any.
	Query url.Values
	// Headers are forwarded to the third-party API. Authorization, Host,
	// X-Paragon-Proxy-Url (use [WithProxyURL]) and hop-by-hop headers
	// can't be set here.
	Headers http.Header
	// Body is sent as JSON (Content-Type: application/json), unless it is a
	// []byte or io.Reader, which are sent as they are with the Content-Type
	// set in Headers; without one they go out with "Content-Type: auto",
	// as Paragon's browser SDK sends every proxy body, which asks Paragon
	// to infer the type. A json.RawMessage is checked, then sent as JSON.
	//
	// Size: the SDK sets no limit and copies nothing. A []byte is sent from
	// memory; an io.Reader streams as the request is written (its length
	// goes in Content-Length when it can tell it: a bytes.Reader,
	// strings.Reader, bytes.Buffer or file), so a large upload costs no
	// memory. A call with a reader body is retried only when the reader is
	// an io.Seeker, rewound to where it was for each new attempt; any other
	// reader is sent once.
	Body any
	// Raw asks Paragon for the third-party response unchanged (header
	// X-Paragon-Use-Raw-Response): bytes and headers as the API sent them,
	// streamed in Response.Body. Use it for files and non-JSON APIs.
	Raw bool
}

// Response is a third-party API's answer through Paragon's proxy.
type Response struct {
	// StatusCode is the third-party API's status.
	StatusCode int
	// Header holds the response headers (the third party's in raw mode).
	Header http.Header
	// Output is the third-party JSON body, unwrapped from Paragon's
	// {"output": …} envelope wherever the "output" key sits in the object.
	// It is nil in raw mode, for an empty body, and when the answer is not
	// JSON (a Content-Type without "json", or a body that does not parse):
	// read those with Bytes or Text.
	Output json.RawMessage
	// Body streams the response in raw mode; the caller must Close it (or
	// the Response). It is nil otherwise.
	Body io.ReadCloser

	raw []byte // a non-JSON body
}

// Bytes returns the answer's body: Output when it is JSON, else the bytes as
// they came (e.g. a text/plain or text/csv answer). It is nil in raw mode
// (read Body) and for an empty body.
func (r *Response) Bytes() []byte {
	if r.Output != nil {
		return r.Output
	}
	return r.raw
}

// Text returns the answer as text: a JSON string output unquoted, any other
// output or non-JSON body as it is.
func (r *Response) Text() string {
	if len(r.Output) > 0 && r.Output[0] == '"' {
		var s string
		if json.Unmarshal(r.Output, &s) == nil {
			return s
		}
	}
	return string(r.Bytes())
}

// Decode decodes the JSON response into v: Output, or in raw mode the
// streamed body (which it then closes).
func (r *Response) Decode(v any) error {
	if r.Body != nil {
		defer func() { _ = r.Body.Close() }()
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(v); err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w: proxy response: empty body", ErrInvalidResponse)
			}
			var se *json.SyntaxError
			var te *json.UnmarshalTypeError
			if errors.As(err, &se) || errors.As(err, &te) {
				return fmt.Errorf("%w: proxy response: %w", ErrInvalidResponse, err)
			}
			return fmt.Errorf("paragon: proxy response: %w", err) // e.g. the stream broke off
		}
		return nil
	}
	if len(r.Output) == 0 {
		if len(r.raw) > 0 {
			return fmt.Errorf("%w: proxy response is %s, not JSON (read it with Text or Bytes)", ErrInvalidResponse, bodyKind(r.Header))
		}
		return fmt.Errorf("%w: proxy response: empty body", ErrInvalidResponse)
	}
	if err := jsonx.UnmarshalCompat(r.Output, v); err != nil {
		return fmt.Errorf("%w: proxy response: %w", ErrInvalidResponse, err)
	}
	return nil
}

// Close releases the streamed body of a raw response; it is a no-op
// otherwise.
func (r *Response) Close() error {
	if r.Body == nil {
		return nil
	}
	return r.Body.Close()
}

// proxyAutoContentType is the Content-Type the browser SDK sends on proxy
// calls whose caller set none: it asks Paragon to infer the type.
const proxyAutoContentType = "auto"

// Request calls a third-party API through Paragon's proxy with the user's
// stored credential for integration ("close", "salesforce", "custom.<slug>"):
// <method> /projects/{id}/sdk/proxy/<integration>/<path>. path is the API's
// own path (e.g. "/lead/"); it can never change the host or leave the proxy
// prefix: "..", "//", their encoded forms, absolute URLs and control
// characters fail with [ErrInvalidInput] before any request is sent.
//
// To reach another base URL of the same provider with the user's
// credential, give the full URL with [WithProxyURL] and an empty path; it is
// the only way to leave the integration's base URL.
// [WithSlackUserToken] picks Slack's user token.
//
// A non-2xx answer is an *[Error] carrying the third party's status and body
// (Upstream is true when the failure came from the third party). A 2xx
// answer that is not JSON is no error: read it with [Response.Bytes] or
// [Response.Text].
//
// Docs: https://docs.useparagon.com/apis/proxy
func (u *User) Request(ctx context.Context, integration, path string, opts *RequestOptions, callOpts ...CallOption) (*Response, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &RequestOptions{}
	}
	cc, err := applyCallOptions(callOpts)
	if err != nil {
		return nil, err
	}
	if cc.proxyURL != "" {
		if path != "" && path != "/" {
			return nil, invalid("with WithProxyURL the path must be empty (the URL is the whole target), got %q", path)
		}
		path = ""
	}
	r, err := u.c.proxyRequest(integration, path, opts, cc.proxyURL != "")
	if err != nil {
		return nil, err
	}
	if cc.proxyURL != "" && len(r.query) > 0 {
		// The query belongs to the target URL, which travels in the header.
		pu, _ := url.Parse(cc.proxyURL)
		q := pu.Query()
		for k, vs := range r.query {
			q[k] = append(q[k], vs...)
		}
		pu.RawQuery = q.Encode()
		r.query = nil
		callOpts = append(slices.Clip(callOpts), WithProxyURL(pu.String()))
	}
	resp, err := u.do(ctx, r, callOpts)
	if err != nil {
		return nil, err
	}
	if opts.Raw {
		return streamed(resp), nil
	}
	out := &Response{StatusCode: resp.StatusCode, Header: resp.Header}
	out.Output, out.raw = proxyOutput(resp.Header, resp.Body)
	return out, nil
}

// proxyOutput splits a proxy answer into its unwrapped JSON output, or the
// raw bytes of a non-JSON answer. Like the browser SDK it parses the body
// only when the Content-Type names JSON ("application/json", also "+json");
// without a Content-Type a body that parses as JSON is taken as JSON.
func proxyOutput(h http.Header, body []byte) (json.RawMessage, []byte) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, nil
	}
	ct := strings.ToLower(h.Get("Content-Type"))
	switch {
	case ct != "" && !strings.Contains(ct, "json"):
		return nil, body
	case ct == "" && trimmed[0] != '{' && trimmed[0] != '[' && !json.Valid(trimmed):
		return nil, body
	}
	out := unwrapOutput(trimmed)
	if len(out) > 0 && out[0] != '{' && out[0] != '[' && !json.Valid(out) {
		return nil, body // labelled JSON, but is not
	}
	return out, nil
}

// proxyRequest validates a proxy call and builds its request. emptyPath
// allows the empty path of a WithProxyURL call.
func (c *Client) proxyRequest(integration, path string, opts *RequestOptions, emptyPath bool) (*apiRequest, error) {
	if err := pathutil.Integration(integration); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	var escaped string
	var pathQuery url.Values
	var err error
	if !emptyPath || path != "" {
		if escaped, pathQuery, err = pathutil.ProxyPath(path); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
	}
	method := strings.ToUpper(opts.Method)
	if method == "" {
		method = http.MethodGet
	}
	if err := pathutil.HeaderName(method); err != nil {
		return nil, invalid("method %q is not an HTTP method", opts.Method)
	}
	r := &apiRequest{
		svc:      ServiceProxy,
		method:   method,
		path:     c.projectPath("/sdk/proxy/" + integration + "/" + escaped),
		template: "/sdk/proxy/" + integration + "/{path}",
		proxy:    true,
		stream:   opts.Raw,
	}
	if len(pathQuery) > 0 || len(opts.Query) > 0 {
		q := make(url.Values, len(pathQuery)+len(opts.Query))
		for k, vs := range pathQuery {
			q[k] = append(q[k], vs...)
		}
		for k, vs := range opts.Query {
			q[k] = append(q[k], vs...)
		}
		r.query = q
	}
	if r.header, err = checkHeaders(opts.Headers, "a proxy call (use WithProxyURL for another base URL)", HeaderProxyURL); err != nil {
		return nil, err
	}
	if opts.Raw {
		if r.header == nil {
			r.header = make(http.Header, 1)
		}
		r.header.Set(HeaderRawResponse, "1")
	}
	body, err := encodeBody(opts.Body, r.header.Get("Content-Type"), proxyAutoContentType)
	if err != nil {
		return nil, err
	}
	body.setBody(r)
	return r, nil
}

// unwrapOutput returns the value of the "output" key when body is a JSON
// object that has one, wherever the key sits among its keys (the last one
// when repeated, as JSON.parse does), and the whole body otherwise. The
// value shares body's memory.
func unwrapOutput(body []byte) json.RawMessage {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] != '{' {
		return trimmed
	}
	// Paragon's own envelope is {"output":<value>}: when what sits between
	// that prefix and the final brace is one JSON value, it is the output.
	// Finding where the value ends scans it once, without validating it:
	// decoding Output validates it, so a body is scanned once before it is
	// decoded, not twice. (If the value is malformed so is the body, and
	// decoding either fails alike.)
	if rest, ok := bytes.CutPrefix(trimmed, []byte(`{"output":`)); ok {
		if v, ok := bytes.CutSuffix(rest, []byte("}")); ok && oneValue(v) {
			return bytes.TrimSpace(v)
		}
	}
	if !bytes.Contains(trimmed, []byte("utput")) && !bytes.Contains(trimmed, []byte(`\u`)) {
		return trimmed // no key can spell "output"
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return trimmed
	}
	if v, ok := m["output"]; ok {
		return bytes.TrimSpace(v)
	}
	return trimmed
}

// oneValue reports whether b holds exactly one JSON value, with white
// space around it, by finding where the value ends (see jsonscan).
func oneValue(b []byte) bool {
	end, err := jsonscan.ValueEnd(b, jsonscan.SkipSpace(b, 0))
	return err == nil && jsonscan.SkipSpace(b, end) == len(b)
}

// RequestJSON calls [User.Request] and decodes the JSON output into a T.
func RequestJSON[T any](ctx context.Context, u *User, integration, path string, opts *RequestOptions, callOpts ...CallOption) (T, error) {
	var out T
	if opts != nil && opts.Raw {
		cp := *opts
		cp.Raw = false
		opts = &cp
	}
	resp, err := u.Request(ctx, integration, path, opts, callOpts...)
	if err != nil {
		return out, err
	}
	if err := resp.Decode(&out); err != nil {
		return out, err
	}
	return out, nil
}
