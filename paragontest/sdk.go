package paragontest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// Paragon's request headers.
const (
	headerCredential    = "X-Paragon-Credential" //nolint:gosec // G101: a header name
	headerConfiguration = "X-Paragon-Configuration-Id"
	headerRaw           = "X-Paragon-Use-Raw-Response"
	headerProxyURL      = "X-Paragon-Proxy-Url"
)

// authedHandler handles a request whose token was verified; userID is its
// subject.
type authedHandler func(w http.ResponseWriter, r *http.Request, userID string)

// newMux routes every service of the project.
func (s *Server) newMux() *http.ServeMux {
	p := "/projects/" + s.projectID + "/sdk"
	mux := http.NewServeMux()
	handle := func(pattern string, h authedHandler) { mux.Handle(pattern, s.authed(h)) }

	handle("GET "+p+"/me", s.getMe)
	handle("PATCH "+p+"/me", s.patchMe)
	handle("GET "+p+"/integrations", s.listIntegrations)
	handle("DELETE "+p+"/integrations/{id}", s.uninstall)
	handle("GET "+p+"/metadata", s.metadata)
	handle("GET "+p+"/credentials", s.listCredentials)
	handle("POST "+p+"/credentials", s.createCredential)
	handle("GET "+p+"/credentials/{id}", s.getCredential)
	handle("PATCH "+p+"/credentials/{id}", s.patchCredential)
	handle("POST "+p+"/workflows/{id}", s.enableWorkflow)
	handle("DELETE "+p+"/workflows/{id}", s.disableWorkflow)
	handle("POST "+p+"/triggers/{id}", s.trigger)
	handle("POST "+p+"/events/trigger", s.event)
	handle("POST /v2"+p+"/events/trigger", s.event)
	handle(p+"/proxy/{integration}/{path...}", s.proxy)
	handle("POST "+p+"/credentials/{id}/complete-setup", s.completeSetup)
	// Each further fake product adds its routes in its own file.
	s.connectRoutes(mux, handle)
	s.actionKitRoutes(mux, handle)
	s.managedSyncRoutes(mux, handle)
	s.taskHistoryRoutes(mux, handle)
	s.closeRoutes(mux)
	// Routes another fake product may also serve: registered last, and
	// only where no earlier hook took the pattern.
	s.browserRoutes(mux, handle)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if _, problem := s.verifyToken(r); problem != "" {
			writeError(w, r, http.StatusUnauthorized, codeUnauthorized, problem, nil)
			return
		}
		writeError(w, r, http.StatusNotFound, codeNotFound, "Cannot "+r.Method+" "+r.URL.Path, nil)
	})
	return mux
}

// authed verifies the token before h runs, answering 401 otherwise.
func (s *Server) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sub, problem := s.verifyToken(r)
		if problem != "" {
			writeError(w, r, http.StatusUnauthorized, codeUnauthorized, problem, nil)
			return
		}
		if info, ok := r.Context().Value(ctxUserID).(*reqInfo); ok {
			info.userID = sub
		}
		h(w, r, sub)
	})
}

// getMe answers GET /sdk/me.
func (s *Server) getMe(w http.ResponseWriter, r *http.Request, userID string) {
	s.mu.Lock()
	st := s.stateLocked(s.userLocked(userID))
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, st)
}

// patchMe answers PATCH /sdk/me {"meta": {…}}: it merges the top-level keys; null deletes one.
func (s *Server) patchMe(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	meta, isObj := body["meta"].(map[string]any)
	if !isObj {
		writeValidation(w, r, "meta", "isObject", "meta must be an object")
		return
	}
	s.mu.Lock()
	u := s.userLocked(userID)
	for k, v := range meta {
		if v == nil {
			delete(u.meta, k)
		} else {
			u.meta[k] = v
		}
	}
	st := s.stateLocked(u)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, st)
}

// integrationListJSON is one element of GET /sdk/integrations (spec §5.2).
type integrationListJSON struct {
	ID                          string         `json:"id"`
	Type                        string         `json:"type"`
	Name                        string         `json:"name"`
	BrandColor                  string         `json:"brandColor"`
	ProjectID                   string         `json:"projectId"`
	DateCreated                 string         `json:"dateCreated"`
	DateUpdated                 string         `json:"dateUpdated"`
	IsActive                    bool           `json:"isActive"`
	CustomIntegrationID         *string        `json:"customIntegrationId"`
	CustomIntegration           any            `json:"customIntegration"`
	Configs                     []any          `json:"configs"`
	Workflows                   []any          `json:"workflows"`
	HasCredential               bool           `json:"hasCredential"`
	ConnectedUserLimitOnDevCred int            `json:"connectedUserLimitOnDevCred"`
	ConnectedUserLimitReached   bool           `json:"connectedUserLimitReached"`
	NeedPreOauthInputs          bool           `json:"needPreOauthInputs"`
	ProviderType                string         `json:"providerType"`
	AuthenticationType          string         `json:"authenticationType"`
	SDKIntegrationConfig        map[string]any `json:"sdkIntegrationConfig"`
	NoPermissionWorkflows       []any          `json:"noPermissionWorkflows"`
}

// devCredUserLimit is what the fake reports as connectedUserLimitOnDevCred.
const devCredUserLimit = 5

// projectCreated is the date the fake project's integrations report.
var projectCreated = time.Date(2025, 3, 2, 9, 14, 7, 120e6, time.UTC)

// listIntegrations answers GET /sdk/integrations.
func (s *Server) listIntegrations(w http.ResponseWriter, r *http.Request, userID string) {
	s.mu.Lock()
	u := s.userLocked(userID)
	out := make([]integrationListJSON, 0, len(s.integrations))
	for _, in := range s.integrations {
		out = append(out, s.integrationRecordLocked(u, in))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// integrationRecordLocked renders in as GET /sdk/integrations does for u:
// every workflow of the integration is in configs[0].values.workflowMeta,
// where the browser SDK looks for the workflows it may trigger. s.mu must be
// held.
func (s *Server) integrationRecordLocked(u *user, in *Integration) integrationListJSON {
	wfMeta := map[string]any{}
	wfs := make([]any, 0, len(in.Workflows))
	for _, wf := range in.Workflows {
		wfMeta[wf.ID] = map[string]any{
			"id": wf.ID, "inputs": []any{}, "infoText": wf.Description, "defaultEnabled": wf.DefaultEnabled,
			"hidden": false,
		}
		wfs = append(wfs, map[string]any{
			"id": wf.ID, "description": wf.Description, "integrationId": in.ID, "steps": []any{},
		})
	}
	inputs := []any{}
	if in.AuthenticationType == "basic" {
		inputs = append(inputs, map[string]any{"id": "apiKey", "type": "password", "title": "API Key", "required": true})
	}
	return integrationListJSON{
		ID: in.ID, Type: in.Type, Name: in.Name, BrandColor: in.BrandColor, ProjectID: s.projectID,
		DateCreated: isoTime(projectCreated), DateUpdated: isoTime(projectCreated), IsActive: true,
		Configs: []any{map[string]any{
			"id": in.configID, "integrationId": in.ID,
			"values": map[string]any{
				"description": in.Name + " integration", "overview": "", "accentColor": in.BrandColor,
				"sharedMeta": map[string]any{"inputs": []any{}}, "workflowMeta": wfMeta,
			},
		}},
		Workflows:                   wfs,
		HasCredential:               len(u.credsOf(in)) > 0,
		ConnectedUserLimitOnDevCred: devCredUserLimit,
		ProviderType:                in.Type,
		AuthenticationType:          in.AuthenticationType,
		SDKIntegrationConfig: map[string]any{
			"oauthInputs": []any{}, "accountTypes": []any{}, "dataSources": map[string]any{}, "authConfigInputs": inputs,
			"postOauthInputs": []any{}, "authSchemeOptions": map[string]any{},
		},
		NoPermissionWorkflows: []any{},
	}
}

// metadata answers GET /sdk/metadata.
func (s *Server) metadata(w http.ResponseWriter, r *http.Request, _ string) {
	out := make([]map[string]string, 0, len(s.integrations))
	for _, in := range s.integrations {
		out = append(out, map[string]string{"type": in.Type, "name": in.Name, "brandColor": in.BrandColor, "icon": in.Icon})
	}
	writeJSON(w, http.StatusOK, out)
}

// uninstall answers DELETE /sdk/integrations/{id}: it removes the X-Paragon-Credential
// credential, or all of the user's credentials of the integration.
func (s *Server) uninstall(w http.ResponseWriter, r *http.Request, userID string) {
	in := s.byID[r.PathValue("id")]
	if in == nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Integration not found.", nil)
		return
	}
	s.locked(w, func(w http.ResponseWriter) {
		s.uninstallLocked(w, r, userID, in)
	})
}

func (s *Server) uninstallLocked(w http.ResponseWriter, r *http.Request, userID string, in *Integration) {
	u := s.userLocked(userID)
	creds := u.credsOf(in)
	if xc := r.Header.Get(headerCredential); xc != "" {
		c := u.cred(xc)
		if c == nil || c.integ != in {
			writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
			return
		}
		creds = []*credential{c}
	}
	if len(creds) == 0 {
		s.notEnabledLocked(w, r, u, in)
		return
	}
	for _, c := range creds {
		u.removeCred(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

// notEnabledLocked answers that u has not connected in.
func (s *Server) notEnabledLocked(w http.ResponseWriter, r *http.Request, u *user, in *Integration) {
	meta := map[string]any{"personaId": u.personaID, "projectId": s.projectID, "endUserId": u.id}
	if in != nil {
		meta["integrationId"] = in.ID
	}
	writeError(w, r, http.StatusNotFound, codeIntegrationNotEnabled, "Integration not enabled for user.", meta)
}

// listCredentials answers GET /sdk/credentials: an array of the user's
// credentials; with ?integration=<type>, one object, the integration record
// with the account fields (spec §5.3.2), for the X-Paragon-Credential
// account or the user's first.
func (s *Server) listCredentials(w http.ResponseWriter, r *http.Request, userID string) {
	q := r.URL.Query()
	typ := q.Get("integration")
	withAuth := q.Get("includeAccountAuth") == "true"
	if typ != "" {
		s.locked(w, func(w http.ResponseWriter) { s.integrationAccountLocked(w, r, userID, typ, withAuth) })
		return
	}
	xc := r.Header.Get(headerCredential)
	s.mu.Lock()
	u := s.userLocked(userID)
	out := []credentialJSON{}
	for _, c := range u.creds {
		if xc == "" || c.id == xc {
			out = append(out, s.credJSONLocked(u, c, withAuth))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// integrationAccountLocked answers GET /sdk/credentials?integration=<type>.
func (s *Server) integrationAccountLocked(w http.ResponseWriter, r *http.Request, userID, typ string, withAuth bool) {
	in := s.byType[typ]
	if in == nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Integration not found.", map[string]any{"integration": typ})
		return
	}
	u := s.userLocked(userID)
	out := s.integrationRecordLocked(u, in)
	creds := u.credsOf(in)
	var c *credential
	if xc := r.Header.Get(headerCredential); xc != "" {
		if c = u.cred(xc); c == nil || c.integ != in {
			writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
			return
		}
	} else if len(creds) > 0 {
		c = creds[0]
	}
	acct := map[string]any{}
	b, _ := json.Marshal(out)
	_ = json.Unmarshal(b, &acct)
	acct["providerData"] = map[string]any{}
	all := make([]credentialJSON, 0, len(creds))
	for _, x := range creds {
		all = append(all, s.credJSONLocked(u, x, false))
	}
	acct["credentials"] = all
	if c != nil {
		acct["credentialId"] = c.id
		acct["credentialStatus"] = c.status
		acct["providerId"] = c.providerID
		if withAuth {
			acct["accountAuth"] = orEmpty(copyMap(c.accountAuth))
		}
	}
	writeJSON(w, http.StatusOK, acct)
}

// getCredential answers GET /sdk/credentials/{id}.
func (s *Server) getCredential(w http.ResponseWriter, r *http.Request, userID string) {
	s.mu.Lock()
	u := s.userLocked(userID)
	c := u.cred(r.PathValue("id"))
	if c == nil {
		s.mu.Unlock()
		writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
		return
	}
	out := s.credJSONLocked(u, c, r.URL.Query().Get("includeAccountAuth") == "true")
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// patchCredential answers PATCH /sdk/credentials/{id} with {"config":
// {"sharedSettings"|"workflowSettings"|"configuredWorkflows": …}}, on the
// X-Paragon-Configuration-Id configuration or the default one.
// sharedSettings replaces the configuration's user settings;
// workflowSettings and the older configuredWorkflows update the workflows
// they name ({enabled, settings}; a key left out keeps its value), the same
// state that POST and DELETE /sdk/workflows/{id} toggle.
func (s *Server) patchCredential(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	cfg, isObj := body["config"].(map[string]any)
	if !isObj {
		writeValidation(w, r, "config", "isObject", "config must be an object")
		return
	}
	id := r.PathValue("id")
	if xc := r.Header.Get(headerCredential); xc != "" && xc != id {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest,
			"X-Paragon-Credential does not match the credential in the path.", nil)
		return
	}
	var updates []map[string]any
	for _, k := range []string{"configuredWorkflows", "workflowSettings"} {
		raw, present := cfg[k]
		if !present {
			continue
		}
		m, isMap := raw.(map[string]any)
		if !isMap {
			writeValidation(w, r, "config."+k, "isObject", k+" must be an object")
			return
		}
		for wfID, v := range m {
			st, isMap := v.(map[string]any)
			if !isMap {
				writeValidation(w, r, "config."+k+"."+wfID, "isObject", "a workflow's state must be an object {enabled, settings}")
				return
			}
			if e, present := st["enabled"]; present {
				if _, isBool := e.(bool); !isBool {
					writeValidation(w, r, "config."+k+"."+wfID+".enabled", "isBoolean", "enabled must be a boolean")
					return
				}
			}
			if set, present := st["settings"]; present {
				if _, isMap := set.(map[string]any); !isMap {
					writeValidation(w, r, "config."+k+"."+wfID+".settings", "isObject", "settings must be an object")
					return
				}
			}
		}
		updates = append(updates, m)
	}
	if v, present := cfg["sharedSettings"]; present {
		if _, isMap := v.(map[string]any); !isMap {
			writeValidation(w, r, "config.sharedSettings", "isObject", "sharedSettings must be an object")
			return
		}
	}
	s.locked(w, func(w http.ResponseWriter) {
		s.patchCredentialLocked(w, r, userID, id, cfg, updates)
	})
}

func (s *Server) patchCredentialLocked(w http.ResponseWriter, r *http.Request, userID, id string, body map[string]any, updates []map[string]any) {
	u := s.userLocked(userID)
	c := u.cred(id)
	if c == nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
		return
	}
	cfg := c.defaultConfig()
	if xcfg := r.Header.Get(headerConfiguration); xcfg != "" {
		if cfg = c.config(xcfg); cfg == nil {
			writeError(w, r, http.StatusNotFound, codeNotFound, "Configuration not found.", nil)
			return
		}
	}
	if v, ok := body["sharedSettings"].(map[string]any); ok {
		cfg.shared = v
	}
	for _, m := range updates {
		for wfID, v := range m {
			st := v.(map[string]any)
			cur := cfg.workflows[wfID]
			if e, ok := st["enabled"].(bool); ok {
				cur.Enabled = e
			}
			if set, ok := st["settings"].(map[string]any); ok {
				cur.Settings = set
			}
			cfg.workflows[wfID] = orSettings(cur)
		}
	}
	now := time.Now()
	cfg.updated, c.updated = now, now
	writeJSON(w, http.StatusOK, s.credJSONLocked(u, c, false))
}

// createCredential answers POST /sdk/credentials, a headless install, from
// inputs ({"integrationId", "payload", "installOptions"}) or an OAuth code
// ({"code", "integrationId", "integrationOptions": {"installOptions"}}).
// installOptions.selectedCredentialId re-authenticates that credential
// instead of adding one; installOptions.externalId labels the new one.
func (s *Server) createCredential(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	integID, _ := body["integrationId"].(string)
	if integID == "" {
		writeValidation(w, r, "integrationId", "isNotEmpty", "integrationId should not be empty")
		return
	}
	in := s.byID[integID]
	if in == nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Integration not found.", map[string]any{"integrationId": integID})
		return
	}
	payload, hasPayload := body["payload"].(map[string]any)
	if hasPayload {
		payload = copyMap(payload)
		delete(payload, "skipPostOAuthInputs")
	}
	code, _ := body["code"].(string)
	var auth map[string]any
	switch {
	case hasPayload && len(payload) > 0:
		auth = payload
	case code != "":
		auth = map[string]any{"OAUTH_ACCESS_TOKEN": "paragontest-oauth-" + newUUID()}
	default:
		writeValidation(w, r, "payload", "isNotEmpty", "send payload (the user's inputs) or code (an OAuth authorization code)")
		return
	}
	opts, _ := body["installOptions"].(map[string]any)
	if iopts, ok := body["integrationOptions"].(map[string]any); ok && opts == nil {
		opts, _ = iopts["installOptions"].(map[string]any)
	}
	ext, _ := body["externalId"].(string)
	if e, ok := opts["externalId"].(string); ok && e != "" {
		ext = e
	}
	selected, _ := opts["selectedCredentialId"].(string)
	s.locked(w, func(w http.ResponseWriter) {
		u := s.userLocked(userID)
		var c *credential
		if selected != "" {
			if c = s.findCredLocked(u, in, selected); c == nil {
				writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", map[string]any{"selectedCredentialId": selected})
				return
			}
			c.accountAuth, c.status, c.updated = auth, statusValid, time.Now()
		} else {
			if ext != "" && s.findCredLocked(u, in, "ext:"+ext) != nil {
				writeError(w, r, http.StatusBadRequest, codeInvalidRequest,
					"A credential with this externalId exists; reinstall it with selectedCredentialId.", nil)
				return
			}
			c = s.connectLocked(u, in, auth)
			c.externalID = ext
		}
		writeJSON(w, http.StatusOK, s.credJSONLocked(u, c, false))
	})
}

// findCredLocked finds u's credential of in by UUID, externalId or
// "ext:<externalId>".
func (s *Server) findCredLocked(u *user, in *Integration, ref string) *credential {
	ext, isExt := strings.CutPrefix(ref, "ext:")
	for _, c := range u.credsOf(in) {
		if c.id == ref || (c.externalID != "" && (c.externalID == ref || isExt && c.externalID == ext)) {
			return c
		}
	}
	return nil
}

// completeSetup answers POST /sdk/credentials/{id}/complete-setup: the
// post-OAuth inputs in "payload" are added to the credential's inputs and
// to its default configuration's settings, and the credential is VALID.
func (s *Server) completeSetup(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	payload, _ := body["payload"].(map[string]any)
	s.locked(w, func(w http.ResponseWriter) {
		u := s.userLocked(userID)
		c := u.cred(r.PathValue("id"))
		if c == nil {
			writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
			return
		}
		cfg := c.defaultConfig()
		for k, v := range payload {
			if k != "skipPostOAuthInputs" {
				c.accountAuth[k] = v
				cfg.shared[k] = v
			}
		}
		c.status = statusValid
		c.updated = time.Now()
		writeJSON(w, http.StatusOK, s.credJSONLocked(u, c, false))
	})
}

// locked runs fn with s.mu held, buffering what fn writes, and sends it to
// w once the lock is released, so that no lock is held during network I/O.
func (s *Server) locked(w http.ResponseWriter, fn func(w http.ResponseWriter)) {
	rec := httptest.NewRecorder()
	s.mu.Lock()
	fn(rec)
	s.mu.Unlock()
	copyRecorded(w, rec)
}

// readObject reads a JSON object body, answering 400 when it is not one.
func readObject(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	b, err := readBody(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "Could not read the request body.", nil)
		return nil, false
	}
	m, err := decodeObject(b)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "Request body must be a JSON object.", nil)
		return nil, false
	}
	return m, true
}

// chooseCredLocked picks the credential of in that a call acts on: the
// X-Paragon-Credential one, or the user's first. It answers and returns nil
// when there is none. s.mu must be held.
func (s *Server) chooseCredLocked(w http.ResponseWriter, r *http.Request, u *user, in *Integration) *credential {
	if xc := r.Header.Get(headerCredential); xc != "" {
		c := u.cred(xc)
		if c == nil || c.integ != in {
			writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
			return nil
		}
		return c
	}
	creds := u.credsOf(in)
	if len(creds) == 0 {
		s.notEnabledLocked(w, r, u, in)
		return nil
	}
	return creds[0]
}

// checkConfig validates X-Paragon-Configuration-Id against c (which
// may be nil when no credential was chosen). It answers and returns false
// when the header is wrong.
func checkConfig(w http.ResponseWriter, r *http.Request, c *credential) bool {
	xcfg := r.Header.Get(headerConfiguration)
	if xcfg == "" {
		return true
	}
	if r.Header.Get(headerCredential) == "" {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest,
			"X-Paragon-Configuration-Id needs X-Paragon-Credential.", nil)
		return false
	}
	if c == nil || c.config(xcfg) == nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Configuration not found.", nil)
		return false
	}
	return true
}
