package paragontest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
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
		pu, err := url.Parse(p)
		if err != nil || pu.IsAbs() || !strings.HasPrefix(pu.Path, "/") {
			writeError(w, r, http.StatusBadRequest, codeInvalidRequest,
				"The fake proxy accepts only a path in X-Paragon-Proxy-Url.", nil)
			return
		}
		up.URL.Path, up.URL.RawPath = pu.Path, pu.RawPath
		if pu.RawQuery != "" {
			up.URL.RawQuery = pu.RawQuery
		}
	}
	up.RequestURI = up.URL.RequestURI()
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
	writeJSON(w, http.StatusOK, map[string]any{
		"method": r.Method, "path": r.URL.EscapedPath(), "query": q, "headers": hdr, "body": body,
	})
}

// copyRecorded sends what was written to rec to w.
func copyRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
