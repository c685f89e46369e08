package paragontest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HandleProxy serves the proxy calls of integration (e.g. "slack") with h,
// your own fake of that API; a nil h restores the default. h sees the API
// path after /projects/{id}/sdk/proxy/<integration> (e.g. "/chat.postMessage"),
// the query, the method, the body and the headers other than Authorization
// and X-Paragon-*, plus "X-Paragon-Test-User" (the user ID) and
// "X-Paragon-Test-Credential" (the credential ID). Its answer is wrapped like
// any upstream answer (see the package doc).
//
// A call may name its target in header X-Paragon-Proxy-Url, as Paragon
// allows: a path, which h then sees instead of the call's, or a full https
// URL of another base URL of the provider, which h sees whole (r.URL is
// absolute, r.Host is the URL's host; the echo handler adds it as "url").
// For "close", a URL under https://api.close.com/api/v1 is seen as the path
// relative to it, like any Close call; the default fake Close serves only
// those. A value that is neither (another scheme, no host, user info, a
// fragment) is answered with Paragon's 400.
//
// By default "close" is served by [Server.CloseCRM] and every other
// integration by an echo handler that answers 200 with
// {"method", "path", "query", "headers", "body"} describing the request.
// Either way, a user without a credential for the integration gets Paragon's
// 404 "Integration not enabled for user.".
func (s *Server) HandleProxy(integration string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.proxies, integration)
		return
	}
	s.proxies[integration] = h
}

// proxy handles <method> /projects/{pid}/sdk/proxy/{integration}/{path...}.
func (s *Server) proxy(w http.ResponseWriter, r *http.Request, userID string) {
	name := r.PathValue("integration")
	in := s.byType[name]
	s.mu.Lock()
	u := s.userLocked(userID)
	var c *credential
	if in != nil {
		if xc := r.Header.Get(headerCredential); xc != "" {
			if c = u.cred(xc); c == nil || c.integ.Type != name {
				s.mu.Unlock()
				writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
				return
			}
		} else if creds := u.credsOf(in); len(creds) > 0 {
			c = creds[0]
		}
	}
	if c == nil {
		rec := httptest.NewRecorder()
		s.notEnabledLocked(rec, r, u, in)
		s.mu.Unlock()
		copyRecorded(w, rec)
		return
	}
	h := s.proxies[name]
	s.mu.Unlock()
	defaultHandler := h == nil
	if h == nil {
		if name == "close" {
			h = s.crm
		} else {
			h = http.HandlerFunc(echo)
		}
	}

	// Build the upstream request: the API path, the caller's headers minus
	// Paragon's and the token.
	prefix := "/projects/" + s.projectID + "/sdk/proxy/" + name
	up := r.Clone(r.Context())
	up.URL = new(url.URL)
	*up.URL = *r.URL
	up.URL.Path = strings.TrimPrefix(r.URL.Path, prefix)
	if r.URL.RawPath != "" {
		up.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, prefix)
	}
	if p := r.Header.Get(headerProxyURL); p != "" {
		target, problem := proxyTarget(p, name, defaultHandler)
		if problem != "" {
			writeError(w, r, http.StatusBadRequest, codeInvalidRequest, problem, nil)
			return
		}
		if target.RawQuery == "" {
			target.RawQuery = r.URL.RawQuery // as with a path: the call's query stays
		}
		up.URL = target
		if target.Host != "" {
			up.Host = target.Host
		}
	}
	up.RequestURI = up.URL.RequestURI()
	if up.URL.IsAbs() {
		up.RequestURI = up.URL.String() // a proxy-style request line
	}
	raw := isTrue(r.Header.Get(headerRaw))
	up.Header = r.Header.Clone()
	up.Header.Del("Authorization")
	for k := range up.Header {
		if strings.HasPrefix(k, "X-Paragon-") {
			delete(up.Header, k)
		}
	}
	up.Header.Set("X-Paragon-Test-User", userID)
	up.Header.Set("X-Paragon-Test-Credential", c.id)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, up)
	res := rec.Result()
	body := rec.Body.Bytes()

	if raw {
		for k, vs := range res.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(body)
		return
	}
	for _, k := range []string{"Location", "RateLimit", "Retry-After", "X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} {
		if v := res.Header.Values(k); len(v) > 0 {
			w.Header()[k] = v
		}
	}
	if res.StatusCode == http.StatusNoContent || res.StatusCode == http.StatusNotModified {
		w.WriteHeader(res.StatusCode)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write([]byte(`{"output":`))
	_, _ = w.Write(wrapOutput(body))
	_, _ = w.Write([]byte("}\n"))
}

// closeAPIHost and closeAPIBase are where Close's API lives: the proxy
// path of integration "close" is relative to https://api.close.com/api/v1.
const (
	closeAPIHost = "api.close.com"
	closeAPIBase = "/api/v1"
)

// proxyTarget reads an X-Paragon-Proxy-Url value: a path (with a query)
// that replaces the proxy path, or a full https URL. A URL on Close's API
// base for integration "close" becomes the path relative to it, so the fake
// Close (or the "close" handler) serves it like any other call; other URLs
// stay absolute for the handler, except that the default fake Close serves
// only its own API. It returns the problem, for a 400, when v is unusable.
func proxyTarget(v, integration string, defaultHandler bool) (*url.URL, string) {
	const prefix = "X-Paragon-Proxy-Url must be a full https URL or a path: "
	if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") {
		pu, err := url.Parse(v)
		if err != nil || pu.Host != "" || pu.Fragment != "" {
			return nil, prefix + "the path does not parse."
		}
		return &url.URL{Path: pu.Path, RawPath: pu.RawPath, RawQuery: pu.RawQuery}, ""
	}
	pu, err := url.Parse(v)
	switch {
	case err != nil:
		return nil, prefix + "it does not parse."
	case pu.Scheme != "https":
		return nil, prefix + "only https URLs can be proxied."
	case pu.Opaque != "" || pu.Host == "" || pu.Hostname() == "":
		return nil, prefix + "the URL has no host."
	case pu.User != nil:
		return nil, prefix + "the URL must not hold credentials."
	case pu.Fragment != "" || pu.RawFragment != "":
		return nil, prefix + "the URL must not have a fragment."
	}
	if p := pu.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, prefix + "the URL's port is invalid."
		}
	}
	if integration == "close" {
		host := strings.ToLower(pu.Hostname())
		esc := pu.EscapedPath()
		rest, onBase := strings.CutPrefix(esc, closeAPIBase)
		onBase = onBase && (rest == "" || rest[0] == '/')
		if host == closeAPIHost && (pu.Port() == "" || pu.Port() == "443") && onBase {
			if rest == "" {
				rest = "/"
			}
			path, err := url.PathUnescape(rest)
			if err != nil {
				return nil, prefix + "the URL's path does not parse."
			}
			return &url.URL{Path: path, RawPath: rest, RawQuery: pu.RawQuery}, ""
		}
		if defaultHandler {
			return nil, "paragontest: the fake Close serves only URLs under https://" + closeAPIHost + closeAPIBase +
				"/ in X-Paragon-Proxy-Url; serve other hosts with Server.HandleProxy."
		}
	}
	return pu, ""
}

// wrapOutput returns the JSON value that stands for an upstream body in
// {"output": …}: the body itself when it is JSON, a JSON string of it when it
// is other text, and null when it is empty.
func wrapOutput(body []byte) json.RawMessage {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return json.RawMessage("null")
	case json.Valid(trimmed):
		return trimmed
	}
	s := string(body)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	b, _ := json.Marshal(s)
	return b
}

// echo answers 200 with a description of the request, for integrations
// without a fake of their own.
func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := readBody(r)
	var body any
	if len(b) > 0 {
		if json.Valid(b) {
			body = json.RawMessage(b)
		} else {
			body = string(b)
		}
	}
	hdr := map[string]string{}
	for k := range r.Header {
		hdr[k] = r.Header.Get(k)
	}
	q := map[string][]string(r.URL.Query())
	out := map[string]any{
		"method": r.Method, "path": r.URL.EscapedPath(), "query": q, "headers": hdr, "body": body,
	}
	if r.URL.IsAbs() {
		out["url"] = r.URL.String() // an X-Paragon-Proxy-Url call
	}
	writeJSON(w, http.StatusOK, out)
}

// copyRecorded sends what was written to rec to w.
func copyRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
