package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxRedirects is how many redirects CheckRedirect follows.
const MaxRedirects = 5

// ErrRedirectRefused is matched (errors.Is) by the errors CheckRedirect
// returns. http.Client wraps them in a *url.Error.
var ErrRedirectRefused = errors.New("paragon: redirect refused")

var (
	errCrossHostRedirect  = &redirectError{"to another host"}
	errOtherRouteRedirect = &redirectError{"to another route"}
	errTooManyRedirects   = &redirectError{"after " + strconv.Itoa(MaxRedirects) + " redirects"}
)

// redirectError is a refused redirect. Its text holds no URL.
type redirectError struct{ reason string }

func (e *redirectError) Error() string        { return ErrRedirectRefused.Error() + " " + e.reason }
func (e *redirectError) Is(target error) bool { return target == ErrRedirectRefused }

// CheckRedirect is an http.Client CheckRedirect policy for the SDK: it
// follows at most MaxRedirects redirects, and only to the scheme and host
// of the original request, so a token never leaves the host it was meant
// for. The root package installs it when the user's client has none.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= MaxRedirects {
		return errTooManyRedirects
	}
	if len(via) > 0 && !sameOrigin(req.URL, via[0].URL) {
		return errCrossHostRedirect
	}
	return nil
}

// guardRedirect wraps a client's CheckRedirect (nil: net/http's default of
// 10 redirects). Whatever the inner policy allows:
//
//   - a call marked NoRedirects (the proxy) follows none: the 3xx is its
//     answer (http.ErrUseLastResponse);
//   - no hop leaves the call's route: a redirect to another scheme, host,
//     port or path (sameRoute) is refused, so the user's token never goes
//     to another route, not even on the same host;
//   - Authorization is removed from a redirect to another origin, should
//     the guard be used without a call.
//
// It records on the attempt's call that a redirect happened (the first
// request did reach a server), whether it was followed (one more
// connection allowed) and whether it was refused (never retried).
func guardRedirect(inner func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		c, _ := req.Context().Value(callKey{}).(*call)
		if c != nil {
			c.redirected = true
			if c.r.NoRedirects {
				return http.ErrUseLastResponse
			}
		}
		if len(via) == 0 {
			return nil
		}
		var err error
		switch {
		case !sameOrigin(req.URL, via[0].URL):
			req.Header.Del("Authorization")
			err = errCrossHostRedirect
		case !sameRoute(req.URL, via[0].URL):
			err = errOtherRouteRedirect
		case inner != nil:
			err = inner(req, via)
		case len(via) >= 10:
			err = errors.New("stopped after 10 redirects")
		}
		if c != nil {
			switch {
			case err == nil:
				c.hops.Add(1)
			case !errors.Is(err, http.ErrUseLastResponse):
				c.redirectFailed = true
			}
		}
		return err
	}
}

// sameRoute reports whether the hop a stays on the route of the call's
// first request b: the same origin and the same path, compared in its
// escaped form (so that "%2F" or "%2e%2e" are not equal to "/" or ".."),
// with a possibly different query.
func sameRoute(a, b *url.URL) bool {
	return sameOrigin(a, b) && a.EscapedPath() == b.EscapedPath()
}

// sameOrigin reports whether a and b share scheme, host and port (the
// scheme's default port when none is given). Hosts compare case-insensitively.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		port(a) == port(b)
}

// port returns u's port, or the default port of its scheme.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// MaxConnsPerHost caps the connections NewHTTPTransport opens to one host
// (and keeps as many idle, so that a burst does not churn them). Without a
// cap, a cold burst of 4,000 calls dialled one TLS connection per call,
// thousands of handshakes at once, whose timeouts failed calls; with HTTP/2
// even more, as each waiting call dials before the first connection is up
// (BenchmarkColdBurst in docs/PERFORMANCE.md). Calls beyond the cap wait for
// a connection; HTTP/2 multiplexes up to the server's stream limit on each.
const MaxConnsPerHost = 32

// NewHTTPTransport returns the SDK's own *http.Transport, tuned for many
// concurrent calls to a few hosts. It is built fresh: http.DefaultTransport
// is neither cloned nor touched. Its DialTLSContext reads this transport's
// TLSClientConfig and TLSHandshakeTimeout; set those on it, and build
// another transport rather than Clone it with other settings. The response-header timeout (65 s) sits
// above Paragon's 55 s Request-trigger window; there is no overall timeout,
// which would cut long raw proxy streams (use the context instead).
func NewHTTPTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	gate := &dialGate{dial: dialer.DialContext, hosts: map[string]chan struct{}{}}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           gate.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   MaxConnsPerHost,
		MaxConnsPerHost:       MaxConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 65 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	tr.DialTLSContext = gate.dialTLS(tr)
	return tr
}

// MaxDialsPerHost is how many connections NewHTTPTransport dials to one
// address at a time, TLS handshake included. In a cold burst over HTTP/2,
// every waiting call dials before the first connection is up; letting a few
// dial at once gives the others a connection to share when it is
// (BenchmarkColdBurst: about 50 connections for 4,000 calls instead of 65
// with only the per-host cap, and up to 75 while the gate let handshakes
// run past it).
const MaxDialsPerHost = 4

// dialGate lets at most MaxDialsPerHost dials to one address run at once
// (for HTTPS, until the TLS handshake is done); the others wait, or give up
// when their context ends.
type dialGate struct {
	dial  func(ctx context.Context, network, addr string) (net.Conn, error)
	mu    sync.Mutex
	hosts map[string]chan struct{} // addr → semaphore; a few hosts, kept for the transport's life
}

// acquire waits for a dial slot for addr; release gives it back.
func (g *dialGate) acquire(ctx context.Context, addr string) (release func(), err error) {
	g.mu.Lock()
	sem, ok := g.hosts[addr]
	if !ok {
		sem = make(chan struct{}, MaxDialsPerHost)
		g.hosts[addr] = sem
	}
	g.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// DialContext dials addr once a slot for it is free.
func (g *dialGate) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	release, err := g.acquire(ctx, addr)
	if err != nil {
		return nil, err
	}
	defer release()
	return g.dial(ctx, network, addr)
}

// dialTLS returns tr's DialTLSContext: the dial and the TLS handshake in one
// slot, with tr's TLSClientConfig (read at each dial, after net/http added
// "h2" to its NextProtos) and TLSHandshakeTimeout, as net/http would do
// them itself. (net/http also offers only HTTP/1.1 to a WebSocket upgrade,
// which a dial function can't tell; the SDK refuses the Connection header
// such a request needs.) It dials with tr's settings: a Clone of tr must
// not be given others, so NewHTTPTransport's callers build a new transport
// instead of cloning one.
//
// HTTPS through an HTTP proxy is dialled by net/http itself (DialContext to
// the proxy, then the handshake): there the slot covers the dial only.
func (g *dialGate) dialTLS(tr *http.Transport) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		release, err := g.acquire(ctx, addr)
		if err != nil {
			return nil, err
		}
		defer release()
		raw, err := g.dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cfg := tr.TLSClientConfig.Clone()
		if cfg == nil {
			cfg = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		if cfg.ServerName == "" {
			if host, _, err := net.SplitHostPort(addr); err == nil {
				cfg.ServerName = host
			}
		}
		hctx := ctx
		if tr.TLSHandshakeTimeout > 0 {
			var cancel context.CancelFunc
			hctx, cancel = context.WithTimeout(ctx, tr.TLSHandshakeTimeout)
			defer cancel()
		}
		conn := tls.Client(raw, cfg)
		if err := conn.HandshakeContext(hctx); err != nil {
			_ = raw.Close()
			if ctx.Err() == nil && hctx.Err() != nil {
				// Not the caller's deadline: say what net/http says.
				return nil, tlsHandshakeTimeoutError{}
			}
			return nil, err
		}
		return conn, nil
	}
}

// tlsHandshakeTimeoutError is the error of a TLS handshake that took longer
// than the transport's TLSHandshakeTimeout, as net/http reports it: a
// net.Error whose Timeout is true, and not context.DeadlineExceeded (which
// means the caller's context ended).
type tlsHandshakeTimeoutError struct{}

func (tlsHandshakeTimeoutError) Error() string   { return "net/http: TLS handshake timeout" }
func (tlsHandshakeTimeoutError) Timeout() bool   { return true }
func (tlsHandshakeTimeoutError) Temporary() bool { return true }
