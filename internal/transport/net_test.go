package transport

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests use real sockets, so they run on the real clock with tiny
// backoffs rather than in a synctest bubble.

// countingRT counts the attempts that reach the network.
type countingRT struct {
	rt http.RoundTripper
	n  atomic.Int32
}

func (c *countingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(req)
}

// newReal returns a Transport over a fresh NewHTTPTransport, counting
// attempts, with fast retries. Idle connections are closed at cleanup.
func newReal(t *testing.T, checkRedirect func(*http.Request, []*http.Request) error) (*Transport, *countingRT) {
	t.Helper()
	ht := NewHTTPTransport()
	t.Cleanup(ht.CloseIdleConnections)
	rt := &countingRT{rt: ht}
	tr := New(Config{
		HTTPClient:     &http.Client{Transport: rt, CheckRedirect: checkRedirect},
		MaxRetries:     2,
		InitialBackoff: time.Millisecond,
		MaxBackoff:     2 * time.Millisecond,
	})
	return tr, rt
}

// newServer starts an httptest server closed at cleanup.
func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// hijackAndReset takes the connection from w, writes raw, and resets the
// connection (RST, not FIN) so the client sees a broken exchange.
func hijackAndReset(t *testing.T, w http.ResponseWriter, raw string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func TestRealDialFailureIsRetried(t *testing.T) {
	t.Parallel()
	// Port 0 is a closed port that no parallel test can open (binding to
	// it picks another port); a listener's port, once closed, could be
	// handed to the next httptest server.
	const addr = "127.0.0.1:0"

	for _, method := range []string{http.MethodGet, http.MethodPost} {
		tr, rt := newReal(t, CheckRedirect)
		r := &Request{Method: method, URL: "http://user:pw@" + addr + "/projects/p1/sdk/me?token=secret", Body: []byte("{}"), MaxRetries: -1}
		_, err := tr.Do(t.Context(), r)
		require.Error(t, err)
		assert.Equal(t, int32(3), rt.n.Load(), "%s: a refused dial never reached the server", method)
		var opErr *net.OpError
		require.ErrorAs(t, err, &opErr)
		assert.Equal(t, "dial", opErr.Op)
		msg := err.Error()
		assert.Contains(t, msg, "http://"+addr+"/projects/p1/sdk/me")
		for _, secret := range []string{"secret", "token", "pw", "user"} {
			assert.NotContains(t, msg, secret)
		}
	}
}

func TestRealResetMidBody(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if hits.Add(1) == 1 {
					hijackAndReset(t, w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ok\":")
					return
				}
				_, _ = io.WriteString(w, `{"ok":true}`)
			})
			tr, _ := newReal(t, CheckRedirect)
			resp, err := tr.Do(t.Context(), &Request{Method: method, URL: srv.URL + "/x?q=secret", Body: []byte("{}"), MaxRetries: -1})
			if method == http.MethodGet {
				require.NoError(t, err)
				assert.JSONEq(t, `{"ok":true}`, string(resp.Body))
				assert.Equal(t, 2, resp.Attempts)
				assert.Equal(t, int32(2), hits.Load())
				return
			}
			require.Error(t, err, "a POST whose 2xx broke off is not retried")
			assert.NotContains(t, err.Error(), "secret")
			assert.Equal(t, int32(1), hits.Load())
		})
	}
}

func TestRealResetBeforeResponse(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if hits.Add(1) == 1 {
					hijackAndReset(t, w, "") // the request arrived; no answer
					return
				}
				w.WriteHeader(http.StatusNoContent)
			})
			tr, rt := newReal(t, CheckRedirect)
			resp, err := tr.Do(t.Context(), &Request{Method: method, URL: srv.URL, Body: []byte("{}"), MaxRetries: -1})
			if method == http.MethodGet {
				require.NoError(t, err)
				assert.Equal(t, http.StatusNoContent, resp.StatusCode)
				assert.Equal(t, int32(2), hits.Load())
				return
			}
			require.Error(t, err)
			assert.Equal(t, int32(1), rt.n.Load())
			assert.Equal(t, int32(1), hits.Load(), "the POST may have been processed: not retried")
		})
	}
}

func TestRealCrossHostRedirect(t *testing.T) {
	t.Parallel()
	var otherHits atomic.Int32
	var otherAuth atomic.Value
	other := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		otherAuth.Store(r.Header.Get("Authorization"))
		_, _ = io.WriteString(w, "stolen")
	})
	origin := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/landing?x=1", http.StatusFound)
		case "/old":
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
		case "/new":
			if r.URL.Query().Get("from") == "old" {
				http.Redirect(w, r, "/new?from=self", http.StatusFound)
				return
			}
			_, _ = io.WriteString(w, r.Header.Get("Authorization"))
		}
	})
	authorize := func(r *Request) *Request {
		r.Authorize = func(context.Context) (string, error) { return "Bearer tok-secret", nil }
		return r
	}

	t.Run("refused by CheckRedirect", func(t *testing.T) {
		t.Parallel()
		tr, rt := newReal(t, CheckRedirect)
		_, err := tr.Do(t.Context(), authorize(get(origin.URL+"/away?sig=secret")))
		require.ErrorIs(t, err, ErrRedirectRefused)
		assert.Equal(t, int32(1), rt.n.Load(), "a refused redirect is not retried")
		assert.NotContains(t, err.Error(), "secret")
	})
	t.Run("refused even when the user's policy allows it", func(t *testing.T) {
		t.Parallel()
		allowAll := func(*http.Request, []*http.Request) error { return nil }
		tr, _ := newReal(t, allowAll)
		_, err := tr.Do(t.Context(), authorize(get(origin.URL+"/away")))
		require.ErrorIs(t, err, ErrRedirectRefused)
		assert.Equal(t, int32(0), otherHits.Load())
	})
	t.Run("same host, other path: refused", func(t *testing.T) {
		t.Parallel()
		tr, rt := newReal(t, CheckRedirect)
		_, err := tr.Do(t.Context(), authorize(get(origin.URL+"/old")))
		require.ErrorIs(t, err, ErrRedirectRefused)
		assert.Equal(t, int32(1), rt.n.Load())
	})
	t.Run("same route keeps Authorization", func(t *testing.T) {
		t.Parallel()
		tr, _ := newReal(t, CheckRedirect)
		resp := mustDo(t, tr, authorize(get(origin.URL+"/new?from=old")))
		assert.Equal(t, "Bearer tok-secret", string(resp.Body))
	})
}

func TestRealTLSErrorIsNotRetried(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tr, rt := newReal(t, CheckRedirect) // trusts only the system roots
	_, err := tr.Do(t.Context(), get(srv.URL))
	var certErr *tls.CertificateVerificationError
	require.ErrorAs(t, err, &certErr)
	assert.Equal(t, int32(1), rt.n.Load())
}

func TestRealServerDropsKeepAlive(t *testing.T) {
	t.Parallel()
	// The server closes every connection right after its answer without
	// saying so, so the client keeps reusing connections that are about to
	// die. GETs must all get through; a POST may fail (it went out on a
	// dead connection and is not retried), but must never be processed
	// twice, nor be lost while reported as done.
	var hits atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		hits.Add(1)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		_ = buf.Flush()
		_ = conn.Close()
	})
	tr, _ := newReal(t, CheckRedirect)
	for range 5 {
		resp := mustDo(t, tr, get(srv.URL))
		assert.Equal(t, "ok", string(resp.Body))
	}
	require.Equal(t, int32(5), hits.Load())

	hits.Store(0)
	succeeded := int32(0)
	for range 20 {
		if resp, err := tr.Do(t.Context(), post(srv.URL, "{}")); err == nil {
			assert.Equal(t, "ok", string(resp.Body))
			succeeded++
		}
	}
	assert.Equal(t, succeeded, hits.Load(), "each POST the server took was reported as done, once")
}

func TestRealEndToEnd(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Request-Id", "req-42")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"method":"`+r.Method+`","body":`+string(body)+`,"ua":"`+r.UserAgent()+`"}`)
	})
	tr := New(Config{HTTPClient: &http.Client{Transport: NewHTTPTransport()}, UserAgent: "paragon-go/test"})
	t.Cleanup(tr.client.CloseIdleConnections)
	resp := mustDo(t, tr, post(srv.URL+"/projects/p/sdk/events/trigger", `{"n":1}`))
	assert.JSONEq(t, `{"method":"POST","body":{"n":1},"ua":"paragon-go/test"}`, string(resp.Body))
	assert.Equal(t, "req-42", resp.Header.Get("X-Request-Id"))
	assert.Equal(t, 1, resp.Attempts)
}
