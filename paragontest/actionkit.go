package paragontest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The fake ActionKit (spec §4.4, §4.5, §9.2): a few tools for the fake
// Close and Slack, the trigger catalogue, trigger subscriptions and signed
// trigger deliveries (actionkit_triggers.go, actionkit_subs.go). Tools reach
// the fake Close the way a client would, through the server's own proxy
// route with the caller's token, so they see exactly the Close state the
// proxy serves, wherever that fake lives.
//
// Where Paragon's docs are silent, the fake decides:
//   - GET /tools and GET /triggers list only integrations the user connected
//     unless limit_to_available=false. An integration named in integrations=
//     that the user has not connected is reported in "errors" as {"type",
//     "message": "Integration not enabled for user."}, an unknown one as
//     "Integration not found."; categories: close is "crm", slack
//     "communication".
//   - format=paragon lists flat entries {"name", "title", "integration",
//     "inputSchema"} (Paragon's own shape is not documented).
//   - Running a tool of an integration the user has not connected answers
//     404 with the same body as the proxy ("integration_not_enabled").
//     Missing required parameters answer 400 (class-validator style); the
//     provider's refusals answer its status with {"message": "<its body>",
//     "meta": {"isIntegrationError": true}}.
//   - CLOSE_SEARCH_LEADS pages with paginationParameters.pageCursor in and
//     nextPageCursor out; CLOSE_EXPORT_LEADS_CSV answers text/csv.
//   - GET /trigger-subscriptions answers a bare JSON array. Subscriptions
//     echo webhookOverride's url and metadata, never its headers. Webhook
//     URLs must be loopback. A subscription turns ERRORED only through
//     Server.SetTriggerSubscriptionStatus, and then delivers nothing.
//   - Deliveries are sent once each, in the background, with
//     x-paragon-signature: v1=<hex HMAC-SHA256 of the body>.

// akTool is one fake ActionKit tool.
type akTool struct {
	integration string
	name        string
	description string
	schema      string // JSON Schema of the parameters
	required    []string
	run         func(s *Server, r *http.Request, cred string, params map[string]any) akOutput
}

// akOutput is a tool's answer.
type akOutput struct {
	status int
	ctype  string
	body   []byte
}

// akCategories are the fake integrations' ActionKit categories.
var akCategories = map[string]string{"close": "crm", "slack": "communication"}

// akTools returns the fake tools, in listing order.
func akTools() []akTool {
	return []akTool{
		{
			integration: "close", name: "CLOSE_CREATE_LEAD",
			description: "Create a lead in Close, optionally with contacts.",
			schema: `{"type":"object","properties":{` +
				`"name":{"type":"string","description":"The company's name."},` +
				`"description":{"type":"string"},` +
				`"url":{"type":"string","description":"The company's website."},` +
				`"status_label":{"type":"string","description":"A lead status, e.g. Potential."},` +
				`"contacts":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},` +
				`"emails":{"type":"array","items":{"type":"object","properties":{"email":{"type":"string"},"type":{"type":"string"}},"required":["email"]}}}}}},` +
				`"required":["name"],"additionalProperties":false}`,
			required: []string{"name"},
			run: func(s *Server, r *http.Request, cred string, p map[string]any) akOutput {
				return s.akCloseCall(r, cred, http.MethodPost, "/lead/", nil, p)
			},
		},
		{
			integration: "close", name: "CLOSE_SEARCH_LEADS",
			description: "Search Close leads by a query (Close's lead search syntax, e.g. name:Acme).",
			schema: `{"type":"object","properties":{` +
				`"query":{"type":"string"},` +
				`"limit":{"type":"integer","minimum":1,"maximum":100},` +
				`"paginationParameters":{"type":"object","properties":{"pageCursor":{"type":"string"}}}}}`,
			run: func(s *Server, r *http.Request, cred string, p map[string]any) akOutput {
				return s.akSearchLeads(r, cred, p)
			},
		},
		{
			integration: "close", name: "CLOSE_GET_LEAD",
			description: "Get one Close lead by its ID.",
			schema:      `{"type":"object","properties":{"lead_id":{"type":"string"}},"required":["lead_id"]}`,
			required:    []string{"lead_id"},
			run: func(s *Server, r *http.Request, cred string, p map[string]any) akOutput {
				id, _ := p["lead_id"].(string)
				return s.akCloseCall(r, cred, http.MethodGet, "/lead/"+url.PathEscape(id)+"/", nil, nil)
			},
		},
		{
			integration: "close", name: "CLOSE_EXPORT_LEADS_CSV",
			description: "Export Close leads as a CSV file (id,name).",
			schema:      `{"type":"object","properties":{"query":{"type":"string"}}}`,
			run: func(s *Server, r *http.Request, cred string, p map[string]any) akOutput {
				return s.akExportCSV(r, cred, p)
			},
		},
		{
			integration: "slack", name: "SLACK_SEND_MESSAGE",
			description: "Post a message to a Slack channel.",
			schema:      `{"type":"object","properties":{"channel":{"type":"string"},"text":{"type":"string"}},"required":["channel","text"]}`,
			required:    []string{"channel", "text"},
			run: func(s *Server, r *http.Request, cred string, p map[string]any) akOutput {
				return s.akProxyCall(r, "slack", cred, http.MethodPost, "/chat.postMessage", nil, p)
			},
		},
	}
}

// actionKitRoutes adds the fake ActionKit routes (tools, triggers,
// trigger subscriptions).
func (s *Server) actionKitRoutes(mux *http.ServeMux, handle func(pattern string, h authedHandler)) {
	_ = mux
	s.ak = newActionKitState()
	p := "/projects/" + s.projectID
	handle("GET "+p+"/tools", s.akListTools)
	handle("GET "+p+"/actions", s.akListTools)
	handle("POST "+p+"/tools", s.akRunTool)
	handle("POST "+p+"/actions", s.akRunTool)
	handle("GET "+p+"/triggers", s.akListTriggers)
	handle("POST "+p+"/trigger-subscriptions", s.akCreateSub)
	handle("GET "+p+"/trigger-subscriptions", s.akListSubs)
	handle("PATCH "+p+"/trigger-subscriptions/{id}", s.akPatchSub)
	handle("DELETE "+p+"/trigger-subscriptions/{id}", s.akDeleteSub)
	handle("POST "+p+"/paragontest/trigger-events", s.akFireHTTP)
}

// akFilter is the common query of the ActionKit list routes.
type akFilter struct {
	only      map[string]bool // integrations=…; nil = all
	cats      map[string]bool // categories=…; nil = all
	available bool            // limit_to_available (default true)
}

// akParseFilter reads integrations, categories and limit_to_available; it
// answers 400 and returns false on a bad value.
func akParseFilter(w http.ResponseWriter, r *http.Request) (akFilter, bool) {
	q := r.URL.Query()
	f := akFilter{available: true}
	split := func(v string) map[string]bool {
		if v == "" {
			return nil
		}
		m := map[string]bool{}
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				m[s] = true
			}
		}
		return m
	}
	f.only, f.cats = split(q.Get("integrations")), split(q.Get("categories"))
	if v := q.Get("limit_to_available"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeValidation(w, r, "limit_to_available", "isBoolean", "limit_to_available must be a boolean value")
			return f, false
		}
		f.available = b
	}
	return f, true
}

// akScope decides, for each of the project's integrations, whether a list
// shows it, and collects the per-integration errors of the filter.
func (s *Server) akScope(userID string, f akFilter) (show map[string]bool, errs []map[string]any) {
	show = map[string]bool{}
	s.mu.Lock()
	u := s.userLocked(userID)
	for _, in := range s.integrations {
		if f.only != nil && !f.only[in.Type] || f.cats != nil && !f.cats[akCategories[in.Type]] {
			continue
		}
		if f.available && len(u.credsOf(in)) == 0 {
			if f.only != nil {
				errs = append(errs, map[string]any{"type": in.Type, "message": "Integration not enabled for user."})
			}
			continue
		}
		show[in.Type] = true
	}
	s.mu.Unlock()
	for name := range f.only {
		if s.byType[name] == nil {
			errs = append(errs, map[string]any{"type": name, "message": "Integration not found."})
		}
	}
	slices.SortFunc(errs, func(a, b map[string]any) int { return strings.Compare(a["type"].(string), b["type"].(string)) })
	return show, errs
}

// akListTools answers GET /tools (and the legacy GET /actions).
func (s *Server) akListTools(w http.ResponseWriter, r *http.Request, userID string) {
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "json_schema"
	}
	if format != "json_schema" && format != "paragon" {
		writeValidation(w, r, "format", "isIn", "format must be one of the following values: json_schema, paragon")
		return
	}
	if v := q.Get("reload_fields"); v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			writeValidation(w, r, "reload_fields", "isBoolean", "reload_fields must be a boolean value")
			return
		}
	}
	f, ok := akParseFilter(w, r)
	if !ok {
		return
	}
	show, errs := s.akScope(userID, f)
	actions := map[string][]any{}
	for _, t := range akTools() {
		if !show[t.integration] {
			continue
		}
		schema := json.RawMessage(t.schema)
		var entry any
		if format == "json_schema" {
			entry = map[string]any{"type": "function", "function": map[string]any{
				"name": t.name, "description": t.description, "parameters": schema,
			}}
		} else {
			entry = map[string]any{"name": t.name, "title": t.description, "integration": t.integration, "inputSchema": schema}
		}
		actions[t.integration] = append(actions[t.integration], entry)
	}
	if errs == nil {
		errs = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"actions": actions, "errors": errs})
}

// akRunTool answers POST /tools {"tool", "parameters"} (and the legacy
// POST /actions {"action", "parameters"}).
func (s *Server) akRunTool(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	key := "tool"
	if strings.HasSuffix(r.URL.Path, "/actions") {
		key = "action"
	}
	name, _ := body[key].(string)
	if name == "" {
		writeValidation(w, r, key, "isString", key+" must be a string")
		return
	}
	params := map[string]any{}
	if raw, present := body["parameters"]; present && raw != nil {
		m, isObj := raw.(map[string]any)
		if !isObj {
			writeValidation(w, r, "parameters", "isObject", "parameters must be an object")
			return
		}
		params = m
	}
	var tool *akTool
	for _, t := range akTools() {
		if t.name == name {
			tool = &t
			break
		}
	}
	if tool == nil || s.byType[tool.integration] == nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Tool "+name+" not found.", nil)
		return
	}
	cred, ok := s.akCredential(w, r, userID, tool.integration)
	if !ok {
		return
	}
	for _, req := range tool.required {
		if v, present := params[req]; !present || v == nil || v == "" {
			writeValidation(w, r, "parameters."+req, "isNotEmpty", req+" should not be empty")
			return
		}
	}
	out := tool.run(s, r, cred, params)
	if out.ctype == "" {
		out.ctype = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", out.ctype)
	w.WriteHeader(out.status)
	_, _ = w.Write(out.body)
}

// akCredential picks the credential of integ a call uses: the
// X-Paragon-Credential one, or the user's first. It answers 404 ("Integration
// not enabled for user." or "Credential not found.") and returns false when
// there is none.
func (s *Server) akCredential(w http.ResponseWriter, r *http.Request, userID, integ string) (string, bool) {
	in := s.byType[integ]
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(userID)
	if xc := r.Header.Get(headerCredential); xc != "" {
		if c := u.cred(xc); c != nil && c.integ == in {
			return c.id, true
		}
		writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
		return "", false
	}
	if creds := u.credsOf(in); len(creds) > 0 {
		return creds[0].id, true
	}
	meta := map[string]any{"personaId": u.personaID, "projectId": s.projectID, "endUserId": u.id}
	if in != nil {
		meta["integrationId"] = in.ID
	}
	writeError(w, r, http.StatusNotFound, codeIntegrationNotEnabled, "Integration not enabled for user.", meta)
	return "", false
}

// akProxyCall sends one request to the server's own proxy route for
// integ, with the caller's token and the chosen credential, and turns the
// answer into a tool output: the unwrapped upstream JSON on success, an
// ActionKit error (the upstream body as a JSON-encoded message, meta
// isIntegrationError) otherwise.
func (s *Server) akProxyCall(r *http.Request, integ, cred, method, path string, q url.Values, body any) akOutput {
	status, out := s.akProxy(r, integ, cred, method, path, q, body)
	if status >= 200 && status < 300 {
		if len(out) == 0 {
			out = json.RawMessage("null")
		}
		return akOutput{status: http.StatusOK, body: append(out, '\n')}
	}
	return akError(r, status, string(out), map[string]any{"isIntegrationError": true})
}

func (s *Server) akCloseCall(r *http.Request, cred, method, path string, q url.Values, body any) akOutput {
	return s.akProxyCall(r, "close", cred, method, path, q, body)
}

// akProxy does the proxy round trip and returns the status and the
// unwrapped upstream body.
func (s *Server) akProxy(r *http.Request, integ, cred, method, path string, q url.Values, body any) (int, json.RawMessage) {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	target := "/projects/" + s.projectID + "/sdk/proxy/" + integ + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req := httptest.NewRequestWithContext(r.Context(), method, target, rd)
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	req.Header.Set(headerCredential, cred)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	s.routes.ServeHTTP(rec, req)
	var wrapped struct {
		Output json.RawMessage `json:"output"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &wrapped) != nil || wrapped.Output == nil {
		return rec.Code, rec.Body.Bytes()
	}
	return rec.Code, wrapped.Output
}

// akError builds an ActionKit error answer.
func akError(r *http.Request, status int, message string, meta map[string]any) akOutput {
	m := map[string]any{"requestId": requestID(r)}
	for k, v := range meta {
		m[k] = v
	}
	b, _ := json.Marshal(paragonError{Message: message, Status: status, Meta: m})
	return akOutput{status: status, body: append(b, '\n')}
}
