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
	"strings"

	"github.com/paragon-go/paragon/internal/pathutil"
)

// RequestOptions describe a proxy call made with [User.Request].
type RequestOptions struct {
	// Method is the HTTP method; empty means GET.
	Method string
	// Query is added to the path's own query string, if any.
	Query url.Values
	// Headers are forwarded to the third-party API.
	Headers http.Header
	// Body is sent as JSON, unless it is a []byte or io.Reader, which are
	// sent as they are (set Content-Type in Headers), or a json.RawMessage.
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
	// {"output": …} envelope. It is nil in raw mode.
	Output json.RawMessage
	// Body streams the response in raw mode; the caller must Close it (or
	// the Response). It is nil otherwise.
	Body io.ReadCloser
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
		return fmt.Errorf("%w: proxy response: empty body", ErrInvalidResponse)
	}
	if err := json.Unmarshal(r.Output, v); err != nil {
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

// maxProxyRequestBody bounds a proxied request body read from an io.Reader.
const maxProxyRequestBody = 64 << 20

// Request calls a third-party API through Paragon's proxy with the user's
// stored credential for integration ("close", "salesforce", "custom.<slug>"):
// <method> /projects/{id}/sdk/proxy/<integration>/<path>. path is the API's
// own path (e.g. "/lead/"); it can never change the host or leave the proxy
// prefix: "..", "//", their encoded forms, absolute URLs and control
// characters fail with [ErrInvalidInput] before any request is sent.
//
// A non-2xx answer is an *[Error] carrying the third party's status and body
// (Upstream is true when the failure came from the third party).
//
// Docs: https://docs.useparagon.com/apis/proxy
func (u *User) Request(ctx context.Context, integration, path string, opts *RequestOptions, callOpts ...CallOption) (*Response, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &RequestOptions{}
	}
	r, err := u.c.proxyRequest(integration, path, opts)
	if err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, r, callOpts)
	if err != nil {
		return nil, err
	}
	out := &Response{StatusCode: resp.StatusCode, Header: resp.Header}
	if opts.Raw {
		out.Body = resp.Stream
		if out.Body == nil {
			out.Body = io.NopCloser(bytes.NewReader(resp.Body))
		}
		return out, nil
	}
	out.Output = unwrapOutput(resp.Body)
	return out, nil
}

// proxyRequest validates a proxy call and builds its request.
func (c *Client) proxyRequest(integration, path string, opts *RequestOptions) (*apiRequest, error) {
	if err := pathutil.Integration(integration); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	escaped, pathQuery, err := pathutil.ProxyPath(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
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
	if r.header, err = checkHeaders(opts.Headers, "a proxy call"); err != nil {
		return nil, err
	}
	if opts.Raw {
		if r.header == nil {
			r.header = make(http.Header, 1)
		}
		r.header.Set(HeaderRawResponse, "1")
	}
	if r.rawBody, r.ctype, err = encodeBody(opts.Body, r.header.Get("Content-Type")); err != nil {
		return nil, err
	}
	return r, nil
}

// unwrapOutput returns the value of a top-level "output" key, or the whole
// body when it is not Paragon's envelope. The value shares body's memory.
func unwrapOutput(body []byte) json.RawMessage {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] != '{' || !bytes.Contains(trimmed[:min(len(trimmed), 64)], []byte(`"output"`)) {
		return trimmed
	}
	// Paragon's own envelope is {"output":<value>}: when what sits between
	// that prefix and the final brace is one valid JSON value, it is the
	// output. Checking it scans the body once and copies nothing; decoding
	// into a json.RawMessage (below) scans it twice and copies it.
	if rest, ok := bytes.CutPrefix(trimmed, []byte(`{"output":`)); ok {
		if v, ok := bytes.CutSuffix(rest, []byte("}")); ok && json.Valid(v) {
			return bytes.TrimSpace(v)
		}
	}
	var env struct {
		Output json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(trimmed, &env); err != nil || env.Output == nil {
		return trimmed
	}
	return env.Output
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
