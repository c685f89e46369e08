package paragon_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

const testAPIKey = "api_key_s3cr3t-9f8e7d6c5b4a"

var thPath = "/projects/" + testProject + "/task-history/workflow-executions"

// collect drains a listing.
func collect(t testing.TB, seq func(func(*paragon.WorkflowExecution, error) bool)) ([]*paragon.WorkflowExecution, error) {
	t.Helper()
	var out []*paragon.WorkflowExecution
	for e, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

func TestListWorkflowExecutionsWire(t *testing.T) {
	t.Parallel()
	h := newHarness(t, paragon.WithAPIKey(testAPIKey))
	page1 := `{"workflowExecutions":[
		{"id":"e1","userId":"u1","taskCount":3,"runDuration":1520,"workflowId":"w1","status":"FAILED","dateStarted":"2026-01-01T00:00:00.000Z","dateEnded":"2026-01-01T00:00:01.520Z"},
		{"id":"e2","userId":"u1","taskCount":1,"runDuration":20,"workflowId":"w1","status":"EXECUTING","dateStarted":"2026-01-01T00:01:00.000Z","dateEnded":null}],
		"nextLink":"https://api.test` + thPath + `?userId=u1&status=FAILED&offset=2","total":3}`
	page2 := `{"workflowExecutions":[{"id":"e3","status":"SUCCEEDED","dateStarted":1767225600000}],"nextLink":null,"total":3}`
	h.mt.RegisterResponder("GET", apiBase+thPath, func(req *http.Request) (*http.Response, error) {
		h.mu.Lock()
		h.got = append(h.got, captured{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone()})
		n := len(h.got)
		h.mu.Unlock()
		body := page1
		if n > 1 {
			body = page2
		}
		return httpmock.NewStringResponse(200, body), nil
	})
	params := &paragon.WorkflowExecutionListParams{
		UserID: "u1", WorkflowID: "w1", Integration: "close", Status: paragon.ExecutionFailed,
		After:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Before: time.Date(2026, 1, 2, 1, 0, 0, 500e6, time.FixedZone("CET", 3600)),
		Offset: 5, SortBy: paragon.SortAscending,
	}
	got, err := collect(t, h.c.Project().ListWorkflowExecutions(t.Context(), params))
	require.NoError(t, err)
	require.Len(t, got, 3)
	reqs := h.requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, "GET", r.Method)
		assert.Equal(t, "Bearer "+testAPIKey, r.Header.Get("Authorization"), "the project API key, not a user token")
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
	}
	u1, err := url.Parse(reqs[0].URL)
	require.NoError(t, err)
	assert.Equal(t, "api.test", u1.Host)
	assert.Equal(t, thPath, u1.Path)
	assert.Equal(t, url.Values{
		"userId": {"u1"}, "workflowId": {"w1"}, "integration": {"close"}, "status": {"FAILED"},
		"afterDate": {"2026-01-01T00:00:00.000Z"}, "beforeDate": {"2026-01-02T00:00:00.500Z"},
		"offset": {"5"}, "sortBy": {"ASC"},
	}, u1.Query())
	u2, err := url.Parse(reqs[1].URL)
	require.NoError(t, err)
	assert.Equal(t, "api.test", u2.Host)
	assert.Equal(t, thPath, u2.Path)
	assert.Equal(t, url.Values{"userId": {"u1"}, "status": {"FAILED"}, "offset": {"2"}}, u2.Query(), "the nextLink's query, as given")

	e := got[0]
	assert.Equal(t, "e1", e.ID)
	assert.Equal(t, "u1", e.UserID)
	assert.Equal(t, "w1", e.WorkflowID)
	assert.Equal(t, paragon.ExecutionFailed, e.Status)
	assert.Equal(t, 3, e.TaskCount)
	assert.Equal(t, "1520", e.RunDuration.String())
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 1, 520e6, time.UTC), e.DateEnded.UTC())
	assert.JSONEq(t, `{"id":"e1","userId":"u1","taskCount":3,"runDuration":1520,"workflowId":"w1","status":"FAILED","dateStarted":"2026-01-01T00:00:00.000Z","dateEnded":"2026-01-01T00:00:01.520Z"}`, string(e.Raw))
	assert.True(t, got[1].DateEnded.IsZero(), "null dateEnded")
	assert.Equal(t, time.UnixMilli(1767225600000).UTC(), got[2].DateStarted.Time, "epoch ms accepted")
}

func TestListWorkflowExecutionsNextLinkGuards(t *testing.T) {
	t.Parallel()
	page := func(next string) string {
		b, _ := json.Marshal(map[string]any{"workflowExecutions": []any{map[string]any{"id": "e1"}}, "nextLink": next})
		return string(b)
	}
	tests := []struct {
		name, next string
		want       string
	}{
		{"other host", "https://evil.test" + thPath + "?offset=100", "not the configured API host"},
		{"lookalike host", "https://api.test.evil.test" + thPath, "not the configured API host"},
		{"port", "https://api.test:8443" + thPath, "not the configured API host"},
		{"http downgrade", "http://api.test" + thPath, "scheme"},
		{"user info", "https://k:s@api.test" + thPath, "user info"},
		{"other route", "https://api.test/projects/" + testProject + "/sdk/me", "leaves the Task History list route"},
		{"other project", "https://api.test/projects/other/task-history/workflow-executions", "leaves the Task History list route"},
		{"encoded dot segments", "https://api.test" + thPath + "/%2e%2e/%2e%2e/sdk/me", "leaves the Task History list route"},
		{"one execution", "https://api.test" + thPath + "/e1", "leaves the Task History list route"},
		{"relative", thPath + "?offset=100", "not an absolute URL"},
		{"same page again", "https://api.test" + thPath + "?offset=100", "already listed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, paragon.WithAPIKey(testAPIKey))
			n := 0
			h.mt.RegisterResponder("GET", apiBase+thPath, func(req *http.Request) (*http.Response, error) {
				n++
				if tt.name == "same page again" && n == 1 {
					return httpmock.NewStringResponse(200, page("https://api.test"+thPath+"?offset=100")), nil
				}
				return httpmock.NewStringResponse(200, page(tt.next)), nil
			})
			got, err := collect(t, h.c.Project().ListWorkflowExecutions(t.Context(), nil))
			var nl *paragon.NextLinkError
			require.ErrorAs(t, err, &nl)
			assert.ErrorIs(t, err, paragon.ErrNextLink)
			assert.ErrorIs(t, err, paragon.ErrInvalidResponse)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "offset=100", "the link's query is not in the error")
			assert.NotContains(t, err.Error(), testAPIKey)
			assert.NotEmpty(t, got)
			// The no-responder fails the test for any request to another URL.
			assert.LessOrEqual(t, n, 2)
		})
	}

	// A page with a nextLink but no executions makes no progress.
	h := newHarness(t, paragon.WithAPIKey(testAPIKey))
	h.on("GET", apiBase+thPath, 200, `{"workflowExecutions":[],"nextLink":"https://api.test`+thPath+`?offset=100"}`)
	_, err := collect(t, h.c.Project().ListWorkflowExecutions(t.Context(), nil))
	require.ErrorIs(t, err, paragon.ErrNextLink)
	assert.Len(t, h.requests(), 1)
}

// TestNextLinkZeusAlias: on the US cloud, Task History's nextLink names
// zeus.useparagon.com although the call went to api.useparagon.com; the two
// are one host, so the client follows the link, on the host it is
// configured with.
func TestNextLinkZeusAlias(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return httpmock.NewStringResponse(599, ""), nil
	})
	mt.RegisterResponder("GET", "https://api.useparagon.com"+thPath, func(r *http.Request) (*http.Response, error) {
		if r.URL.Query().Get("offset") == "100" {
			return httpmock.NewStringResponse(200, `{"workflowExecutions":[{"id":"e2"}],"nextLink":null}`), nil
		}
		return httpmock.NewStringResponse(200, `{"workflowExecutions":[{"id":"e1"}],"nextLink":"https://zeus.useparagon.com`+thPath+`?offset=100"}`), nil
	})
	c, err := paragon.NewClient(testProject, paragon.WithAPIKey(testAPIKey), paragon.WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	got, err := collect(t, c.Project().ListWorkflowExecutions(t.Context(), nil))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func TestWorkflowExecutionGetStepReplayWire(t *testing.T) {
	t.Parallel()
	h := newHarness(t, paragon.WithAPIKey(testAPIKey))
	h.on("GET", apiBase+thPath+"/e%201", 200, `{"id":"e 1","status":"SUCCEEDED","stepExecutions":[
		{"id":"s1","stepId":"st1","workflowExecutionId":"e 1","status":"SUCCEEDED","type":"TRIGGER/CRON","start":"2026-01-01T00:00:00.000Z","end":"2026-01-01T00:00:00.100Z","next":["s2"],"prev":null,"inputSize":0,"outputSize":12},
		{"id":"s2","stepId":"st2","type":"ACTION/REQUEST","prev":"s1","next":[]}]}`)
	h.on("GET", apiBase+thPath+"/e%201/step-executions/s1", 200, `{"isLargeInput":false,"isLargeOutput":true,"input":{"a":1},"output":"big"}`)
	h.on("POST", apiBase+thPath+"/e%201/replay", 201, `{"id":"e9","userId":"u1","workflowId":"w1","status":"EXECUTING","dateStarted":"2026-01-01T00:05:00.000Z"}`)
	p := h.c.Project()

	e, err := p.GetWorkflowExecution(t.Context(), "e 1")
	require.NoError(t, err)
	require.Len(t, e.StepExecutions, 2)
	s := e.StepExecutions[0]
	assert.Equal(t, paragon.StepExecution{ID: "s1", StepID: "st1", WorkflowExecutionID: "e 1", Status: paragon.ExecutionSucceeded,
		Type: "TRIGGER/CRON", Start: paragon.Timestamp{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		End: paragon.Timestamp{Time: time.Date(2026, 1, 1, 0, 0, 0, 100e6, time.UTC)}, Next: []string{"s2"}, OutputSize: 12}, s)
	assert.Equal(t, "s1", e.StepExecutions[1].Prev)

	d, err := p.GetStepExecution(t.Context(), "e 1", "s1")
	require.NoError(t, err)
	assert.True(t, d.IsLargeOutput)
	assert.False(t, d.IsLargeInput)
	assert.JSONEq(t, `{"a":1}`, string(d.Input))
	assert.JSONEq(t, `"big"`, string(d.Output))

	r, err := p.ReplayWorkflowExecution(t.Context(), "e 1")
	require.NoError(t, err)
	assert.Equal(t, "e9", r.ID)
	assert.Equal(t, paragon.ExecutionExecuting, r.Status)

	reqs := h.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, []string{"GET", "GET", "POST"}, []string{reqs[0].Method, reqs[1].Method, reqs[2].Method})
	for _, rq := range reqs {
		assert.Equal(t, "Bearer "+testAPIKey, rq.Header.Get("Authorization"))
	}
	assert.Empty(t, reqs[2].Body, "replay sends no body")
}

func TestTaskHistoryBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, paragon.WithAPIKey(testAPIKey))
	p := h.c.Project()
	for name, params := range map[string]*paragon.WorkflowExecutionListParams{
		"status":          {Status: "DONE"},
		"sort":            {SortBy: "asc"},
		"offset":          {Offset: -1},
		"window":          {After: time.Unix(100, 0), Before: time.Unix(50, 0)},
		"user ID control": {UserID: "u\n1"},
		"workflow ID":     {WorkflowID: "w 1"},
		"integration":     {Integration: "../close"},
	} {
		_, err := collect(t, p.ListWorkflowExecutions(t.Context(), params))
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
	}
	_, err := p.GetWorkflowExecution(t.Context(), "..")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = p.GetStepExecution(t.Context(), "e1", "")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = p.ReplayWorkflowExecution(t.Context(), "")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)

	// No key: nothing is sent.
	noKey := newHarness(t)
	_, err = noKey.c.Project().GetWorkflowExecution(t.Context(), "e1")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = (*paragon.Project)(nil).GetWorkflowExecution(t.Context(), "e1")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = collect(t, (*paragon.Project)(nil).ListWorkflowExecutions(t.Context(), nil))
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Empty(t, h.requests())
	assert.Empty(t, noKey.requests())
}

// TestAPIKeyNeverShown: the key is in no error, log line or formatted value.
func TestAPIKeyNeverShown(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := newHarness(t, paragon.WithAPIKey(testAPIKey), paragon.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	h.on("GET", apiBase+thPath+"/e1", 401, `{"message":"Invalid API key `+testAPIKey[:4]+`…","status":401}`)
	p := h.c.Project()
	_, err := p.GetWorkflowExecution(t.Context(), "e1")
	require.ErrorIs(t, err, paragon.ErrUnauthorized)
	key, kerr := paragon.NewAPIKey(testAPIKey)
	require.NoError(t, kerr)
	js, jerr := json.Marshal(struct {
		K paragon.APIKey
		P *paragon.Project
	}{key, p})
	require.NoError(t, jerr)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "key", key, "project", p)
	for _, s := range []string{err.Error(), fmt.Sprintf("%v %+v %#v %s %q %x", key, key, key, key, key, key),
		fmt.Sprintf("%v %+v %#v", p, p, p), fmt.Sprintf("%+v", struct{ K paragon.APIKey }{key}), fmt.Sprintf("%v", h.c),
		string(js), logs.String()} {
		assert.NotContains(t, s, "s3cr3t")
	}
	assert.Equal(t, "paragon.APIKey(redacted)", key.String())

	for _, bad := range []string{"", "  ", "api key", "api\nkey", "ключ"} {
		_, err := paragon.NewClient(testProject, paragon.WithAPIKey(bad))
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "%q", bad)
	}
}
