package transport

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordHandler keeps the records it is given.
type recordHandler struct {
	level   slog.Level
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h *recordHandler) WithGroup(string) slog.Handler                { return h }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

// attrs returns the records' attributes as strings.
func (h *recordHandler) attrs() []map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]string
	for _, r := range h.records {
		m := map[string]string{"msg": r.Message}
		r.Attrs(func(a slog.Attr) bool {
			m[a.Key] = a.Value.String()
			return true
		})
		out = append(out, m)
	}
	return out
}

func TestLogOneRecordPerAttempt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := &recordHandler{level: slog.LevelDebug}
		respond := func(n int, _ *http.Request) (*http.Response, error) {
			switch n {
			case 1:
				return reply(503, "secret body", "Retry-After", "1"), nil
			case 2:
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
			}
			return reply(200, `{"token":"secret"}`, "X-Paragon-Request-Id", "req-7", "Set-Cookie", "secret"), nil
		}
		tr, _ := newFake(respond, Config{Logger: slog.New(h), MaxRetries: 3})
		r := get("https://user:secret@api.example.test/projects/p1/sdk/me?token=secret")
		r.PathTemplate = "/projects/{project}/sdk/me"
		r.Header = http.Header{"X-Api-Key": {"secret"}}
		r.Authorize = func(context.Context) (string, error) { return "Bearer secret-jwt", nil }
		mustDo(t, tr, r)

		recs := h.attrs()
		require.Len(t, recs, 3)
		for i, rec := range recs {
			assert.Equal(t, "GET", rec["method"])
			assert.Equal(t, "api.example.test", rec["host"])
			assert.Equal(t, "/projects/{project}/sdk/me", rec["path_template"])
			assert.Equal(t, []string{"1", "2", "3"}[i], rec["attempt"])
			assert.Contains(t, rec, "duration")
			for k, v := range rec {
				assert.NotContains(t, v, "secret", "attribute %s", k)
				assert.NotContains(t, v, "p1", "attribute %s: the real path is not logged", k)
			}
		}
		assert.Equal(t, "503", recs[0]["status"])
		assert.Equal(t, "1s", recs[0]["retry_in"])
		assert.NotContains(t, recs[1], "status")
		assert.Contains(t, recs[1]["error"], "connection refused")
		assert.Equal(t, "200", recs[2]["status"])
		assert.Equal(t, "req-7", recs[2]["request_id"])
		assert.NotContains(t, recs[2], "retry_in")
	})
}

func TestLogSilentBelowDebug(t *testing.T) {
	t.Parallel()
	h := &recordHandler{level: slog.LevelInfo}
	tr, _ := newFake(always(200), Config{Logger: slog.New(h)})
	mustDo(t, tr, get(testURL))
	assert.Empty(t, h.attrs())
}

func TestErrorsAreRedacted(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		tr, _ := newFake(failWith(dial), Config{})
		r := get("https://user:pa55@api.example.test/projects/p1/sdk/me?token=s3cr3t&x=1#frag")
		r.Header = http.Header{"X-Api-Key": {"k3y"}}
		r.Authorize = func(context.Context) (string, error) { return "Bearer jwt-t0ken", nil }
		_, err := tr.Do(t.Context(), r)
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
		msg := err.Error()
		assert.Contains(t, msg, `Get "https://api.example.test/projects/p1/sdk/me"`)
		for _, secret := range []string{"user", "pa55", "s3cr3t", "frag", "k3y", "jwt-t0ken", "Bearer"} {
			assert.NotContains(t, msg, secret)
		}
	})

	for _, raw := range []string{
		"https://api.example.test/x?token=s3cr3t\x7f",
		"ht tp://api.example.test/?token=s3cr3t",
		"https://api.example.test:port/?token=s3cr3t",
	} {
		tr, rt := newFake(always(200), Config{})
		_, err := tr.Do(t.Context(), get(raw))
		require.Error(t, err, raw)
		assert.NotContains(t, err.Error(), "s3cr3t")
		assert.Empty(t, rt.calls())
	}
}

func TestContextErrorsSurviveRedaction(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		respond := func(_ int, req *http.Request) (*http.Response, error) {
			<-req.Context().Done()
			return nil, req.Context().Err()
		}
		tr, rt := newFake(respond, Config{})
		_, err := tr.Do(ctx, get(testURL+"?token=secret"))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotContains(t, err.Error(), "secret")
		assert.Len(t, rt.calls(), 1)
	})
}

func TestURLErrorOp(t *testing.T) {
	t.Parallel()
	for method, want := range map[string]string{"": "Get", "GET": "Get", "DELETE": "Delete", "PATCH": "Patch", "X": "X"} {
		assert.Equal(t, want, urlErrorOp(method))
	}
}

func TestCheckRedirect(t *testing.T) {
	t.Parallel()
	req := func(raw string) *http.Request {
		r, err := http.NewRequestWithContext(t.Context(), http.MethodGet, raw, nil)
		require.NoError(t, err)
		return r
	}
	first := req("https://api.useparagon.com/projects/p/sdk/me")
	via := []*http.Request{first}
	for _, ok := range []string{
		"https://api.useparagon.com/projects/p/sdk/me/",
		"https://API.useparagon.com:443/other",
	} {
		require.NoError(t, CheckRedirect(req(ok), via), ok)
	}
	for _, bad := range []string{
		"https://evil.example.com/projects/p/sdk/me",
		"http://api.useparagon.com/projects/p/sdk/me",
		"https://api.useparagon.com:8443/x",
		"https://sub.api.useparagon.com/x",
	} {
		err := CheckRedirect(req(bad), via)
		require.ErrorIs(t, err, ErrRedirectRefused, bad)
		assert.NotContains(t, err.Error(), "evil")
	}
	for range MaxRedirects - 1 {
		via = append(via, first)
	}
	require.ErrorIs(t, CheckRedirect(req("https://api.useparagon.com/x"), via), ErrRedirectRefused)
}

func TestNewHTTPTransport(t *testing.T) {
	t.Parallel()
	ht := NewHTTPTransport()
	assert.NotSame(t, http.DefaultTransport, ht)
	assert.NotNil(t, ht.Proxy)
	assert.NotNil(t, ht.DialContext)
	assert.True(t, ht.ForceAttemptHTTP2)
	assert.Equal(t, 256, ht.MaxIdleConns)
	assert.Equal(t, 32, ht.MaxIdleConnsPerHost)
	assert.Equal(t, 32, ht.MaxConnsPerHost)
	assert.Equal(t, 90*time.Second, ht.IdleConnTimeout)
	assert.Equal(t, 10*time.Second, ht.TLSHandshakeTimeout)
	assert.Equal(t, 65*time.Second, ht.ResponseHeaderTimeout)
	assert.Equal(t, time.Second, ht.ExpectContinueTimeout)
}

func TestNewLeavesClientAlone(t *testing.T) {
	t.Parallel()
	hc := &http.Client{Transport: &fakeRT{respond: always(200)}}
	tr := New(Config{HTTPClient: hc})
	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
	assert.Same(t, hc.Transport, tr.client.Transport)
	assert.Equal(t, DefaultMaxBodyBytes, int(tr.cfg.MaxBodyBytes))
	assert.Equal(t, DefaultMaxRetryAfter, tr.cfg.MaxRetryAfter)

	tr = New(Config{})
	t.Cleanup(tr.client.CloseIdleConnections)
	require.NotNil(t, tr.client)
	assert.IsType(t, &http.Transport{}, tr.client.Transport)
	assert.NotSame(t, http.DefaultTransport, tr.client.Transport)
}

// TestDialGate: at most MaxDialsPerHost dials to one address run at once,
// other addresses are not held up, and a waiting dial gives up with its
// context.
func TestDialGate(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var running, peak atomic.Int32
	g := &dialGate{hosts: map[string]chan struct{}{}, dial: func(ctx context.Context, _, addr string) (net.Conn, error) {
		if addr == "a:443" {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			<-release
			running.Add(-1)
		}
		return nil, errors.New("no network in this test")
	}}
	var wg sync.WaitGroup
	for range 3 * MaxDialsPerHost {
		wg.Go(func() { _, _ = g.DialContext(context.Background(), "tcp", "a:443") })
	}
	for running.Load() < MaxDialsPerHost {
		time.Sleep(time.Millisecond)
	}
	_, err := g.DialContext(context.Background(), "tcp", "b:443")
	require.EqualError(t, err, "no network in this test", "another address dials at once")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = g.DialContext(ctx, "tcp", "a:443")
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	wg.Wait()
	assert.Equal(t, int32(MaxDialsPerHost), peak.Load())
}

// TestDialGateHoldsTLSHandshakes: an HTTPS server that accepts connections
// and never answers the ClientHello gets no more than MaxDialsPerHost
// connections from a burst of calls, because a dial slot is held until the
// TLS handshake is done.
func TestDialGateHoldsTLSHandshakes(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepted atomic.Int32
	var conns sync.WaitGroup
	stop := make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			conns.Go(func() { <-stop; _ = c.Close() })
		}
	}()
	tr := NewHTTPTransport()
	tr.TLSHandshakeTimeout = 300 * time.Millisecond
	defer tr.CloseIdleConnections()
	var wg sync.WaitGroup
	errs := make(chan error, 4*MaxDialsPerHost)
	for range 4 * MaxDialsPerHost {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://"+ln.Addr().String()+"/", nil)
			resp, err := tr.RoundTrip(req)
			if err == nil {
				_ = resp.Body.Close()
			}
			errs <- err
		})
	}
	for deadline := time.Now().Add(5 * time.Second); accepted.Load() < MaxDialsPerHost && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	require.Equal(t, int32(MaxDialsPerHost), accepted.Load(), "the first dials are in their handshakes")
	time.Sleep(100 * time.Millisecond) // room for more dials, were any let through
	assert.LessOrEqual(t, accepted.Load(), int32(MaxDialsPerHost), "connections while the handshakes stall")
	wg.Wait()
	close(errs)
	for err := range errs {
		// The handshake timeout, as net/http reports it: a timeout, not the
		// caller's deadline.
		require.Error(t, err)
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
		var ne net.Error
		if assert.ErrorAs(t, err, &ne) {
			assert.True(t, ne.Timeout(), "%v", err)
		}
	}
	close(stop)
	_ = ln.Close()
	conns.Wait()
}

// TestDialTLSNegotiatesHTTP2 checks that the SDK's own TLS dial keeps what
// net/http would do: the caller's RootCAs, and HTTP/2 by ALPN.
func TestDialTLSNegotiatesHTTP2(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	tr := NewHTTPTransport()
	defer tr.CloseIdleConnections()
	tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	tr.TLSClientConfig.NextProtos = nil // as NewHTTPTransport's callers leave it
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "HTTP/2.0", string(body))
	assert.Equal(t, 2, resp.ProtoMajor)
}
