package paragontest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/paragontest"
)

func TestProxyIntegrationNotEnabled(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, path := range []string{"/sdk/proxy/close/lead/", "/sdk/proxy/slack/chat.postMessage", "/sdk/proxy/unknown/x"} {
		r := do(t, srv, req{method: http.MethodGet, path: path, token: srv.UserToken("u")})
		m := assertParagonError(t, r, http.StatusNotFound, "integration_not_enabled")
		assert.Equal(t, "Integration not enabled for user.", m["message"])
		meta := m["meta"].(map[string]any)
		assert.Equal(t, "u", meta["endUserId"])
		assert.Equal(t, srv.ProjectID(), meta["projectId"])
	}
}

func TestProxyCloseWrapsAndRaw(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"close"}}))
	tok := srv.UserToken("u")

	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/proxy/close/lead/", token: tok, body: map[string]any{"name": "Acme"}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	out := r.JSON(t)["output"].(map[string]any)
	id := out["id"].(string)
	assert.True(t, strings.HasPrefix(id, "lead_"))
	assert.NotEmpty(t, r.Header.Get("RateLimit"), "rate-limit headers pass through")
	assert.NotEmpty(t, r.Header.Get("X-Request-Id"))
	_, ok := srv.CloseCRM().Lead(id)
	assert.True(t, ok)

	// Raw mode: Close's bytes and headers.
	for _, v := range []string{"1", "true"} {
		r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/lead/" + id + "/", token: tok, header: map[string]string{"X-Paragon-Use-Raw-Response": v}})
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, id, r.JSON(t)["id"])
		assert.NotContains(t, string(r.Body), `"output"`)
	}

	// Close errors keep Close's status, wrapped under output.
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/lead/lead_missing/", token: tok})
	require.Equal(t, http.StatusNotFound, r.Status)
	assert.JSONEq(t, `{"output":{"error":"Empty query: Lead matching query does not exist."}}`, string(r.Body))
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/proxy/close/opportunity/", token: tok, body: map[string]any{"lead_id": "lead_missing", "value": 5}})
	require.Equal(t, http.StatusBadRequest, r.Status)
	assert.JSONEq(t, `{"output":{"errors":[],"field-errors":{"lead":"Object does not exist."}}}`, string(r.Body))
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/lead/lead_missing/", token: tok, header: map[string]string{"X-Paragon-Use-Raw-Response": "1"}})
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.JSONEq(t, `{"error":"Empty query: Lead matching query does not exist."}`, string(r.Body))

	// Redirects keep the status and Location in both modes.
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/lead?_limit=1", token: tok})
	assert.Equal(t, http.StatusMovedPermanently, r.Status)
	assert.Equal(t, "lead/?_limit=1", r.Header.Get("Location"))
	assert.JSONEq(t, `{"output":null}`, string(r.Body))

	// A 429 from Close passes its headers through.
	srv.CloseCRM().FailNext(1, http.StatusTooManyRequests)
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/lead/", token: tok})
	assert.Equal(t, http.StatusTooManyRequests, r.Status)
	assert.Equal(t, "1", r.Header.Get("Retry-After"))
	assert.Contains(t, r.Header.Get("RateLimit"), "remaining=0")
	assert.Contains(t, string(r.Body), `"output":{`)

	// The proxy URL header replaces the path.
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/ignored/", token: tok, header: map[string]string{"X-Paragon-Proxy-Url": "/lead/" + id + "/"}})
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, id, r.JSON(t)["output"].(map[string]any)["id"])
	// A host other than Close's API is not the fake Close's (proxyurl_test.go).
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/x/", token: tok, header: map[string]string{"X-Paragon-Proxy-Url": "https://elsewhere.test/"}})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
}

func TestProxyEchoAndCustomHandler(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"slack", "close"}}))
	tok := srv.UserToken("u")

	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/proxy/slack/chat.postMessage?x=1", token: tok,
		header: map[string]string{"X-Extra": "e", "X-Paragon-Credential": ""}, body: map[string]any{"text": "hi"}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	out := r.JSON(t)["output"].(map[string]any)
	assert.Equal(t, "POST", out["method"])
	assert.Equal(t, "/chat.postMessage", out["path"])
	assert.Equal(t, map[string]any{"x": []any{"1"}}, out["query"])
	assert.Equal(t, map[string]any{"text": "hi"}, out["body"])
	hdr := out["headers"].(map[string]any)
	assert.Equal(t, "e", hdr["X-Extra"])
	assert.Equal(t, "u", hdr["X-Paragon-Test-User"])
	assert.NotContains(t, hdr, "Authorization")

	var mu sync.Mutex
	var seen []string
	srv.HandleProxy("slack", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Slack", "1")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("short and stout"))
	}))
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/slack/a/b", token: tok})
	assert.Equal(t, http.StatusTeapot, r.Status)
	assert.JSONEq(t, `{"output":"short and stout"}`, string(r.Body))
	assert.Empty(t, r.Header.Get("X-Slack"), "default mode keeps only rate-limit headers")
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/slack/a/b", token: tok, header: map[string]string{"X-Paragon-Use-Raw-Response": "1"}})
	assert.Equal(t, "short and stout", string(r.Body))
	assert.Equal(t, "1", r.Header.Get("X-Slack"))
	assert.Equal(t, []string{"GET /a/b", "GET /a/b"}, seen)

	srv.HandleProxy("slack", nil)
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/slack/a", token: tok})
	assert.Equal(t, "/a", r.JSON(t)["output"].(map[string]any)["path"])
}

func TestFailNextAndRate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tok := srv.UserToken("u")
	event := func() response {
		return do(t, srv, req{method: http.MethodPost, path: "/v2/projects/" + srv.ProjectID() + "/sdk/events/trigger", token: tok, body: map[string]any{"name": "E"}})
	}
	srv.FailNext(2, http.StatusServiceUnavailable)
	for range 2 {
		r := event()
		assertParagonError(t, r, http.StatusServiceUnavailable, "injected_fault")
		assert.Equal(t, "0", r.Header.Get("Retry-After"))
	}
	assert.Equal(t, http.StatusCreated, event().Status)
	assert.Len(t, srv.Events(), 1, "failed requests record nothing")

	srv.FailNext(1, http.StatusUnauthorized)
	assertParagonError(t, do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: tok}), http.StatusUnauthorized, "injected_fault")

	srv.FailRate(1, http.StatusBadGateway)
	for range 3 {
		assertParagonError(t, event(), http.StatusBadGateway, "injected_fault")
	}
	srv.FailRate(0.5, http.StatusServiceUnavailable)
	fails := 0
	for range 200 {
		if do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: tok}).Status != http.StatusOK {
			fails++
		}
	}
	assert.InDelta(t, 100, fails, 40)
	srv.ResetFaults()
	assert.Equal(t, http.StatusCreated, event().Status)

	reqs := srv.Requests()
	assert.Len(t, reqs, srv.RequestCount())
	last := reqs[len(reqs)-1]
	assert.Equal(t, http.MethodPost, last.Method)
	assert.Equal(t, "/v2/projects/"+srv.ProjectID()+"/sdk/events/trigger", last.Path)
	assert.Equal(t, "u", last.UserID)
	assert.Equal(t, http.StatusCreated, last.Status)
	assert.NotEmpty(t, last.RequestID)
	assert.Equal(t, http.StatusServiceUnavailable, reqs[0].Status)
}

func TestDropNext(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tok := srv.UserToken("u")
	srv.DropNext(1)
	hr, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+"/v2/projects/"+srv.ProjectID()+"/sdk/events/trigger", strings.NewReader(`{"name":"E"}`))
	require.NoError(t, err)
	hr.Header.Set("Authorization", "Bearer "+tok)
	resp, err := srv.HTTPClient().Do(hr)
	if err == nil {
		_ = resp.Body.Close()
	}
	require.Error(t, err, "the connection is closed without an answer")
	assert.Empty(t, srv.Events())
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, 0, reqs[0].Status)

	body, _ := json.Marshal(map[string]any{"name": "E"})
	r := do(t, srv, req{method: http.MethodPost, path: "/v2/projects/" + srv.ProjectID() + "/sdk/events/trigger", token: tok, body: string(body)})
	assert.Equal(t, http.StatusCreated, r.Status)
}

func TestInjectLatency(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.InjectLatency(30*time.Millisecond, 40*time.Millisecond)
	start := time.Now()
	r := do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: srv.UserToken("u")})
	assert.Equal(t, http.StatusOK, r.Status)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)

	// A client that gives up ends the wait; Close does not hang on it.
	srv.InjectLatency(time.Hour, time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+"/projects/"+srv.ProjectID()+"/sdk/me", nil)
	require.NoError(t, err)
	_, err = srv.HTTPClient().Do(hr)
	require.Error(t, err)
	srv.InjectLatency(0, 0)
	assert.Equal(t, http.StatusOK, do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: srv.UserToken("u")}).Status)
}

func TestReset(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "seeded", Meta: map[string]any{"k": "v"}}))
	srv.HandleWorkflow("wf", func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{Status: 200}, nil
	})
	tok := srv.UserToken("seeded")
	do(t, srv, req{method: http.MethodPatch, path: "/sdk/me", token: tok, body: map[string]any{"meta": map[string]any{"k": "changed"}}})
	do(t, srv, req{method: http.MethodPost, path: "/sdk/events/trigger", token: srv.UserToken("x"), body: map[string]any{"name": "E"}})
	_, err := srv.CloseCRM().CreateLead(map[string]any{"name": "L"})
	require.NoError(t, err)
	srv.FailNext(10, http.StatusBadGateway)

	srv.Reset()
	assert.Empty(t, srv.Events())
	assert.Empty(t, srv.Requests())
	assert.Empty(t, srv.CloseCRM().Leads())
	me := do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: tok})
	require.Equal(t, http.StatusOK, me.Status)
	assert.Equal(t, map[string]any{"k": "v"}, me.JSON(t)["meta"])
	assert.Equal(t, http.StatusOK, do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/wf", token: tok}).Status)
}
