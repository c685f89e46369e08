package paragontest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultTaskHistoryPageSize is how many executions a Task History page
// holds, as on Paragon. See [Server.SetTaskHistoryPageSize].
const DefaultTaskHistoryPageSize = 100

// Task History statuses, as Paragon sends them.
const (
	thExecuting = "EXECUTING"
	thFailed    = "FAILED"
	thSucceeded = "SUCCEEDED"
	thDelayed   = "DELAYED"
)

// TaskHistoryEntry is one workflow execution the server recorded: a
// Request-trigger call that ran (its workflow existed and was enabled), or
// a replay. See [Server.TaskHistory].
type TaskHistoryEntry struct {
	ID, UserID, WorkflowID string
	// Integration is the workflow's integration type; "" for a workflow
	// that belongs to no integration.
	Integration string
	// Status is EXECUTING, SUCCEEDED or FAILED.
	Status string
	// Started and Ended bound the run; Ended is zero while it runs.
	Started, Ended time.Time
}

// taskHistory is the fake's Task History and Setup Links state. The zero
// value is ready; its own mutex guards it (never held with Server.mu).
type taskHistory struct {
	keyOnce sync.Once
	key     string

	mu       sync.Mutex
	execs    []*thExec // oldest first
	byID     map[string]*thExec
	pageSize int
	linksOff bool
	links    map[string]*setupLinkState
}

// thExec is one recorded execution.
type thExec struct {
	TaskHistoryEntry
	req   WorkflowRequest // what ran, for replays
	input json.RawMessage
	out   json.RawMessage
}

// APIKey returns the project API key the server accepts as
// "Authorization: Bearer <key>" on the routes that take one: Task History
// and Setup Links. [Server.Client] configures it with paragon.WithAPIKey.
func (s *Server) APIKey() string {
	s.th.keyOnce.Do(func() {
		var b [16]byte
		_, _ = rand.Read(b[:])
		s.th.key = "api_key_paragontest_" + hex.EncodeToString(b[:])
	})
	return s.th.key
}

// SetTaskHistoryPageSize sets how many executions a Task History page holds
// (default [DefaultTaskHistoryPageSize]), so that tests can page through a
// few. n < 1 restores the default.
func (s *Server) SetTaskHistoryPageSize(n int) {
	s.th.mu.Lock()
	defer s.th.mu.Unlock()
	s.th.pageSize = n
}

// TaskHistory returns the workflow executions recorded so far, oldest first.
func (s *Server) TaskHistory() []TaskHistoryEntry {
	s.th.mu.Lock()
	defer s.th.mu.Unlock()
	out := make([]TaskHistoryEntry, len(s.th.execs))
	for i, e := range s.th.execs {
		out[i] = e.TaskHistoryEntry
	}
	return out
}

// resetTaskHistory forgets executions and links (Server.Reset).
func (s *Server) resetTaskHistory() {
	s.th.mu.Lock()
	defer s.th.mu.Unlock()
	s.th.execs, s.th.byID, s.th.links = nil, nil, nil
}

// apiKeyOK reports whether r carries the project API key.
func (s *Server) apiKeyOK(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.APIKey())) == 1
}

// withAPIKey answers 401 unless r carries the project API key.
func (s *Server) withAPIKey(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.apiKeyOK(r) {
			writeError(w, r, http.StatusUnauthorized, codeUnauthorized,
				"Invalid API key: send Authorization: Bearer <project API key>.", nil)
			return
		}
		h(w, r)
	})
}

// taskHistoryRoutes adds the fake Task History and Setup Links routes.
func (s *Server) taskHistoryRoutes(mux *http.ServeMux, _ func(pattern string, h authedHandler)) {
	p := "/projects/" + s.projectID + "/task-history/workflow-executions"
	mux.Handle("GET "+p, s.withAPIKey(s.listExecutions))
	mux.Handle("GET "+p+"/{id}", s.withAPIKey(s.getExecution))
	mux.Handle("GET "+p+"/{id}/step-executions/{step}", s.withAPIKey(s.getStepExecution))
	mux.Handle("POST "+p+"/{id}/replay", s.withAPIKey(s.replayExecution))
	s.setupLinkRoutes(mux)
}

// execWriter remembers the status and the start of the body a trigger
// answered, for its Task History record.
type execWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *execWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *execWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if room := 64<<10 - w.body.Len(); room > 0 {
		w.body.Write(b[:min(len(b), room)])
	}
	return w.ResponseWriter.Write(b)
}

// trackExecution is the hook of a Request trigger (workflows.go): it wraps
// *wp and r's body, and returns the function that records the execution
// once the trigger has answered. Calls that ran no workflow (unknown or
// disabled workflow, bad input) are not recorded.
func (s *Server) trackExecution(wp *http.ResponseWriter, r *http.Request, userID string) func() {
	ew := &execWriter{ResponseWriter: *wp}
	*wp = ew
	var in bytes.Buffer
	if r.Body != nil {
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(io.LimitReader(r.Body, maxBody+1), &in), r.Body}
	}
	start := time.Now()
	return func() {
		status := thSucceeded
		switch {
		case ew.status == 0, ew.status == http.StatusServiceUnavailable:
			return // the caller went away, or the server is closing
		case ew.status >= 400 && notRun(ew.body.Bytes()):
			return
		case ew.status >= 400:
			status = thFailed
		}
		req := WorkflowRequest{UserID: userID, WorkflowID: r.PathValue("id"), Body: json.RawMessage(in.Bytes()), Query: r.URL.Query()}
		s.recordExecution(req, status, start, time.Now(), ew.body.Bytes())
	}
}

// notRun reports an error body of the fake's own that means the trigger
// ran no workflow.
func notRun(body []byte) bool {
	var e struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(body, &e) != nil {
		return false
	}
	switch e.Code {
	case codeNotFound, codeWorkflowNotEnabled, codeInvalidRequest, codeUnauthorized:
		return true
	}
	return false
}

// recordExecution adds an execution to Task History and returns it.
func (s *Server) recordExecution(req WorkflowRequest, status string, start, end time.Time, out []byte) *thExec {
	e := &thExec{req: req}
	e.ID, e.UserID, e.WorkflowID, e.Status, e.Started, e.Ended = newUUID(), req.UserID, req.WorkflowID, status, start, end
	if owner := s.wfOwner[req.WorkflowID]; owner != nil {
		e.Integration = owner.Type
	}
	e.input = jsonOrString(req.Body)
	e.out = jsonOrString(out)
	s.th.mu.Lock()
	defer s.th.mu.Unlock()
	if s.th.byID == nil {
		s.th.byID = map[string]*thExec{}
	}
	s.th.execs = append(s.th.execs, e)
	s.th.byID[e.ID] = e
	return e
}

// jsonOrString returns b when it is JSON, else b as a JSON string; empty
// gives {}.
func jsonOrString(b []byte) json.RawMessage {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return json.RawMessage(`{}`)
	case json.Valid(b):
		return append(json.RawMessage(nil), b...)
	}
	s, _ := json.Marshal(string(b))
	return s
}

// wireExecution is a Task History execution on the wire.
type wireExecution struct {
	ID             string     `json:"id"`
	UserID         string     `json:"userId"`
	TaskCount      int        `json:"taskCount"`
	RunDuration    int64      `json:"runDuration"`
	WorkflowID     string     `json:"workflowId"`
	Status         string     `json:"status"`
	DateEnded      *string    `json:"dateEnded"`
	DateStarted    string     `json:"dateStarted"`
	StepExecutions []wireStep `json:"stepExecutions,omitempty"`
}

type wireStep struct {
	ID                  string   `json:"id"`
	StepID              string   `json:"stepId"`
	WorkflowExecutionID string   `json:"workflowExecutionId"`
	Status              string   `json:"status"`
	Type                string   `json:"type"`
	Start               string   `json:"start"`
	End                 *string  `json:"end"`
	Next                []string `json:"next"`
	Prev                *string  `json:"prev"`
	InputSize           int      `json:"inputSize"`
	OutputSize          int      `json:"outputSize"`
}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// wire renders e; s.th.mu must be held.
func (e *thExec) wire(steps bool) wireExecution {
	w := wireExecution{ID: e.ID, UserID: e.UserID, TaskCount: 2, WorkflowID: e.WorkflowID, Status: e.Status, DateStarted: iso(e.Started)}
	if !e.Ended.IsZero() {
		end := iso(e.Ended)
		w.DateEnded = &end
		w.RunDuration = e.Ended.Sub(e.Started).Milliseconds()
	}
	if !steps {
		return w
	}
	trigger, response := e.ID+"-s1", e.ID+"-s2"
	st := wireStep{ID: trigger, StepID: "trigger", WorkflowExecutionID: e.ID, Status: thSucceeded, Type: "TRIGGER/REQUEST",
		Start: iso(e.Started), End: &w.DateStarted, Next: []string{response}, InputSize: len(e.input), OutputSize: len(e.input)}
	resp := wireStep{ID: response, StepID: "response", WorkflowExecutionID: e.ID, Status: e.Status, Type: "ACTION/RESPONSE",
		Start: iso(e.Started), End: w.DateEnded, Next: []string{}, Prev: &trigger, InputSize: len(e.input), OutputSize: len(e.out)}
	w.StepExecutions = []wireStep{st, resp}
	return w
}

// listExecutions answers GET …/task-history/workflow-executions.
func (s *Server) listExecutions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, k := range []string{"status", "sortBy", "offset", "beforeDate", "afterDate"} {
		if len(q[k]) > 1 {
			writeValidation(w, r, k, "isSingle", k+" must be given once")
			return
		}
	}
	status, sortBy := q.Get("status"), q.Get("sortBy")
	switch status {
	case "", thExecuting, thFailed, thSucceeded, thDelayed:
	default:
		writeValidation(w, r, "status", "isEnum", "status must be one of EXECUTING, FAILED, SUCCEEDED, DELAYED")
		return
	}
	if sortBy != "" && sortBy != "ASC" && sortBy != "DESC" {
		writeValidation(w, r, "sortBy", "isEnum", "sortBy must be ASC or DESC")
		return
	}
	offset := 0
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeValidation(w, r, "offset", "min", "offset must be a number not less than 0")
			return
		}
		offset = n
	}
	var before, after time.Time
	for _, d := range []struct {
		key string
		t   *time.Time
	}{{"beforeDate", &before}, {"afterDate", &after}} {
		if v := q.Get(d.key); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				writeValidation(w, r, d.key, "isISO8601", d.key+" must be a valid ISO 8601 date string")
				return
			}
			*d.t = t
		}
	}
	s.th.mu.Lock()
	var match []*thExec
	for _, e := range s.th.execs {
		switch {
		case q.Get("userId") != "" && e.UserID != q.Get("userId"),
			q.Get("workflowId") != "" && e.WorkflowID != q.Get("workflowId"),
			q.Get("integration") != "" && e.Integration != q.Get("integration"),
			status != "" && e.Status != status,
			!before.IsZero() && !e.Started.Before(before),
			!after.IsZero() && !e.Started.After(after):
			continue
		}
		match = append(match, e)
	}
	sort.SliceStable(match, func(i, j int) bool {
		if sortBy == "ASC" {
			return match[i].Started.Before(match[j].Started)
		}
		return match[i].Started.After(match[j].Started)
	})
	size := s.th.pageSize
	if size < 1 {
		size = DefaultTaskHistoryPageSize
	}
	page := []wireExecution{}
	for i := offset; i < len(match) && i < offset+size; i++ {
		page = append(page, match[i].wire(false))
	}
	s.th.mu.Unlock()
	var next *string
	if offset+size < len(match) {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("offset", strconv.Itoa(offset+size))
		link := s.URL() + r.URL.Path + "?" + nq.Encode()
		next = &link
	}
	writeJSON(w, http.StatusOK, map[string]any{"workflowExecutions": page, "nextLink": next, "total": len(match)})
}

// execution finds the execution of r's {id}, answering 404 when none.
func (s *Server) execution(w http.ResponseWriter, r *http.Request) (*thExec, bool) {
	id := r.PathValue("id")
	s.th.mu.Lock()
	e := s.th.byID[id]
	s.th.mu.Unlock()
	if e == nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Workflow execution not found.", map[string]any{"workflowExecutionId": id})
		return nil, false
	}
	return e, true
}

// getExecution answers GET …/workflow-executions/{id}.
func (s *Server) getExecution(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.execution(w, r); ok {
		s.th.mu.Lock()
		body := e.wire(true)
		s.th.mu.Unlock()
		writeJSON(w, http.StatusOK, body)
	}
}

// getStepExecution answers GET …/{id}/step-executions/{step}.
func (s *Server) getStepExecution(w http.ResponseWriter, r *http.Request) {
	e, ok := s.execution(w, r)
	if !ok {
		return
	}
	var out json.RawMessage
	s.th.mu.Lock()
	in, result := e.input, e.out
	s.th.mu.Unlock()
	switch r.PathValue("step") {
	case e.ID + "-s1":
		out = in
	case e.ID + "-s2":
		out = result
	default:
		writeError(w, r, http.StatusNotFound, codeNotFound, "Step execution not found.", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"isLargeInput": false, "isLargeOutput": false, "input": in, "output": out})
}

// replayExecution answers POST …/{id}/replay: it records a new execution,
// EXECUTING, answers 201, and runs the workflow's handler again in the
// background (the new execution then SUCCEEDED or FAILED).
func (s *Server) replayExecution(w http.ResponseWriter, r *http.Request) {
	e, ok := s.execution(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	h := s.handlers[e.WorkflowID]
	s.mu.Unlock()
	start := time.Now()
	re := s.recordExecution(e.req, thExecuting, start, time.Time{}, nil)
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": re.ID, "userId": re.UserID, "workflowId": re.WorkflowID, "status": thExecuting, "dateStarted": iso(start),
	})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		status, out := thSucceeded, []byte(nil)
		if h != nil {
			ctx, cancel := context.WithTimeout(s.ctx, s.triggerTimeout)
			resp, err := runHandler(ctx, h, e.req)
			cancel()
			switch {
			case err != nil:
				status, out = thFailed, []byte(err.Error())
			case resp.Status >= 400:
				status = thFailed
			}
			if b, err := json.Marshal(resp.Body); err == nil && resp.Body != nil {
				out = b
			}
		}
		s.th.mu.Lock()
		re.Status, re.Ended, re.out = status, time.Now(), jsonOrString(out)
		s.th.mu.Unlock()
	}()
}

// runHandler calls h, turning a panic into an error.
func runHandler(ctx context.Context, h WorkflowHandler, req WorkflowRequest) (resp WorkflowResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errPanicked
		}
	}()
	return h(ctx, req)
}

var errPanicked = jsonError("workflow handler panicked")

type jsonError string

func (e jsonError) Error() string { return string(e) }
