package paragon_test

// Hostile-server tests: real loopback servers that misbehave on purpose, driven
// through the public API (GetUser, Event, Request and raw Request). Each
// misbehaviour must end in a typed, readable error, on time, with the number
// of attempts DESIGN.md allows, and never with a token sent where it must not
// go.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// hostileEnv is a loopback server running a hostile handler, and a client
// whose three services all point at it.
type hostileEnv struct {
	srv  *httptest.Server
	c    *paragon.Client
	u    *paragon.User
	hits atomic.Int64
}

// fastRetries keeps the default retry count (two retries) with waits short
// enough for tests.
var fastRetries = paragon.WithRetryPolicy(paragon.RetryPolicy{
	MaxRetries: 2, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
})

func newHostileEnv(t *testing.T, h http.HandlerFunc, opts ...paragon.Option) *hostileEnv {
	t.Helper()
	_, pemBytes := signingKey(t)
	e := &hostileEnv{}
	// stop ends handlers that wait for the client at the end of the test:
	// net/http cancels a request's context on disconnect only once the
	// handler has read the body, and httptest.Server.Close waits for them.
	stop, stopAll := context.WithCancel(context.Background())
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		defer context.AfterFunc(stop, cancel)()
		h(w, r.WithContext(ctx))
	}))
	t.Cleanup(e.srv.Close)
	t.Cleanup(stopAll)
	c, err := paragon.NewClient(testProject, append([]paragon.Option{
		paragon.WithSigningKey(pemBytes),
		paragon.WithBaseURL(paragon.ServiceAPI, e.srv.URL),
		paragon.WithBaseURL(paragon.ServiceEvents, e.srv.URL),
		paragon.WithBaseURL(paragon.ServiceProxy, e.srv.URL),
		fastRetries,
	}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections) // runs before e.srv.Close
	e.c, e.u = c, c.User("user-1")
	return e
}

// hostileCall is one public API call the hostile servers are tried against.
type hostileCall struct {
	name string
	// idempotent calls are retried on 5xx and broken bodies; App Events are not.
	idempotent bool
	// raw calls stream: a 2xx is handed over as it arrives and never retried.
	raw bool
	// statusIsAnswer: a 2xx status is the whole answer (App Events); the
	// body is dropped, and nothing that happens to it is a failure.
	statusIsAnswer bool
	call           func(ctx context.Context, u *paragon.User) error
}

var hostileCalls = []hostileCall{
	{name: "GetUser", idempotent: true, call: func(ctx context.Context, u *paragon.User) error {
		_, err := u.GetUser(ctx)
		return err
	}},
	{name: "Event", statusIsAnswer: true, call: func(ctx context.Context, u *paragon.User) error {
		return u.Event(ctx, "Contact Created", map[string]any{"email": "ada@example.com"})
	}},
	{name: "Request", idempotent: true, call: func(ctx context.Context, u *paragon.User) error {
		_, err := paragon.RequestJSON[map[string]any](ctx, u, "close", "/lead/", nil)
		return err
	}},
	{name: "RequestRaw", idempotent: true, raw: true, call: func(ctx context.Context, u *paragon.User) error {
		resp, err := u.Request(ctx, "close", "/lead/", &paragon.RequestOptions{Raw: true})
		if err != nil {
			return err
		}
		defer func() { _ = resp.Close() }()
		var v any
		return resp.Decode(&v)
	}},
}

// writeRaw hijacks the connection, writes s as the whole response and
// closes the connection: the way to send a broken HTTP response.
func writeRaw(w http.ResponseWriter, s string) {
	conn, bw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_, _ = bw.WriteString(s)
	_ = bw.Flush()
	_ = conn.Close()
}

// checkReadable asserts the error text is one line, names the call and
// carries no token or key.
func checkReadable(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "paragon: "), "error %q should say where it comes from", msg)
	assert.NotContains(t, msg, "\n")
	assert.NotContains(t, msg, "eyJ", "a JWT in the error")
	assert.NotContains(t, msg, "Bearer")
	assert.Less(t, len(msg), 600, "error text too long: %q", msg)
}

func TestHostileServers(t *testing.T) {
	t.Parallel()
	type want struct {
		attempts int     // requests the server saw
		is       []error // errors.Is targets; none = the call succeeds
		as       any     // errors.As target pointer, if any
		check    func(t *testing.T, err error)
	}
	isURLError := func(t *testing.T, err error) {
		var ue *url.Error
		require.ErrorAs(t, err, &ue)
		assert.NotContains(t, ue.URL, "?", "query in a transport error")
	}
	cases := []struct {
		name    string
		handler http.HandlerFunc
		want    func(c hostileCall) want
	}{{
		// The status line and headers arrive, then the connection drops
		// 20 bytes into a 1000-byte body.
		name: "dropped mid-body",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			writeRaw(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"+`{"authenticated":tr`)
		},
		want: func(c hostileCall) want {
			switch {
			case c.raw: // the stream was handed over; it breaks while decoding
				return want{attempts: 1, is: []error{io.ErrUnexpectedEOF}}
			case c.idempotent:
				return want{attempts: 3, is: []error{io.ErrUnexpectedEOF}, check: isURLError}
			}
			// An App Event answered 200 was accepted: what happens to the
			// body after the status can't undo that (spec §5.7).
			return want{attempts: 1}
		},
	}, {
		name: "truncated JSON",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"authenticated": true, "output": {"id": "lead_1", "na`)
		},
		want: func(c hostileCall) want {
			if c.name == "Event" { // a 2xx is the acceptance; Event reads no body
				return want{attempts: 1}
			}
			if c.raw {
				return want{attempts: 1, is: []error{io.ErrUnexpectedEOF}}
			}
			return want{attempts: 1, is: []error{paragon.ErrInvalidResponse}, as: new(*json.SyntaxError)}
		},
	}, {
		name: "HTML 502 page",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"+
				"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>"+strings.Repeat("<!-- pad -->", 100)+"</body></html>")
		},
		want: func(c hostileCall) want {
			attempts := 1
			if c.idempotent {
				attempts = 3
			}
			return want{attempts: attempts, check: func(t *testing.T, err error) {
				var pe *paragon.Error
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, http.StatusBadGateway, pe.StatusCode)
				assert.Equal(t, "502 Bad Gateway", pe.Message, "the page's title")
				assert.Contains(t, err.Error(), "502 Bad Gateway: 502 Bad Gateway")
				assert.NotContains(t, err.Error(), "<")
			}}
		},
	}, {
		// Found by FuzzErrorDecode: a title that is not valid UTF-8 used
		// to panic the error decoder (offsets taken from bytes.ToLower).
		name: "HTML 500 page, title not UTF-8",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "<!DOCTYPE html><html><TITLE>\xff\xfe\xfd Internal \xc1\xbc</TITLE>")
		},
		want: func(c hostileCall) want {
			attempts := 1
			if c.idempotent {
				attempts = 3
			}
			return want{attempts: attempts, check: func(t *testing.T, err error) {
				var pe *paragon.Error
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, http.StatusInternalServerError, pe.StatusCode)
				assert.True(t, utf8.ValidString(pe.Message), "%q", pe.Message)
				assert.Contains(t, pe.Message, "Internal")
			}}
		},
	}, {
		name: "wrong Content-Type (HTML on 200)",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, "<html><body>Welcome to our captive portal</body></html>")
		},
		want: func(c hostileCall) want {
			switch {
			case c.name == "Event":
				return want{attempts: 1}
			case c.name == "GetUser":
				return want{attempts: 1, is: []error{paragon.ErrInvalidResponse}, as: new(*json.SyntaxError),
					check: func(t *testing.T, err error) { assert.Contains(t, err.Error(), "text/html") }}
			case c.name == "Request":
				// A proxy answer that says it is HTML is not parsed: the
				// call succeeds, and decoding it as JSON says why it can't.
				return want{attempts: 1, is: []error{paragon.ErrInvalidResponse},
					check: func(t *testing.T, err error) { assert.Contains(t, err.Error(), "text/html") }}
			}
			return want{attempts: 1, is: []error{paragon.ErrInvalidResponse}, as: new(*json.SyntaxError)}
		},
	}, {
		name: "empty 200 body",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
		},
		want: func(c hostileCall) want {
			if c.name == "Event" {
				return want{attempts: 1}
			}
			return want{attempts: 1, is: []error{paragon.ErrInvalidResponse},
				check: func(t *testing.T, err error) { assert.Contains(t, err.Error(), "empty") }}
		},
	}}
	for _, tc := range cases {
		for _, c := range hostileCalls {
			t.Run(tc.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				e := newHostileEnv(t, tc.handler)
				w := tc.want(c)
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				defer cancel()
				err := c.call(ctx, e.u)
				assert.EqualValues(t, w.attempts, e.hits.Load(), "attempts")
				if len(w.is) == 0 && w.check == nil {
					require.NoError(t, err)
					return
				}
				require.Error(t, err)
				t.Logf("error: %v", err)
				checkReadable(t, err)
				for _, target := range w.is {
					assert.ErrorIs(t, err, target)
				}
				if w.as != nil {
					assert.ErrorAs(t, err, w.as)
				}
				if w.check != nil {
					w.check(t, err)
				}
				assert.NotErrorIs(t, err, paragon.ErrInvalidInput, "the server's fault, not the caller's")
			})
		}
	}
}

// TestHostileDeadlines: a server that never answers, or answers a byte at a
// time, can't hold a call past its context: a 100 ms deadline returns within
// 200 ms with context.DeadlineExceeded in the chain.
func TestHostileDeadlines(t *testing.T) {
	t.Parallel()
	handlers := map[string]http.HandlerFunc{
		"never answers": func(_ http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		},
		"slow headers": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
				w.WriteHeader(http.StatusOK)
			}
		},
		// Event drops the body: its 200 is the answer, on time.
		"slow body": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"output": [`)
			for range 1000 {
				_, _ = io.WriteString(w, " ")
				if http.NewResponseController(w).Flush() != nil {
					return
				}
				select {
				case <-r.Context().Done():
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		},
	}
	for name, h := range handlers {
		for _, c := range hostileCalls {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				onTime(t, func() time.Duration {
					e := newHostileEnv(t, h)
					ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
					defer cancel()
					start := time.Now()
					err := c.call(ctx, e.u)
					elapsed := time.Since(start)
					if name == "slow body" && c.statusIsAnswer {
						require.NoError(t, err, "the 200 arrived before the deadline")
						assert.EqualValues(t, 1, e.hits.Load())
						return elapsed
					}
					require.Error(t, err)
					t.Logf("after %v: %v", elapsed, err)
					assert.ErrorIs(t, err, context.DeadlineExceeded)
					assert.EqualValues(t, 1, e.hits.Load(), "no retry once the context is done")
					checkReadable(t, err)
					return elapsed
				})
			})
		}
	}
}

// onTime asserts that a call with a 100 ms deadline returned within 200 ms.
// A loaded 2-core machine running the whole suite can starve one sample,
// so the call is tried up to three times and the fastest counts; a call
// that really waits for the server, a retry or a drain is late every time.
func onTime(t *testing.T, call func() time.Duration) {
	t.Helper()
	var samples []time.Duration
	for range 3 {
		d := call()
		samples = append(samples, d)
		if d < 200*time.Millisecond || t.Failed() {
			return
		}
	}
	t.Errorf("the call outlived its 100 ms context every time: %v", samples)
}

// TestHostileListenerNeverAccepts: the TCP handshake completes (the kernel
// queues the connection) but nobody ever reads the request.
func TestHostileListenerNeverAccepts(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	_, pemBytes := signingKey(t)
	base := "http://" + ln.Addr().String()
	c, err := paragon.NewClient(testProject, paragon.WithSigningKey(pemBytes),
		paragon.WithBaseURL(paragon.ServiceAPI, base), paragon.WithBaseURL(paragon.ServiceEvents, base),
		paragon.WithBaseURL(paragon.ServiceProxy, base), fastRetries)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	for _, call := range hostileCalls {
		onTime(t, func() time.Duration {
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := call.call(ctx, c.User("user-1"))
			elapsed := time.Since(start)
			require.Error(t, err, call.name)
			assert.ErrorIs(t, err, context.DeadlineExceeded, call.name)
			return elapsed
		})
	}
}

// gzipBomb returns a gzip stream that inflates to n MiB of zeros: one small
// member repeated (gzip readers read concatenated members as one stream),
// about 1 KiB on the wire per MiB inflated.
func gzipBomb(t *testing.T, mib int) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write(make([]byte, 1<<20))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return bytes.Repeat(member.Bytes(), mib)
}

// serveHuge writes n bytes of JSON-looking filler without holding them in
// memory. declared sets Content-Length; otherwise the body is chunked.
func serveHuge(status int, n int64, declared bool) http.HandlerFunc {
	chunk := bytes.Repeat([]byte(" "), 64<<10)
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if declared {
			w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		}
		w.WriteHeader(status)
		if _, err := io.WriteString(w, `{"output": "`); err != nil {
			return
		}
		for sent := int64(12); sent < n; sent += int64(len(chunk)) {
			if _, err := w.Write(chunk[:min(int64(len(chunk)), n-sent)]); err != nil {
				return // the client hung up, as it should
			}
		}
	}
}

func serveGzip(status int, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// allocatedDuring returns the bytes the whole process allocated while fn ran.
func allocatedDuring(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHostileHugeBodies: a 1 GiB body (declared or chunked) and a gzip bomb
// inflating to 1 GiB both end in ErrResponseTooLarge after one attempt, and
// the client allocates about its limit, not the body. These subtests run one
// at a time, outside the parallel phase, so that the process-wide allocation
// count is this test's alone.
//
//nolint:paralleltest,tparallel // measures process-wide allocation
func TestHostileHugeBodies(t *testing.T) {
	const gib = int64(1) << 30
	const limit = 1 << 20
	bomb := gzipBomb(t, 1024)
	require.Less(t, len(bomb), 4<<20, "the bomb is small on the wire")
	cases := []struct {
		name     string
		handler  http.HandlerFunc
		opts     []paragon.Option
		maxAlloc uint64
	}{
		{"1 GiB declared", serveHuge(200, gib, true), []paragon.Option{paragon.WithMaxResponseBytes(limit)}, 8 << 20},
		{"1 GiB chunked", serveHuge(200, gib, false), []paragon.Option{paragon.WithMaxResponseBytes(limit)}, 16 << 20},
		// bytes.Buffer doubling: about 4× the limit allocated in all (8×
		// under -race, where growslice allocates twice), 2× at the peak.
		{"1 GiB chunked, default 32 MiB limit", serveHuge(200, gib, false), nil, 10 * paragon.DefaultMaxResponseBytes},
		{"gzip bomb", serveGzip(200, bomb), []paragon.Option{paragon.WithMaxResponseBytes(limit)}, 16 << 20},
	}
	for _, tc := range cases {
		for _, c := range hostileCalls {
			if c.raw {
				continue // raw responses stream; see TestHostileRawHugeBody
			}
			if tc.opts == nil && c.name != "GetUser" {
				continue // reading 32 MiB takes a while under -race; once is enough
			}
			t.Run(tc.name+"/"+c.name, func(t *testing.T) {
				e := newHostileEnv(t, tc.handler, tc.opts...)
				var err error
				start := time.Now()
				alloc := allocatedDuring(func() { err = c.call(t.Context(), e.u) })
				t.Logf("%v, %d KiB allocated: %v", time.Since(start), alloc>>10, err)
				assert.Less(t, alloc, tc.maxAlloc, "memory grew with the body")
				if c.statusIsAnswer {
					require.NoError(t, err, "a 2xx status is the acceptance; the body is dropped unread")
					assert.EqualValues(t, 1, e.hits.Load())
					return
				}
				require.Error(t, err)
				assert.ErrorIs(t, err, paragon.ErrResponseTooLarge)
				checkReadable(t, err)
				assert.EqualValues(t, 1, e.hits.Load(), "an oversized body is final")
				assert.Less(t, alloc, tc.maxAlloc, "memory grew with the body")
			})
		}
	}
}

// TestHostileHugeErrorBodies: error answers are capped at 64 KiB whatever
// their size or encoding, and still yield a *paragon.Error.
func TestHostileHugeErrorBodies(t *testing.T) {
	t.Parallel()
	bomb := gzipBomb(t, 1024)
	for name, h := range map[string]http.HandlerFunc{
		"1 GiB 400":       serveHuge(http.StatusBadRequest, 1<<30, false),
		"gzip bomb 400":   serveGzip(http.StatusBadRequest, bomb),
		"1 GiB 400 (len)": serveHuge(http.StatusBadRequest, 1<<30, true),
	} {
		for _, c := range hostileCalls {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				e := newHostileEnv(t, h)
				start := time.Now()
				err := c.call(t.Context(), e.u)
				var pe *paragon.Error
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, http.StatusBadRequest, pe.StatusCode)
				assert.LessOrEqual(t, len(pe.Body), 64<<10)
				assert.EqualValues(t, 1, e.hits.Load())
				assert.Less(t, time.Since(start), 10*time.Second)
				checkReadable(t, err)
			})
		}
	}
}

// TestHostileRawHugeBody: a raw (streamed) response is not limited by the
// SDK, but the caller can read a little of a 1 GiB body and Close it at once
// without the SDK draining the rest.
func TestHostileRawHugeBody(t *testing.T) {
	t.Parallel()
	e := newHostileEnv(t, serveHuge(200, 1<<30, true))
	resp, err := e.u.Request(t.Context(), "close", "/files/big.bin", &paragon.RequestOptions{Raw: true})
	require.NoError(t, err)
	head := make([]byte, 4096)
	_, err = io.ReadFull(resp.Body, head)
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, resp.Close())
	assert.Less(t, time.Since(start), time.Second, "Close drained the body")
}

// TestHostileRedirectsStayInRoute: no redirect hop leaves the route the
// call started in, so the user's token never reaches another host or
// another route of the same host (another integration's proxy route,
// /sdk/credentials with the raw provider secrets), whatever the status and
// even when the caller's own CheckRedirect allows everything. Proxy calls
// follow no redirect at all: the 3xx is the third party's answer, with its
// Location. Nothing is retried.
func TestHostileRedirectsStayInRoute(t *testing.T) {
	t.Parallel()
	targets := map[string]func(other string) string{
		"other host":        func(other string) string { return other + "/projects/" + testProject + "/sdk/me" },
		"other integration": func(string) string { return "/projects/" + testProject + "/sdk/proxy/salesforce/sobjects/" },
		"credentials":       func(string) string { return "/projects/" + testProject + "/sdk/credentials?includeAccountAuth=true" },
		"other Close route": func(string) string { return "/projects/" + testProject + "/sdk/proxy/close/lead/lead_9/" },
		"dot segments":      func(string) string { return "/projects/" + testProject + "/sdk/proxy/close/lead/../../salesforce/" },
		"encoded dot segments": func(string) string {
			return "/projects/" + testProject + "/sdk/proxy/close/lead/%2e%2e/%2e%2e/salesforce/"
		},
		"another project":       func(string) string { return "/projects/other-project/sdk/me" },
		"scheme-relative, host": func(other string) string { return "//" + strings.TrimPrefix(other, "http://") + "/x" },
	}
	for _, permissive := range []bool{false, true} {
		for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			for tname, target := range targets {
				for _, c := range hostileCalls {
					t.Run(fmt.Sprintf("permissive=%v/%d/%s/%s", permissive, status, tname, c.name), func(t *testing.T) {
						t.Parallel()
						var otherHits atomic.Int64
						other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
							otherHits.Add(1)
							w.Header().Set("Content-Type", "application/json")
							_, _ = io.WriteString(w, `{"authenticated": true, "output": {}}`)
						}))
						t.Cleanup(other.Close)
						var opts []paragon.Option
						if permissive {
							opts = append(opts, paragon.WithHTTPClient(&http.Client{
								Transport:     &http.Transport{}, // closed by the env's CloseIdleConnections
								CheckRedirect: func(*http.Request, []*http.Request) error { return nil },
							}))
						}
						var (
							first   atomic.Int64
							elsewhr atomic.Int64
							loc     = target(other.URL)
						)
						e := newHostileEnv(t, func(w http.ResponseWriter, r *http.Request) {
							if first.Add(1) == 1 {
								assert.True(t, strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ey"), "the first hop gets the token")
								w.Header().Set("Location", loc)
								w.WriteHeader(status)
								return
							}
							elsewhr.Add(1) // a later hop, on this host
							w.Header().Set("Content-Type", "application/json")
							_, _ = io.WriteString(w, `[{"id": "cred-1", "accountAuth": {"apiKey": "provider-secret"}}]`)
						}, opts...)
						err := c.call(t.Context(), e.u)
						require.Error(t, err, "a redirect out of the route is never a success")
						assert.EqualValues(t, 1, e.hits.Load(), "one request, no hop, no retry")
						assert.Zero(t, elsewhr.Load())
						assert.Zero(t, otherHits.Load())
						assert.NotContains(t, err.Error(), "provider-secret")
						checkReadable(t, err)
						var pe *paragon.Error
						if c.name == "Request" || c.name == "RequestRaw" {
							// The proxy follows nothing: the 3xx is the answer.
							require.ErrorAs(t, err, &pe)
							assert.Equal(t, status, pe.StatusCode)
							assert.Equal(t, loc, pe.Header.Get("Location"))
							return
						}
						if !errors.Is(err, paragon.ErrRedirectRefused) {
							// A POST answered 307/308: its body can't be
							// re-sent, so net/http hands back the 3xx.
							require.ErrorAs(t, err, &pe)
							assert.Equal(t, status, pe.StatusCode)
						}
					})
				}
			}
		}
	}
}

// TestHostileProxyRedirectAnyMethod: a proxy DELETE, PUT or PATCH
// answered with a same-host 307 to another integration's route is not
// followed: nothing reaches that route, and the 307 is the answer.
func TestHostileProxyRedirectAnyMethod(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodDelete, http.MethodPut, http.MethodPatch, http.MethodGet} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			var elsewhere atomic.Int64
			e := newHostileEnv(t, func(w http.ResponseWriter, r *http.Request) {
				if strings.Contains(r.URL.Path, "/sdk/proxy/close/") {
					elsewhere.Add(1)
				}
				http.Redirect(w, r, "/projects/"+testProject+"/sdk/proxy/close/lead/lead_1/", http.StatusTemporaryRedirect)
			})
			_, err := e.u.Request(t.Context(), "salesforce", "/sobjects/Lead/1", &paragon.RequestOptions{Method: method})
			var pe *paragon.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, http.StatusTemporaryRedirect, pe.StatusCode)
			assert.EqualValues(t, 1, e.hits.Load())
			assert.Zero(t, elsewhere.Load(), "the redirect reached another integration's route")
		})
	}
}

// TestHostileRedirectWithinRoute: a redirect that keeps the route (here
// only the query changes) is followed for calls that are not proxied, and
// keeps the token.
func TestHostileRedirectWithinRoute(t *testing.T) {
	t.Parallel()
	var auth []string
	var mu sync.Mutex
	e := newHostileEnv(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.URL.RawQuery == "" {
			http.Redirect(w, r, r.URL.Path+"?hop=1", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"authenticated": true, "userId": "user-1"}`)
	})
	st, err := e.u.GetUser(t.Context())
	require.NoError(t, err)
	assert.True(t, st.Authenticated)
	require.Len(t, auth, 2)
	assert.Equal(t, auth[0], auth[1], "the same route keeps the token")
}

// TestHostileNoResendAfterRedirect: an App Event answered 303 is followed
// by a GET of the same route; when that GET is answered 429 (or anything
// else), the POST is never sent again (it used to be, twice).
func TestHostileNoResendAfterRedirect(t *testing.T) {
	t.Parallel()
	for _, final := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusOK} {
		t.Run(strconv.Itoa(final), func(t *testing.T) {
			t.Parallel()
			var posts, gets atomic.Int64
			e := newHostileEnv(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					posts.Add(1)
					http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
					return
				}
				gets.Add(1)
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(final)
			})
			err := e.u.Event(t.Context(), "Contact Created", map[string]any{"id": "c1"})
			if final == http.StatusOK {
				require.NoError(t, err)
			} else {
				var pe *paragon.Error
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, final, pe.StatusCode)
			}
			assert.EqualValues(t, 1, posts.Load(), "the POST went out once")
			assert.EqualValues(t, 1, gets.Load(), "and its redirect was followed once")
		})
	}
}

// TestHostileRedirectLoop: a server that redirects to the call's own route
// forever is given up on after five requests in all (as net/http counts
// its limit of 10) with ErrRedirectRefused, and the call is not retried. A
// proxy call follows no redirect, and a POST answered 307 is not re-sent:
// both get the 307 itself.
func TestHostileRedirectLoop(t *testing.T) {
	t.Parallel()
	for _, c := range hostileCalls {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newHostileEnv(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path, http.StatusTemporaryRedirect)
			})
			err := c.call(t.Context(), e.u)
			checkReadable(t, err)
			if c.name != "GetUser" {
				var pe *paragon.Error
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, http.StatusTemporaryRedirect, pe.StatusCode)
				assert.EqualValues(t, 1, e.hits.Load())
				return
			}
			require.ErrorIs(t, err, paragon.ErrRedirectRefused)
			assert.EqualValues(t, 5, e.hits.Load(), "five requests, and no retry")
		})
	}
}
