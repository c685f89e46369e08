// Package pathutil validates and escapes the caller-supplied parts of request
// paths (IDs, integration names, proxied API paths) and header values, so that
// no input can change the host or climb out of the route it belongs to.
package pathutil

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// ErrInvalid is wrapped by every error of this package.
var ErrInvalid = errors.New("invalid")

// MaxSegment is the longest ID accepted in one path segment.
const MaxSegment = 512

// MaxProxyPath is the longest proxied API path accepted.
const MaxProxyPath = 8 << 10

func errf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// Segment validates one ID used as a path segment and returns it escaped.
// It refuses empty values, ".", "..", slashes, backslashes, control
// characters, invalid UTF-8 and values over MaxSegment bytes.
func Segment(what, s string) (string, error) {
	if s == "" {
		return "", errf("empty %s", what)
	}
	if len(s) > MaxSegment {
		return "", errf("%s is %d bytes long (max %d)", what, len(s), MaxSegment)
	}
	if !utf8.ValidString(s) {
		return "", errf("%s is not valid UTF-8", what)
	}
	if s == "." || s == ".." {
		return "", errf("%s %q is a relative path element", what, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return "", errf("%s %q contains a slash or control character", what, s)
		}
	}
	return url.PathEscape(s), nil
}

// Integration validates an integration type as used in proxy paths: a short
// name such as "close" or "googleCalendar", or "custom.<slug>".
func Integration(name string) error {
	if name == "" {
		return errf("empty integration name")
	}
	if len(name) > 128 {
		return errf("integration name is %d bytes long (max 128)", len(name))
	}
	base := name
	if rest, ok := strings.CutPrefix(name, "custom."); ok {
		base = rest
		if base == "" {
			return errf("integration %q has an empty custom slug", name)
		}
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return errf("integration name %q may only contain letters, digits, '_' and '-' (or be custom.<slug>)", name)
		}
	}
	return nil
}

// ProxyPath validates the third-party API path of a proxy call and returns it
// escaped, without a leading slash, keeping a trailing slash; and the query
// string the path carried after '?', if any. It refuses absolute URLs,
// "//", ".", "..", their percent-encoded forms, encoded slashes and
// backslashes, control characters (CR, LF, NUL …), fragments and invalid
// UTF-8, so the result can only ever be appended below the proxy prefix.
func ProxyPath(p string) (escaped string, query url.Values, err error) {
	if p == "" || p == "/" {
		return "", nil, errf("empty proxy path")
	}
	if len(p) > MaxProxyPath {
		return "", nil, errf("proxy path is %d bytes long (max %d)", len(p), MaxProxyPath)
	}
	if !utf8.ValidString(p) {
		return "", nil, errf("proxy path is not valid UTF-8")
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return "", nil, errf("proxy path contains a control character")
		}
	}
	if strings.ContainsAny(p, "#\\") {
		return "", nil, errf("proxy path contains '#' or '\\'")
	}
	if strings.Contains(p, "://") || strings.HasPrefix(p, "//") {
		return "", nil, errf("proxy path must be a path, not a URL")
	}
	rawPath, rawQuery, _ := strings.Cut(p, "?")
	if rawQuery != "" {
		query, err = url.ParseQuery(rawQuery)
		if err != nil {
			return "", nil, errf("proxy path query: %v", err)
		}
	}
	rawPath = strings.TrimPrefix(rawPath, "/")
	if rawPath == "" {
		return "", nil, errf("empty proxy path")
	}
	trailing := strings.HasSuffix(rawPath, "/")
	rawPath = strings.TrimSuffix(rawPath, "/")
	segs := strings.Split(rawPath, "/")
	var b strings.Builder
	b.Grow(len(p) + 8)
	for i, seg := range segs {
		if seg == "" {
			return "", nil, errf("proxy path contains an empty segment (\"//\")")
		}
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return "", nil, errf("proxy path has a bad escape: %v", err)
		}
		if dec == "." || dec == ".." || strings.ContainsAny(dec, "/\\") {
			return "", nil, errf("proxy path contains a relative or encoded path element")
		}
		for _, r := range dec {
			if r < 0x20 || r == 0x7f {
				return "", nil, errf("proxy path contains an encoded control character")
			}
		}
		if !utf8.ValidString(dec) {
			return "", nil, errf("proxy path contains encoded invalid UTF-8")
		}
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(url.PathEscape(dec))
	}
	if trailing {
		b.WriteByte('/')
	}
	return b.String(), query, nil
}

// HeaderName reports whether name is a valid HTTP header field name (an RFC
// 9110 token).
func HeaderName(name string) error {
	if name == "" {
		return errf("empty header name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return errf("header name %q is not a token", name)
		}
	}
	return nil
}

// HeaderValue refuses header values with CR, LF, NUL or other control
// characters (tab is allowed).
func HeaderValue(name, v string) error {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 && c != '\t' || c == 0x7f {
			return errf("header %s contains a control character", name)
		}
	}
	return nil
}

// ServicePath validates the escaped path of a low-level call to a Paragon
// service (e.g. "/projects/<id>/tools" or "/api/syncs/<id>/records"): it must
// start with "/", and may contain no query, fragment, backslash, control
// character, empty segment ("//"), or "." / ".." element, raw or
// percent-encoded. Callers escape each segment they insert with Segment.
func ServicePath(p string) error {
	if p == "" || p[0] != '/' {
		return errf("service path %q must start with '/'", p)
	}
	if len(p) > MaxProxyPath {
		return errf("service path is %d bytes long (max %d)", len(p), MaxProxyPath)
	}
	if strings.ContainsAny(p, "?#\\") {
		return errf("service path contains '?', '#' or '\\\\' (pass the query separately)")
	}
	segs := strings.Split(p[1:], "/")
	for i, seg := range segs {
		if seg == "" {
			if i == len(segs)-1 {
				continue // a trailing slash
			}
			return errf("service path contains an empty segment (\"//\")")
		}
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return errf("service path has a bad escape: %v", err)
		}
		if dec == "." || dec == ".." || strings.ContainsAny(dec, "/\\") || !utf8.ValidString(dec) {
			return errf("service path contains a relative or encoded path element")
		}
		for _, r := range seg + dec {
			if r < 0x20 || r == 0x7f {
				return errf("service path contains a control character")
			}
		}
	}
	return nil
}
