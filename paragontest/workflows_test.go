package paragontest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/paragontest"
)

func TestEnableAndTriggerIntegrationWorkflow(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"close"}}))
	tok := srv.UserToken("u")
	var got paragontest.WorkflowRequest
	srv.HandleWorkflow(paragontest.WorkflowCloseLookupLead, func(_ context.Context, r paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		got = r
		return paragontest.WorkflowResponse{Status: http.StatusOK, Header: http.Header{"X-Run": {"1"}}, Body: map[string]any{"lead": "lead_1"}}, nil
	})
	trigger := func(tok string, hdr map[string]string) response {
		return do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/" + paragontest.WorkflowCloseLookupLead + "?q=1",
			token: tok, body: map[string]any{"email": "a@b.test"}, header: hdr})
	}

	assertParagonError(t, trigger(tok, nil), http.StatusBadRequest, "workflow_not_enabled")
	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/workflows/" + paragontest.WorkflowCloseLookupLead, token: tok})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)

	r = trigger(tok, map[string]string{"X-Custom": "yes"})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.JSONEq(t, `{"lead":"lead_1"}`, string(r.Body))
	assert.Equal(t, "1", r.Header.Get("X-Run"))
	assert.Equal(t, "u", got.UserID)
	assert.Equal(t, paragontest.WorkflowCloseLookupLead, got.WorkflowID)
	assert.NotEmpty(t, got.CredentialID)
	assert.JSONEq(t, `{"email":"a@b.test"}`, string(got.Body))
	assert.Equal(t, "1", got.Query.Get("q"))
	assert.Equal(t, "yes", got.Header.Get("X-Custom"))
	assert.Empty(t, got.Header.Get("Authorization"))

	// Another user without Close can't run it; a wrong credential is a 404.
	assertParagonError(t, trigger(srv.UserToken("v"), nil), http.StatusBadRequest, "workflow_not_enabled")
	assertParagonError(t, trigger(tok, map[string]string{"X-Paragon-Credential": "nope"}), http.StatusNotFound, "not_found")

	r = do(t, srv, req{method: http.MethodDelete, path: "/sdk/workflows/" + paragontest.WorkflowCloseLookupLead, token: tok})
	require.Equal(t, http.StatusOK, r.Status)
	assertParagonError(t, trigger(tok, nil), http.StatusBadRequest, "workflow_not_enabled")

	// Enabling needs the integration.
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/workflows/" + paragontest.WorkflowSlackNotify, token: tok})
	assertParagonError(t, r, http.StatusNotFound, "integration_not_enabled")
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/workflows/unknown", token: tok})
	assertParagonError(t, r, http.StatusNotFound, "not_found")
}

func TestTriggerWithoutHandlerAccepts(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"close"}}))
	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/" + paragontest.WorkflowCloseSyncLeads, token: srv.UserToken("u")})
	assert.Equal(t, http.StatusAccepted, r.Status)
	assert.Empty(t, r.Body)
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/unknown", token: srv.UserToken("u")})
	assertParagonError(t, r, http.StatusNotFound, "not_found")
}

func TestHandlerOnlyWorkflow(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.HandleWorkflow("wf-free", func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{}, nil
	})
	tok := srv.UserToken("u")
	path := "/sdk/triggers/wf-free"
	assert.Equal(t, http.StatusAccepted, do(t, srv, req{method: http.MethodPost, path: path, token: tok}).Status)
	require.Equal(t, http.StatusOK, do(t, srv, req{method: http.MethodDelete, path: "/sdk/workflows/wf-free", token: tok}).Status)
	assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: path, token: tok}), http.StatusBadRequest, "workflow_not_enabled")
	assert.Equal(t, http.StatusAccepted, do(t, srv, req{method: http.MethodPost, path: path, token: srv.UserToken("other")}).Status)
	require.Equal(t, http.StatusOK, do(t, srv, req{method: http.MethodPost, path: "/sdk/workflows/wf-free", token: tok}).Status)
	assert.Equal(t, http.StatusAccepted, do(t, srv, req{method: http.MethodPost, path: path, token: tok}).Status)

	srv.HandleWorkflow("wf-free", nil)
	assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: path, token: tok}), http.StatusNotFound, "not_found")
}

func TestTriggerTimeoutAndFailures(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithTriggerTimeout(50*time.Millisecond))
	var canceled sync.WaitGroup
	canceled.Add(1)
	srv.HandleWorkflow("slow", func(ctx context.Context, _ paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		defer canceled.Done()
		<-ctx.Done()
		return paragontest.WorkflowResponse{Status: 200}, nil
	})
	srv.HandleWorkflow("fails", func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{}, errors.New("step 3 failed")
	})
	srv.HandleWorkflow("panics", func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		panic("boom")
	})
	srv.HandleWorkflow("raw", func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{Status: http.StatusCreated, Body: []byte("plain text")}, nil
	})
	srv.HandleWorkflow("bad-status", func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{Status: 42}, nil
	})
	tok := srv.UserToken("u")

	start := time.Now()
	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/slow", token: tok})
	m := assertParagonError(t, r, 542, "workflow_timeout")
	assert.Contains(t, m["message"], "50ms")
	assert.Less(t, time.Since(start), 5*time.Second)
	canceled.Wait() // the handler's context was canceled

	m = assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/fails", token: tok}), http.StatusInternalServerError, "workflow_failed")
	assert.Equal(t, "step 3 failed", m["message"])
	m = assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/panics", token: tok}), http.StatusInternalServerError, "workflow_failed")
	assert.Contains(t, m["message"], "boom")
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/raw", token: tok})
	assert.Equal(t, http.StatusCreated, r.Status)
	assert.Equal(t, "plain text", string(r.Body))
	assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/bad-status", token: tok}), http.StatusInternalServerError, "workflow_failed")
}

func TestCloseWaitsForSlowHandlers(t *testing.T) {
	t.Parallel()
	srv := paragontest.NewServer(paragontest.WithTriggerTimeout(20 * time.Millisecond))
	done := make(chan struct{})
	srv.HandleWorkflow("slow", func(ctx context.Context, _ paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		defer close(done)
		<-ctx.Done()
		time.Sleep(30 * time.Millisecond) // past the timeout
		return paragontest.WorkflowResponse{}, nil
	})
	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/slow", token: srv.UserToken("u")})
	assert.Equal(t, 542, r.Status)
	srv.Close()
	select {
	case <-done:
	default:
		t.Fatal("Close returned before the handler did")
	}
}

func TestEventsRecorded(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"close"}}))
	tok := srv.UserToken("u")
	me := do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: tok}).JSON(t)
	cl := me["integrations"].(map[string]any)["close"].(map[string]any)
	credID := cl["credentialId"].(string)
	cfgID := cl["allCredentials"].([]any)[0].(map[string]any)["configurations"].([]any)[0].(map[string]any)["id"].(string)

	r := do(t, srv, req{method: http.MethodPost, path: "/v2/projects/" + srv.ProjectID() + "/sdk/events/trigger", token: tok,
		body: map[string]any{"name": "Contact Created", "payload": map[string]any{"email": "a@b.test"}}})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/events/trigger", token: tok,
		header: map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": cfgID},
		body:   map[string]any{"name": "Deal Won"}})
	require.Equal(t, http.StatusCreated, r.Status, "docs route; body: %s", r.Body)

	for _, bad := range []struct {
		body   any
		hdr    map[string]string
		status int
	}{
		{map[string]any{"payload": map[string]any{}}, nil, http.StatusBadRequest},
		{map[string]any{"name": 5}, nil, http.StatusBadRequest},
		{"[1,2]", nil, http.StatusBadRequest},
		{map[string]any{"name": "x"}, map[string]string{"X-Paragon-Configuration-Id": cfgID}, http.StatusBadRequest},
		{map[string]any{"name": "x"}, map[string]string{"X-Paragon-Credential": "nope"}, http.StatusNotFound},
		{map[string]any{"name": "x"}, map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": "nope"}, http.StatusNotFound},
	} {
		r := do(t, srv, req{method: http.MethodPost, path: "/v2/projects/" + srv.ProjectID() + "/sdk/events/trigger", token: tok, body: bad.body, header: bad.hdr})
		assertParagonError(t, r, bad.status, "")
	}

	ev := srv.Events()
	require.Len(t, ev, 2)
	assert.Equal(t, "u", ev[0].UserID)
	assert.Equal(t, "Contact Created", ev[0].Name)
	assert.JSONEq(t, `{"email":"a@b.test"}`, string(ev[0].Payload))
	assert.Empty(t, ev[0].Credential)
	assert.False(t, ev[0].Time.IsZero())
	assert.Equal(t, "Deal Won", ev[1].Name)
	assert.Nil(t, ev[1].Payload)
	assert.Equal(t, credID, ev[1].Credential)
	assert.Equal(t, cfgID, ev[1].Configuration)

	ev[0].Payload[0] = 'X' // a copy
	assert.JSONEq(t, `{"email":"a@b.test"}`, string(srv.Events()[0].Payload))
}

func TestConcurrentEventsExactlyOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	const workers, each = 40, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			tok := srv.UserToken("user-" + string(rune('a'+w%26)))
			for i := range each {
				body, _ := json.Marshal(map[string]any{"name": "E", "payload": map[string]any{"w": w, "i": i}})
				r := do(t, srv, req{method: http.MethodPost, path: "/v2/projects/" + srv.ProjectID() + "/sdk/events/trigger", token: tok, body: string(body)})
				assert.Equal(t, http.StatusCreated, r.Status)
			}
		})
	}
	wg.Wait()
	ev := srv.Events()
	require.Len(t, ev, workers*each)
	seen := map[string]bool{}
	for _, e := range ev {
		k := string(e.Payload)
		assert.False(t, seen[k], "duplicate %s", k)
		seen[k] = true
	}
	assert.Equal(t, workers*each, srv.RequestCount())
}
