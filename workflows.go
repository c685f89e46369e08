package paragon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/paragon-go/paragon/internal/pathutil"
)

// WorkflowParams is the request sent to a Request-trigger workflow.
type WorkflowParams struct {
	// Body is sent as JSON (nil sends no body).
	Body any
	// Query is sent as the query string.
	Query url.Values
	// Headers are forwarded to the workflow.
	Headers http.Header
}

// WorkflowResponse is a Request-trigger workflow's answer.
type WorkflowResponse struct {
	// StatusCode is 202 when the workflow has no Response step, or the
	// status its Response step set.
	StatusCode int
	// Header holds the response headers.
	Header http.Header
	// Body is the Response step's body (empty for 202).
	Body json.RawMessage
}

// Accepted reports whether Paragon accepted the run without waiting for a
// response (202: the workflow has no Response step).
func (r *WorkflowResponse) Accepted() bool { return r.StatusCode == http.StatusAccepted }

// Decode decodes the Response step's JSON body into v.
func (r *WorkflowResponse) Decode(v any) error {
	if len(r.Body) == 0 {
		return fmt.Errorf("paragon: workflow response has no body (status %d)", r.StatusCode)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("paragon: workflow response: %w", err)
	}
	return nil
}

// Workflow triggers the Request-trigger workflow workflowID for the user
// (POST /projects/{id}/sdk/triggers/{workflowID} on the events host) and
// returns its answer: 202 when it has no Response step, or the Response
// step's status and body. If the Response step does not answer within 55 s,
// Paragon answers 542 and Workflow returns an error matching
// [ErrWorkflowTimeout]; it is never retried, because the workflow may still
// be running. No status is retried, 429 and 5xx included: the Response step
// may have set it, so the workflow ran. A trigger is sent again only when
// it provably was not processed (it never reached the server, or HTTP/2
// said REFUSED_STREAM or GOAWAY below it), whatever [WithIdempotent] says.
// The workflow must be enabled for the user.
//
// Docs: https://docs.useparagon.com/workflows/triggers/request-trigger
func (u *User) Workflow(ctx context.Context, workflowID string, p *WorkflowParams, opts ...CallOption) (*WorkflowResponse, error) {
	id, err := pathutil.Segment("workflow ID", workflowID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if p == nil {
		p = &WorkflowParams{}
	}
	r := &apiRequest{
		svc: ServiceEvents, method: "POST", path: u.projectPath("/sdk/triggers/" + id),
		template: "/sdk/triggers/{workflow}", query: p.Query,
		triggered: true, // any status may be the Response step's: never retried on a status
	}
	if p.Body != nil {
		body, err := marshalBody(p.Body)
		if err != nil {
			return nil, err
		}
		r.rawBody, r.ctype = body, "application/json"
	} else {
		r.rawBody, r.ctype = []byte("{}"), "application/json"
	}
	if r.header, err = checkHeaders(p.Headers, "a workflow trigger", "Content-Type"); err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, r, opts)
	if err != nil {
		return nil, err
	}
	out := &WorkflowResponse{StatusCode: resp.StatusCode, Header: resp.Header}
	if len(resp.Body) > 0 {
		out.Body = json.RawMessage(resp.Body)
	}
	return out, nil
}

// EnableWorkflow turns workflowID on for the user, as the browser SDK
// does: POST /sdk/workflows/{workflowID} with X-Paragon-Credential and
// X-Paragon-Configuration-Id. Unless pinned with [WithCredential] and
// [WithConfiguration], both come from GET /sdk/me (briefly cached): the
// user's only account of the workflow's integration and its default
// configuration. With several accounts and none pinned it fails with
// [ErrInvalidInput] naming them. Subscribers of [EventWorkflowChange] are
// told.
//
// Docs: https://docs.useparagon.com/apis/api-reference
func (u *User) EnableWorkflow(ctx context.Context, workflowID string, opts ...CallOption) error {
	if err := u.usable(); err != nil {
		return err
	}
	return u.setWorkflow(ctx, workflowID, true, opts)
}

// DisableWorkflow turns workflowID off for the user: DELETE
// /sdk/workflows/{workflowID} with X-Paragon-Credential and
// X-Paragon-Configuration-Id, resolved as for [User.EnableWorkflow].
// Subscribers of [EventWorkflowChange] are told.
//
// Docs: https://docs.useparagon.com/apis/api-reference
func (u *User) DisableWorkflow(ctx context.Context, workflowID string, opts ...CallOption) error {
	if err := u.usable(); err != nil {
		return err
	}
	return u.setWorkflow(ctx, workflowID, false, opts)
}

func (u *User) setWorkflow(ctx context.Context, workflowID string, enable bool, opts []CallOption) error {
	if u.err != nil {
		return u.err
	}
	id, err := pathutil.Segment("workflow ID", workflowID)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	cc, err := applyCallOptions(opts)
	if err != nil {
		return err
	}
	method := http.MethodDelete
	if enable {
		method = http.MethodPost
	}
	if cc.credential == "" || cc.configuration == "" {
		typ, err := u.workflowIntegration(ctx, workflowID, opts)
		if err != nil {
			return err
		}
		if typ != "" {
			acct, err := u.resolveAccount(ctx, typ, cc, true, opts)
			if err != nil {
				return err
			}
			opts = withAccount(opts, cc, acct)
		}
	}
	_, err = u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: method, path: u.projectPath("/sdk/workflows/" + id),
		template: "/sdk/workflows/{workflow}",
	}, opts)
	u.forget()
	if err != nil {
		return err
	}
	u.c.subs.publish(SDKEvent{Type: EventWorkflowChange, UserID: u.id, WorkflowID: workflowID, Enabled: enable})
	return nil
}
