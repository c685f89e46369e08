package paragontest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// CORS: Paragon's browser SDK calls every service cross-origin with
// Authorization, Content-Type and X-Paragon-* headers, so the browser sends a
// preflight first (spec §11).

// corsMethods are the methods a preflight is told the server allows.
const corsMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"

// corsHeaders are the request headers a preflight is told the server allows
// when the preflight names none.
const corsHeaders = "Authorization, Content-Type, X-Paragon-SDK-Version, X-Paragon-Credential, " +
	"X-Paragon-Configuration-Id, X-Paragon-Proxy-Url, X-Paragon-Use-Raw-Response"

// corsExposed are the response headers a page's script may read besides the
// safelisted ones.
const corsExposed = "X-Request-Id, Retry-After, RateLimit, Location"

// cors adds the CORS headers for r's Origin to every answer and answers a
// preflight. It reports whether r was a preflight (and so answered).
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", corsExposed)
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
	h.Set("Access-Control-Allow-Methods", corsMethods)
	allow := corsHeaders
	if req := strings.TrimSpace(r.Header.Get("Access-Control-Request-Headers")); req != "" {
		allow = req
	}
	h.Set("Access-Control-Allow-Headers", allow)
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	s.preflights.Add(1)
	return true
}

// PreflightCount returns the number of CORS preflights (OPTIONS requests
// with Origin and Access-Control-Request-Method) the server has answered
// since it started or was [Server.Reset]. Preflights are answered before
// authentication and fault injection, and are not in [Server.Requests].
func (s *Server) PreflightCount() int { return int(s.preflights.Load()) }

// browserRoutes adds the routes the browser SDK needs beyond the core ones:
// configurations (spec §4.9). The ActionKit trigger catalogue (§4.5), which
// the cloud build of the browser SDK sends to the zeus host, is the fake
// ActionKit's (actionkit.go): every service shares the server's one URL. A
// pattern another fake product's hook already registered is left to it.
func (s *Server) browserRoutes(mux *http.ServeMux, handle func(pattern string, h authedHandler)) {
	p := "/projects/" + s.projectID
	try := func(pattern string, h authedHandler) {
		defer func() { _ = recover() }() // the pattern is served by another hook
		handle(pattern, h)
	}
	try("POST "+p+"/sdk/credentials/{id}/configurations", s.createConfiguration)
	try("PATCH "+p+"/sdk/credentials/{id}/configurations", s.updateConfiguration)
	try("DELETE "+p+"/sdk/credentials/{id}/configurations", s.deleteConfiguration)
	func() {
		defer func() { _ = recover() }()
		mux.HandleFunc("GET /ui", connectPortal)
	}()
}

// connectPortal answers GET /ui, where the browser SDK loads the Connect
// Portal in an iframe (CONNECT_PUBLIC_URL): the fake has no portal, so a
// blank page, without authentication, as the real portal page needs none.
func connectPortal(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte("<!doctype html><title>paragontest</title><p>paragontest has no Connect Portal; use the headless SDK calls.</p>\n"))
}

// BrowserOverrides returns the service URLs Paragon's browser SDK
// (@useparagon/connect) needs to talk to the server, as the second argument
// of its configureGlobal:
//
//	paragon.configureGlobal({host: "paragon.invalid"}, overrides)
//
// Every service points at [Server.URL]; the host is a placeholder the
// overrides replace.
func (s *Server) BrowserOverrides() map[string]string {
	u := s.URL()
	return map[string]string{
		"ZEUS_PUBLIC_URL":            u,
		"HERMES_PUBLIC_URL":          u,
		"WORKER_PROXY_PUBLIC_URL":    u,
		"API_TRIGGER_KIT_PUBLIC_URL": u,
		"CONNECT_PUBLIC_URL":         u,
		"PASSPORT_PUBLIC_URL":        u,
		"PASSPORT_PRODUCTION_URL":    u,
		"DASHBOARD_PUBLIC_URL":       u,
		"CDN_PUBLIC_URL":             u,
	}
}

// AddWorkflow adds a workflow to the project's integration of type
// integration after NewServer, so that the browser SDK sees it (in
// GET /sdk/integrations) and can enable and trigger it; register what it
// answers with [Server.HandleWorkflow]. Users who connected the integration
// get the workflow in each of their configurations, on when DefaultEnabled.
// The workflow stays across [Server.Reset].
func (s *Server) AddWorkflow(integration string, wf Workflow) error {
	if wf.ID == "" {
		return fmt.Errorf("paragontest: AddWorkflow: empty workflow ID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.byType[integration]
	if in == nil {
		return fmt.Errorf("paragontest: AddWorkflow: the project has no integration %q", integration)
	}
	if owner := s.wfOwner[wf.ID]; owner != nil {
		return fmt.Errorf("paragontest: AddWorkflow: workflow %q is already in integration %q", wf.ID, owner.Type)
	}
	in.Workflows = append(in.Workflows, wf)
	s.wfOwner[wf.ID] = in
	for _, u := range s.users {
		for _, c := range u.credsOf(in) {
			for _, cfg := range c.configs {
				if _, ok := cfg.workflows[wf.ID]; !ok {
					cfg.workflows[wf.ID] = wfState{Enabled: wf.DefaultEnabled, Settings: map[string]any{}}
				}
			}
		}
	}
	return nil
}

// credForConfigLocked finds the path's credential and checks that an
// X-Paragon-Credential header names the same one. It answers and returns nil
// otherwise. s.mu must be held.
func (s *Server) credForConfigLocked(w http.ResponseWriter, r *http.Request, u *user) *credential {
	id := r.PathValue("id")
	if xc := r.Header.Get(headerCredential); xc != "" && xc != id {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest,
			"X-Paragon-Credential does not match the credential in the path.", nil)
		return nil
	}
	c := u.cred(id)
	if c == nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
	}
	return c
}

// chosenConfigLocked returns c's X-Paragon-Configuration-Id configuration,
// answering 400 without the header and 404 for an unknown one.
func chosenConfigLocked(w http.ResponseWriter, r *http.Request, c *credential) *configuration {
	xcfg := r.Header.Get(headerConfiguration)
	if xcfg == "" {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "Send X-Paragon-Configuration-Id.", nil)
		return nil
	}
	cfg := c.config(xcfg)
	if cfg == nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Configuration not found.", nil)
	}
	return cfg
}

// createConfiguration answers POST /sdk/credentials/{id}/configurations
// {"externalId"?}: a new configuration with the integration's default
// workflow states; the answer is the credential with all its configurations.
func (s *Server) createConfiguration(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	ext, isString := body["externalId"].(string)
	if _, present := body["externalId"]; present && (!isString || strings.TrimSpace(ext) == "") {
		writeValidation(w, r, "externalId", "isNotEmpty", "externalId must be a non-empty string")
		return
	}
	s.locked(w, func(w http.ResponseWriter) {
		u := s.userLocked(userID)
		c := s.credForConfigLocked(w, r, u)
		if c == nil {
			return
		}
		if ext != "" && slices.ContainsFunc(c.configs, func(cfg *configuration) bool { return cfg.externalID == ext }) {
			writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "A configuration with this externalId exists.", nil)
			return
		}
		now := time.Now()
		// Keep dateCreated strictly increasing: the browser SDK takes the
		// newest configuration as the one it created.
		if last := c.configs[len(c.configs)-1].created; !now.After(last) {
			now = last.Add(time.Millisecond)
		}
		cfg := newConfig(c.integ, now)
		cfg.externalID = ext
		c.configs = append(c.configs, cfg)
		c.updated = now
		writeJSON(w, http.StatusOK, s.credJSONLocked(u, c, false))
	})
}

// updateConfiguration answers PATCH /sdk/credentials/{id}/configurations
// {"meta": {…}} + X-Paragon-Configuration-Id: it merges meta into the
// configuration's configMeta (null deletes a key).
func (s *Server) updateConfiguration(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	meta, isObj := body["meta"].(map[string]any)
	if !isObj {
		writeValidation(w, r, "meta", "isObject", "meta must be an object")
		return
	}
	s.locked(w, func(w http.ResponseWriter) {
		u := s.userLocked(userID)
		c := s.credForConfigLocked(w, r, u)
		if c == nil {
			return
		}
		cfg := chosenConfigLocked(w, r, c)
		if cfg == nil {
			return
		}
		for k, v := range meta {
			if v == nil {
				delete(cfg.meta, k)
			} else {
				cfg.meta[k] = v
			}
		}
		now := time.Now()
		cfg.updated, c.updated = now, now
		writeJSON(w, http.StatusOK, s.credJSONLocked(u, c, false))
	})
}

// deleteConfiguration answers DELETE /sdk/credentials/{id}/configurations +
// X-Paragon-Configuration-Id. The default configuration can't be deleted
// (400).
func (s *Server) deleteConfiguration(w http.ResponseWriter, r *http.Request, userID string) {
	s.locked(w, func(w http.ResponseWriter) {
		u := s.userLocked(userID)
		c := s.credForConfigLocked(w, r, u)
		if c == nil {
			return
		}
		cfg := chosenConfigLocked(w, r, c)
		if cfg == nil {
			return
		}
		if cfg == c.defaultConfig() {
			writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "The default configuration can't be deleted.", nil)
			return
		}
		c.configs = slices.DeleteFunc(c.configs, func(x *configuration) bool { return x == cfg })
		c.updated = time.Now()
		writeJSON(w, http.StatusOK, map[string]any{})
	})
}
