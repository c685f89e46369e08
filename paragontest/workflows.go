package paragontest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// WorkflowRequest is a Request-trigger call as a [WorkflowHandler] sees it.
type WorkflowRequest struct {
	// UserID is the Connected User who triggered the workflow.
	UserID string
	// WorkflowID is the triggered workflow.
	WorkflowID string
	// CredentialID is the credential the run uses: the X-Paragon-Credential
	// one, or the user's first of the workflow's integration; "" for a
	// workflow that belongs to no integration.
	CredentialID string
	// ConfigurationID is the configuration the run uses: the
	// X-Paragon-Configuration-Id one, or the first of the credential's
	// configurations (the default one first) in which the workflow is
	// enabled; "" for a workflow that belongs to no integration.
	ConfigurationID string
	// Body is the request body as sent.
	Body json.RawMessage
	// Query is the request's query string.
	Query url.Values
	// Header holds the request headers, without Authorization.
	Header http.Header
}

// WorkflowResponse is what a [WorkflowHandler] answers, like a workflow's
// Response step.
type WorkflowResponse struct {
	// Status is the status to answer. Zero means the workflow has no
	// Response step: the server answers 202 Accepted with no body, and
	// Header and Body are ignored.
	Status int
	// Header holds extra response headers.
	Header http.Header
	// Body is sent as JSON, unless it is a []byte or json.RawMessage, which
	// are sent as they are. Nil sends no body.
	Body any
}

// WorkflowHandler runs a Request-trigger workflow. ctx is canceled when the
// trigger times out (see [WithTriggerTimeout]) or the server closes; a
// handler must return soon after. An error makes the server answer 500 in
// Paragon's error shape with the error's text as the message.
type WorkflowHandler func(ctx context.Context, req WorkflowRequest) (WorkflowResponse, error)

// HandleWorkflow makes h run when a user triggers workflow id (POST
// /projects/{id}/sdk/triggers/{workflowID}); a nil h removes the handler.
//
// If id is a workflow of one of the project's integrations, a user can
// trigger it only with a credential of that integration on which the
// workflow is enabled (EnableWorkflow, [UserSeed].EnabledWorkflows or
// [Workflow].DefaultEnabled); otherwise the server answers 400. Any other id
// becomes a workflow that belongs to no integration and is enabled for every
// user until DisableWorkflow turns it off; Go and REST callers can trigger
// it, but Paragon's browser SDK only triggers workflows listed in an
// integration's workflowMeta, so attach the workflow to an integration with
// [Server.AddWorkflow] (or [Integration].Workflows) for browser tests. A workflow of an integration with
// no handler answers 202, like a workflow without a Response step; an id that
// is neither answers 404.
func (s *Server) HandleWorkflow(id string, h WorkflowHandler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.handlers, id)
		return
	}
	s.handlers[id] = h
}

// workflowLocked finds workflow id: its integration (nil for a
// handler-only workflow) and whether it exists at all. s.mu must be held.
func (s *Server) workflowLocked(id string) (owner *Integration, handler WorkflowHandler, ok bool) {
	owner = s.wfOwner[id]
	handler = s.handlers[id]
	return owner, handler, owner != nil || handler != nil
}

// enableWorkflow answers POST /sdk/workflows/{id}.
func (s *Server) enableWorkflow(w http.ResponseWriter, r *http.Request, userID string) {
	s.setWorkflow(w, r, userID, true)
}

// disableWorkflow answers DELETE /sdk/workflows/{id}.
func (s *Server) disableWorkflow(w http.ResponseWriter, r *http.Request, userID string) {
	s.setWorkflow(w, r, userID, false)
}

func (s *Server) setWorkflow(w http.ResponseWriter, r *http.Request, userID string, enabled bool) {
	s.locked(w, func(w http.ResponseWriter) { s.setWorkflowLocked(w, r, userID, enabled) })
}

func (s *Server) setWorkflowLocked(w http.ResponseWriter, r *http.Request, userID string, enabled bool) {
	id := r.PathValue("id")
	owner, _, ok := s.workflowLocked(id)
	if !ok {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Workflow not found.", map[string]any{"workflowId": id})
		return
	}
	u := s.userLocked(userID)
	if owner == nil {
		if !checkConfig(w, r, nil) {
			return
		}
		u.workflows[id] = enabled
		writeJSON(w, http.StatusOK, map[string]any{})
		return
	}
	c := s.chooseCredLocked(w, r, u, owner)
	if c == nil || !checkConfig(w, r, c) {
		return
	}
	cfg := c.defaultConfig()
	if xcfg := r.Header.Get(headerConfiguration); xcfg != "" {
		cfg = c.config(xcfg)
	}
	st := cfg.workflows[id]
	st.Enabled = enabled
	cfg.workflows[id] = orSettings(st)
	now := time.Now()
	cfg.updated, c.updated = now, now
	writeJSON(w, http.StatusOK, map[string]any{})
}

// trigger answers POST /projects/{pid}/sdk/triggers/{id}.
func (s *Server) trigger(w http.ResponseWriter, r *http.Request, userID string) {
	defer s.trackExecution(&w, r, userID)() // Task History (taskhistory.go)
	id := r.PathValue("id")
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "Could not read the request body.", nil)
		return
	}
	req := WorkflowRequest{UserID: userID, WorkflowID: id, Body: body, Query: r.URL.Query(), Header: r.Header.Clone()}
	req.Header.Del("Authorization")

	s.mu.Lock()
	owner, h, ok := s.workflowLocked(id)
	if !ok {
		s.mu.Unlock()
		writeError(w, r, http.StatusNotFound, codeNotFound, "Workflow not found.", map[string]any{"workflowId": id})
		return
	}
	u := s.userLocked(userID)
	enabled := true
	if owner == nil {
		if !checkConfig(w, r, nil) {
			s.mu.Unlock()
			return
		}
		if v, set := u.workflows[id]; set {
			enabled = v
		}
	} else {
		var c *credential
		if xc := r.Header.Get(headerCredential); xc != "" {
			if c = u.cred(xc); c == nil || c.integ != owner {
				s.mu.Unlock()
				writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
				return
			}
		} else if creds := u.credsOf(owner); len(creds) > 0 {
			c = creds[0]
		}
		if c != nil && !checkConfig(w, r, c) {
			s.mu.Unlock()
			return
		}
		enabled = false
		if c != nil && c.status == statusValid {
			req.CredentialID = c.id
			for _, cfg := range c.configs {
				if xcfg := r.Header.Get(headerConfiguration); (xcfg == "" || xcfg == cfg.id) && cfg.workflows[id].Enabled {
					enabled, req.ConfigurationID = true, cfg.id
					break
				}
			}
		}
	}
	s.mu.Unlock()
	if !enabled {
		writeError(w, r, http.StatusBadRequest, codeWorkflowNotEnabled,
			"Workflow is not enabled for this user.", map[string]any{"workflowId": id})
		return
	}
	if h == nil {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	s.runWorkflow(w, r, h, req)
}

// runWorkflow runs h with the trigger timeout and answers with its response,
// 542 when it is too slow, or 500 when it fails.
func (s *Server) runWorkflow(w http.ResponseWriter, r *http.Request, h WorkflowHandler, req WorkflowRequest) {
	type result struct {
		resp WorkflowResponse
		err  error
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.triggerTimeout)
	defer cancel()
	done := make(chan result, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("workflow handler panicked: %v", p)}
			}
		}()
		resp, err := h(ctx, req)
		done <- result{resp, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		if s.ctx.Err() != nil {
			writeError(w, r, http.StatusServiceUnavailable, codeWorkflowFailed, "Server is shutting down.", nil)
			return
		}
		writeError(w, r, 542, codeWorkflowTimeout,
			fmt.Sprintf("Workflow did not respond within %v.", s.triggerTimeout),
			map[string]any{"workflowId": req.WorkflowID})
		return
	case <-r.Context().Done():
		return
	}
	if res.err != nil {
		writeError(w, r, http.StatusInternalServerError, codeWorkflowFailed, res.err.Error(),
			map[string]any{"workflowId": req.WorkflowID})
		return
	}
	writeWorkflowResponse(w, r, res.resp)
}

func writeWorkflowResponse(w http.ResponseWriter, r *http.Request, resp WorkflowResponse) {
	if resp.Status == 0 {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if resp.Status < 100 || resp.Status > 999 {
		writeError(w, r, http.StatusInternalServerError, codeWorkflowFailed,
			fmt.Sprintf("Workflow handler answered status %d.", resp.Status), nil)
		return
	}
	var body []byte
	switch b := resp.Body.(type) {
	case nil:
	case []byte:
		body = b
	case json.RawMessage:
		body = b
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			writeError(w, r, http.StatusInternalServerError, codeWorkflowFailed, "Workflow response body: "+err.Error(), nil)
			return
		}
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if body != nil && w.Header().Get("Content-Type") == "" && json.Valid(body) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(body)
}

// RecordedEvent is an App Event the server received. See [Server.Events].
type RecordedEvent struct {
	// UserID is the Connected User who sent the event.
	UserID string
	// Name is the App Event's name.
	Name string
	// Payload is the event's payload as sent (nil if the body had none).
	Payload json.RawMessage
	// Credential and Configuration are the X-Paragon-Credential and
	// X-Paragon-Configuration-Id headers, if sent.
	Credential, Configuration string
	// Time is when the server accepted the event.
	Time time.Time
}

// Events returns the App Events accepted so far (answered 201), oldest
// first. Each accepted request is recorded exactly once; requests failed by
// fault injection are not recorded.
func (s *Server) Events() []RecordedEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RecordedEvent, len(s.events))
	for i, e := range s.events {
		e.Payload = append(json.RawMessage(nil), e.Payload...)
		out[i] = e
	}
	return out
}

// event answers POST /v2/projects/{pid}/sdk/events/trigger {"name", "payload"}.
func (s *Server) event(w http.ResponseWriter, r *http.Request, userID string) {
	b, err := readBody(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "Could not read the request body.", nil)
		return
	}
	var body struct {
		Name    any             `json:"name"`
		Payload json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "Request body must be a JSON object.", nil)
		return
	}
	name, _ := body.Name.(string)
	if name == "" {
		writeValidation(w, r, "name", "isNotEmpty", "name should not be empty")
		return
	}
	payload := bytes.TrimSpace(body.Payload)
	if bytes.Equal(payload, []byte("null")) {
		payload = nil
	}
	s.locked(w, func(w http.ResponseWriter) { s.recordEventLocked(w, r, userID, name, payload) })
}

func (s *Server) recordEventLocked(w http.ResponseWriter, r *http.Request, userID, name string, payload []byte) {
	xc, xcfg := r.Header.Get(headerCredential), r.Header.Get(headerConfiguration)
	u := s.userLocked(userID)
	var c *credential
	if xc != "" {
		if c = u.cred(xc); c == nil {
			writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
			return
		}
	}
	if !checkConfig(w, r, c) {
		return
	}
	s.events = append(s.events, RecordedEvent{
		UserID: userID, Name: name, Payload: append(json.RawMessage(nil), payload...),
		Credential: xc, Configuration: xcfg, Time: time.Now(),
	})
	writeJSON(w, http.StatusCreated, map[string]any{})
}
