package paragon_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

const triggerURL = eventsBase + "/projects/" + testProject + "/sdk/triggers/"

func TestWorkflowAccepted(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", triggerURL+"wf-1", 202, ``)
	resp, err := h.c.User("u1").Workflow(t.Context(), "wf-1", &paragon.WorkflowParams{
		Body:    map[string]any{"leadId": "lead_1"},
		Query:   url.Values{"dryRun": {"true"}},
		Headers: http.Header{"X-Source": {"crm"}},
	}, paragon.WithCredential("cred-1"))
	require.NoError(t, err)
	assert.True(t, resp.Accepted())
	assert.Empty(t, resp.Body)
	req := h.only()
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, triggerURL+"wf-1?dryRun=true", req.URL)
	assert.Equal(t, "crm", req.Header.Get("X-Source"))
	assert.Equal(t, "cred-1", req.Header.Get("X-Paragon-Credential"))
	assert.JSONEq(t, `{"leadId":"lead_1"}`, string(req.Body))
	verifyToken(t, req.Header, "u1")
}

func TestWorkflowResponseStep(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", triggerURL+"wf-2", 200, `{"synced": 3}`)
	resp, err := h.c.User("u1").Workflow(t.Context(), "wf-2", nil)
	require.NoError(t, err)
	assert.False(t, resp.Accepted())
	assert.Equal(t, 200, resp.StatusCode)
	var out struct{ Synced int }
	require.NoError(t, resp.Decode(&out))
	assert.Equal(t, 3, out.Synced)
}

func TestWorkflowTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", triggerURL+"wf-3", 542, `{"message":"Workflow response timed out","status":542}`)
	_, err := h.c.User("u1").Workflow(t.Context(), "wf-3", nil, paragon.WithIdempotent())
	require.ErrorIs(t, err, paragon.ErrWorkflowTimeout)
	assert.Len(t, h.requests(), 1, "542 is never retried, even when marked idempotent")
}

func TestWorkflowInvalidID(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.c.User("u1")
	for _, id := range []string{"", ".", "..", "a/b", "a\\b", "a\nb", "a\x00b"} {
		_, err := u.Workflow(t.Context(), id, nil)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "workflow %q", id)
		assert.ErrorIs(t, u.EnableWorkflow(t.Context(), id), paragon.ErrInvalidInput)
	}
	_, err := u.Workflow(t.Context(), "wf", &paragon.WorkflowParams{Headers: http.Header{"Authorization": {"x"}}})
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Empty(t, h.requests())
}

func TestWorkflowIDEscaped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", triggerURL+"wf%20x%3F", 202, ``)
	_, err := h.c.User("u1").Workflow(t.Context(), "wf x?", nil)
	require.NoError(t, err)
	assert.Equal(t, triggerURL+"wf%20x%3F", h.only().URL)
}

func TestEnableDisableWorkflow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	wfURL := apiBase + "/projects/" + testProject + "/sdk/workflows/wf-9"
	h.on("POST", wfURL, 200, `{}`)
	h.on("DELETE", wfURL, 200, `{}`)

	events := make(chan paragon.SDKEvent, 2)
	unsubscribe := h.c.Subscribe(paragon.EventWorkflowChange, func(e paragon.SDKEvent) { events <- e })
	defer unsubscribe()

	u := h.c.User("u1")
	require.NoError(t, u.EnableWorkflow(t.Context(), "wf-9", paragon.WithCredential("c1"), paragon.WithConfiguration("cfg1")))
	require.NoError(t, u.DisableWorkflow(t.Context(), "wf-9", paragon.WithCredential("c1"), paragon.WithConfiguration("cfg1")))
	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, "POST", got[0].Method)
	assert.Equal(t, "c1", got[0].Header.Get("X-Paragon-Credential"))
	assert.Equal(t, "cfg1", got[0].Header.Get("X-Paragon-Configuration-Id"))
	assert.Equal(t, "DELETE", got[1].Method)
	assert.Equal(t, wfURL, got[1].URL)

	seen := map[bool]paragon.SDKEvent{}
	for range 2 {
		select {
		case e := <-events:
			seen[e.Enabled] = e
		case <-time.After(5 * time.Second):
			t.Fatal("no SDK event delivered")
		}
	}
	assert.Equal(t, "wf-9", seen[true].WorkflowID)
	assert.Equal(t, "u1", seen[false].UserID)
}
