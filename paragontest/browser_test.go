package paragontest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

const pageOrigin = "http://app.localhost:3000"

func TestCORSPreflightBeforeAuthAndFaults(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.FailNext(5, http.StatusInternalServerError) // must not touch preflights
	r := do(t, srv, req{method: http.MethodOptions, path: "/sdk/me", header: map[string]string{
		"Origin":                         pageOrigin,
		"Access-Control-Request-Method":  "GET",
		"Access-Control-Request-Headers": "authorization,content-type,x-paragon-sdk-version,x-custom",
	}})
	assert.Equal(t, http.StatusNoContent, r.Status, "no token, yet not a 401")
	assert.Equal(t, pageOrigin, r.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, r.Header.Values("Vary"), "Origin")
	assert.Equal(t, "authorization,content-type,x-paragon-sdk-version,x-custom", r.Header.Get("Access-Control-Allow-Headers"), "echoed")
	for _, m := range []string{"GET", "POST", "PATCH", "DELETE"} {
		assert.Contains(t, r.Header.Get("Access-Control-Allow-Methods"), m)
	}
	assert.Empty(t, r.Body)

	// Without requested headers, the default list covers Paragon's.
	r = do(t, srv, req{method: http.MethodOptions, path: "/sdk/proxy/close/lead/", header: map[string]string{
		"Origin": pageOrigin, "Access-Control-Request-Method": "POST",
	}})
	assert.Equal(t, http.StatusNoContent, r.Status)
	allow := strings.ToLower(r.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"authorization", "content-type", "x-paragon-credential", "x-paragon-configuration-id", "x-paragon-sdk-version"} {
		assert.Contains(t, allow, h)
	}
	assert.Empty(t, srv.Requests(), "preflights are not recorded as calls")
	assert.Equal(t, 0, srv.RequestCount())
	assert.Equal(t, 2, srv.PreflightCount())

	// Injected faults and errors carry the CORS headers too.
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: srv.UserToken("u"), header: map[string]string{"Origin": pageOrigin}})
	assertParagonError(t, r, http.StatusInternalServerError, "injected_fault")
	assert.Equal(t, pageOrigin, r.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "0", r.Header.Get("Retry-After"), "a short Retry-After on every injected 5xx")
	srv.ResetFaults()
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/me", header: map[string]string{"Origin": pageOrigin}})
	assertParagonError(t, r, http.StatusUnauthorized, "unauthorized")
	assert.Equal(t, pageOrigin, r.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, r.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id")
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: srv.UserToken("u"), header: map[string]string{"Origin": pageOrigin}})
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, pageOrigin, r.Header.Get("Access-Control-Allow-Origin"))
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, pageOrigin, reqs[2].Origin)

	// No Origin, no CORS headers; an OPTIONS without the preflight header is a call.
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: srv.UserToken("u")})
	assert.Empty(t, r.Header.Get("Access-Control-Allow-Origin"))
	r = do(t, srv, req{method: http.MethodOptions, path: "/sdk/me", header: map[string]string{"Origin": pageOrigin}})
	assert.Equal(t, http.StatusUnauthorized, r.Status)
	srv.Reset()
	assert.Equal(t, 0, srv.PreflightCount())
}

// closeCred returns the user's Close credential ID and default
// configuration ID from /sdk/me.
func closeCred(t *testing.T, srv *paragontest.Server, tok string) (credID, cfgID string, cred map[string]any) {
	t.Helper()
	me := do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: tok}).JSON(t)
	cl := me["integrations"].(map[string]any)["close"].(map[string]any)
	cred = cl["allCredentials"].([]any)[0].(map[string]any)
	cfg := cred["configurations"].([]any)[0].(map[string]any)
	require.Equal(t, true, cfg["isDefault"])
	return cred["id"].(string), cfg["id"].(string), cred
}

func TestMeShapeForConnectedUser(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"close"}}))
	tok := srv.UserToken("u")
	me := do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: tok}).JSON(t)
	proj := me["project"].(map[string]any)
	assert.Equal(t, srv.ProjectID(), proj["id"])
	assert.Equal(t, "pro", proj["billingPlan"])
	credID, cfgID, cred := closeCred(t, srv, tok)
	cfg := cred["configurations"].([]any)[0].(map[string]any)
	assert.Equal(t, credID, cfg["connectCredentialId"])
	assert.NotEmpty(t, cfgID)
	assert.Equal(t, map[string]any{}, cfg["sharedSettings"])
	assert.Equal(t, map[string]any{}, cfg["configMeta"])
	assert.Regexp(t, `Z$`, cfg["dateCreated"])
	assert.Regexp(t, `Z$`, cfg["dateUpdated"])
	assert.Equal(t, map[string]any{
		paragontest.WorkflowCloseSyncLeads:  map[string]any{"enabled": true, "settings": map[string]any{}},
		paragontest.WorkflowCloseLookupLead: map[string]any{"enabled": false, "settings": map[string]any{}},
	}, cfg["workflowSettings"], "every workflow of the integration, DefaultEnabled on")

	// Enabling and disabling track in workflowSettings and configuredWorkflows.
	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/workflows/" + paragontest.WorkflowCloseLookupLead, token: tok,
		header: map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": cfgID}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	me = do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: tok}).JSON(t)
	cl := me["integrations"].(map[string]any)["close"].(map[string]any)
	assert.Equal(t, true, cl["configuredWorkflows"].(map[string]any)[paragontest.WorkflowCloseLookupLead].(map[string]any)["enabled"])
	_, _, cred = closeCred(t, srv, tok)
	ws := cred["configurations"].([]any)[0].(map[string]any)["workflowSettings"].(map[string]any)
	assert.Equal(t, true, ws[paragontest.WorkflowCloseLookupLead].(map[string]any)["enabled"])

	// And a PATCH of workflowSettings is the same state.
	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/credentials/" + credID, token: tok,
		header: map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": cfgID},
		body: map[string]any{"config": map[string]any{"workflowSettings": map[string]any{
			paragontest.WorkflowCloseLookupLead: map[string]any{"enabled": false, "settings": map[string]any{"owner": "sam"}},
		}}}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/" + paragontest.WorkflowCloseLookupLead, token: tok})
	assertParagonError(t, r, http.StatusBadRequest, "workflow_not_enabled")

	list := do(t, srv, req{method: http.MethodGet, path: "/sdk/integrations", token: tok}).List(t)
	for _, in := range list {
		assert.IsType(t, float64(0), in["connectedUserLimitOnDevCred"], "a number")
		wfMeta := in["configs"].([]any)[0].(map[string]any)["values"].(map[string]any)["workflowMeta"].(map[string]any)
		assert.Len(t, wfMeta, len(in["workflows"].([]any)), "every workflow is in workflowMeta")
	}
}

func TestConfigurations(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"close"}}))
	tok := srv.UserToken("u")
	credID, defID, _ := closeCred(t, srv, tok)
	path := "/sdk/credentials/" + credID + "/configurations"

	r := do(t, srv, req{method: http.MethodPost, path: path, token: tok, body: map[string]any{"externalId": "eu"}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	cfgs := r.JSON(t)["configurations"].([]any)
	require.Len(t, cfgs, 2)
	second := cfgs[1].(map[string]any)
	assert.Equal(t, false, second["isDefault"])
	assert.Equal(t, "eu", second["externalId"])
	assert.Greater(t, second["dateCreated"], cfgs[0].(map[string]any)["dateCreated"], "newest last, by dateCreated")
	secondID := second["id"].(string)
	assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: path, token: tok, body: map[string]any{"externalId": "eu"}}),
		http.StatusBadRequest, "invalid_request")
	assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: path, token: tok, body: map[string]any{"externalId": " "}}),
		http.StatusBadRequest, "invalid_request")
	r = do(t, srv, req{method: http.MethodPost, path: path, token: tok, body: map[string]any{}})
	require.Equal(t, http.StatusOK, r.Status)
	thirdID := r.JSON(t)["configurations"].([]any)[2].(map[string]any)["id"].(string)

	// Workflows and settings are per configuration.
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/workflows/" + paragontest.WorkflowCloseLookupLead, token: tok,
		header: map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": secondID}})
	require.Equal(t, http.StatusOK, r.Status)
	r = do(t, srv, req{method: http.MethodPatch, path: "/sdk/credentials/" + credID, token: tok,
		header: map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": secondID},
		body:   map[string]any{"config": map[string]any{"sharedSettings": map[string]any{"region": "eu"}}}})
	require.Equal(t, http.StatusOK, r.Status)
	cfgs = r.JSON(t)["configurations"].([]any)
	assert.Equal(t, map[string]any{}, cfgs[0].(map[string]any)["sharedSettings"])
	assert.Equal(t, map[string]any{"region": "eu"}, cfgs[1].(map[string]any)["sharedSettings"])
	assert.Equal(t, false, cfgs[0].(map[string]any)["workflowSettings"].(map[string]any)[paragontest.WorkflowCloseLookupLead].(map[string]any)["enabled"])
	assert.Equal(t, true, cfgs[1].(map[string]any)["workflowSettings"].(map[string]any)[paragontest.WorkflowCloseLookupLead].(map[string]any)["enabled"])

	// A trigger pinned to a configuration runs only where it is enabled.
	var ran []string
	srv.HandleWorkflow(paragontest.WorkflowCloseLookupLead, func(_ context.Context, r paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		ran = append(ran, r.ConfigurationID)
		return paragontest.WorkflowResponse{}, nil
	})
	trig := "/sdk/triggers/" + paragontest.WorkflowCloseLookupLead
	assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: trig, token: tok,
		header: map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": defID}}), http.StatusBadRequest, "workflow_not_enabled")
	require.Equal(t, http.StatusAccepted, do(t, srv, req{method: http.MethodPost, path: trig, token: tok}).Status)
	assert.Equal(t, []string{secondID}, ran)

	// Update meta; delete; the default can't go.
	r = do(t, srv, req{method: http.MethodPatch, path: path, token: tok,
		header: map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": secondID},
		body:   map[string]any{"meta": map[string]any{"team": "west"}}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, map[string]any{"team": "west"}, r.JSON(t)["configurations"].([]any)[1].(map[string]any)["configMeta"])
	assertParagonError(t, do(t, srv, req{method: http.MethodPatch, path: path, token: tok, body: map[string]any{"meta": map[string]any{}}}),
		http.StatusBadRequest, "invalid_request")
	assertParagonError(t, do(t, srv, req{method: http.MethodDelete, path: path, token: tok,
		header: map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": defID}}), http.StatusBadRequest, "invalid_request")
	r = do(t, srv, req{method: http.MethodDelete, path: path, token: tok,
		header: map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": thirdID}})
	require.Equal(t, http.StatusOK, r.Status)
	assertParagonError(t, do(t, srv, req{method: http.MethodDelete, path: path, token: tok,
		header: map[string]string{"X-Paragon-Credential": credID, "X-Paragon-Configuration-Id": thirdID}}), http.StatusNotFound, "not_found")
	_, _, cred := closeCred(t, srv, tok)
	assert.Len(t, cred["configurations"], 2)
	assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: "/sdk/credentials/nope/configurations", token: tok, body: map[string]any{}}),
		http.StatusNotFound, "not_found")
	assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: path, token: srv.UserToken("other"), body: map[string]any{}}),
		http.StatusNotFound, "not_found")
}

func TestTriggerCatalogue(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"close"}}))
	tok := srv.UserToken("u")
	credID, _, _ := closeCred(t, srv, tok)
	r := do(t, srv, req{method: http.MethodGet, path: "/projects/" + srv.ProjectID() + "/triggers?integrations=close", token: tok,
		header: map[string]string{"X-Paragon-Credential": credID}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	trig := m["triggers"].(map[string]any)["close"].([]any)
	require.Len(t, trig, 2)
	first := trig[0].(map[string]any)
	assert.Equal(t, "CLOSE_TRIGGER_RECORD_CREATED", first["type"])
	assert.Equal(t, "WEBHOOK", first["triggerModel"])
	assert.NotContains(t, m["triggers"], "slack")

	m = do(t, srv, req{method: http.MethodGet, path: "/projects/" + srv.ProjectID() + "/triggers", token: tok}).JSON(t)
	assert.NotContains(t, m["triggers"], "slack", "only connected integrations by default")
	m = do(t, srv, req{method: http.MethodGet, path: "/projects/" + srv.ProjectID() + "/triggers?integrations=close,slack", token: tok}).JSON(t)
	assert.NotEmpty(t, m["errors"], "slack is named but not connected")
	m = do(t, srv, req{method: http.MethodGet, path: "/projects/" + srv.ProjectID() + "/triggers?limit_to_available=false", token: tok}).JSON(t)
	assert.Contains(t, m["triggers"], "slack")
	assertParagonError(t, do(t, srv, req{method: http.MethodGet, path: "/projects/" + srv.ProjectID() + "/triggers", token: tok,
		header: map[string]string{"X-Paragon-Credential": "nope"}}), http.StatusNotFound, "not_found")
	assertParagonError(t, do(t, srv, req{method: http.MethodGet, path: "/projects/" + srv.ProjectID() + "/triggers"}), http.StatusUnauthorized, "unauthorized")
}

func TestAddWorkflow(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"close"}}))
	require.NoError(t, srv.AddWorkflow("close", paragontest.Workflow{ID: "wf-new", Description: "New", DefaultEnabled: true}))
	srv.HandleWorkflow("wf-new", func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{Status: http.StatusOK, Body: map[string]any{"ok": true}}, nil
	})
	assert.Error(t, srv.AddWorkflow("close", paragontest.Workflow{ID: "wf-new"}), "twice")
	assert.Error(t, srv.AddWorkflow("nope", paragontest.Workflow{ID: "x"}))
	assert.Error(t, srv.AddWorkflow("close", paragontest.Workflow{}))

	tok := srv.UserToken("u")
	list := do(t, srv, req{method: http.MethodGet, path: "/sdk/integrations", token: tok}).List(t)
	wfMeta := list[0]["configs"].([]any)[0].(map[string]any)["values"].(map[string]any)["workflowMeta"].(map[string]any)
	assert.Contains(t, wfMeta, "wf-new", "the browser SDK can see it")
	_, _, cred := closeCred(t, srv, tok)
	ws := cred["configurations"].([]any)[0].(map[string]any)["workflowSettings"].(map[string]any)
	assert.Equal(t, true, ws["wf-new"].(map[string]any)["enabled"], "existing users get it, DefaultEnabled")
	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/wf-new", token: tok})
	require.Equal(t, http.StatusOK, r.Status)
	assert.JSONEq(t, `{"ok":true}`, string(r.Body))
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/triggers/wf-new", token: srv.UserToken("stranger")})
	assertParagonError(t, r, http.StatusBadRequest, "workflow_not_enabled")
}

func TestStartReturnsErrors(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]paragontest.Option{
		"no type":     paragontest.WithIntegration(paragontest.Integration{}),
		"bad project": paragontest.WithProjectID("a/b"),
		"bad key":     paragontest.WithSigningKey([]byte("nope")),
		"bad addr":    paragontest.WithListenAddr("256.1.1.1:1"),
		"user":        paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"nope"}}),
	} {
		srv, err := paragontest.Start(opt)
		assert.Error(t, err, name)
		assert.Nil(t, srv, name)
		assert.Contains(t, err.Error(), "paragontest: ", name)
	}
	srv, err := paragontest.Start(paragontest.WithListenAddr("127.0.0.1:0"))
	require.NoError(t, err)
	defer srv.Close()
	_, err = srv.NewClient(paragon.WithMaxRetries(-1))
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
}

func TestClientRetriesFast(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.FailNext(2, http.StatusServiceUnavailable)
	_, err := srv.Client().User("u").GetUser(t.Context())
	require.NoError(t, err, "two injected 503s are retried (paragon.DefaultMaxRetries)")
	assert.Equal(t, 3, srv.RequestCount())
	reqs := srv.Requests()
	for _, r := range reqs[:2] {
		assert.Equal(t, http.StatusServiceUnavailable, r.Status)
	}
	assert.Equal(t, http.StatusOK, reqs[2].Status)
}

func TestActionKitWebhookSigner(t *testing.T) {
	t.Parallel()
	body := []byte(`{"eventId":"evt_1","userId":"u","integration":"close","payload":{"id":"lead_1"}}`)
	sig := paragontest.SignActionKitWebhook("whsec", body)
	assert.True(t, strings.HasPrefix(sig, "v1="))
	require.NoError(t, paragon.VerifyWebhookSignature("whsec", body, sig))
	require.ErrorIs(t, paragon.VerifyWebhookSignature("other", body, sig), paragon.ErrInvalidSignature)

	req, err := paragontest.NewActionKitWebhookRequest(t.Context(), "https://app.example/hooks/paragon", "whsec", body)
	require.NoError(t, err)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	got, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, body, got)
	require.NoError(t, paragon.VerifyWebhookSignature("whsec", got, req.Header.Get(paragon.HeaderSignature)))
	_, err = paragontest.NewActionKitWebhookRequest(t.Context(), "https://app.example/", "", body)
	assert.Error(t, err)
	_, err = paragontest.NewActionKitWebhookRequest(t.Context(), "://bad", "s", body)
	assert.Error(t, err)
}

func TestInstallOptions(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tok := srv.UserToken("u")
	install := func(body map[string]any) response {
		body["integrationId"] = paragontest.CloseIntegrationID
		return do(t, srv, req{method: http.MethodPost, path: "/sdk/credentials", token: tok, body: body})
	}
	r := install(map[string]any{"payload": map[string]any{"apiKey": "k1", "skipPostOAuthInputs": false},
		"installOptions": map[string]any{"allowMultipleCredentials": true, "externalId": "acct-eu"}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	first := r.JSON(t)
	assert.Equal(t, "acct-eu", first["externalId"])
	id := first["id"].(string)
	assertParagonError(t, install(map[string]any{"payload": map[string]any{"apiKey": "k2"},
		"installOptions": map[string]any{"externalId": "acct-eu"}}), http.StatusBadRequest, "invalid_request")

	// Re-authenticate the same credential by ID or ext:<externalId>.
	for _, ref := range []string{id, "ext:acct-eu"} {
		r = install(map[string]any{"payload": map[string]any{"apiKey": "k-" + ref}, "installOptions": map[string]any{"selectedCredentialId": ref}})
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, id, r.JSON(t)["id"])
	}
	acct := do(t, srv, req{method: http.MethodGet, path: "/sdk/credentials?integration=close&includeAccountAuth=true", token: tok}).JSON(t)
	assert.Equal(t, map[string]any{"apiKey": "k-ext:acct-eu"}, acct["accountAuth"], "replaced; skipPostOAuthInputs is not an input")
	assert.Len(t, acct["credentials"], 1)
	assertParagonError(t, install(map[string]any{"payload": map[string]any{"apiKey": "k"}, "installOptions": map[string]any{"selectedCredentialId": "nope"}}),
		http.StatusNotFound, "not_found")

	// completeInstall's shape: the code, installOptions under integrationOptions.
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/credentials", token: tok, body: map[string]any{
		"integrationId": paragontest.SlackIntegrationID, "code": "c-1", "redirectUrl": "https://app.example/cb",
		"integrationOptions": map[string]any{"installOptions": map[string]any{"externalId": "ws-1"}},
	}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	slack := r.JSON(t)
	assert.Equal(t, "ws-1", slack["externalId"])

	// Post-OAuth inputs.
	r = do(t, srv, req{method: http.MethodPost, path: "/sdk/credentials/" + slack["id"].(string) + "/complete-setup", token: tok,
		body: map[string]any{"integrationId": paragontest.SlackIntegrationID, "payload": map[string]any{"channel": "#sales"}}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	acct = do(t, srv, req{method: http.MethodGet, path: "/sdk/credentials?integration=slack&includeAccountAuth=true", token: tok}).JSON(t)
	assert.Equal(t, "#sales", acct["accountAuth"].(map[string]any)["channel"])
	assertParagonError(t, do(t, srv, req{method: http.MethodPost, path: "/sdk/credentials/nope/complete-setup", token: tok, body: map[string]any{}}),
		http.StatusNotFound, "not_found")
}
