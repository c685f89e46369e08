package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
)

// redact returns err with any *url.Error rebuilt around a URL cut to scheme,
// host and path: no query, fragment or userinfo. The cause is kept, so
// errors.Is and errors.As see through it.
func redact(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	return &url.Error{Op: ue.Op, URL: redactURL(ue.URL), Err: ue.Err}
}

// redactURL returns raw cut to scheme, host and path, or a placeholder when
// raw does not parse.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return r.String()
}

// urlErrorOp returns the Op net/http uses in a *url.Error for method:
// "Get", "Post", ….
func urlErrorOp(method string) string {
	if method == "" {
		return "Get"
	}
	if len(method) == 1 {
		return method
	}
	b := []byte(method)
	for i := 1; i < len(b); i++ {
		if 'A' <= b[i] && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

// serverClosedIdleText is the text of net/http's unexported error for a
// server that closed a keep-alive connection it held idle: it had not taken
// the request.
const serverClosedIdleText = "http: server closed idle connection"

// retryableError classifies an error from http.Client.Do. It reports
// whether the policy allows a retry, and whether the error is a timeout.
func (c *call) retryableError(ctx context.Context, err error) (retry, timeout bool) {
	if ctx.Err() != nil || c.redirectFailed {
		return false, false
	}
	timeout = isTimeout(err)
	switch classifyErr(err) {
	case sentNever:
		// After a redirect the first request did reach a server (a POST
		// answered 303, say), so failing to reach the next hop is no
		// proof that nothing was done: only an idempotent call retries.
		return !c.redirected || c.idempotent, timeout
	case sentMaybe:
		return c.idempotent, timeout
	}
	return false, false
}

// sentState says whether a failed request may have reached the server.
type sentState int

const (
	sentFatal sentState = iota // never retried (TLS, redirect, unknown errors)
	sentNever                  // certainly not written: any method may retry
	sentMaybe                  // may have been processed: idempotent only
)

// classifyErr classifies a transport error.
func classifyErr(err error) sentState {
	var (
		certErr    *tls.CertificateVerificationError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		opErr      *net.OpError
		dnsErr     *net.DNSError
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &recordErr), errors.As(err, &alertErr),
		errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidErr):
		return sentFatal
	case errors.As(err, &dnsErr):
		return sentNever
	case errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect"):
		return sentNever
	case isServerClosedIdle(err):
		return sentNever
	case isTimeout(err),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE):
		return sentMaybe
	}
	return sentFatal
}

// isServerClosedIdle reports whether err is net/http's "server closed idle
// connection". The error is unexported, so its text is compared.
func isServerClosedIdle(err error) bool {
	for err != nil {
		if err.Error() == serverClosedIdleText {
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}

// isTimeout reports whether err is a network or deadline timeout other than
// the caller's context.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
