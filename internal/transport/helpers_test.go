package transport

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sent is one request as the fake RoundTripper saw it.
type sent struct {
	header http.Header
	body   []byte
	length int64
	at     time.Time
}

// fakeRT is a scripted http.RoundTripper: respond gets the attempt number
// (1-based) and the request. It records every request it receives.
type fakeRT struct {
	mu      sync.Mutex
	sent    []sent
	respond func(n int, req *http.Request) (*http.Response, error)
}

func (f *fakeRT) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	f.mu.Lock()
	f.sent = append(f.sent, sent{
		header: req.Header.Clone(), body: body, length: req.ContentLength, at: time.Now(),
	})
	n := len(f.sent)
	f.mu.Unlock()
	resp, err := f.respond(n, req)
	if resp != nil {
		resp.Request = req
	}
	return resp, err
}

// calls returns a copy of what was sent so far.
func (f *fakeRT) calls() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.sent...)
}

// gaps returns the time between consecutive requests.
func (f *fakeRT) gaps() []time.Duration {
	c := f.calls()
	var out []time.Duration
	for i := 1; i < len(c); i++ {
		out = append(out, c[i].at.Sub(c[i-1].at))
	}
	return out
}

// always answers every attempt with status and the header pairs kv.
func always(status int, kv ...string) func(int, *http.Request) (*http.Response, error) {
	return func(int, *http.Request) (*http.Response, error) { return reply(status, "", kv...), nil }
}

// failWith answers every attempt with err.
func failWith(err error) func(int, *http.Request) (*http.Response, error) {
	return func(int, *http.Request) (*http.Response, error) { return nil, err }
}

// reply builds a response with a known-length body and header pairs kv.
func reply(status int, body string, kv ...string) *http.Response {
	h := make(http.Header)
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return &http.Response{
		StatusCode:    status,
		Status:        http.StatusText(status),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}

// newFake returns a Transport over a fake RoundTripper. cfg's zero fields
// take test-friendly defaults: two retries.
func newFake(respond func(int, *http.Request) (*http.Response, error), cfg Config) (*Transport, *fakeRT) {
	rt := &fakeRT{respond: respond}
	cfg.HTTPClient = &http.Client{Transport: rt}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 2
	}
	return New(cfg), rt
}

// get is a request with the config's retry policy.
func get(url string) *Request {
	return &Request{Method: http.MethodGet, URL: url, MaxRetries: -1}
}

// post is a non-idempotent request with a body and the config's retry policy.
func post(url string, body string) *Request {
	return &Request{Method: http.MethodPost, URL: url, Body: []byte(body), MaxRetries: -1}
}

const testURL = "https://api.example.test/projects/p1/sdk/me"

// mustDo runs Do with t's context and fails the test on an error.
func mustDo(t *testing.T, tr *Transport, r *Request) *Response {
	t.Helper()
	resp, err := tr.Do(t.Context(), r)
	require.NoError(t, err)
	require.NotNil(t, resp)
	return resp
}

// readerFunc adapts a function to io.Reader.
type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// brokenBody yields prefix and then fails with err.
func brokenBody(prefix string, err error) io.ReadCloser {
	r := strings.NewReader(prefix)
	return io.NopCloser(readerFunc(func(p []byte) (int, error) {
		if r.Len() == 0 {
			return 0, err
		}
		return r.Read(p)
	}))
}
