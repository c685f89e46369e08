package paragon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paragon-go/paragon/internal/pathutil"
)

// ExecutionStatus is the status of a workflow execution or of one of its
// steps in Task History.
type ExecutionStatus string

// Workflow execution statuses, as Task History reports them and as its
// status filter takes them.
const (
	ExecutionExecuting ExecutionStatus = "EXECUTING"
	ExecutionFailed    ExecutionStatus = "FAILED"
	ExecutionSucceeded ExecutionStatus = "SUCCEEDED"
	ExecutionDelayed   ExecutionStatus = "DELAYED"
)

// SortOrder orders listed workflow executions by start time.
type SortOrder string

// Sort orders for [WorkflowExecutionListParams]. Paragon's default is
// [SortDescending], newest first.
const (
	SortAscending  SortOrder = "ASC"
	SortDescending SortOrder = "DESC"
)

// WorkflowExecutionListParams filter [Project.ListWorkflowExecutions]. Zero
// fields are not sent.
type WorkflowExecutionListParams struct {
	// UserID keeps the executions of one Connected User (userId).
	UserID string
	// WorkflowID keeps the executions of one workflow (workflowId).
	WorkflowID string
	// Integration keeps the executions of one integration type, e.g.
	// "close" (integration).
	Integration string
	// Status keeps executions in one status (status).
	Status ExecutionStatus
	// After and Before keep executions started in that window (afterDate,
	// beforeDate; sent as ISO 8601 in UTC).
	After, Before time.Time
	// Offset skips that many executions (offset).
	Offset int
	// SortBy orders by start time (sortBy; Paragon's default is DESC).
	SortBy SortOrder
}

// Timestamp is a time in a Task History answer: Paragon sends ISO 8601
// strings; epoch milliseconds and null are accepted too. The zero value is
// "not set".
type Timestamp struct{ time.Time }

// UnmarshalJSON accepts an ISO 8601 string, a number of milliseconds since
// the epoch, or null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null" || string(b) == `""`:
		t.Time = time.Time{}
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("timestamp %q is not ISO 8601", s)
		}
		t.Time = v
		return nil
	}
	ms, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp %.40s is neither a string nor a number", b)
	}
	t.Time = time.UnixMilli(int64(ms)).UTC()
	return nil
}

// MarshalJSON encodes the time as ISO 8601, or null when it is zero.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(isoMillis))
}

// isoMillis is JavaScript's Date.toISOString layout.
const isoMillis = "2006-01-02T15:04:05.000Z07:00"

// WorkflowExecution is one run of a workflow, from Task History.
type WorkflowExecution struct {
	ID          string          `json:"id"`
	UserID      string          `json:"userId,omitzero"`
	WorkflowID  string          `json:"workflowId,omitzero"`
	Status      ExecutionStatus `json:"status,omitzero"`
	TaskCount   int             `json:"taskCount,omitzero"`
	RunDuration json.Number     `json:"runDuration,omitzero"` // as Paragon sends it; the unit is not documented
	DateStarted Timestamp       `json:"dateStarted,omitzero"`
	DateEnded   Timestamp       `json:"dateEnded,omitzero"` // zero while running
	// StepExecutions are the execution's steps; only
	// [Project.GetWorkflowExecution] fills them in.
	StepExecutions []StepExecution `json:"stepExecutions,omitzero"`
	// Raw is the execution as Paragon sent it.
	Raw json.RawMessage `json:"-"`
}

// StepExecution is one step of a [WorkflowExecution].
type StepExecution struct {
	ID                  string          `json:"id"`
	StepID              string          `json:"stepId,omitzero"`
	WorkflowExecutionID string          `json:"workflowExecutionId,omitzero"`
	Status              ExecutionStatus `json:"status,omitzero"`
	// Type is the step's kind, e.g. "TRIGGER/CRON" or "ACTION/REQUEST".
	Type  string    `json:"type,omitzero"`
	Start Timestamp `json:"start,omitzero"`
	End   Timestamp `json:"end,omitzero"`
	// Next and Prev are the IDs of the following and preceding steps.
	Next       []string `json:"next,omitzero"`
	Prev       string   `json:"prev,omitzero"`
	InputSize  int64    `json:"inputSize,omitzero"`
	OutputSize int64    `json:"outputSize,omitzero"`
}

// StepExecutionData is a step's input and output.
type StepExecutionData struct {
	// IsLargeInput and IsLargeOutput say that Paragon stored the input or
	// output apart, so that Input or Output may not hold all of it.
	IsLargeInput  bool            `json:"isLargeInput"`
	IsLargeOutput bool            `json:"isLargeOutput"`
	Input         json.RawMessage `json:"input,omitzero"`
	Output        json.RawMessage `json:"output,omitzero"`
}

// ErrNextLink is matched (errors.Is) by a *[NextLinkError]: Task History
// answered a nextLink the client refuses to follow.
var ErrNextLink = errors.New("paragon: refused nextLink")

// NextLinkError reports a nextLink that leaves the configured API host or
// the Task History route (following it would send the project API key
// elsewhere), or that makes no progress: a page with a next link but no
// executions, or a link already followed. Listing stops there. It also
// matches [ErrInvalidResponse].
type NextLinkError struct {
	// Reason says what is wrong with the link.
	Reason string
	// Host is the link's host, when it has one; the link's query is never
	// kept.
	Host string
}

// Error describes the refused link without its query.
func (e *NextLinkError) Error() string {
	if e.Host != "" {
		return "paragon: Task History nextLink on " + e.Host + ": " + e.Reason
	}
	return "paragon: Task History nextLink: " + e.Reason
}

// Is matches [ErrNextLink] and [ErrInvalidResponse].
func (e *NextLinkError) Is(target error) bool {
	return target == ErrNextLink || target == ErrInvalidResponse
}

// maxTaskHistoryPages bounds one listing, as a last guard against a server
// that pages forever (100 executions a page: ten million executions).
const maxTaskHistoryPages = 100_000

// executionsPath is the Task History list route below the API base URL.
func (c *Client) executionsPath() string {
	return c.projectPath("/task-history/workflow-executions")
}

// ListWorkflowExecutions lists the project's workflow executions, newest
// first unless p.SortBy says otherwise (GET
// /projects/{id}/task-history/workflow-executions), fetching pages of 100
// lazily and following each answer's nextLink. A nextLink is followed only
// when it stays on the client's API host (api. and zeus.useparagon.com are
// one) and on the Task History route, so the API key never goes elsewhere;
// a link that doesn't, or that makes no progress, ends the listing with a
// *[NextLinkError]. An error is yielded once, then the sequence ends.
// Paragon allows 1,000 Task History requests per 10 minutes and needs the
// Enterprise "th-api" feature.
//
// Docs: https://docs.useparagon.com/apis/task-history
func (p *Project) ListWorkflowExecutions(ctx context.Context, params *WorkflowExecutionListParams, opts ...CallOption) iter.Seq2[*WorkflowExecution, error] {
	return func(yield func(*WorkflowExecution, error) bool) {
		if p == nil {
			yield(nil, errNilProject)
			return
		}
		q, err := params.query()
		if err != nil {
			yield(nil, err)
			return
		}
		path := p.c.executionsPath()
		seen := map[string]bool{q.Encode(): true}
		for range maxTaskHistoryPages {
			if ctx != nil && ctx.Err() != nil {
				yield(nil, ctx.Err())
				return
			}
			page, err := p.executionsPage(ctx, path, q, opts)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, e := range page.WorkflowExecutions {
				if !yield(e, nil) {
					return
				}
			}
			if page.NextLink == "" {
				return
			}
			if len(page.WorkflowExecutions) == 0 {
				yield(nil, &NextLinkError{Reason: "a page without executions links to another: no progress"})
				return
			}
			q, err = p.c.checkNextLink(page.NextLink)
			if err != nil {
				yield(nil, err)
				return
			}
			key := q.Encode()
			if seen[key] {
				yield(nil, &NextLinkError{Reason: "links back to a page already listed"})
				return
			}
			seen[key] = true
		}
		yield(nil, &NextLinkError{Reason: fmt.Sprintf("more than %d pages", maxTaskHistoryPages)})
	}
}

type executionsPage struct {
	WorkflowExecutions []*WorkflowExecution `json:"workflowExecutions"`
	NextLink           string               `json:"nextLink"`
	Total              json.Number          `json:"total"`
}

func (p *Project) executionsPage(ctx context.Context, path string, q url.Values, opts []CallOption) (*executionsPage, error) {
	resp, err := p.as.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "GET", path: path, query: q,
		template: "/task-history/workflow-executions",
	}, opts)
	if err != nil {
		return nil, err
	}
	var raw struct {
		WorkflowExecutions []json.RawMessage `json:"workflowExecutions"`
		NextLink           *string           `json:"nextLink"`
		Total              json.Number       `json:"total"`
	}
	if err := decodeJSON(resp, "ListWorkflowExecutions", &raw); err != nil {
		return nil, err
	}
	page := &executionsPage{Total: raw.Total}
	if raw.NextLink != nil {
		page.NextLink = *raw.NextLink
	}
	for _, r := range raw.WorkflowExecutions {
		e, err := decodeExecution(r)
		if err != nil {
			return nil, fmt.Errorf("%w: ListWorkflowExecutions: %w", ErrInvalidResponse, err)
		}
		page.WorkflowExecutions = append(page.WorkflowExecutions, e)
	}
	return page, nil
}

func decodeExecution(b []byte) (*WorkflowExecution, error) {
	e := new(WorkflowExecution)
	if err := json.Unmarshal(b, e); err != nil {
		return nil, err
	}
	e.Raw = append(json.RawMessage(nil), bytes.TrimSpace(b)...)
	return e, nil
}

// checkNextLink returns the query of a nextLink that stays on the API base
// URL and the Task History list route, or a *NextLinkError.
func (c *Client) checkNextLink(link string) (url.Values, error) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || u.Host == "" {
		return nil, &NextLinkError{Reason: "not an absolute URL"}
	}
	base := c.bases[ServiceAPI]
	host := strings.ToLower(u.Host)
	switch {
	case u.User != nil:
		return nil, &NextLinkError{Reason: "carries user info", Host: host}
	case u.Scheme != base.Scheme:
		return nil, &NextLinkError{Reason: "scheme " + strconv.Quote(u.Scheme) + " is not the API's " + base.Scheme, Host: host}
	case !sameAPIHost(host, strings.ToLower(base.Host)):
		return nil, &NextLinkError{Reason: "not the configured API host " + base.Host, Host: host}
	case u.Fragment != "":
		return nil, &NextLinkError{Reason: "carries a fragment", Host: host}
	}
	if u.EscapedPath() != base.Path+c.executionsPath() {
		return nil, &NextLinkError{Reason: "leaves the Task History list route", Host: host}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, &NextLinkError{Reason: "malformed query", Host: host}
	}
	return q, nil
}

// sameAPIHost reports whether a nextLink host is the API host: equal, or
// Paragon's two names of its US API, which Task History mixes (its nextLink
// names zeus even when the call went to api).
func sameAPIHost(link, base string) bool {
	if link == base {
		return true
	}
	const api, zeus = "api.useparagon.com", "zeus.useparagon.com"
	return (link == api || link == zeus) && (base == api || base == zeus)
}

func (p *WorkflowExecutionListParams) query() (url.Values, error) {
	q := url.Values{}
	if p == nil {
		return q, nil
	}
	if p.UserID != "" {
		if err := checkUserID(p.UserID); err != nil {
			return nil, err
		}
		q.Set("userId", p.UserID)
	}
	if p.WorkflowID != "" {
		if err := checkHeaderID("workflow ID", p.WorkflowID); err != nil {
			return nil, err
		}
		q.Set("workflowId", p.WorkflowID)
	}
	if p.Integration != "" {
		if err := pathutil.Integration(p.Integration); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		q.Set("integration", p.Integration)
	}
	switch p.Status {
	case "":
	case ExecutionExecuting, ExecutionFailed, ExecutionSucceeded, ExecutionDelayed:
		q.Set("status", string(p.Status))
	default:
		return nil, invalid("status %q; want EXECUTING, FAILED, SUCCEEDED or DELAYED", p.Status)
	}
	if !p.After.IsZero() && !p.Before.IsZero() && !p.Before.After(p.After) {
		return nil, invalid("Before (%s) is not after After (%s)", p.Before.UTC().Format(time.RFC3339), p.After.UTC().Format(time.RFC3339))
	}
	if !p.After.IsZero() {
		q.Set("afterDate", p.After.UTC().Format(isoMillis))
	}
	if !p.Before.IsZero() {
		q.Set("beforeDate", p.Before.UTC().Format(isoMillis))
	}
	if p.Offset < 0 {
		return nil, invalid("offset %d < 0", p.Offset)
	}
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	switch p.SortBy {
	case "":
	case SortAscending, SortDescending:
		q.Set("sortBy", string(p.SortBy))
	default:
		return nil, invalid("sort order %q; want ASC or DESC", p.SortBy)
	}
	return q, nil
}

// executionPath returns the escaped route of one execution.
func (c *Client) executionPath(id string) (string, error) {
	seg, err := pathutil.Segment("execution ID", id)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return c.executionsPath() + "/" + seg, nil
}

// GetWorkflowExecution returns one workflow execution with its steps (GET
// /projects/{id}/task-history/workflow-executions/{executionID}).
//
// Docs: https://docs.useparagon.com/apis/task-history
func (p *Project) GetWorkflowExecution(ctx context.Context, executionID string, opts ...CallOption) (*WorkflowExecution, error) {
	if p == nil {
		return nil, errNilProject
	}
	path, err := p.c.executionPath(executionID)
	if err != nil {
		return nil, err
	}
	return p.execution(ctx, "GetWorkflowExecution", &apiRequest{
		svc: ServiceAPI, method: "GET", path: path, template: "/task-history/workflow-executions/{id}",
	}, opts)
}

// execution sends r and decodes the workflow execution it answers; what
// names the call in errors.
func (p *Project) execution(ctx context.Context, what string, r *apiRequest, opts []CallOption) (*WorkflowExecution, error) {
	resp, err := p.as.do(ctx, r, opts)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := decodeJSON(resp, what, &raw); err != nil {
		return nil, err
	}
	e, err := decodeExecution(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidResponse, what, err)
	}
	return e, nil
}

// GetStepExecution returns one step's input and output (GET
// /projects/{id}/task-history/workflow-executions/{executionID}/step-executions/{stepExecutionID}).
//
// Docs: https://docs.useparagon.com/apis/task-history
func (p *Project) GetStepExecution(ctx context.Context, executionID, stepExecutionID string, opts ...CallOption) (*StepExecutionData, error) {
	if p == nil {
		return nil, errNilProject
	}
	path, err := p.c.executionPath(executionID)
	if err != nil {
		return nil, err
	}
	seg, err := pathutil.Segment("step execution ID", stepExecutionID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	resp, err := p.as.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "GET", path: path + "/step-executions/" + seg,
		template: "/task-history/workflow-executions/{id}/step-executions/{stepId}",
	}, opts)
	if err != nil {
		return nil, err
	}
	d := new(StepExecutionData)
	if err := decodeJSON(resp, "GetStepExecution", d); err != nil {
		return nil, err
	}
	return d, nil
}

// ReplayWorkflowExecution runs a workflow execution again (POST
// /projects/{id}/task-history/workflow-executions/{executionID}/replay) and
// returns the new execution, status EXECUTING. Paragon documents it as beta
// and may no longer offer it everywhere. A replay is not idempotent: it is
// retried only when it certainly did not reach Paragon.
//
// Docs: https://docs.useparagon.com/apis/task-history
func (p *Project) ReplayWorkflowExecution(ctx context.Context, executionID string, opts ...CallOption) (*WorkflowExecution, error) {
	if p == nil {
		return nil, errNilProject
	}
	path, err := p.c.executionPath(executionID)
	if err != nil {
		return nil, err
	}
	return p.execution(ctx, "ReplayWorkflowExecution", &apiRequest{
		svc: ServiceAPI, method: "POST", path: path + "/replay",
		template: "/task-history/workflow-executions/{id}/replay",
		rawBody:  []byte{}, // a body, even empty, keeps HTTP/2 from replaying the POST
	}, opts)
}
