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
	"reflect"
	"strings"
	"syscall"
)

// redact returns err with any *url.Error rebuilt around a URL cut to scheme,
// host and path: no query, fragment or userinfo. The cause is kept, so
// errors.Is and errors.As see through it; only net/http's HTTP/2 "cannot
// retry … define Request.GetBody" text, which would send the reader after a
// fix that must not be made, is reworded (see h2NotResent).
func redact(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	cause := ue.Err
	// net/http builds that text with fmt.Errorf and no %w: only such plain
	// errors are read (some typed errors' Error methods panic on a zero value).
	if reflect.TypeOf(cause) == plainErrorType {
		if msg := cause.Error(); strings.HasPrefix(msg, h2CannotRetryPrefix) && strings.HasSuffix(msg, h2CannotRetrySuffix) {
			cause = &h2NotResent{inner: msg[len(h2CannotRetryPrefix) : len(msg)-len(h2CannotRetrySuffix)], err: cause}
		}
	}
	return &url.Error{Op: ue.Op, URL: redactURL(ue.URL), Err: cause}
}

// plainErrorType is the type of errors.New's (and fmt.Errorf's without %w)
// errors.
var plainErrorType = reflect.TypeOf(errors.New(""))

// h2NotResent is net/http's refusal to replay a written request body over
// HTTP/2 (the SDK leaves GetBody unset on purpose), reworded.
type h2NotResent struct {
	inner string // the HTTP/2 error, e.g. "stream error: stream ID 1; PROTOCOL_ERROR; received from peer"
	err   error  // net/http's error
}

func (e *h2NotResent) Error() string {
	return e.inner + " (after the request was written; not sent again by net/http)"
}

func (e *h2NotResent) Unwrap() error { return e.err }

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
	case isServerClosedIdle(err), unprocessedH2(err):
		return sentNever
	case isTimeout(err), h2Lost(err), errors.Is(err, ErrTooManyAttempts),
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

// Texts of net/http's HTTP/2 errors (unexported, so compared as text) that
// prove a request was not processed (RFC 9113 §8.7): the server refused the
// stream, or sent GOAWAY with a last stream ID below it. When the request
// has no GetBody, net/http wraps them in h2CannotRetry.
const (
	h2CannotRetryPrefix = "http2: Transport: cannot retry err ["
	h2CannotRetrySuffix = "] after Request.Body was written; define Request.GetBody to avoid this error"
	h2GoAwayGraceful    = "http2: Transport received Server's graceful shutdown GOAWAY"
	h2GoAwayCodePrefix  = "http2: Transport received GOAWAY from server ErrCode:"
	h2StreamErrPrefix   = "stream error: stream ID "
	h2RefusedSuffix     = "; REFUSED_STREAM; received from peer"
)

// unprocessedH2 reports whether err is net/http's HTTP/2 report that the
// request was not processed. The texts are matched whole, so that a text a
// server controls (a header name echoed in a PROTOCOL_ERROR, say) can't pass
// for a proof.
func unprocessedH2(err error) bool {
	for err != nil {
		if h2Unprocessed(err.Error()) {
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}

// h2Unprocessed reports whether msg is the whole text of an HTTP/2 error
// that proves the request unprocessed, bare or inside net/http's "cannot
// retry" wrapper.
func h2Unprocessed(msg string) bool {
	if inner, ok := strings.CutPrefix(msg, h2CannotRetryPrefix); ok {
		if inner, ok = strings.CutSuffix(inner, h2CannotRetrySuffix); !ok {
			return false
		}
		msg = inner
	}
	switch {
	case msg == h2GoAwayGraceful:
		return true
	case strings.HasPrefix(msg, h2GoAwayCodePrefix):
		return errCodeName(msg[len(h2GoAwayCodePrefix):])
	}
	rest, ok := strings.CutPrefix(msg, h2StreamErrPrefix)
	if !ok {
		return false
	}
	id, ok := strings.CutSuffix(rest, h2RefusedSuffix)
	return ok && digits(id)
}

// h2Lost reports whether err is net/http's HTTP/2 report of a stream reset
// (other than REFUSED_STREAM, which unprocessedH2 sees first) or of a
// connection that closed under the stream: the request may have been
// processed.
func h2Lost(err error) bool {
	for err != nil {
		msg := err.Error()
		if strings.HasPrefix(msg, h2StreamErrPrefix) ||
			strings.HasPrefix(msg, "http2: server sent GOAWAY and closed the connection;") ||
			msg == "http2: client connection lost" {
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}

// errCodeName reports whether s is an HTTP/2 error code as net/http prints
// it: a name such as NO_ERROR, or "unknown error code 0x…".
func errCodeName(s string) bool {
	if hex, ok := strings.CutPrefix(s, "unknown error code 0x"); ok {
		return len(hex) > 0 && len(hex) <= 8 && strings.Trim(hex, "0123456789abcdef") == ""
	}
	return len(s) > 0 && len(s) <= 32 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == ""
}

// digits reports whether s is a non-empty run of at most ten ASCII digits.
func digits(s string) bool {
	return len(s) > 0 && len(s) <= 10 && strings.Trim(s, "0123456789") == ""
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
