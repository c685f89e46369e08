package paragontest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/paragontest"
)

func TestGetMeNewAndSeededUsers(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{
		ID: "seeded", Meta: map[string]any{"Name": "Dana", "tier": 2}, Connected: []string{"close"},
	}))

	r := do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: srv.UserToken("fresh")})
	require.Equal(t, http.StatusOK, r.Status)
	assert.NotEmpty(t, r.Header.Get("X-Request-Id"))
	me := r.JSON(t)
	assert.Equal(t, true, me["authenticated"])
	assert.Equal(t, "fresh", me["userId"])
	assert.Equal(t, map[string]any{}, me["meta"])
	assert.Equal(t, map[string]any{"enabled": false, "allCredentials": []any{}, "configuredWorkflows": map[string]any{}}, me["integrations"].(map[string]any)["close"])
	assert.Contains(t, me["project"].(map[string]any)["accessibleFeatures"], "headless-cp")

	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: srv.UserToken("seeded")})
	me = r.JSON(t)
	assert.Equal(t, map[string]any{"Name": "Dana", "tier": float64(2)}, me["meta"])
	cl := me["integrations"].(map[string]any)["close"].(map[string]any)
	assert.Equal(t, true, cl["enabled"])
	assert.Equal(t, "VALID", cl["credentialStatus"])
	creds := cl["allCredentials"].([]any)
	require.Len(t, creds, 1)
	cred := creds[0].(map[string]any)
	assert.Equal(t, cl["credentialId"], cred["id"])
	assert.Equal(t, paragontest.CloseIntegrationID, cred["integrationId"])
	wfs := cl["configuredWorkflows"].(map[string]any)
	assert.Equal(t, true, wfs[paragontest.WorkflowCloseSyncLeads].(map[string]any)["enabled"], "DefaultEnabled")
	assert.Equal(t, false, wfs[paragontest.WorkflowCloseLookupLead].(map[string]any)["enabled"])
	assert.Equal(t, map[string]any{"enabled": false, "allCredentials": []any{}, "configuredWorkflows": map[string]any{}}, me["integrations"].(map[string]any)["slack"])
}

func TestPatchMeMerges(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tok := srv.UserToken("u1")
	r := do(t, srv, req{method: http.MethodPatch, path: "/sdk/me", token: tok, body: map[string]any{"meta": map[string]any{"Name": "A", "Email": "a@x.test"}}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/me", token: tok, body: map[string]any{"meta": map[string]any{"Email": nil, "plan": "pro"}}})
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, map[string]any{"Name": "A", "plan": "pro"}, r.JSON(t)["meta"])

	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/me", token: tok, body: map[string]any{"meta": "nope"}})
	m := assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
	assert.IsType(t, []any{}, m["message"], "400s use the class-validator message array")
	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/me", token: tok, body: "{not json"})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
}

func TestIntegrationsAndMetadata(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithIntegration(paragontest.Integration{
		Type: "hubspot", Workflows: []paragontest.Workflow{{ID: "wf-h", Description: "Sync"}},
	}), paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"slack"}}))
	tok := srv.UserToken("u")

	list := do(t, srv, req{method: http.MethodGet, path: "/sdk/integrations", token: tok}).List(t)
	require.Len(t, list, 3)
	byType := map[string]map[string]any{}
	for _, in := range list {
		byType[in["type"].(string)] = in
	}
	cl := byType["close"]
	assert.Equal(t, paragontest.CloseIntegrationID, cl["id"])
	assert.Equal(t, "Close", cl["name"])
	assert.Equal(t, srv.ProjectID(), cl["projectId"])
	assert.Equal(t, "basic", cl["authenticationType"])
	assert.Equal(t, false, cl["hasCredential"])
	assert.Equal(t, true, byType["slack"]["hasCredential"])
	assert.Len(t, cl["workflows"], 2)
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, cl["dateCreated"])
	h := byType["hubspot"]
	assert.Equal(t, "Hubspot", h["name"])
	assert.Regexp(t, `^[0-9a-f-]{36}$`, h["id"])

	meta := do(t, srv, req{method: http.MethodGet, path: "/sdk/metadata", token: tok}).List(t)
	require.Len(t, meta, 3)
	assert.Equal(t, map[string]any{
		"type": "close", "name": "Close", "brandColor": "#2F6BFF",
		"icon": "https://cdn.useparagon.com/paragontest/dashboard/public/integrations/close.svg",
	}, meta[0])
}

func TestCredentialsLifecycle(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tok := srv.UserToken("u")

	// Headless install with inputs, and with an OAuth code.
	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/credentials", token: tok,
		body: map[string]any{"integrationId": paragontest.CloseIntegrationID, "config": map[string]any{}, "payload": map[string]any{"apiKey": "k1"}}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	closeCred := r.JSON(t)
	assert.Equal(t, "VALID", closeCred["status"])
	assert.Nil(t, closeCred["accountAuth"], "secrets only on request")
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/credentials", token: tok,
		body: map[string]any{"integrationId": paragontest.SlackIntegrationID, "code": "abc", "integrationOptions": map[string]any{}}})
	require.Equal(t, http.StatusOK, r.Status)

	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/credentials", token: tok,
		body: map[string]any{"integrationId": "00000000-0000-4000-8000-000000000000", "payload": map[string]any{"a": 1}}})
	assertParagonError(t, r, http.StatusNotFound, "not_found")
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/credentials", token: tok,
		body: map[string]any{"integrationId": paragontest.CloseIntegrationID}})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")

	all := do(t, srv, req{method: http.MethodGet, path: "/sdk/credentials", token: tok}).List(t)
	assert.Len(t, all, 2)
	// Filtered by integration: one object, the integration record with the
	// account fields (spec §5.3.2).
	acct := do(t, srv, req{method: http.MethodGet, path: "/sdk/credentials?integration=close&includeAccountAuth=true", token: tok}).JSON(t)
	assert.Equal(t, paragontest.CloseIntegrationID, acct["id"])
	assert.Equal(t, "close", acct["type"])
	assert.Equal(t, true, acct["hasCredential"])
	assert.Equal(t, float64(5), acct["connectedUserLimitOnDevCred"])
	assert.Equal(t, closeCred["id"], acct["credentialId"])
	assert.Equal(t, map[string]any{"apiKey": "k1"}, acct["accountAuth"])
	require.Len(t, acct["credentials"], 1)
	acct = do(t, srv, req{method: http.MethodGet, path: "/sdk/credentials?integration=close&includeAccountAuth=undefined", token: tok}).JSON(t)
	assert.Nil(t, acct["accountAuth"], "the browser SDK's includeAccountAuth=undefined means no")
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/credentials?integration=nope", token: tok})
	assertParagonError(t, r, http.StatusNotFound, "not_found")

	// Settings: PATCH replaces the sub-objects it carries.
	id := closeCred["id"].(string)
	cfgID := closeCred["configurations"].([]any)[0].(map[string]any)["id"].(string)
	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/credentials/" + id, token: tok,
		header: map[string]string{"X-Paragon-Credential": id, "X-Paragon-Configuration-Id": cfgID},
		body:   map[string]any{"config": map[string]any{"sharedSettings": map[string]any{"pipeline": "p1"}}}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	upd := r.JSON(t)
	assert.Equal(t, map[string]any{"pipeline": "p1"}, upd["config"].(map[string]any)["sharedSettings"])
	assert.Equal(t, map[string]any{"pipeline": "p1"}, upd["configurations"].([]any)[0].(map[string]any)["sharedSettings"])
	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/credentials/" + id, token: tok,
		body: map[string]any{"config": map[string]any{"workflowSettings": map[string]any{
			paragontest.WorkflowCloseLookupLead: map[string]any{"enabled": true, "settings": map[string]any{"x": 1}},
		}}}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	upd = r.JSON(t)
	assert.Equal(t, map[string]any{"pipeline": "p1"}, upd["config"].(map[string]any)["sharedSettings"], "kept")
	ws := upd["configurations"].([]any)[0].(map[string]any)["workflowSettings"].(map[string]any)
	assert.Equal(t, map[string]any{"enabled": true, "settings": map[string]any{"x": float64(1)}}, ws[paragontest.WorkflowCloseLookupLead])
	assert.Equal(t, map[string]any{"enabled": true, "settings": map[string]any{}}, ws[paragontest.WorkflowCloseSyncLeads], "untouched")
	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/credentials/" + id, token: tok,
		body: map[string]any{"config": map[string]any{"workflowSettings": map[string]any{"wf": "on"}}}})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")

	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/credentials/" + id, token: tok,
		header: map[string]string{"X-Paragon-Credential": "other"}, body: map[string]any{"config": map[string]any{}}})
	assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/credentials/nope", token: tok, body: map[string]any{"config": map[string]any{}}})
	assertParagonError(t, r, http.StatusNotFound, "not_found")
	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/credentials/" + id, token: srv.UserToken("someone-else"), body: map[string]any{"config": map[string]any{}}})
	assertParagonError(t, r, http.StatusNotFound, "not_found")

	// Uninstall removes the credential; a second time is a 404.
	r = do(t, srv, req{method: http.MethodDelete, path: "/sdk/integrations/" + paragontest.CloseIntegrationID, token: tok})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	r = do(t, srv, req{method: http.MethodDelete, path: "/sdk/integrations/" + paragontest.CloseIntegrationID, token: tok})
	assertParagonError(t, r, http.StatusNotFound, "integration_not_enabled")
	r = do(t, srv, req{method: http.MethodDelete, path: "/sdk/integrations/unknown", token: tok})
	assertParagonError(t, r, http.StatusNotFound, "not_found")
	all = do(t, srv, req{method: http.MethodGet, path: "/sdk/credentials", token: tok}).List(t)
	require.Len(t, all, 1)
	assert.Equal(t, paragontest.SlackIntegrationID, all[0]["integrationId"])
}

func TestUninstallOneOfSeveralCredentials(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tok := srv.UserToken("u")
	var ids []string
	for range 2 {
		r := do(t, srv, req{method: http.MethodPost, path: "/sdk/credentials", token: tok,
			body: map[string]any{"integrationId": paragontest.CloseIntegrationID, "payload": map[string]any{"apiKey": "k"}}})
		ids = append(ids, r.JSON(t)["id"].(string))
	}
	r := do(t, srv, req{method: http.MethodDelete, path: "/sdk/integrations/" + paragontest.CloseIntegrationID, token: tok,
		header: map[string]string{"X-Paragon-Credential": ids[1]}})
	require.Equal(t, http.StatusOK, r.Status)
	left := do(t, srv, req{method: http.MethodGet, path: "/sdk/credentials", token: tok}).List(t)
	require.Len(t, left, 1)
	assert.Equal(t, ids[0], left[0]["id"])
}

func TestUsersAreIsolated(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "a", Connected: []string{"close"}, Meta: map[string]any{"k": "a"}}))
	r := do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: srv.UserToken("b")})
	me := r.JSON(t)
	assert.Equal(t, map[string]any{}, me["meta"])
	assert.Equal(t, map[string]any{"enabled": false, "allCredentials": []any{}, "configuredWorkflows": map[string]any{}}, me["integrations"].(map[string]any)["close"])
	assert.Empty(t, do(t, srv, req{method: http.MethodGet, path: "/sdk/credentials", token: srv.UserToken("b")}).List(t))
}

func TestAddUser(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	require.NoError(t, srv.AddUser(paragontest.UserSeed{ID: "x", Connected: []string{"close"}, EnabledWorkflows: []string{paragontest.WorkflowCloseLookupLead, "free-wf"}}))
	assert.Error(t, srv.AddUser(paragontest.UserSeed{ID: "x"}), "exists")
	assert.Error(t, srv.AddUser(paragontest.UserSeed{}), "no ID")
	assert.Error(t, srv.AddUser(paragontest.UserSeed{ID: "y", Connected: []string{"nope"}}))
	assert.Error(t, srv.AddUser(paragontest.UserSeed{ID: "z", EnabledWorkflows: []string{paragontest.WorkflowSlackNotify}}), "slack not connected")
	assert.Error(t, srv.AddUser(paragontest.UserSeed{ID: "w", Meta: map[string]any{"f": func() {}}}))
}

func TestNewServerPanicsOnBadOptions(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]paragontest.Option{
		"no type":          paragontest.WithIntegration(paragontest.Integration{}),
		"workflow no id":   paragontest.WithIntegration(paragontest.Integration{Type: "x", Workflows: []paragontest.Workflow{{}}}),
		"bad project":      paragontest.WithProjectID("a/b"),
		"bad key":          paragontest.WithSigningKey([]byte("nope")),
		"short key":        paragontest.WithSigningKey(shortKeyPEM()),
		"bad timeout":      paragontest.WithTriggerTimeout(-1),
		"user unknown int": paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"nope"}}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Panics(t, func() { paragontest.NewServer(opt).Close() })
		})
	}
}

func TestWithoutDefaultIntegrations(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithoutDefaultIntegrations(), paragontest.WithProjectID("proj-1"),
		paragontest.WithIntegration(paragontest.Integration{Type: "close", Name: "My Close"}))
	assert.Equal(t, "proj-1", srv.ProjectID())
	list := do(t, srv, req{method: http.MethodGet, path: "/sdk/metadata", token: srv.UserToken("u")}).List(t)
	require.Len(t, list, 1)
	assert.Equal(t, "My Close", list[0]["name"])
}

func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := do(t, srv, req{method: http.MethodGet, path: "/projects/other-project/sdk/me", token: srv.UserToken("u")})
	assertParagonError(t, r, http.StatusNotFound, "not_found")
	r = do(t, srv, req{method: http.MethodPut, path: "/sdk/me", token: srv.UserToken("u")})
	assertParagonError(t, r, http.StatusNotFound, "not_found")
}
