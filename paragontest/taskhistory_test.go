package paragontest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

// thServer starts a server with one workflow handler that fails when the
// body says so, and three users who triggered it.
func thServer(t *testing.T) *paragontest.Server {
	t.Helper()
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "u1"}))
	t.Cleanup(srv.Close)
	srv.HandleWorkflow("wf-lookup", func(_ context.Context, req paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		if strings.Contains(string(req.Body), "fail") {
			return paragontest.WorkflowResponse{}, errors.New("lookup failed")
		}
		return paragontest.WorkflowResponse{Status: 200, Body: map[string]any{"found": true}}, nil
	})
	return srv
}

// thRaw sends one request to the server without package paragon.
func thRaw(t *testing.T, srv *paragontest.Server, method, path, auth, ctype, body string) (int, []byte) {
	t.Helper()
	rq, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	if auth != "" {
		rq.Header.Set("Authorization", "Bearer "+auth)
	}
	if ctype != "" {
		rq.Header.Set("Content-Type", ctype)
	}
	rq.Header.Set("Accept", "application/json")
	resp, err := srv.HTTPClient().Do(rq)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func TestTaskHistoryFromTriggers(t *testing.T) {
	t.Parallel()
	srv := thServer(t)
	c := srv.Client()
	ctx := t.Context()
	_, err := c.User("u1").Workflow(ctx, "wf-lookup", &paragon.WorkflowParams{Body: map[string]any{"email": "a@b.c"}})
	require.NoError(t, err)
	_, err = c.User("u2").Workflow(ctx, "wf-lookup", &paragon.WorkflowParams{Body: map[string]any{"mode": "fail"}})
	require.Error(t, err)
	_, err = c.User("u1").Workflow(ctx, paragontest.WorkflowCloseLookupLead, nil)
	require.Error(t, err, "not connected: no workflow runs, nothing recorded")
	_, err = c.User("u1").Workflow(ctx, "wf-lookup", nil)
	require.NoError(t, err)

	hist := srv.TaskHistory()
	require.Len(t, hist, 3)
	assert.Equal(t, []string{"SUCCEEDED", "FAILED", "SUCCEEDED"}, []string{hist[0].Status, hist[1].Status, hist[2].Status})

	// Every filter, and paging through nextLink two at a time.
	srv.SetTaskHistoryPageSize(2)
	p := c.Project()
	var ids []string
	for e, err := range p.ListWorkflowExecutions(ctx, &paragon.WorkflowExecutionListParams{SortBy: paragon.SortAscending}) {
		require.NoError(t, err)
		ids = append(ids, e.ID)
	}
	assert.Equal(t, []string{hist[0].ID, hist[1].ID, hist[2].ID}, ids)

	list := func(lp *paragon.WorkflowExecutionListParams) []*paragon.WorkflowExecution {
		var out []*paragon.WorkflowExecution
		for e, err := range p.ListWorkflowExecutions(ctx, lp) {
			require.NoError(t, err)
			out = append(out, e)
		}
		return out
	}
	assert.Len(t, list(&paragon.WorkflowExecutionListParams{UserID: "u1"}), 2)
	failed := list(&paragon.WorkflowExecutionListParams{Status: paragon.ExecutionFailed, WorkflowID: "wf-lookup"})
	require.Len(t, failed, 1)
	assert.Equal(t, "u2", failed[0].UserID)
	assert.Len(t, list(&paragon.WorkflowExecutionListParams{Integration: "close"}), 0)
	// Dates go with millisecond precision: the runs above may share a
	// millisecond, so count what the fake's rule (started after afterDate,
	// before beforeDate) keeps of the dates as sent.
	count := func(keep func(started time.Time) bool) int {
		n := 0
		for _, h := range hist {
			if keep(h.Started) {
				n++
			}
		}
		return n
	}
	after := hist[0].Started.Add(time.Millisecond)
	assert.Len(t, list(&paragon.WorkflowExecutionListParams{After: after}),
		count(func(s time.Time) bool { return s.After(after.Truncate(time.Millisecond)) }))
	before := hist[2].Started
	assert.Len(t, list(&paragon.WorkflowExecutionListParams{Before: before}),
		count(func(s time.Time) bool { return s.Before(before.Truncate(time.Millisecond)) }))
	assert.Len(t, list(&paragon.WorkflowExecutionListParams{Offset: 1}), 2)
	desc := list(nil)
	require.Len(t, desc, 3)
	assert.Equal(t, hist[2].ID, desc[0].ID, "newest first by default")

	// One execution, its steps and their input and output.
	e, err := p.GetWorkflowExecution(ctx, hist[1].ID)
	require.NoError(t, err)
	require.Len(t, e.StepExecutions, 2)
	assert.Equal(t, "TRIGGER/REQUEST", e.StepExecutions[0].Type)
	assert.Equal(t, paragon.ExecutionFailed, e.StepExecutions[1].Status)
	in, err := p.GetStepExecution(ctx, e.ID, e.StepExecutions[0].ID)
	require.NoError(t, err)
	assert.JSONEq(t, `{"mode":"fail"}`, string(in.Input))
	out, err := p.GetStepExecution(ctx, e.ID, e.StepExecutions[1].ID)
	require.NoError(t, err)
	assert.Contains(t, string(out.Output), "lookup failed")

	// Replay: a new execution, EXECUTING, that then runs the handler again.
	re, err := p.ReplayWorkflowExecution(ctx, hist[0].ID)
	require.NoError(t, err)
	assert.Equal(t, paragon.ExecutionExecuting, re.Status)
	require.Eventually(t, func() bool {
		got, err := p.GetWorkflowExecution(ctx, re.ID)
		return err == nil && got.Status == paragon.ExecutionSucceeded
	}, 5*time.Second, 5*time.Millisecond)

	_, err = p.GetWorkflowExecution(ctx, "nope")
	require.ErrorIs(t, err, paragon.ErrNotFound)
}

func TestTaskHistoryNeedsTheAPIKey(t *testing.T) {
	t.Parallel()
	srv := thServer(t)
	path := "/projects/" + srv.ProjectID() + "/task-history/workflow-executions"
	status, _ := thRaw(t, srv, "GET", path, srv.UserToken("u1"), "", "")
	assert.Equal(t, http.StatusUnauthorized, status, "a user token is not a project API key")
	status, _ = thRaw(t, srv, "GET", path, "", "", "")
	assert.Equal(t, http.StatusUnauthorized, status)
	status, body := thRaw(t, srv, "GET", path+"?status=DONE", srv.APIKey(), "", "")
	assert.Equal(t, http.StatusBadRequest, status, "%s", body)
	status, body = thRaw(t, srv, "GET", path, srv.APIKey(), "", "")
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"workflowExecutions":[],"nextLink":null,"total":0}`, string(body))
	assert.True(t, strings.HasPrefix(srv.APIKey(), "api_key_"))
}

func TestSetupLinksResolve(t *testing.T) {
	t.Parallel()
	srv := thServer(t)
	c := srv.Client()
	ctx := t.Context()

	link, err := c.Project().CreateSetupLink(ctx, &paragon.SetupLinkParams{EndUserID: "u3", Integrations: []string{"slack"}, ExpiresIn: time.Minute})
	require.NoError(t, err)
	u, err := url.Parse(link.URL())
	require.NoError(t, err)
	status, body := thRaw(t, srv, "GET", u.Path, "", "", "")
	require.Equal(t, http.StatusOK, status, "%s", body)
	var shown struct {
		UserID       string `json:"userId"`
		Integrations []struct {
			Type      string `json:"type"`
			Connected bool   `json:"connected"`
		} `json:"integrations"`
	}
	require.NoError(t, json.Unmarshal(body, &shown))
	assert.Equal(t, "u3", shown.UserID)
	require.Len(t, shown.Integrations, 1)
	assert.Equal(t, "slack", shown.Integrations[0].Type)
	assert.False(t, shown.Integrations[0].Connected)

	status, _ = thRaw(t, srv, "POST", u.Path, "", "application/x-www-form-urlencoded", "integration=close")
	assert.Equal(t, http.StatusBadRequest, status, "close is not offered by this link")
	status, body = thRaw(t, srv, "POST", u.Path, "", "application/x-www-form-urlencoded", "integration=slack")
	require.Equal(t, http.StatusCreated, status, "%s", body)
	st, err := c.User("u3").GetUser(ctx)
	require.NoError(t, err)
	assert.True(t, st.Integrations["slack"].Enabled, "the link connected the user")

	// With a user token whose permissions allow only Close.
	perms := paragon.NewPermissions().Allow(paragon.IntegrationScope("close"))
	link, err = c.User("u4", paragon.WithPermissions(perms)).CreateSetupLink(ctx, nil)
	require.NoError(t, err)
	u, err = url.Parse(link.URL())
	require.NoError(t, err)
	status, body = thRaw(t, srv, "GET", u.Path, "", "", "")
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, json.Unmarshal(body, &shown))
	assert.Equal(t, "u4", shown.UserID)
	require.Len(t, shown.Integrations, 1)
	assert.Equal(t, "close", shown.Integrations[0].Type)

	// Paragon's error codes.
	_, err = c.Project().CreateSetupLink(ctx, &paragon.SetupLinkParams{EndUserID: "u3", Integrations: []string{"notion"}})
	require.ErrorIs(t, err, paragon.ErrSetupLinkIntegration)
	srv.SetSetupLinksEnabled(false)
	_, err = c.Project().CreateSetupLink(ctx, &paragon.SetupLinkParams{EndUserID: "u3"})
	require.ErrorIs(t, err, paragon.ErrSetupLinksNotEnabled)

	status, _ = thRaw(t, srv, "GET", "/setup-links/unknown", "", "", "")
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = thRaw(t, srv, "POST", "/projects/"+srv.ProjectID()+"/setup-links", srv.APIKey(), "application/json", `{}`)
	assert.Equal(t, http.StatusBadRequest, status, "endUserId is required with an API key")
}
