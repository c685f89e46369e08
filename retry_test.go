package paragon_test

// Retry correctness through the public client, end to end: which statuses and
// failures are retried for which calls, how long the client waits, and how
// the client-wide retry budget stops a retry storm. Time is fake
// (testing/synctest) and the network is a scripted http.RoundTripper, so the
// waits and attempt counts are exact. internal/transport has the unit
// tables; these go through paragon.Client and *paragon.User.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// rtSent is one request the scripted RoundTripper received.
type rtSent struct {
	method, path, auth string
	body               []byte
	at                 time.Time
}

// scriptRT answers each request with respond(n, req), n counting from 1.
type scriptRT struct {
	mu      sync.Mutex
	sent    []rtSent
	respond func(n int, req *http.Request) (*http.Response, error)
}

func (s *scriptRT) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	s.mu.Lock()
	s.sent = append(s.sent, rtSent{method: req.Method, path: req.URL.Path, auth: req.Header.Get("Authorization"), body: body, at: time.Now()})
	n := len(s.sent)
	respond := s.respond
	s.mu.Unlock()
	resp, err := respond(n, req)
	if resp != nil {
		resp.Request = req
	}
	return resp, err
}

func (s *scriptRT) requests() []rtSent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]rtSent(nil), s.sent...)
}

func (s *scriptRT) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

func (s *scriptRT) setRespond(fn func(n int, req *http.Request) (*http.Response, error)) {
	s.mu.Lock()
	s.respond = fn
	s.mu.Unlock()
}

// gaps returns the waits between consecutive requests.
func (s *scriptRT) gaps() []time.Duration {
	reqs := s.requests()
	var out []time.Duration
	for i := 1; i < len(reqs); i++ {
		out = append(out, reqs[i].at.Sub(reqs[i-1].at))
	}
	return out
}

// answer builds a response; kv are header pairs.
func answer(status int, body string, kv ...string) *http.Response {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
	}
}

// okBody answers a success that every call of retryCalls can decode.
func okBody(req *http.Request) *http.Response {
	switch {
	case strings.HasSuffix(req.URL.Path, "/sdk/integrations"), strings.HasSuffix(req.URL.Path, "/sdk/credentials"):
		return answer(200, `[]`)
	case strings.Contains(req.URL.Path, "/sdk/events/trigger"):
		return answer(201, `{}`)
	}
	return answer(200, `{"authenticated": true, "output": {}}`)
}

// failing answers status (with header pairs kv) to every request.
func failing(status int, kv ...string) func(int, *http.Request) (*http.Response, error) {
	return func(int, *http.Request) (*http.Response, error) {
		return answer(status, `{"message": "failure", "code": "1000", "status": `+fmt.Sprint(status)+`}`, kv...), nil
	}
}

// newScripted returns a client over a scripted RoundTripper, with the
// default retry policy unless opts say otherwise. Call it inside the
// synctest bubble; get the key before entering it.
func newScripted(t *testing.T, pemBytes []byte, respond func(int, *http.Request) (*http.Response, error), opts ...paragon.Option) (*paragon.Client, *scriptRT) {
	t.Helper()
	rt := &scriptRT{respond: respond}
	c, err := paragon.NewClient(testProject, append([]paragon.Option{
		paragon.WithSigningKey(pemBytes),
		paragon.WithHTTPClient(&http.Client{Transport: rt}),
		paragon.WithBaseURL(paragon.ServiceAPI, apiBase),
		paragon.WithBaseURL(paragon.ServiceEvents, eventsBase),
		paragon.WithBaseURL(paragon.ServiceProxy, proxyBase),
	}, opts...)...)
	require.NoError(t, err)
	return c, rt
}

// retryCall is one public call with its HTTP method and whether DESIGN.md
// counts it as idempotent.
type retryCall struct {
	name       string
	method     string
	idempotent bool
	call       func(ctx context.Context, u *paragon.User) error
	// trigger: a workflow trigger, never retried on a status (its Response
	// step may have set it).
	trigger bool
	// statusIsAnswer: a 2xx status is the whole answer (App Events): a body
	// that breaks off afterwards is no failure.
	statusIsAnswer bool
}

func proxyCall(method string, opts ...paragon.CallOption) func(ctx context.Context, u *paragon.User) error {
	return func(ctx context.Context, u *paragon.User) error {
		_, err := u.Request(ctx, "close", "/lead/lead_1/", &paragon.RequestOptions{Method: method, Body: map[string]any{"name": "Acme"}}, opts...)
		return err
	}
}

var retryCalls = []retryCall{
	{name: "GetUser", method: "GET", idempotent: true, call: func(ctx context.Context, u *paragon.User) error { _, err := u.GetUser(ctx); return err }},
	{name: "ListIntegrations", method: "GET", idempotent: true, call: func(ctx context.Context, u *paragon.User) error { _, err := u.ListIntegrations(ctx); return err }},
	{name: "ListCredentials", method: "GET", idempotent: true, call: func(ctx context.Context, u *paragon.User) error { _, err := u.ListCredentials(ctx, nil); return err }},
	{name: "DisableWorkflow", method: "DELETE", idempotent: true, call: func(ctx context.Context, u *paragon.User) error { return u.DisableWorkflow(ctx, "wf-1", pinned...) }},
	{name: "SetUserMetadata", method: "PATCH", idempotent: false, call: func(ctx context.Context, u *paragon.User) error {
		return u.SetUserMetadata(ctx, map[string]any{"Name": "Ada"})
	}},
	{name: "Event", method: "POST", statusIsAnswer: true, call: func(ctx context.Context, u *paragon.User) error {
		return u.Event(ctx, "Contact Created", map[string]any{"id": "c1"})
	}},
	{name: "Workflow", method: "POST", trigger: true, call: func(ctx context.Context, u *paragon.User) error {
		_, err := u.Workflow(ctx, "wf-1", &paragon.WorkflowParams{Body: map[string]any{"a": 1}})
		return err
	}},
	{name: "Workflow WithIdempotent", method: "POST", trigger: true, call: func(ctx context.Context, u *paragon.User) error {
		_, err := u.Workflow(ctx, "wf-1", &paragon.WorkflowParams{Body: map[string]any{"a": 1}}, paragon.WithIdempotent())
		return err
	}},
	{name: "EnableWorkflow", method: "POST", idempotent: false, call: func(ctx context.Context, u *paragon.User) error { return u.EnableWorkflow(ctx, "wf-1", pinned...) }},
	{name: "Request GET", method: "GET", idempotent: true, call: proxyCall("GET")},
	{name: "Request PUT", method: "PUT", idempotent: true, call: proxyCall("PUT")},
	{name: "Request DELETE", method: "DELETE", idempotent: true, call: proxyCall("DELETE")},
	{name: "Request POST", method: "POST", idempotent: false, call: proxyCall("POST")},
	{name: "Request PATCH", method: "PATCH", idempotent: false, call: proxyCall("PATCH")},
	{name: "Request POST WithIdempotent", method: "POST", idempotent: true, call: proxyCall("POST", paragon.WithIdempotent())},
}

// pinned names the account of workflow calls, so that they send no
// GET /sdk/me first.
var pinned = []paragon.CallOption{paragon.WithCredential("cred-1"), paragon.WithConfiguration("cfg-1")}

// TestRetryStatusMatrix: every status × every call, attempts exactly as
// DESIGN.md says: 429 retried for any method; 408/500/502/503/504 only for
// idempotent calls; other 4xx, 501 and 542 never; a workflow trigger never
// on any status (spec §5.6: its Response step may set it, so it ran); a
// Paragon 401 is re-signed and sent once more, for any call. Two retries by
// default.
func TestRetryStatusMatrix(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)
	type rule int
	const (
		never rule = iota
		anyMethod
		idempotentOnly
		resignOnce // a token failure: re-signed and sent once more
	)
	statuses := []struct {
		status int
		rule   rule
		is     error
	}{
		{400, never, nil}, {401, resignOnce, paragon.ErrUnauthorized}, {403, never, paragon.ErrUnauthorized},
		{404, never, paragon.ErrNotFound}, {409, never, nil}, {422, never, nil},
		{408, idempotentOnly, nil}, {500, idempotentOnly, nil}, {502, idempotentOnly, nil},
		{503, idempotentOnly, nil}, {504, idempotentOnly, nil},
		{429, anyMethod, paragon.ErrRateLimited},
		{501, never, nil}, {505, never, nil}, {542, never, paragon.ErrWorkflowTimeout},
	}
	for _, st := range statuses {
		for _, c := range retryCalls {
			t.Run(fmt.Sprintf("%d/%s", st.status, c.name), func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					cl, rt := newScripted(t, pemBytes, failing(st.status))
					err := c.call(t.Context(), cl.User("user-1"))
					want := 1
					if !c.trigger && (st.rule == anyMethod || st.rule == idempotentOnly && c.idempotent) {
						want = 3
					}
					if st.rule == resignOnce {
						want = 2
					}
					reqs := rt.requests()
					require.Len(t, reqs, want, "attempts")
					for _, r := range reqs {
						assert.Equal(t, c.method, r.method)
						assert.True(t, strings.HasPrefix(r.auth, "Bearer "), "every attempt is authorized")
						assert.Equal(t, string(reqs[0].body), string(r.body), "body rebuilt per attempt")
					}
					var pe *paragon.Error
					require.ErrorAs(t, err, &pe)
					assert.Equal(t, st.status, pe.StatusCode)
					if st.is != nil {
						assert.ErrorIs(t, err, st.is)
					}
				})
			})
		}
	}
}

// TestRetryThenSuccess: a call that fails retryably and then succeeds
// returns the success, having sent the request exactly as often as needed.
func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)
	for _, c := range retryCalls {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				cl, rt := newScripted(t, pemBytes, func(n int, req *http.Request) (*http.Response, error) {
					if n <= 2 {
						return answer(429, `{"message": "slow down"}`, "Retry-After", "1"), nil
					}
					return okBody(req), nil
				})
				err := c.call(t.Context(), cl.User("user-1"))
				if c.trigger {
					require.ErrorIs(t, err, paragon.ErrRateLimited, "the Response step's 429 is the answer")
					assert.Equal(t, 1, rt.count(), "a workflow is never re-run by a retry")
					return
				}
				require.NoError(t, err)
				assert.Equal(t, 3, rt.count())
				assert.Equal(t, []time.Duration{time.Second, time.Second}, rt.gaps(), "Retry-After honoured exactly")
			})
		})
	}
}

// TestRetryTransportFailures: connection failures before the request was
// written are retried for any call; failures after it may have arrived
// (resets, EOF, a 2xx body that breaks off) only for idempotent calls; TLS
// errors never. The cause stays in the error chain.
func TestRetryTransportFailures(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)
	brokenOK := func(_ int, req *http.Request) (*http.Response, error) {
		resp := answer(200, "")
		resp.ContentLength = -1
		resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"authenticated": tr`), errReader{io.ErrUnexpectedEOF}))
		return resp, nil
	}
	failures := []struct {
		name      string
		respond   func(int, *http.Request) (*http.Response, error)
		anyMethod bool // false: idempotent calls only
		never     bool
		is        error
	}{
		{name: "dial refused", anyMethod: true, is: syscall.ECONNREFUSED,
			respond: errAnswer(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})},
		{name: "DNS failure", anyMethod: true,
			respond: errAnswer(&net.DNSError{Err: "no such host", Name: "api.test", IsNotFound: true})},
		{name: "reset", is: syscall.ECONNRESET,
			respond: errAnswer(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})},
		{name: "EOF before response", is: io.EOF, respond: errAnswer(io.EOF)},
		{name: "2xx body broke off", is: io.ErrUnexpectedEOF, respond: brokenOK},
		{name: "TLS certificate", never: true,
			respond: errAnswer(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}})},
	}
	for _, f := range failures {
		for _, c := range retryCalls {
			t.Run(f.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					cl, rt := newScripted(t, pemBytes, f.respond)
					err := c.call(t.Context(), cl.User("user-1"))
					if f.name == "2xx body broke off" && c.statusIsAnswer {
						require.NoError(t, err, "a 2xx status is the acceptance")
						assert.Equal(t, 1, rt.count())
						return
					}
					require.Error(t, err)
					want := 1
					if !f.never && (f.anyMethod || c.idempotent && !c.trigger) {
						want = 3
					}
					assert.Equal(t, want, rt.count(), "attempts: %v", err)
					if f.is != nil {
						assert.ErrorIs(t, err, f.is)
					}
					var pe *paragon.Error
					assert.False(t, errors.As(err, &pe), "a transport failure is not an API error")
				})
			})
		}
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func errAnswer(err error) func(int, *http.Request) (*http.Response, error) {
	return func(int, *http.Request) (*http.Response, error) { return nil, err }
}

// TestRetryEventSentOnceOn500 is the rule in one line: an App Event that got
// a 5xx may have run, so it is not sent again.
func TestRetryEventSentOnceOn500(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)
	synctest.Test(t, func(t *testing.T) {
		cl, rt := newScripted(t, pemBytes, failing(500))
		err := cl.User("user-1").Event(t.Context(), "Deal Won", map[string]any{"id": 7})
		var pe *paragon.Error
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, 500, pe.StatusCode)
		assert.Equal(t, 1, rt.count())
	})
}

// TestRetryBackoffTiming: with the default policy a GET on 503 is tried
// three times, waiting 250–500 ms and then 500 ms–1 s (500 ms·2^n with
// equal jitter).
func TestRetryBackoffTiming(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)
	for i := range 20 { // jitter: several draws
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				cl, rt := newScripted(t, pemBytes, failing(503))
				start := time.Now()
				_, err := cl.User("user-1").GetUser(t.Context())
				require.ErrorAs(t, err, new(*paragon.Error))
				gaps := rt.gaps()
				require.Len(t, gaps, 2)
				assert.GreaterOrEqual(t, gaps[0], 250*time.Millisecond)
				assert.LessOrEqual(t, gaps[0], 500*time.Millisecond)
				assert.GreaterOrEqual(t, gaps[1], 500*time.Millisecond)
				assert.LessOrEqual(t, gaps[1], time.Second)
				assert.Equal(t, gaps[0]+gaps[1], time.Since(start), "no wait after the last attempt")
			})
		})
	}
}

// TestRetryServerHints: the server's requested wait is honoured exactly,
// in each of the header forms the SDK reads; garbage falls back to backoff;
// a wait past the context or past MaxRetryAfter is not slept on.
func TestRetryServerHints(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)
	hints := []struct {
		name string
		kv   []string
		gap  time.Duration // 0: the default backoff applies
	}{
		{"Retry-After seconds", []string{"Retry-After", "3"}, 3 * time.Second},
		{"Retry-After-Ms", []string{"Retry-After-Ms", "1500"}, 1500 * time.Millisecond},
		{"Close RateLimit reset", []string{"RateLimit", "limit=60, remaining=0, reset=0.84"}, 840 * time.Millisecond},
		{"Retry-After garbage", []string{"Retry-After", "soon"}, 0},
		{"Retry-After negative", []string{"Retry-After", "-5"}, 0},
	}
	for _, h := range hints {
		for _, c := range []retryCall{retryCalls[0], retryCalls[5]} { // GetUser, Event
			t.Run(h.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					cl, rt := newScripted(t, pemBytes, failing(429, h.kv...))
					err := c.call(t.Context(), cl.User("user-1"))
					require.ErrorIs(t, err, paragon.ErrRateLimited)
					gaps := rt.gaps()
					require.Len(t, gaps, 2)
					for i, g := range gaps {
						if h.gap > 0 {
							assert.Equal(t, h.gap, g)
						} else {
							lo := 250 * time.Millisecond << i
							assert.True(t, g >= lo && g <= 2*lo, "gap %d = %v, want backoff in [%v, %v]", i, g, lo, 2*lo)
						}
					}
				})
			})
		}
	}

	t.Run("Retry-After date", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			cl, rt := newScripted(t, pemBytes, func(int, *http.Request) (*http.Response, error) {
				return answer(429, `{}`, "Retry-After", time.Now().Add(4*time.Second).UTC().Format(http.TimeFormat)), nil
			})
			err := cl.User("user-1").Event(t.Context(), "E", nil)
			require.ErrorIs(t, err, paragon.ErrRateLimited)
			assert.Equal(t, []time.Duration{4 * time.Second, 4 * time.Second}, rt.gaps())
		})
	})

	t.Run("hint past the deadline is not slept on", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			cl, rt := newScripted(t, pemBytes, failing(429, "Retry-After", "3"))
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			start := time.Now()
			err := cl.User("user-1").Event(ctx, "E", nil)
			elapsed := time.Since(start)
			var pe *paragon.Error
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, err, paragon.ErrRateLimited)
			assert.Equal(t, 3*time.Second, pe.RetryAfter, "the caller learns the wait")
			assert.Equal(t, 2, rt.count(), "a third attempt would have been at 6 s, past the 5 s deadline")
			assert.Equal(t, 3*time.Second, elapsed, "waited at least Retry-After, returned before the deadline")
			assert.NoError(t, ctx.Err())
		})
	})

	t.Run("hint over MaxRetryAfter ends the call at once", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			cl, rt := newScripted(t, pemBytes, failing(429, "Retry-After", "30"))
			start := time.Now()
			err := cl.User("user-1").Event(t.Context(), "E", nil)
			var pe *paragon.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, 30*time.Second, pe.RetryAfter)
			assert.Contains(t, err.Error(), "retry after 30s")
			assert.Equal(t, 1, rt.count())
			assert.Zero(t, time.Since(start))
		})
	})

	t.Run("backoff past the deadline returns the last answer", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			cl, rt := newScripted(t, pemBytes, failing(503))
			ctx, cancel := context.WithTimeout(t.Context(), 600*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := cl.User("user-1").GetUser(ctx)
			var pe *paragon.Error
			require.ErrorAs(t, err, &pe, "the 503, not a deadline error")
			assert.Equal(t, 503, pe.StatusCode)
			assert.Equal(t, 2, rt.count(), "the second backoff (≥ 500 ms) would pass the deadline")
			assert.Less(t, time.Since(start), 600*time.Millisecond)
		})
	})

	t.Run("cancel during the wait", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			cl, rt := newScripted(t, pemBytes, failing(429, "Retry-After", "10"))
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			err := cl.User("user-1").Event(ctx, "E", nil)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, 100*time.Millisecond, time.Since(start))
			assert.Equal(t, 1, rt.count())
		})
	})
}

// TestRetryCountOptions: WithMaxRetries and WithCallRetries set the number
// of retries, client-wide and per call.
func TestRetryCountOptions(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)
	for _, tc := range []struct {
		name     string
		opts     []paragon.Option
		callOpts []paragon.CallOption
		want     int
	}{
		{"default", nil, nil, 3},
		{"WithMaxRetries(0)", []paragon.Option{paragon.WithMaxRetries(0)}, nil, 1},
		{"WithMaxRetries(4)", []paragon.Option{paragon.WithMaxRetries(4)}, nil, 5},
		{"WithCallRetries(0)", nil, []paragon.CallOption{paragon.WithCallRetries(0)}, 1},
		{"WithCallRetries(5) over WithMaxRetries(1)", []paragon.Option{paragon.WithMaxRetries(1)}, []paragon.CallOption{paragon.WithCallRetries(5)}, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				cl, rt := newScripted(t, pemBytes, failing(429, "Retry-After", "1"), tc.opts...)
				_, err := cl.User("user-1").GetUser(t.Context(), tc.callOpts...)
				require.ErrorIs(t, err, paragon.ErrRateLimited)
				assert.Equal(t, tc.want, rt.count())
			})
		})
	}
}

// TestRetryBudgetStopsStorm: during an outage the client-wide budget
// (500 tokens, 5 per retry, 1 back per clean first attempt) runs out after
// 100 retries, and from then on every call is tried once: the load on a
// failing server stays close to one request per call instead of three.
func TestRetryBudgetStopsStorm(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)

	t.Run("sequential", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			cl, rt := newScripted(t, pemBytes, failing(503, "Retry-After", "0"))
			var perCall []int
			for i := range 100 {
				before := rt.count()
				_, err := cl.User(fmt.Sprintf("user-%d", i%7)).GetUser(t.Context()) // budget is client-wide
				require.Error(t, err)
				perCall = append(perCall, rt.count()-before)
			}
			for i, n := range perCall {
				want := 3
				if i >= 50 { // 50 calls × 2 retries × 5 tokens = 500
					want = 1
				}
				assert.Equal(t, want, n, "call %d", i)
			}
			assert.Equal(t, 200, rt.count(), "100 calls: 200 requests, not 300")

			// Recovery: ten clean calls earn back ten tokens, enough for one
			// call's two retries, and no more.
			rt.setRespond(func(_ int, req *http.Request) (*http.Response, error) { return okBody(req), nil })
			for range 10 {
				_, err := cl.User("user-1").GetUser(t.Context())
				require.NoError(t, err)
			}
			rt.setRespond(failing(503, "Retry-After", "0"))
			before := rt.count()
			_, _ = cl.User("user-1").GetUser(t.Context())
			assert.Equal(t, 3, rt.count()-before, "the earned tokens pay for two retries")
			before = rt.count()
			_, _ = cl.User("user-1").GetUser(t.Context())
			assert.Equal(t, 1, rt.count()-before, "and then the budget is empty again")
		})
	})

	t.Run("200 concurrent callers", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			cl, rt := newScripted(t, pemBytes, failing(503))
			var wg sync.WaitGroup
			for i := range 200 {
				wg.Go(func() {
					_, err := cl.User(fmt.Sprintf("user-%d", i)).GetUser(t.Context())
					assert.Error(t, err)
				})
			}
			wg.Wait()
			// 200 first attempts + exactly 100 retries the budget paid for.
			assert.Equal(t, 300, rt.count(), "without the budget: 600")
		})
	})

	t.Run("budgets are per client", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			a, rtA := newScripted(t, pemBytes, failing(503, "Retry-After", "0"))
			b, rtB := newScripted(t, pemBytes, failing(503, "Retry-After", "0"))
			for range 60 {
				_, _ = a.User("user-1").GetUser(t.Context())
			}
			assert.Equal(t, 50*3+10, rtA.count())
			_, _ = b.User("user-1").GetUser(t.Context())
			assert.Equal(t, 3, rtB.count(), "another client's outage does not spend this one's budget")
		})
	})
}
