package paragontest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/paragontest"
)

// akDo sends one raw ActionKit request as userID and returns the status and
// the decoded JSON body (nil when the body is not JSON).
func akDo(t *testing.T, srv *paragontest.Server, userID, method, path, body string, hdr ...string) (int, any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+"/projects/"+srv.ProjectID()+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.UserToken(userID))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var v any
	if json.Unmarshal(b, &v) != nil {
		v = string(b)
	}
	return resp.StatusCode, v, resp.Header
}

func TestFakeActionKitListTools(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))

	status, body, _ := akDo(t, srv, "u1", "GET", "/tools", "")
	require.Equal(t, http.StatusOK, status)
	actions := body.(map[string]any)["actions"].(map[string]any)
	assert.Contains(t, actions, "close")
	assert.NotContains(t, actions, "slack", "limit_to_available: only connected integrations")
	first := actions["close"].([]any)[0].(map[string]any)
	assert.Equal(t, "function", first["type"])
	fn := first["function"].(map[string]any)
	assert.Equal(t, "CLOSE_CREATE_LEAD", fn["name"])
	assert.Equal(t, "object", fn["parameters"].(map[string]any)["type"])
	assert.Equal(t, []any{}, body.(map[string]any)["errors"])

	status, body, _ = akDo(t, srv, "u1", "GET", "/tools?limit_to_available=false&categories=communication", "")
	require.Equal(t, http.StatusOK, status)
	actions = body.(map[string]any)["actions"].(map[string]any)
	assert.Equal(t, []string{"slack"}, keys(actions))

	status, body, _ = akDo(t, srv, "u1", "GET", "/tools?integrations=close,slack,hubspot&format=paragon&reload_fields=true", "")
	require.Equal(t, http.StatusOK, status)
	m := body.(map[string]any)
	assert.Equal(t, []string{"close"}, keys(m["actions"].(map[string]any)))
	assert.Equal(t, []any{
		map[string]any{"type": "hubspot", "message": "Integration not found."},
		map[string]any{"type": "slack", "message": "Integration not enabled for user."},
	}, m["errors"])
	flat := m["actions"].(map[string]any)["close"].([]any)[0].(map[string]any)
	assert.Equal(t, "CLOSE_CREATE_LEAD", flat["name"], "paragon format is flat")

	for _, q := range []string{"format=yaml", "limit_to_available=maybe", "reload_fields=2x"} {
		status, body, _ = akDo(t, srv, "u1", "GET", "/tools?"+q, "")
		assert.Equal(t, http.StatusBadRequest, status, q)
		assert.IsType(t, []any{}, body.(map[string]any)["message"], "class-validator message array")
	}
	status, _, _ = akDo(t, srv, "u1", "GET", "/actions", "")
	assert.Equal(t, http.StatusOK, status, "legacy alias")
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFakeActionKitRunCloseTools(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))

	status, body, _ := akDo(t, srv, "u1", "POST", "/tools",
		`{"tool": "CLOSE_CREATE_LEAD", "parameters": {"name": "Harbor Analytics", "contacts": [{"name": "Ada", "emails": [{"email": "ada@harbor.test"}]}]}}`)
	require.Equal(t, http.StatusOK, status, "%v", body)
	lead := body.(map[string]any)
	id, _ := lead["id"].(string)
	require.True(t, strings.HasPrefix(id, "lead_"), "a Close lead: %v", lead)
	stored, ok := srv.CloseCRM().Lead(id)
	require.True(t, ok, "the lead is in the fake Close state")
	assert.Equal(t, "Harbor Analytics", stored["name"])

	for i := range 3 {
		_, _, _ = akDo(t, srv, "u1", "POST", "/actions", `{"action": "CLOSE_CREATE_LEAD", "parameters": {"name": "Acme `+string(rune('A'+i))+`"}}`)
	}
	status, body, _ = akDo(t, srv, "u1", "POST", "/tools", `{"tool": "CLOSE_SEARCH_LEADS", "parameters": {"query": "Acme", "limit": 2}}`)
	require.Equal(t, http.StatusOK, status, "%v", body)
	page := body.(map[string]any)
	assert.Len(t, page["leads"], 2)
	cursor, _ := page["nextPageCursor"].(string)
	require.NotEmpty(t, cursor)
	status, body, _ = akDo(t, srv, "u1", "POST", "/tools",
		`{"tool": "CLOSE_SEARCH_LEADS", "parameters": {"query": "Acme", "limit": 2, "paginationParameters": {"pageCursor": "`+cursor+`"}}}`)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, body.(map[string]any)["leads"], 1)
	assert.NotContains(t, body.(map[string]any), "nextPageCursor")

	status, body, hdr := akDo(t, srv, "u1", "POST", "/tools", `{"tool": "CLOSE_EXPORT_LEADS_CSV", "parameters": {"query": "Harbor"}}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "text/csv; charset=utf-8", hdr.Get("Content-Type"))
	assert.Equal(t, "id,name\n"+id+",Harbor Analytics\n", body)

	status, body, _ = akDo(t, srv, "u1", "POST", "/tools", `{"tool": "CLOSE_GET_LEAD", "parameters": {"lead_id": "lead_missing"}}`)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, true, body.(map[string]any)["meta"].(map[string]any)["isIntegrationError"])

	for _, b := range []string{
		`{"tool": "CLOSE_CREATE_LEAD", "parameters": {}}`,
		`{"tool": "CLOSE_CREATE_LEAD", "parameters": [1]}`,
		`{"parameters": {}}`,
		`[]`,
	} {
		status, _, _ = akDo(t, srv, "u1", "POST", "/tools", b)
		assert.Equal(t, http.StatusBadRequest, status, b)
	}
	status, _, _ = akDo(t, srv, "u1", "POST", "/tools", `{"tool": "NO_SUCH_TOOL"}`)
	assert.Equal(t, http.StatusNotFound, status)
}

func TestFakeActionKitAvailability(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	status, body, _ := akDo(t, srv, "u1", "POST", "/tools", `{"tool": "SLACK_SEND_MESSAGE", "parameters": {"channel": "#a", "text": "hi"}}`)
	require.Equal(t, http.StatusNotFound, status)
	m := body.(map[string]any)
	assert.Equal(t, "Integration not enabled for user.", m["message"])
	assert.Equal(t, "integration_not_enabled", m["code"])
	assert.InDelta(t, 404, m["status"], 0)
	assert.Equal(t, paragontest.SlackIntegrationID, m["meta"].(map[string]any)["integrationId"])

	status, _, _ = akDo(t, srv, "u1", "POST", "/tools", `{"tool": "CLOSE_CREATE_LEAD", "parameters": {"name": "A"}}`,
		"X-Paragon-Credential", "not-a-credential")
	assert.Equal(t, http.StatusNotFound, status, "a credential of another user or integration")

	require.NoError(t, srv.AddUser(paragontest.UserSeed{ID: "u2", Connected: []string{"slack"}}))
	status, body, _ = akDo(t, srv, "u2", "POST", "/tools", `{"tool": "SLACK_SEND_MESSAGE", "parameters": {"channel": "#a", "text": "hi"}}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "/chat.postMessage", body.(map[string]any)["path"], "through the proxy to the echo handler")
}

func TestFakeActionKitTriggers(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, b)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)

	status, body, _ := akDo(t, srv, "u1", "GET", "/triggers", "")
	require.Equal(t, http.StatusOK, status)
	close := body.(map[string]any)["triggers"].(map[string]any)["close"].([]any)
	assert.Equal(t, "CLOSE_TRIGGER_RECORD_CREATED", close[0].(map[string]any)["type"])
	assert.Equal(t, "WEBHOOK", close[0].(map[string]any)["triggerModel"])
	_, body, _ = akDo(t, srv, "u1", "GET", "/triggers?integrations=slack", "")
	assert.Equal(t, "Integration not enabled for user.", body.(map[string]any)["errors"].([]any)[0].(map[string]any)["message"])

	status, body, _ = akDo(t, srv, "u1", "POST", "/trigger-subscriptions", `{"type": "CLOSE_TRIGGER_RECORD_CREATED",
	  "parameters": {"objectType": "lead"}, "webhookOverride": {"url": "`+hook.URL+`/in", "headers": {"X-Hook-Key": "k1"}, "metadata": {"team": "west"}}}`)
	require.Equal(t, http.StatusOK, status, "%v", body)
	sub := body.(map[string]any)
	subID := sub["id"].(string)
	assert.Equal(t, "ACTIVE", sub["status"])
	assert.Nil(t, sub["dateLastReceivedEvent"])
	assert.NotContains(t, sub["webhookOverride"], "headers", "override headers are not echoed")

	for _, b := range []string{
		`{"type": "CLOSE_TRIGGER_RECORD_CREATED", "parameters": {}}`,
		`{"type": "NOPE"}`,
		`{"type": "CLOSE_TRIGGER_RECORD_CREATED", "parameters": {"objectType": "lead"}, "webhookOverride": {"url": "https://example.com/x"}}`,
		`{"type": "CLOSE_TRIGGER_RECORD_CREATED", "integration": "slack", "parameters": {"objectType": "lead"}}`,
	} {
		status, _, _ = akDo(t, srv, "u1", "POST", "/trigger-subscriptions", b)
		assert.Equal(t, http.StatusBadRequest, status, b)
	}
	status, _, _ = akDo(t, srv, "u1", "POST", "/trigger-subscriptions", `{"type": "SLACK_TRIGGER_MESSAGE_POSTED"}`)
	assert.Equal(t, http.StatusNotFound, status, "not connected")

	ids, err := srv.FireTrigger("u1", "CLOSE_TRIGGER_RECORD_CREATED", map[string]any{"id": "lead_1"})
	require.NoError(t, err)
	require.Len(t, ids, 1)
	ds, err := srv.WaitTriggerDeliveries(t.Context(), 1)
	require.NoError(t, err)
	d := ds[0]
	assert.Equal(t, http.StatusNoContent, d.StatusCode, d.Err)
	assert.Equal(t, ids[0], d.EventID)
	assert.Equal(t, subID, d.SubscriptionID)
	mu.Lock()
	r, b := got[0], bodies[0]
	mu.Unlock()
	assert.Equal(t, "/in", r.URL.Path)
	assert.Equal(t, "k1", r.Header.Get("X-Hook-Key"))
	mac := hmac.New(sha256.New, []byte(srv.ActionKitSigningSecret()))
	mac.Write(b)
	assert.Equal(t, "v1="+hex.EncodeToString(mac.Sum(nil)), r.Header.Get("x-paragon-signature"))
	var ev map[string]any
	require.NoError(t, json.Unmarshal(b, &ev))
	assert.Equal(t, ids[0], ev["eventId"])
	assert.Equal(t, "u1", ev["userId"])
	assert.Equal(t, "close", ev["integration"])
	assert.Equal(t, subID, ev["triggerSubscriptionId"])
	assert.Equal(t, srv.ProjectID(), ev["projectId"])
	assert.Equal(t, map[string]any{"id": "lead_1"}, ev["payload"])
	assert.Equal(t, map[string]any{"team": "west"}, ev["triggerSubscriptionMetadata"])

	// PATCH: a null parameter and a null override are removed.
	status, body, _ = akDo(t, srv, "u1", "PATCH", "/trigger-subscriptions/"+subID, `{"parameters": {"objectType": null, "x": 1}, "webhookOverride": null}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"x": float64(1)}, body.(map[string]any)["parameters"])
	assert.NotContains(t, body, "webhookOverride")
	assert.NotNil(t, body.(map[string]any)["dateLastReceivedEvent"])

	// Without an override the project URL is used; none set: a failed delivery.
	_, err = srv.FireTrigger("u1", "CLOSE_TRIGGER_RECORD_CREATED", nil)
	require.NoError(t, err)
	ds, err = srv.WaitTriggerDeliveries(t.Context(), 2)
	require.NoError(t, err)
	assert.Contains(t, ds[1].Err, "no webhook URL")
	require.NoError(t, srv.SetActionKitWebhookURL(hook.URL+"/project"))
	require.Error(t, srv.SetActionKitWebhookURL("https://example.com/hook"))
	status, _, _ = akDo(t, srv, "u1", "POST", "/paragontest/trigger-events", `{"type": "CLOSE_TRIGGER_RECORD_CREATED", "payload": {"id": "lead_2"}}`)
	require.Equal(t, http.StatusAccepted, status)
	ds, err = srv.WaitTriggerDeliveries(t.Context(), 3)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, ds[2].StatusCode)

	// ERRORED subscriptions deliver nothing; list filters.
	require.NoError(t, srv.SetTriggerSubscriptionStatus(subID, paragontest.TriggerStatusErrored))
	ids, _ = srv.FireTrigger("u1", "CLOSE_TRIGGER_RECORD_CREATED", nil)
	assert.Empty(t, ids)
	_, body, _ = akDo(t, srv, "u1", "GET", "/trigger-subscriptions?status=ERRORED&integrations=close", "")
	assert.Len(t, body, 1)
	_, body, _ = akDo(t, srv, "u1", "GET", "/trigger-subscriptions?status=ACTIVE", "")
	assert.Empty(t, body)
	_, body, _ = akDo(t, srv, "other", "GET", "/trigger-subscriptions", "")
	assert.Empty(t, body, "subscriptions are per user")
	status, _, _ = akDo(t, srv, "other", "DELETE", "/trigger-subscriptions/"+subID, "")
	assert.Equal(t, http.StatusNotFound, status)

	status, body, _ = akDo(t, srv, "u1", "DELETE", "/trigger-subscriptions/"+subID, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"success": true}, body)
	status, _, _ = akDo(t, srv, "u1", "DELETE", "/trigger-subscriptions/"+subID, "")
	assert.Equal(t, http.StatusNotFound, status)
}

func TestFakeActionKitReset(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	status, _, _ := akDo(t, srv, "u1", "POST", "/trigger-subscriptions", `{"type": "CLOSE_TRIGGER_RECORD_CREATED", "parameters": {"objectType": "lead"}}`)
	require.Equal(t, http.StatusOK, status)
	_, err := srv.FireTrigger("u1", "CLOSE_TRIGGER_RECORD_CREATED", nil)
	require.NoError(t, err)
	_, err = srv.WaitTriggerDeliveries(t.Context(), 1)
	require.NoError(t, err)
	secret := srv.ActionKitSigningSecret()

	srv.Reset()
	_, body, _ := akDo(t, srv, "u1", "GET", "/trigger-subscriptions", "")
	assert.Empty(t, body)
	assert.Empty(t, srv.TriggerDeliveries())
	assert.Equal(t, secret, srv.ActionKitSigningSecret(), "the signing secret is the project's; Reset keeps it")
	_, err = srv.FireTrigger("u1", "CLOSE_TRIGGER_RECORD_CREATED", make(chan int))
	require.Error(t, err, "a payload that is not JSON")
}
