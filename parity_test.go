package paragon_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

func TestGetUserSpecShape(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", meURL, 200, specBody(t, "me.json"))
	st, err := h.c.User("acct-1042").GetUser(t.Context())
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, "GET", req.Method)
	assert.Equal(t, meURL, req.URL)
	assert.Equal(t, "application/json", req.Header.Get("Accept"))
	assert.Empty(t, req.Body)

	assert.Equal(t, "acct-1042", st.UserID)
	assert.Equal(t, "Dana Ortiz", st.Meta["Name"])
	cl := st.Integrations["close"]
	assert.True(t, cl.Enabled)
	assert.Equal(t, specCloseCred, cl.CredentialID)
	assert.Equal(t, paragon.CredentialValid, cl.CredentialStatus)
	assert.True(t, cl.ConfiguredWorkflows[specWorkflow].Enabled)
	require.Len(t, cl.AllCredentials, 1)
	cred := cl.AllCredentials[0]
	assert.Equal(t, paragon.CredentialValid, cred.Status)
	assert.Equal(t, time.Date(2025, 5, 11, 8, 2, 44, 310e6, time.UTC), cred.DateCreated)
	require.Len(t, cred.Configurations, 1)
	cfg := cred.Configurations[0]
	assert.Equal(t, specCloseConfig, cfg.ID)
	assert.True(t, cfg.IsDefault)
	assert.Equal(t, "pipe_Sales", cfg.SharedSettings["pipeline"])
	assert.Equal(t, paragon.WorkflowState{Enabled: true, Settings: map[string]any{}}, cfg.WorkflowSettings[specWorkflow])
	got, ok := cl.Credential(specCloseCred)
	assert.True(t, ok)
	assert.Equal(t, cred.ID, got.ID)

	// An integration the user never connected.
	hs, ok := st.Integrations["hubspot"]
	require.True(t, ok)
	assert.False(t, hs.Enabled)
	assert.Empty(t, hs.AllCredentials)
	assert.Empty(t, hs.ConfiguredWorkflows)
	assert.Empty(t, hs.CredentialID)

	assert.Equal(t, "4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3", st.Project.ID)
	assert.Equal(t, "pro", st.Project.BillingPlan)
	assert.True(t, st.Project.HasFeature("headless-cp"))
	assert.Empty(t, st.Resources)
	assert.JSONEq(t, specBody(t, "me.json"), string(st.Raw))
}

func TestListIntegrationsCounter(t *testing.T) {
	t.Parallel()
	spec := specBody(t, "integrations.json")
	require.Contains(t, spec, `"connectedUserLimitOnDevCred": 5`)
	for _, tc := range []struct {
		value string
		want  int
	}{{"5", 5}, {"true", 0}, {"false", 0}, {"null", 0}, {"0", 0}} {
		t.Run(tc.value, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.on("GET", integrationsURL, 200, strings.Replace(spec, `"connectedUserLimitOnDevCred": 5`, `"connectedUserLimitOnDevCred": `+tc.value, 1))
			list, err := h.c.User("u1").ListIntegrations(t.Context())
			require.NoError(t, err, "a %s counter must not fail the list", tc.value)
			require.Len(t, list, 1)
			assert.Equal(t, tc.want, list[0].ConnectedUserLimitOnDevCred)
			assert.True(t, list[0].HasCredential)
			assert.Equal(t, specWorkflow, list[0].Workflows[0].ID)
			b, err := json.Marshal(list[0])
			require.NoError(t, err)
			assert.Contains(t, string(b), fmt.Sprintf(`"connectedUserLimitOnDevCred":%d`, tc.want))
		})
	}
}

// googleDriveMe is /sdk/me with a connected Google Drive account, the
// integration of the spec's filtered credentials example.
func googleDriveMe(t *testing.T) string {
	return meWith(t, func(me map[string]any) {
		cl := closeState(me)
		b, _ := json.Marshal(cl)
		var gd map[string]any
		_ = json.Unmarshal(b, &gd)
		gd["credentialId"] = "d1e2f3a4-0000-4000-8000-00000000beef"
		cred := gd["allCredentials"].([]any)[0].(map[string]any)
		cred["id"] = "d1e2f3a4-0000-4000-8000-00000000beef"
		me["integrations"].(map[string]any)["googledrive"] = gd
	})
}

func TestListCredentialsFilteredIsOneObject(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/credentials", 200, specBody(t, "credentials_filtered.json"))
	h.on("GET", meURL, 200, googleDriveMe(t))
	creds, err := h.c.User("acct-1042").ListCredentials(t.Context(), &paragon.ListCredentialsParams{Integration: "googledrive"})
	require.NoError(t, err)
	require.Len(t, creds, 1)
	c := creds[0]
	assert.Equal(t, "d1e2f3a4-0000-4000-8000-00000000beef", c.ID, "the credential ID comes from /sdk/me")
	assert.Equal(t, paragon.CredentialValid, c.Status)
	assert.Equal(t, "dana@example.org", c.ProviderData["email"], "provider data from the filtered answer")
	tok, ok := c.AccountAuth.Get("OAUTH_ACCESS_TOKEN")
	require.True(t, ok)
	assert.Equal(t, "ya29.a0Af-example", tok)
	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, apiBase+"/projects/"+testProject+"/sdk/credentials?integration=googledrive", got[0].URL)
	assert.Empty(t, got[0].Header.Get(paragon.HeaderCredential))
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", creds, c, c), "ya29")

	// The array answer (the unfiltered shape) still decodes.
	h2 := newHarness(t)
	h2.on("GET", apiBase+"/projects/"+testProject+"/sdk/credentials", 200, specBody(t, "credentials.json"))
	creds, err = h2.c.User("u1").ListCredentials(t.Context(), &paragon.ListCredentialsParams{Integration: "close"})
	require.NoError(t, err)
	require.Len(t, creds, 1)
	assert.Equal(t, specCloseCred, creds[0].ID)
	assert.False(t, creds[0].Config.ConfiguredWorkflows[specWorkflow].Enabled)
}

func TestGetIntegrationAccountRedacted(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	h := newHarness(t, paragon.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/credentials", 200, specBody(t, "credentials_filtered.json"))
	u := h.c.User("acct-1042")
	acct, err := u.GetIntegrationAccount(t.Context(), "googledrive", &paragon.IntegrationAccountParams{IncludeAccountAuth: true},
		paragon.WithCredential("d1e2f3a4-0000-4000-8000-00000000beef"))
	require.NoError(t, err)
	_, err = u.GetIntegrationAccount(t.Context(), "googledrive", nil)
	require.NoError(t, err)
	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, "GET", got[0].Method)
	assert.Equal(t, apiBase+"/projects/"+testProject+"/sdk/credentials?includeAccountAuth=true&integration=googledrive", got[0].URL)
	assert.Equal(t, "d1e2f3a4-0000-4000-8000-00000000beef", got[0].Header.Get(paragon.HeaderCredential))
	assert.Equal(t, apiBase+"/projects/"+testProject+"/sdk/credentials?includeAccountAuth=false&integration=googledrive", got[1].URL)
	assert.Empty(t, got[1].Header.Get(paragon.HeaderCredential))

	assert.Equal(t, "googledrive", acct.Type)
	assert.Equal(t, specCloseInteg, acct.ID)
	assert.True(t, acct.HasCredential)
	assert.Equal(t, 5, acct.ConnectedUserLimitOnDevCred)
	tok, ok := acct.AccountAuth.Get("OAUTH_ACCESS_TOKEN")
	require.True(t, ok)
	assert.Equal(t, "ya29.a0Af-example", tok)

	b, err := json.Marshal(acct)
	require.NoError(t, err)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("account", "acct", acct, "auth", acct.AccountAuth)
	for _, s := range []string{fmt.Sprintf("%v", acct), fmt.Sprintf("%+v", *acct), fmt.Sprintf("%#v", acct), fmt.Sprint(acct.AccountAuth), string(b), logs.String()} {
		assert.NotContains(t, s, "ya29", "the provider token leaked")
	}
	assert.Contains(t, string(b), "OAUTH_ACCESS_TOKEN", "keys stay visible")
}

func TestUninstallResolvesCredential(t *testing.T) {
	t.Parallel()
	delURL := integrationsURL + "/" + specCloseInteg
	t.Run("one account", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.on("GET", integrationsURL, 200, specBody(t, "integrations.json"))
		h.on("GET", meURL, 200, specBody(t, "me.json"))
		h.on("DELETE", delURL, 200, `{}`)
		events := make(chan paragon.SDKEvent, 1)
		defer h.c.Subscribe(paragon.EventIntegrationUninstall, func(e paragon.SDKEvent) { events <- e })()
		require.NoError(t, h.c.User("acct-1042").UninstallIntegration(t.Context(), "close"))
		got := h.requests()
		require.Len(t, got, 3)
		del := got[2]
		assert.Equal(t, "DELETE", del.Method)
		assert.Equal(t, delURL, del.URL)
		assert.Equal(t, specCloseCred, del.Header.Get(paragon.HeaderCredential), "the account removed is named")
		assert.Empty(t, del.Header.Get(paragon.HeaderConfiguration))
		assert.Empty(t, del.Body)
		select {
		case e := <-events:
			assert.Equal(t, specCloseCred, e.CredentialID)
		case <-time.After(5 * time.Second):
			t.Fatal("no uninstall event")
		}
	})
	t.Run("several accounts, none pinned", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.on("GET", integrationsURL, 200, specBody(t, "integrations.json"))
		h.on("GET", meURL, 200, meWith(t, addSecondCloseAccount))
		err := h.c.User("acct-1042").UninstallIntegration(t.Context(), "close")
		require.ErrorIs(t, err, paragon.ErrInvalidInput)
		assert.Contains(t, err.Error(), specCloseCred)
		assert.Contains(t, err.Error(), secondCred)
		assert.Contains(t, err.Error(), "west-team")
		assert.Contains(t, err.Error(), "WithCredential")
		for _, r := range h.requests() {
			assert.Equal(t, "GET", r.Method, "nothing is deleted")
		}
	})
	t.Run("several accounts, one pinned", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.on("GET", integrationsURL, 200, specBody(t, "integrations.json"))
		h.on("GET", meURL, 200, meWith(t, addSecondCloseAccount))
		h.on("DELETE", delURL, 200, `{}`)
		require.NoError(t, h.c.User("acct-1042").UninstallIntegration(t.Context(), "close", paragon.WithCredential(secondCred)))
		got := h.requests()
		assert.Equal(t, secondCred, got[len(got)-1].Header.Get(paragon.HeaderCredential))
	})
	t.Run("not connected", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.on("GET", integrationsURL, 200, specBody(t, "integrations.json"))
		h.on("GET", meURL, 200, meWith(t, func(me map[string]any) {
			me["integrations"].(map[string]any)["close"] = map[string]any{"enabled": false, "allCredentials": []any{}, "configuredWorkflows": map[string]any{}}
		}))
		err := h.c.User("acct-1042").UninstallIntegration(t.Context(), "close")
		require.ErrorIs(t, err, paragon.ErrIntegrationNotEnabled)
		assert.Len(t, h.requests(), 3, "integrations, then /sdk/me twice (the cached state is refreshed once)")
	})
}

func TestWorkflowHeadersFromState(t *testing.T) {
	t.Parallel()
	wfURL := apiBase + "/projects/" + testProject + "/sdk/workflows/" + specWorkflow
	h := newHarness(t)
	h.on("GET", meURL, 200, meWith(t, addCloseConfiguration))
	h.on("POST", wfURL, 200, `{}`)
	h.on("DELETE", wfURL, 200, `{}`)
	u := h.c.User("acct-1042")
	require.NoError(t, u.EnableWorkflow(t.Context(), specWorkflow))
	require.NoError(t, u.DisableWorkflow(t.Context(), specWorkflow, paragon.WithCredential(specCloseCred), paragon.WithConfiguration(extraConfig)))
	got := h.requests()
	require.Len(t, got, 3, "one /sdk/me, then the two calls")
	assert.Equal(t, "GET", got[0].Method)
	assert.Equal(t, "POST", got[1].Method)
	assert.Equal(t, wfURL, got[1].URL)
	assert.Equal(t, specCloseCred, got[1].Header.Get(paragon.HeaderCredential))
	assert.Equal(t, specCloseConfig, got[1].Header.Get(paragon.HeaderConfiguration), "the default configuration")
	assert.Equal(t, "DELETE", got[2].Method)
	assert.Equal(t, extraConfig, got[2].Header.Get(paragon.HeaderConfiguration), "a pinned configuration wins")

	// A pinned configuration the state does not know: read again, then fail.
	h2 := newHarness(t)
	h2.on("GET", meURL, 200, specBody(t, "me.json"))
	h2.on("POST", wfURL, 200, `{}`)
	err := h2.c.User("acct-1042").EnableWorkflow(t.Context(), specWorkflow, paragon.WithCredential(specCloseCred))
	require.NoError(t, err, "credential pinned, configuration resolved")
	err = h2.c.User("acct-1042").EnableWorkflow(t.Context(), specWorkflow, paragon.WithConfiguration("nope"))
	require.ErrorIs(t, err, paragon.ErrInvalidInput, "a configuration needs a credential")
	n := len(h2.requests())
	err = h2.c.User("acct-1042").EnableWorkflow(t.Context(), specWorkflow, paragon.WithCredential("5a5a5a5a-0000-4000-8000-000000000000"))
	require.ErrorIs(t, err, paragon.ErrNotFound, "a pinned credential the user does not have")
	for _, r := range h2.requests()[n:] {
		assert.Equal(t, "GET", r.Method, "the state is read again, nothing is posted")
	}
}

func TestWorkflowOwnerFromIntegrations(t *testing.T) {
	t.Parallel()
	// The workflow is in no configuration yet: its integration comes from
	// GET /sdk/integrations.
	wf := "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
	h := newHarness(t)
	h.on("GET", meURL, 200, specBody(t, "me.json"))
	h.on("GET", integrationsURL, 200, strings.Replace(specBody(t, "integrations.json"), `"id": "`+specWorkflow+`", "description"`, `"id": "`+wf+`", "description"`, 1))
	h.on("POST", apiBase+"/projects/"+testProject+"/sdk/workflows/"+wf, 200, `{}`)
	require.NoError(t, h.c.User("acct-1042").EnableWorkflow(t.Context(), wf))
	got := h.requests()
	require.Len(t, got, 3)
	assert.Equal(t, specCloseCred, got[2].Header.Get(paragon.HeaderCredential))
	assert.Equal(t, specCloseConfig, got[2].Header.Get(paragon.HeaderConfiguration))
}

func TestUpdateIntegrationUserSettingsFromConfiguration(t *testing.T) {
	t.Parallel()
	credURL := apiBase + "/projects/" + testProject + "/sdk/credentials/" + specCloseCred
	h := newHarness(t)
	h.on("GET", meURL, 200, meWith(t, func(me map[string]any) {
		addCloseConfiguration(me)
		// The deprecated credential-level settings must not be merged.
		cred := closeState(me)["allCredentials"].([]any)[0].(map[string]any)
		cred["config"] = map[string]any{"sharedSettings": map[string]any{"stale": "old"}}
	}))
	h.on("PATCH", credURL, 200, `{"id": "`+specCloseCred+`", "status": "VALID", "errors": []}`)
	u := h.c.User("acct-1042")
	cred, err := u.UpdateIntegrationUserSettings(t.Context(), "close", map[string]any{"owner": "dana"})
	require.NoError(t, err)
	assert.Equal(t, specCloseCred, cred.ID)
	_, err = u.UpdateIntegrationUserSettings(t.Context(), "close", map[string]any{"owner": "eu-team"},
		paragon.WithCredential(specCloseCred), paragon.WithConfiguration(extraConfig))
	require.NoError(t, err)
	got := h.requests()
	require.Len(t, got, 4, "the state is read again after an update")
	p1, p2 := got[1], got[3]
	assert.Equal(t, "PATCH", p1.Method)
	assert.Equal(t, credURL, p1.URL)
	assert.Equal(t, "application/json", p1.Header.Get("Content-Type"))
	assert.Equal(t, specCloseCred, p1.Header.Get(paragon.HeaderCredential))
	assert.Equal(t, specCloseConfig, p1.Header.Get(paragon.HeaderConfiguration))
	assert.JSONEq(t, `{"config":{"sharedSettings":{"pipeline":"pipe_Sales","owner":"dana"}}}`, string(p1.Body))
	assert.Equal(t, extraConfig, p2.Header.Get(paragon.HeaderConfiguration))
	assert.JSONEq(t, `{"config":{"sharedSettings":{"pipeline":"pipe_EU","owner":"eu-team"}}}`, string(p2.Body))
}

func TestUpdateWorkflowUserSettings(t *testing.T) {
	t.Parallel()
	credURL := apiBase + "/projects/" + testProject + "/sdk/credentials/" + specCloseCred
	h := newHarness(t)
	h.on("GET", meURL, 200, meWith(t, func(me map[string]any) {
		cfg := closeState(me)["allCredentials"].([]any)[0].(map[string]any)["configurations"].([]any)[0].(map[string]any)
		cfg["workflowSettings"].(map[string]any)["other-wf"] = map[string]any{"enabled": false, "settings": map[string]any{"x": 1}}
	}))
	h.on("PATCH", credURL, 200, `{"id": "`+specCloseCred+`"}`)
	u := h.c.User("acct-1042")
	_, err := u.UpdateWorkflowUserSettings(t.Context(), "close", specWorkflow, map[string]any{"channel": "#sales"})
	require.NoError(t, err)
	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, specCloseConfig, got[1].Header.Get(paragon.HeaderConfiguration))
	assert.JSONEq(t, `{"config":{"workflowSettings":{
		"`+specWorkflow+`":{"enabled":true,"settings":{"channel":"#sales"}},
		"other-wf":{"enabled":false,"settings":{"x":1}}}}}`, string(got[1].Body))

	_, err = u.UpdateWorkflowUserSettings(t.Context(), "close", "unknown-wf", map[string]any{"a": 1})
	require.ErrorIs(t, err, paragon.ErrNotFound)
	for _, r := range h.requests()[2:] {
		assert.Equal(t, "GET", r.Method, "nothing is patched for an unknown workflow")
	}
}

func TestConfigurations(t *testing.T) {
	t.Parallel()
	cfgURL := apiBase + "/projects/" + testProject + "/sdk/credentials/" + specCloseCred + "/configurations"
	credAnswer := meWith(t, addCloseConfiguration)
	var me map[string]any
	require.NoError(t, json.Unmarshal([]byte(credAnswer), &me))
	credJSON, err := json.Marshal(closeState(me)["allCredentials"].([]any)[0])
	require.NoError(t, err)

	h := newHarness(t)
	h.on("POST", cfgURL, 200, string(credJSON))
	h.on("PATCH", cfgURL, 200, string(credJSON))
	h.on("GET", meURL, 200, credAnswer)
	h.on("DELETE", cfgURL, 200, ``)
	u := h.c.User("acct-1042")

	cfg, err := u.CreateConfiguration(t.Context(), specCloseCred, &paragon.CreateConfigurationParams{ExternalID: "eu"})
	require.NoError(t, err)
	assert.Equal(t, extraConfig, cfg.ID)
	cfg, err = u.CreateConfiguration(t.Context(), specCloseCred, nil)
	require.NoError(t, err)
	assert.Equal(t, extraConfig, cfg.ID, "the newest by dateCreated")
	_, err = u.UpdateConfiguration(t.Context(), specCloseCred, extraConfig, map[string]any{"region": "eu"})
	require.NoError(t, err)

	err = u.DeleteConfiguration(t.Context(), specCloseCred, specCloseConfig)
	require.ErrorIs(t, err, paragon.ErrDefaultConfiguration)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	require.NoError(t, u.DeleteConfiguration(t.Context(), specCloseCred, extraConfig))
	err = u.DeleteConfiguration(t.Context(), specCloseCred, "3f3f3f3f-0000-4000-8000-000000000000")
	require.ErrorIs(t, err, paragon.ErrNotFound)

	got := h.requests()
	var methods []string
	for _, r := range got {
		methods = append(methods, r.Method)
	}
	assert.Equal(t, []string{"POST", "POST", "PATCH", "GET", "DELETE", "GET", "GET"}, methods, "no DELETE for the default configuration")
	assert.JSONEq(t, `{"externalId":"eu"}`, string(got[0].Body))
	assert.JSONEq(t, `{}`, string(got[1].Body))
	assert.Empty(t, got[0].Header.Get(paragon.HeaderCredential), "create sends no account headers")
	assert.JSONEq(t, `{"meta":{"region":"eu"}}`, string(got[2].Body))
	for _, r := range []captured{got[2], got[4]} {
		assert.Equal(t, cfgURL, r.URL)
		assert.Equal(t, specCloseCred, r.Header.Get(paragon.HeaderCredential))
		assert.Equal(t, extraConfig, r.Header.Get(paragon.HeaderConfiguration))
	}

	for _, p := range []*paragon.CreateConfigurationParams{{ExternalID: "  "}} {
		_, err := u.CreateConfiguration(t.Context(), specCloseCred, p)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	}
	_, err = u.CreateConfiguration(t.Context(), "../x", nil)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = u.UpdateConfiguration(t.Context(), specCloseCred, "", map[string]any{})
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = u.UpdateConfiguration(t.Context(), specCloseCred, extraConfig, nil)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Len(t, h.requests(), len(got), "bad input sends nothing")
}

func TestConnectInstallOptions(t *testing.T) {
	t.Parallel()
	credsURL := apiBase + "/projects/" + testProject + "/sdk/credentials"
	h := newHarness(t)
	h.on("GET", integrationsURL, 200, specBody(t, "integrations.json"))
	h.on("GET", meURL, 200, specBody(t, "me.json"))
	h.on("POST", credsURL, 200, `{"id": "9f8e7d6c-0000-4000-8000-000000000001", "status": "PENDING", "integrationId": "`+specCloseInteg+`"}`)
	h.on("POST", credsURL+"/9f8e7d6c-0000-4000-8000-000000000001/complete-setup", 200,
		`{"id": "9f8e7d6c-0000-4000-8000-000000000001", "status": "VALID", "integrationId": "`+specCloseInteg+`"}`)
	events := make(chan paragon.SDKEvent, 4)
	defer h.c.Subscribe(paragon.EventIntegrationInstall, func(e paragon.SDKEvent) { events <- e })()
	u := h.c.User("acct-1042")

	// Already connected, no AllowMultipleCredentials: refused before the POST.
	_, err := u.Connect(t.Context(), "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "k"}})
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Contains(t, err.Error(), "AllowMultipleCredentials")
	// With AllowMultipleCredentials a new external ID is sent.
	_, err = u.Connect(t.Context(), "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "k"},
		InstallOptions: paragon.InstallOptions{AllowMultipleCredentials: true, ExternalID: "dup"}})
	require.NoError(t, err)

	cred, err := u.Connect(t.Context(), "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "api_close_secret"},
		InstallOptions: paragon.InstallOptions{AllowMultipleCredentials: true, OverrideRedirectURL: "https://app.example/done"}})
	require.NoError(t, err)
	assert.Equal(t, paragon.CredentialPending, cred.Status)
	cred, err = u.CompleteSetup(t.Context(), "close", cred.ID, &paragon.ConnectParams{Inputs: map[string]any{"pipeline": "pipe_Sales"}})
	require.NoError(t, err)
	assert.Equal(t, paragon.CredentialValid, cred.Status)

	var posts []captured
	for _, r := range h.requests() {
		if r.Method == "POST" {
			posts = append(posts, r)
		}
	}
	require.Len(t, posts, 3)
	assert.JSONEq(t, `{"integrationId":"`+specCloseInteg+`","config":{},"payload":{"apiKey":"k"},
		"installOptions":{"allowMultipleCredentials":true,"externalId":"dup"}}`, string(posts[0].Body))
	assert.JSONEq(t, `{"integrationId":"`+specCloseInteg+`","config":{},"payload":{"apiKey":"api_close_secret"},
		"installOptions":{"allowMultipleCredentials":true,"overrideRedirectUrl":"https://app.example/done"}}`, string(posts[1].Body))
	assert.Equal(t, credsURL+"/9f8e7d6c-0000-4000-8000-000000000001/complete-setup", posts[2].URL)
	assert.JSONEq(t, `{"integrationId":"`+specCloseInteg+`","config":{},"payload":{"pipeline":"pipe_Sales"},
		"installOptions":{"allowMultipleCredentials":false}}`, string(posts[2].Body))

	// PENDING answers publish nothing; the VALID one from complete-setup does.
	select {
	case e := <-events:
		assert.Equal(t, "9f8e7d6c-0000-4000-8000-000000000001", e.CredentialID)
	case <-time.After(5 * time.Second):
		t.Fatal("no install event for the VALID credential")
	}
	select {
	case e := <-events:
		t.Fatalf("an install event for a credential that was not VALID: %+v", e)
	case <-time.After(50 * time.Millisecond):
	}

	for _, p := range []*paragon.ConnectParams{
		{Inputs: map[string]any{"k": "v"}, InstallOptions: paragon.InstallOptions{ExternalID: "a", SelectedCredentialID: "b"}},
		{Inputs: map[string]any{"k": "v"}, InstallOptions: paragon.InstallOptions{OverrideRedirectURL: "javascript:x"}},
		{Inputs: map[string]any{"k": "v"}, InstallOptions: paragon.InstallOptions{ExternalID: " "}},
	} {
		n := len(h.requests())
		_, err := u.Connect(t.Context(), "close", p)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput)
		assert.Len(t, h.requests(), n, "nothing sent")
	}
}

func TestConnectDuplicateExternalID(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", integrationsURL, 200, specBody(t, "integrations.json"))
	h.on("GET", meURL, 200, meWith(t, addSecondCloseAccount))
	_, err := h.c.User("acct-1042").Connect(t.Context(), "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "k"},
		InstallOptions: paragon.InstallOptions{AllowMultipleCredentials: true, ExternalID: "west-team"}})
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Contains(t, err.Error(), `ext:west-team`)
	for _, r := range h.requests() {
		assert.Equal(t, "GET", r.Method)
	}
}

func TestConnectResource(t *testing.T) {
	t.Parallel()
	resID := "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
	h := newHarness(t)
	h.on("GET", meURL, 200, meWith(t, func(me map[string]any) {
		me["resources"] = []any{map[string]any{"id": resID, "slug": "crm-api", "integrationId": specCloseInteg}}
	}))
	h.on("POST", apiBase+"/projects/"+testProject+"/sdk/resources/"+resID+"/connect", 200,
		`{"id": "7b6a5c4d-0000-4000-8000-000000000002", "status": "VALID"}`)
	u := h.c.User("acct-1042")
	cred, err := u.ConnectResource(t.Context(), "crm-api", map[string]any{"access_token": "at-secret", "refresh_token": "rt-secret"})
	require.NoError(t, err)
	assert.Equal(t, "7b6a5c4d-0000-4000-8000-000000000002", cred.ID)
	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, "POST", got[1].Method)
	assert.Equal(t, "application/json", got[1].Header.Get("Content-Type"))
	assert.JSONEq(t, `{"access_token":"at-secret","refresh_token":"rt-secret"}`, string(got[1].Body))

	_, err = u.ConnectResource(t.Context(), "unknown", map[string]any{"k": "v"})
	require.ErrorIs(t, err, paragon.ErrNotFound)
	n := len(h.requests())
	_, err = u.ConnectResource(t.Context(), "", map[string]any{"k": "v"})
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = u.ConnectResource(t.Context(), "crm-api", nil)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Len(t, h.requests(), n)
}

func TestFieldOptionsPaged(t *testing.T) {
	t.Parallel()
	actionsURL := apiBase + "/projects/" + testProject + "/sdk/actions"
	h := newHarness(t)
	pages := []string{
		`{"output": {"records": [{"id": "p1", "label": "Sales", "value": "pipe_Sales"}], "nextPageCursor": "c2"}}`,
		`{"output": {"records": [{"id": 7, "label": "Support", "value": "pipe_Support"}], "nextPageCursor": null}}`,
	}
	n := 0
	h.onFunc("POST", actionsURL, func(*http.Request) (*http.Response, error) {
		body := pages[min(n, len(pages)-1)]
		n++
		r := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: nopBody(body)}
		return r, nil
	})
	u := h.c.User("acct-1042")
	p := &paragon.FieldOptionsParams{Integration: "close", Source: "pipelines", Search: "s", Parameters: map[string]any{"objectType": "lead"}}
	var labels, ids []string
	for o, err := range u.FieldOptions(t.Context(), p, paragon.WithCredential(specCloseCred)) {
		require.NoError(t, err)
		labels = append(labels, o.Label)
		ids = append(ids, o.ID)
	}
	assert.Equal(t, []string{"Sales", "Support"}, labels)
	assert.Equal(t, []string{"p1", "7"}, ids)
	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, specCloseCred, got[0].Header.Get(paragon.HeaderCredential))
	assert.JSONEq(t, `{"action":"close","sourceKey":"pipelines","parameters":[{"key":"objectType","source":{"type":"VALUE","value":"lead"}}],
		"paginationParameters":{"pageCursor":0,"search":"s"}}`, string(got[0].Body))
	assert.JSONEq(t, `{"action":"close","sourceKey":"pipelines","parameters":[{"key":"objectType","source":{"type":"VALUE","value":"lead"}}],
		"paginationParameters":{"pageCursor":"c2","search":"s"}}`, string(got[1].Body))

	// A flat list answer, and a cursor that comes back.
	h2 := newHarness(t)
	h2.on("POST", actionsURL, 200, `{"output": {"records": [{"label": "A", "value": "a"}], "nextPageCursor": "same"}}`)
	var errs []error
	count := 0
	for _, err := range h2.c.User("u1").FieldOptions(t.Context(), &paragon.FieldOptionsParams{Integration: "close", Source: "x"}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		count++
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], paragon.ErrInvalidResponse)
	assert.Equal(t, 2, count, "two pages, then the repeated cursor stops it")

	h3 := newHarness(t)
	h3.on("POST", actionsURL, 200, `{"output": [{"label": "A", "value": "a"}]}`)
	pg, err := h3.c.User("u1").FieldOptionsPage(t.Context(), &paragon.FieldOptionsParams{Integration: "close", Source: "x"}, "")
	require.NoError(t, err)
	assert.False(t, pg.Nested)
	assert.Equal(t, "", pg.NextCursor)
	assert.Equal(t, "a", pg.Options[0].Value)

	_, err = h3.c.User("u1").FieldOptionsPage(t.Context(), &paragon.FieldOptionsParams{Integration: "close"}, "")
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = h3.c.User("u1").FieldOptionsPage(t.Context(), nil, "")
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Len(t, h3.requests(), 1)
}

func TestSetUserMetadataNormalizes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("PATCH", meURL, 200, `{}`)
	u := h.c.User("u1")
	require.NoError(t, u.SetUserMetadata(t.Context(), map[string]any{" name ": "Dana", "EMAIL": "d@example.org", " tier": "growth", "Plan": "pro"}))
	req := h.only()
	assert.Equal(t, "PATCH", req.Method)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"meta":{"Name":"Dana","Email":"d@example.org","tier":"growth","Plan":"pro"}}`, string(req.Body))

	for _, m := range []map[string]any{{"name": 1, "Name": 2}, {"a": 1, " a": 2}, {"  ": 1}} {
		err := u.SetUserMetadata(t.Context(), m)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "%v", m)
	}
	assert.Len(t, h.requests(), 1)
}

func TestResignOnceAfter401(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	n := 0
	h.onFunc("POST", apiBase+"/projects/"+testProject+"/sdk/workflows/"+specWorkflow, func(*http.Request) (*http.Response, error) {
		n++
		if n == 1 {
			return &http.Response{StatusCode: 401, Header: http.Header{"Content-Type": {"application/json"}},
				Body: nopBody(`{"message": "Unauthorized", "statusCode": 401}`)}, nil
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: nopBody(`{}`)}, nil
	})
	require.NoError(t, h.c.User("u1").EnableWorkflow(t.Context(), specWorkflow, pinned...))
	assert.Len(t, h.requests(), 2, "re-signed and sent once more")

	// Not for a permission denial (403 code 7210) nor an integration error.
	for _, body := range []string{
		`{"message": "Insufficient permissions", "code": "7210", "status": 403, "meta": {}}`,
		`{"message": "Request failed with status code 401", "status": 401, "meta": {"isIntegrationError": true}}`,
	} {
		h := newHarness(t)
		status := 403
		if strings.Contains(body, "401") {
			status = 401
		}
		h.on("POST", apiBase+"/projects/"+testProject+"/sdk/workflows/"+specWorkflow, status, body)
		err := h.c.User("u1").EnableWorkflow(t.Context(), specWorkflow, pinned...)
		require.Error(t, err)
		assert.NotErrorIs(t, err, paragon.ErrUnauthorized)
		assert.Len(t, h.requests(), 1, body)
	}
}

func TestCachedStateNotSharedWithCaller(t *testing.T) {
	t.Parallel()
	wfURL := apiBase + "/projects/" + testProject + "/sdk/workflows/" + specWorkflow
	h := newHarness(t)
	h.on("GET", meURL, 200, specBody(t, "me.json"))
	h.on("POST", wfURL, 200, `{}`)
	u := h.c.User("acct-1042")
	me, err := u.GetUser(t.Context())
	require.NoError(t, err)
	me.Integrations["close"].AllCredentials[0].ID = "changed-by-the-caller"
	require.NoError(t, u.EnableWorkflow(t.Context(), specWorkflow))
	got := h.requests()
	require.Len(t, got, 2, "GetUser's answer is reused for the account headers")
	assert.Equal(t, specCloseCred, got[1].Header.Get(paragon.HeaderCredential), "the caller's copy is its own")
}

func TestListCredentialsFilteredSeveralAccounts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/credentials", 200, strings.Replace(specBody(t, "credentials_filtered.json"), "googledrive", "close", 1))
	h.on("GET", meURL, 200, meWith(t, addSecondCloseAccount))
	creds, err := h.c.User("acct-1042").ListCredentials(t.Context(), &paragon.ListCredentialsParams{Integration: "close"})
	require.NoError(t, err)
	require.Len(t, creds, 1)
	assert.Equal(t, specCloseCred, creds[0].ID, "unpinned: the integration's current credential, as Paragon chose it")
	creds, err = h.c.User("acct-1042").ListCredentials(t.Context(), &paragon.ListCredentialsParams{Integration: "close"}, paragon.WithCredential(secondCred))
	require.NoError(t, err)
	assert.Equal(t, secondCred, creds[0].ID)
	assert.Equal(t, secondCred, h.requests()[len(h.requests())-1].Header.Get(paragon.HeaderCredential))
}

func TestCredentialCounterTolerant(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"0", "3", "true", "null"} {
		h := newHarness(t)
		h.on("GET", meURL, 200, strings.Replace(specBody(t, "me.json"), `"refreshFailureCount": 0`, `"refreshFailureCount": `+v, 1))
		st, err := h.c.User("acct-1042").GetUser(t.Context())
		require.NoError(t, err, v)
		want := 0
		if v == "3" {
			want = 3
		}
		assert.Equal(t, want, st.Integrations["close"].AllCredentials[0].RefreshFailureCount)
	}
}
