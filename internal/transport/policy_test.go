package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatusRetryMatrix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method     string
		idempotent bool
		status     int
		attempts   int
	}{
		{http.MethodPost, false, 500, 1},
		{http.MethodPost, false, 502, 1},
		{http.MethodPost, false, 503, 1},
		{http.MethodPost, false, 504, 1},
		{http.MethodPost, false, 408, 1},
		{http.MethodPost, false, 429, 3},
		{http.MethodPost, true, 503, 3},
		{http.MethodPatch, false, 503, 1},
		{http.MethodGet, false, 503, 3},
		{http.MethodGet, false, 500, 3},
		{http.MethodGet, false, 408, 3},
		{http.MethodGet, false, 429, 3},
		{http.MethodHead, false, 500, 3},
		{http.MethodOptions, false, 504, 3},
		{http.MethodPut, false, 502, 3},
		{http.MethodDelete, false, 504, 3},
		{http.MethodGet, false, 501, 1},
		{http.MethodGet, false, 542, 1},
		{http.MethodGet, false, 400, 1},
		{http.MethodGet, false, 401, 1},
		{http.MethodGet, false, 404, 1},
		{http.MethodGet, false, 409, 1},
		{http.MethodGet, false, 505, 1},
		{http.MethodGet, false, 200, 1},
		{http.MethodPost, false, 201, 1},
		{http.MethodGet, false, 302, 1}, // a 3xx the client did not follow (no Location)
	}
	for _, tt := range tests {
		name := tt.method + "_" + strconv.Itoa(tt.status)
		if tt.idempotent {
			name += "_idempotent"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				tr, rt := newFake(always(tt.status), Config{})
				r := &Request{Method: tt.method, URL: testURL, Idempotent: tt.idempotent, Body: []byte("{}"), MaxRetries: -1}
				resp := mustDo(t, tr, r)
				assert.Equal(t, tt.status, resp.StatusCode)
				assert.Equal(t, tt.attempts, resp.Attempts)
				assert.Len(t, rt.calls(), tt.attempts)
			})
		})
	}
}

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestTransportErrorRetryMatrix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		getTries  int
		postTries int
	}{
		{"dial refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, 3, 3},
		{"dial timeout", &net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}, 3, 3},
		{"dns", &net.DNSError{Err: "no such host", Name: "api.example.test", IsNotFound: true}, 3, 3},
		{"proxy connect", &net.OpError{Op: "proxyconnect", Net: "tcp", Err: syscall.ECONNREFUSED}, 3, 3},
		{"server closed idle", errors.New("http: server closed idle connection"), 3, 3},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, 3, 1},
		{"broken pipe", &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}, 3, 1},
		{"eof", io.EOF, 3, 1},
		{"unexpected eof", io.ErrUnexpectedEOF, 3, 1},
		{"read timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}, 3, 1},
		{"unknown authority", x509.UnknownAuthorityError{}, 1, 1},
		{"hostname", x509.HostnameError{Host: "x"}, 1, 1},
		{"cert verification", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, 1, 1},
		{"tls record", tls.RecordHeaderError{Msg: "bad record"}, 1, 1},
		{"tls alert", tls.AlertError(42), 1, 1},
		{"unknown", errors.New("boom"), 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				for _, r := range []*Request{get(testURL), post(testURL, "{}")} {
					want := tt.getTries
					if r.Method == http.MethodPost {
						want = tt.postTries
					}
					tr, rt := newFake(failWith(tt.err), Config{})
					resp, err := tr.Do(t.Context(), r)
					require.Error(t, err, r.Method)
					assert.Nil(t, resp)
					assert.Len(t, rt.calls(), want, r.Method)
					require.ErrorIs(t, err, tt.err, r.Method) // the cause survives redaction
				}
			})
		})
	}
}

func TestRetryAfterRedirectFailureNotRetried(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tr, rt := newFake(always(http.StatusFound, "Location", "https://evil.example.test/steal"), Config{})
		tr.client.CheckRedirect = guardRedirect(CheckRedirect)
		_, err := tr.Do(t.Context(), get(testURL))
		require.ErrorIs(t, err, ErrRedirectRefused)
		assert.Len(t, rt.calls(), 1)
	})
}

func TestDialFailureAfterRedirectIsNotRetriedForPost(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		respond := func(n int, req *http.Request) (*http.Response, error) {
			if n == 1 {
				return reply(http.StatusSeeOther, "", "Location", "/first?page=2"), nil
			}
			return nil, dial // the POST was processed; the GET after 303 failed to dial
		}
		tr, rt := newFake(respond, Config{MaxRetries: 3})
		_, err := tr.Do(t.Context(), post("https://api.example.test/first", "{}"))
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
		assert.Len(t, rt.calls(), 2, "one POST and one redirected GET, no retry")
	})
}

// TestNoResendAfterRedirect: once a POST was answered with a redirect, it
// is never sent again, whatever the next hop answers (POST → 303 → GET →
// 429 used to re-send the POST).
func TestNoResendAfterRedirect(t *testing.T) {
	t.Parallel()
	for _, last := range []int{429, 503, 500} {
		synctest.Test(t, func(t *testing.T) {
			respond := func(n int, req *http.Request) (*http.Response, error) {
				if req.Method == http.MethodPost {
					return reply(http.StatusSeeOther, "", "Location", "/first"), nil
				}
				return reply(last, "", "Retry-After", "0"), nil
			}
			tr, rt := newFake(respond, Config{MaxRetries: 3})
			resp, err := tr.Do(t.Context(), post("https://api.example.test/first", "{}"))
			require.NoError(t, err)
			assert.Equal(t, last, resp.StatusCode)
			calls := rt.calls()
			require.Len(t, calls, 2, "the POST and the GET after 303, nothing more")
		})
	}
}

// TestRedirectConfinedToRoute: a hop may change the query, never the
// scheme, host, port or path; a call marked NoRedirects follows nothing.
func TestRedirectConfinedToRoute(t *testing.T) {
	t.Parallel()
	const first = "https://api.example.test/projects/p/sdk/proxy/close/lead/"
	for _, tt := range []struct {
		location string
		follow   bool
	}{
		{"/projects/p/sdk/proxy/close/lead/?_skip=100", true},
		{"https://api.example.test/projects/p/sdk/proxy/close/lead/", true},
		{"/projects/p/sdk/proxy/close/lead", false},
		{"/projects/p/sdk/proxy/close/lead/x", false},
		{"/projects/p/sdk/proxy/close/", false},
		{"/projects/p/sdk/credentials?includeAccountAuth=true", false},
		{"/projects/p/sdk/proxy/close/lead/../../salesforce/", false},
		{"/projects/p/sdk/proxy/close/lead%2F", false},
		{"/projects/p/sdk/proxy/close/%6cead/", false},
		{"http://api.example.test/projects/p/sdk/proxy/close/lead/", false},
		{"https://api.example.test:8443/projects/p/sdk/proxy/close/lead/", false},
		{"https://other.example.test/projects/p/sdk/proxy/close/lead/", false},
	} {
		synctest.Test(t, func(t *testing.T) {
			respond := func(n int, req *http.Request) (*http.Response, error) {
				if n == 1 {
					return reply(http.StatusTemporaryRedirect, "", "Location", tt.location), nil
				}
				return reply(200, `{}`), nil
			}
			tr, rt := newFake(respond, Config{MaxRetries: 2})
			tr.client.CheckRedirect = guardRedirect(CheckRedirect)
			r := get(first)
			r.Authorize = func(context.Context) (string, error) { return "Bearer tok", nil }
			resp, err := tr.Do(t.Context(), r)
			if tt.follow {
				require.NoError(t, err, tt.location)
				assert.Equal(t, 200, resp.StatusCode)
				assert.Len(t, rt.calls(), 2, tt.location)
				return
			}
			require.ErrorIs(t, err, ErrRedirectRefused, tt.location)
			assert.Len(t, rt.calls(), 1, "%s: refused and not retried", tt.location)

			// With NoRedirects the 3xx itself is the answer.
			tr, rt = newFake(respond, Config{MaxRetries: 2})
			r = get(first)
			r.NoRedirects = true
			resp, err = tr.Do(t.Context(), r)
			require.NoError(t, err)
			assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode)
			assert.Equal(t, tt.location, resp.Header.Get("Location"))
			assert.Len(t, rt.calls(), 1)
		})
	}
}

func TestBackoffBoundsAndJitterAtCap(t *testing.T) {
	t.Parallel()
	const (
		initial = 100 * time.Millisecond
		maxWait = time.Second
	)
	var atCap []time.Duration
	synctest.Test(t, func(t *testing.T) {
		for range 20 {
			tr, rt := newFake(always(503), Config{MaxRetries: 6, InitialBackoff: initial, MaxBackoff: maxWait})
			resp := mustDo(t, tr, get(testURL))
			require.Equal(t, 7, resp.Attempts)
			for n, gap := range rt.gaps() {
				capped := min(maxWait, initial<<n)
				assert.GreaterOrEqual(t, gap, capped/2, "retry %d", n)
				assert.LessOrEqual(t, gap, capped, "retry %d", n)
				if capped == maxWait {
					atCap = append(atCap, gap)
				}
			}
		}
	})
	distinct := map[time.Duration]bool{}
	for _, d := range atCap {
		distinct[d] = true
	}
	assert.Greater(t, len(distinct), len(atCap)/2, "jitter must still spread waits at the cap: %v", atCap)
}

func TestBackoffDoesNotOverflow(t *testing.T) {
	t.Parallel()
	tr := New(Config{HTTPClient: &http.Client{}, InitialBackoff: time.Hour, MaxBackoff: 8 * time.Second})
	for _, n := range []int{0, 1, 30, 62, 63, 64, 1000} {
		d := tr.backoff(n)
		assert.GreaterOrEqual(t, d, 4*time.Second, n)
		assert.LessOrEqual(t, d, 8*time.Second, n)
	}
	tr = New(Config{HTTPClient: &http.Client{}})
	d := tr.backoff(0)
	assert.GreaterOrEqual(t, d, DefaultInitialBackoff/2)
	assert.LessOrEqual(t, d, DefaultInitialBackoff)
}

func TestServerHintTiming(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		kv   func() []string // header pairs, built at response time
		want time.Duration   // exact wait; 0 = backoff expected
	}{
		{"retry-after seconds", pairs("Retry-After", "3"), 3 * time.Second},
		{"retry-after zero", pairs("Retry-After", "0"), 0},
		{"retry-after date", func() []string {
			return []string{"Retry-After", time.Now().Add(7 * time.Second).UTC().Format(http.TimeFormat)}
		}, 7 * time.Second},
		{"retry-after-ms", pairs("Retry-After-Ms", "1500"), 1500 * time.Millisecond},
		{"retry-after-ms fractional", pairs("Retry-After-Ms", "250.5"), 250*time.Millisecond + 500*time.Microsecond},
		{"ratelimit fractional semicolons", pairs("RateLimit", "limit=160; remaining=0; reset=0.84"), 840 * time.Millisecond},
		{"ratelimit commas", pairs("RateLimit", "limit=60, remaining=0, reset=2"), 2 * time.Second},
		{"ratelimit beats retry-after", pairs("RateLimit", "limit=60, remaining=0, reset=1.5", "Retry-After", "2"), 1500 * time.Millisecond},
		{"ms beats ratelimit", pairs("Retry-After-Ms", "100", "RateLimit", "remaining=0, reset=5", "Retry-After", "9"), 100 * time.Millisecond},
		{"legacy reset", pairs("X-Rate-Limit-Reset", "2.25"), 2250 * time.Millisecond},
		{"retry-after beats legacy", pairs("Retry-After", "1", "X-Rate-Limit-Reset", "4"), time.Second},
		{"garbage falls to backoff", pairs("Retry-After", "soon"), -1},
		{"negative falls to backoff", pairs("Retry-After", "-5"), -1},
		{"garbage ms falls to next", pairs("Retry-After-Ms", "1e3", "Retry-After", "2"), 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				respond := func(int, *http.Request) (*http.Response, error) { return reply(429, "", tt.kv()...), nil }
				tr, rt := newFake(respond, Config{MaxRetries: 1, InitialBackoff: 10 * time.Second, MaxBackoff: 10 * time.Second})
				resp := mustDo(t, tr, post(testURL, "{}"))
				require.Equal(t, 2, resp.Attempts)
				gap := rt.gaps()[0]
				if tt.want < 0 {
					assert.GreaterOrEqual(t, gap, 5*time.Second)
					assert.LessOrEqual(t, gap, 10*time.Second)
					assert.Zero(t, resp.RetryAfter)
					return
				}
				assert.Equal(t, tt.want, gap)
				assert.Equal(t, tt.want, resp.RetryAfter, "RetryAfter comes from the final response")
			})
		})
	}
}

// pairs returns a header-pair builder for fixed values.
func pairs(kv ...string) func() []string { return func() []string { return kv } }

func TestHintOverMaxRetryAfterIsNotSlept(t *testing.T) {
	t.Parallel()
	for _, kv := range [][]string{
		{"Retry-After", "60"},
		{"Retry-After-Ms", "20001"},
		{"RateLimit", "limit=10; remaining=0; reset=45.5"},
	} {
		t.Run(kv[0], func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				tr, rt := newFake(always(429, kv...), Config{MaxRetryAfter: 20 * time.Second})
				start := time.Now()
				resp := mustDo(t, tr, get(testURL))
				assert.Zero(t, time.Since(start), "must not sleep")
				assert.Equal(t, 429, resp.StatusCode)
				assert.Equal(t, 1, resp.Attempts)
				assert.Len(t, rt.calls(), 1)
				want, ok := RetryAfter(resp.Header, start)
				require.True(t, ok)
				assert.Equal(t, want, resp.RetryAfter)
				assert.Greater(t, resp.RetryAfter, 20*time.Second)
			})
		})
	}
}

func TestRetryAfterSetOnNonRetriedResponses(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tr, _ := newFake(always(503, "Retry-After", "4"), Config{})
		resp := mustDo(t, tr, post(testURL, "{}")) // POST 503 is final
		assert.Equal(t, 1, resp.Attempts)
		assert.Equal(t, 4*time.Second, resp.RetryAfter)
	})
}

func TestDeadlineShorterThanWaitReturnsLastResult(t *testing.T) {
	t.Parallel()
	t.Run("hint", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			tr, rt := newFake(always(429, "Retry-After", "5"), Config{})
			start := time.Now()
			resp, err := tr.Do(ctx, get(testURL))
			require.NoError(t, err)
			assert.Zero(t, time.Since(start))
			assert.Equal(t, 429, resp.StatusCode)
			assert.Equal(t, 5*time.Second, resp.RetryAfter)
			assert.Len(t, rt.calls(), 1)
		})
	})
	t.Run("backoff", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
			defer cancel()
			tr, rt := newFake(always(503), Config{InitialBackoff: 2 * time.Second})
			start := time.Now()
			resp, err := tr.Do(ctx, get(testURL))
			require.NoError(t, err)
			assert.Zero(t, time.Since(start))
			assert.Equal(t, 503, resp.StatusCode)
			assert.Len(t, rt.calls(), 1)
		})
	})
	t.Run("second wait", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
			defer cancel()
			tr, _ := newFake(always(429, "Retry-After", "2"), Config{MaxRetries: 5})
			start := time.Now()
			resp, err := tr.Do(ctx, get(testURL))
			require.NoError(t, err)
			assert.Equal(t, 2*time.Second, time.Since(start))
			assert.Equal(t, 2, resp.Attempts)
		})
	})
	t.Run("transport error", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			tr, rt := newFake(failWith(io.EOF), Config{InitialBackoff: time.Second})
			_, err := tr.Do(ctx, get(testURL))
			require.ErrorIs(t, err, io.EOF)
			assert.Len(t, rt.calls(), 1)
		})
	})
}

func TestCancelStopsWait(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(100*time.Millisecond, cancel)
		budget := NewBudget(50)
		tr, rt := newFake(always(429, "Retry-After", "5"), Config{Budget: budget})
		start := time.Now()
		resp, err := tr.Do(ctx, get(testURL+"?token=secret"))
		require.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, resp)
		assert.Equal(t, 100*time.Millisecond, time.Since(start))
		assert.Len(t, rt.calls(), 1)
		assert.NotContains(t, err.Error(), "secret")
		assert.Equal(t, 50, budget.Available(), "an unsent retry is refunded")
	})
}

func TestCancelledContextIsNotRetried(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		respond := func(int, *http.Request) (*http.Response, error) {
			cancel() // the caller gives up while the server answers
			return reply(503, "busy"), nil
		}
		tr, rt := newFake(respond, Config{})
		resp, err := tr.Do(ctx, get(testURL))
		require.NoError(t, err)
		assert.Equal(t, 503, resp.StatusCode)
		assert.Len(t, rt.calls(), 1)
	})
}

func TestBodyRebuiltPerAttempt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		body := `{"event":"Contact Created","payload":{"n":1}}`
		respond := func(n int, req *http.Request) (*http.Response, error) {
			require.NotNil(t, req.GetBody)
			rc, err := req.GetBody()
			require.NoError(t, err)
			b, _ := io.ReadAll(rc)
			assert.Equal(t, body, string(b), "GetBody replays the body")
			if n < 3 {
				return reply(503, ""), nil
			}
			return reply(200, `{}`), nil
		}
		tr, rt := newFake(respond, Config{})
		r := post(testURL, body)
		r.Idempotent = true
		resp := mustDo(t, tr, r)
		assert.Equal(t, 3, resp.Attempts)
		for i, s := range rt.calls() {
			assert.Equal(t, body, string(s.body), "attempt %d", i+1)
			assert.Equal(t, int64(len(body)), s.length, "attempt %d", i+1)
		}
		assert.Equal(t, body, string(r.Body), "the caller's bytes are untouched")
	})
}

func TestAuthorizePerAttempt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		tr, rt := newFake(always(503), Config{})
		r := get(testURL)
		r.Header = http.Header{"X-Paragon-Credential": {"cred-1"}}
		r.Authorize = func(ctx context.Context) (string, error) {
			require.NoError(t, ctx.Err())
			calls++
			return "Bearer tok-" + strconv.Itoa(calls), nil
		}
		resp := mustDo(t, tr, r)
		require.Equal(t, 3, resp.Attempts)
		assert.Equal(t, 3, calls)
		for i, s := range rt.calls() {
			assert.Equal(t, "Bearer tok-"+strconv.Itoa(i+1), s.header.Get("Authorization"))
			assert.Equal(t, "cred-1", s.header.Get("X-Paragon-Credential"))
		}
		assert.Empty(t, r.Header.Get("Authorization"), "the caller's header map is not written")
	})
}

func TestAuthorizeErrorStopsCall(t *testing.T) {
	t.Parallel()
	errNoKey := errors.New("no signing key")
	tr, rt := newFake(always(200), Config{})
	r := get(testURL)
	r.Authorize = func(context.Context) (string, error) { return "", errNoKey }
	_, err := tr.Do(t.Context(), r)
	require.ErrorIs(t, err, errNoKey)
	assert.Empty(t, rt.calls())
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	tr, rt := newFake(always(200), Config{UserAgent: "paragon-go/0.1.0"})
	mustDo(t, tr, get(testURL))
	r := get(testURL)
	r.Header = http.Header{"User-Agent": {"mine/1.0"}}
	mustDo(t, tr, r)
	c := rt.calls()
	assert.Equal(t, "paragon-go/0.1.0", c[0].header.Get("User-Agent"))
	assert.Equal(t, "mine/1.0", c[1].header.Get("User-Agent"))
}

func TestRequestMaxRetriesOverride(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tr, _ := newFake(always(503), Config{MaxRetries: 2})
		r := get(testURL)
		r.MaxRetries = 0
		assert.Equal(t, 1, mustDo(t, tr, r).Attempts)
		r.MaxRetries = 4
		assert.Equal(t, 5, mustDo(t, tr, r).Attempts)
		r.MaxRetries = -1
		assert.Equal(t, 3, mustDo(t, tr, r).Attempts)
	})
}

func TestSuccessAfterRetry(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		respond := func(n int, _ *http.Request) (*http.Response, error) {
			switch n {
			case 1:
				return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
			case 2:
				return reply(502, "<html>bad gateway</html>"), nil
			}
			return reply(200, `{"ok":true}`, "X-Request-Id", "req-1"), nil
		}
		tr, _ := newFake(respond, Config{})
		resp := mustDo(t, tr, get(testURL))
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, 3, resp.Attempts)
		assert.JSONEq(t, `{"ok":true}`, string(resp.Body))
	})
}

func TestBrokenSuccessBody(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		respond := func(n int, _ *http.Request) (*http.Response, error) {
			r := reply(200, "")
			r.ContentLength = 100
			r.Body = brokenBody(`{"ok":`, io.ErrUnexpectedEOF)
			if n > 1 {
				r = reply(200, `{"ok":true}`)
			}
			return r, nil
		}
		tr, rt := newFake(respond, Config{})
		resp := mustDo(t, tr, get(testURL))
		assert.Equal(t, 2, resp.Attempts, "an idempotent read that broke off is retried")
		assert.JSONEq(t, `{"ok":true}`, string(resp.Body))
		assert.Len(t, rt.calls(), 2)

		tr, rt = newFake(respond, Config{})
		_, err := tr.Do(t.Context(), post(testURL+"?q=secret", "{}"))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Contains(t, err.Error(), "reading response body")
		assert.NotContains(t, err.Error(), "secret")
		assert.Len(t, rt.calls(), 1, "a POST that got a 2xx is never retried")
	})
}
