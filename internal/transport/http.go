package transport

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxRedirects is how many redirects CheckRedirect follows.
const MaxRedirects = 5

// ErrRedirectRefused is matched (errors.Is) by the errors CheckRedirect
// returns. http.Client wraps them in a *url.Error.
var ErrRedirectRefused = errors.New("paragon: redirect refused")

var (
	errCrossHostRedirect = &redirectError{"to another host"}
	errTooManyRedirects  = &redirectError{"after " + strconv.Itoa(MaxRedirects) + " redirects"}
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
// 10 redirects). Whatever the inner policy allows, Authorization is removed
// from a redirect to another scheme or host. It records on the attempt's
// call that a redirect happened (the first request did reach a server) and
// whether it was refused (never retried).
func guardRedirect(inner func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		c, _ := req.Context().Value(callKey{}).(*call)
		if c != nil {
			c.redirected = true
		}
		if len(via) > 0 && !sameOrigin(req.URL, via[0].URL) {
			req.Header.Del("Authorization")
		}
		var err error
		switch {
		case inner != nil:
			err = inner(req, via)
		case len(via) >= 10:
			err = errors.New("stopped after 10 redirects")
		}
		if err != nil && !errors.Is(err, http.ErrUseLastResponse) && c != nil {
			c.redirectFailed = true
		}
		return err
	}
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
// is neither cloned nor touched. The response-header timeout (65 s) sits
// above Paragon's 55 s Request-trigger window; there is no overall timeout,
// which would cut long raw proxy streams (use the context instead).
func NewHTTPTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   MaxConnsPerHost,
		MaxConnsPerHost:       MaxConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 65 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}
