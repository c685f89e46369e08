package paragon

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/paragon-go/paragon/internal/pathutil"
	"github.com/paragon-go/paragon/internal/transport"
)

// CallParams describe a low-level call made with [User.Call].
type CallParams struct {
	// Query is the query string.
	Query url.Values
	// Body is sent as JSON, unless it is a []byte or io.Reader, which are
	// sent as they are (with ContentType, default application/octet-stream),
	// or a json.RawMessage (checked, then sent as JSON). nil sends no body.
	// A reader streams (never buffered, no size limit) and the call is
	// retried only when it is an io.Seeker, rewound for the retry.
	Body any
	// ContentType overrides the Content-Type of a []byte or io.Reader body.
	ContentType string
	// Header holds extra request headers. Authorization, Host and the
	// headers the SDK sets itself can't be set here.
	Header http.Header
	// Stream leaves a 2xx body unread in Response.Body (the caller closes
	// it), for downloads and line-delimited streams. Otherwise the body is
	// read (up to the client's response limit) into Response.Output.
	Stream bool
	// Template names the route in logs and errors, e.g.
	// "/api/syncs/{id}/records". Default: the method and service.
	Template string
}

// Call sends one request as the user to one of Paragon's services: method
// and path (escaped, starting with "/", below the service's base URL; build
// it with url.PathEscape for each segment you insert, and use
// [Client.ProjectID] for project-scoped routes) with the user's token,
// retries, limits and typed errors. The packages for Paragon's products
// (actionkit, managedsync) are built on it; use it for routes they don't
// wrap yet.
//
// The answer is not unwrapped: Output holds the body as the service sent it
// (or Body streams it, with CallParams.Stream). A non-2xx answer is an
// *[Error]. Calls with a non-idempotent method (POST, PATCH) are retried
// only when they certainly did not reach the server, unless
// [WithIdempotent] is given.
func (u *User) Call(ctx context.Context, svc Service, method, path string, p *CallParams, opts ...CallOption) (*Response, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if svc < 0 || svc >= numServices {
		return nil, invalid("unknown service %v", svc)
	}
	if p == nil {
		p = &CallParams{}
	}
	method = strings.ToUpper(method)
	if method == "" {
		method = http.MethodGet
	}
	if err := pathutil.HeaderName(method); err != nil {
		return nil, invalid("method %q is not an HTTP method", method)
	}
	if err := pathutil.ServicePath(path); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	template := p.Template
	if template == "" {
		template = svc.String() + " " + method
	}
	r := &apiRequest{
		svc:      svc,
		method:   method,
		path:     path,
		template: template,
		stream:   p.Stream,
	}
	if len(p.Query) > 0 {
		r.query = p.Query
	}
	var err error
	if r.header, err = checkHeaders(p.Header, "a service call", HeaderCredential, HeaderConfiguration, HeaderProxyURL); err != nil {
		return nil, err
	}
	body, err := encodeBody(p.Body, p.ContentType, "application/octet-stream")
	if err != nil {
		return nil, err
	}
	body.setBody(r)
	resp, err := u.do(ctx, r, opts)
	if err != nil {
		return nil, err
	}
	if p.Stream {
		return streamed(resp), nil
	}
	out := &Response{StatusCode: resp.StatusCode, Header: resp.Header}
	out.Output = bytes.TrimSpace(resp.Body)
	return out, nil
}

// streamed returns resp as a Response whose Body streams the answer (or
// reads the bytes already read, for an answer that was not left open).
func streamed(resp *transport.Response) *Response {
	out := &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: resp.Stream}
	if out.Body == nil {
		out.Body = io.NopCloser(bytes.NewReader(resp.Body))
	}
	return out
}

// encodeBody turns a request body given as any into bytes and a media
// type: JSON for values, as-is for []byte and readers (with ctype, else
// defaultType).
func encodeBody(body any, ctype, defaultType string) (encodedBody, error) {
	var out encodedBody
	switch b := body.(type) {
	case nil:
		return out, nil
	case []byte:
		out.raw = b
		if out.raw == nil {
			out.raw = []byte{}
		}
	case io.Reader:
		if nilReader(b) {
			return out, invalid("request body is a nil %T", b)
		}
		out.reader, out.length = b, readerLength(b)
	default:
		raw, err := marshalBody(b)
		if err != nil {
			return out, err
		}
		out.raw, out.ctype = raw, "application/json"
		return out, nil
	}
	if ctype == "" {
		ctype = defaultType
	}
	out.ctype = ctype
	return out, nil
}

// encodedBody is a request body ready to send: bytes, or a reader that
// streams (length -1 when unknown), and its media type.
type encodedBody struct {
	raw    []byte
	reader io.Reader
	length int64
	ctype  string
}

// setBody puts the body on r.
func (b encodedBody) setBody(r *apiRequest) {
	r.rawBody, r.bodyReader, r.bodyLength, r.ctype = b.raw, b.reader, b.length, b.ctype
}

// readerLength is the number of bytes left in r, when r can tell (a
// bytes.Reader, strings.Reader or bytes.Buffer, or a file), else -1.
func readerLength(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case io.Seeker:
		cur, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		end, err := v.Seek(0, io.SeekEnd)
		if _, err2 := v.Seek(cur, io.SeekStart); err != nil || err2 != nil || end < cur {
			return -1
		}
		return end - cur
	}
	return -1
}

// nilReader reports whether r is a typed nil pointer or func (such as a
// (*bytes.Buffer)(nil)), whose Read would panic.
func nilReader(r io.Reader) bool {
	v := reflect.ValueOf(r)
	switch v.Kind() {
	case reflect.Pointer, reflect.Func:
		return v.IsNil()
	}
	return false
}

var errNilUser = fmt.Errorf("%w: nil *paragon.User", ErrInvalidInput)
