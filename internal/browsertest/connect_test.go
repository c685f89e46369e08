package browsertest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/paragontest"
)

// fake is a paragontest server with helpers to read what reached it.
type fake struct {
	*paragontest.Server
	t    *testing.T
	mark int
}

// since returns the requests the page sent since the last call: those
// with an Origin, without the Connect Portal iframe's page loads.
func (f *fake) since() []paragontest.RecordedRequest {
	all := f.Requests()
	var out []paragontest.RecordedRequest
	for _, r := range all[f.mark:] {
		if r.Origin != "" && r.Path != "/ui" {
			out = append(out, r)
		}
	}
	f.mark = len(all)
	return out
}

// me reads the user's state from the fake, as Paragon renders it.
func (f *fake) me(userID string) map[string]any {
	f.t.Helper()
	req, err := http.NewRequestWithContext(f.t.Context(), http.MethodGet, f.URL()+"/projects/"+f.ProjectID()+"/sdk/me", nil)
	require.NoError(f.t, err)
	req.Header.Set("Authorization", "Bearer "+f.UserToken(userID))
	resp, err := f.HTTPClient().Do(req)
	require.NoError(f.t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	var m map[string]any
	require.NoError(f.t, json.Unmarshal(b, &m))
	return m
}

// integration returns me(userID).integrations[typ].
func (f *fake) integration(userID, typ string) map[string]any {
	return f.me(userID)["integrations"].(map[string]any)[typ].(map[string]any)
}

// only asserts that reqs are exactly one request per method-and-path
// suffix given, in order, each from the page's origin, and returns them.
func only(t *testing.T, reqs []paragontest.RecordedRequest, origin string, want ...string) []paragontest.RecordedRequest {
	t.Helper()
	got := make([]string, len(reqs))
	for i, r := range reqs {
		got[i] = r.Method + " " + r.Path
	}
	require.Len(t, got, len(want), "requests: %v", got)
	for i, w := range want {
		m, suffix, _ := strings.Cut(w, " ")
		assert.Equal(t, m, reqs[i].Method, "request %d: %v", i, got)
		assert.True(t, strings.HasSuffix(reqs[i].Path, suffix), "request %d: %s, want suffix %s", i, got[i], suffix)
		assert.Equal(t, origin, reqs[i].Origin, "request %d came from the page", i)
	}
	return reqs
}

func TestBrowserSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium: skipped under -short")
	}
	const dana = "dana"
	srv, err := paragontest.Start(paragontest.WithUser(paragontest.UserSeed{
		ID: dana, Meta: map[string]any{"Name": "Dana"}, Connected: []string{"close"},
	}))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	f := &fake{Server: srv, t: t}
	page := pageServer(t)
	origin := page.URL
	pid := srv.ProjectID()

	// A Close workflow the browser SDK can see and trigger, with a handler.
	const lookup = paragontest.WorkflowCloseLookupLead
	var (
		runMu  sync.Mutex
		gotRun []paragontest.WorkflowRequest
	)
	runs := func() []paragontest.WorkflowRequest {
		runMu.Lock()
		defer runMu.Unlock()
		return slices.Clone(gotRun)
	}
	srv.HandleWorkflow(lookup, func(_ context.Context, req paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		runMu.Lock()
		defer runMu.Unlock()
		gotRun = append(gotRun, req)
		return paragontest.WorkflowResponse{Status: http.StatusOK, Body: map[string]any{"lead": "Harbor Analytics"}}, nil
	})

	b := startBrowser(t, page.URL+"/")
	overrides, err := json.Marshal(srv.BrowserOverrides())
	require.NoError(t, err)
	configure := func() {
		b.run(t, `paragon.configureGlobal({host: "paragon.invalid"}, %s);`, overrides)
	}
	configure()

	danaState := f.integration(dana, "close")
	credID := danaState["credentialId"].(string)
	defCfg := danaState["allCredentials"].([]any)[0].(map[string]any)["configurations"].([]any)[0].(map[string]any)["id"].(string)
	f.since()

	t.Run("authenticate", func(t *testing.T) {
		pre := srv.PreflightCount()
		b.run(t, `await paragon.authenticate(%q, %q);`, pid, srv.UserToken(dana))
		reqs := f.since()
		slices.SortFunc(reqs, func(a, b paragontest.RecordedRequest) int { return strings.Compare(a.Path, b.Path) })
		only(t, reqs, origin, "GET /sdk/integrations", "GET /sdk/me") // sent in parallel
		for _, r := range reqs {
			assert.Equal(t, dana, r.UserID)
			assert.Equal(t, http.StatusOK, r.Status)
		}
		assert.Greater(t, srv.PreflightCount(), pre, "the browser preflighted the calls")
	})

	t.Run("getUser", func(t *testing.T) {
		u := obj(t, b.run(t, `return paragon.getUser();`))
		assert.Equal(t, true, u["authenticated"])
		assert.Equal(t, dana, u["userId"])
		cl := u["integrations"].(map[string]any)["close"].(map[string]any)
		assert.Equal(t, true, cl["enabled"])
		assert.Equal(t, credID, cl["credentialId"])
		sl := u["integrations"].(map[string]any)["slack"].(map[string]any)
		assert.Equal(t, false, sl["enabled"])
		assert.Empty(t, f.since(), "getUser is local")
	})

	t.Run("setUserMetadata", func(t *testing.T) {
		b.run(t, `await paragon.setUserMetadata({" email ": "dana@example.org", plan: "pro"});`)
		reqs := f.since()
		if len(reqs) == 3 {
			slices.SortFunc(reqs[1:], func(a, b paragontest.RecordedRequest) int { return strings.Compare(a.Path, b.Path) })
		}
		only(t, reqs, origin, "PATCH /sdk/me", "GET /sdk/integrations", "GET /sdk/me") // then both re-read in parallel
		assert.Equal(t, http.StatusOK, reqs[0].Status)
		assert.Equal(t, map[string]any{"Name": "Dana", "Email": "dana@example.org", "plan": "pro"}, f.me(dana)["meta"],
			"merged, with the key normalised by the SDK")
	})

	t.Run("event", func(t *testing.T) {
		b.run(t, `await paragon.event("Lead Created", {id: "lead_1", name: "Harbor"});`)
		reqs := only(t, f.since(), origin, "POST /v2/projects/"+pid+"/sdk/events/trigger")
		assert.Equal(t, http.StatusCreated, reqs[0].Status)
		evs := srv.Events()
		require.Len(t, evs, 1)
		assert.Equal(t, "Lead Created", evs[0].Name)
		assert.JSONEq(t, `{"id":"lead_1","name":"Harbor"}`, string(evs[0].Payload))
	})

	t.Run("injected fault reaches the page", func(t *testing.T) {
		srv.FailNext(1, http.StatusServiceUnavailable)
		msg := b.runErr(t, `await paragon.event("Lead Created", {id: "lead_2"});`)
		assert.Contains(t, msg, "injected_fault", "the browser saw the fault's body, so CORS headers were on it")
		reqs := only(t, f.since(), origin, "POST /sdk/events/trigger")
		assert.Equal(t, http.StatusServiceUnavailable, reqs[0].Status)
		assert.Len(t, srv.Events(), 1)
	})

	t.Run("enableWorkflow", func(t *testing.T) {
		b.run(t, `await paragon.enableWorkflow(%q);`, lookup)
		reqs := only(t, f.since(), origin, "POST /sdk/workflows/"+lookup)
		assert.Equal(t, http.StatusOK, reqs[0].Status)
		assert.Equal(t, credID, reqs[0].Credential)
		assert.Equal(t, defCfg, reqs[0].Configuration)
		ws := defaultConfig(t, f.integration(dana, "close"))["workflowSettings"].(map[string]any)
		assert.Equal(t, true, ws[lookup].(map[string]any)["enabled"])
	})

	t.Run("workflow without a credential", func(t *testing.T) {
		v := obj(t, b.run(t, `return await paragon.workflow(%q, {body: {q: "Harbor"}, query: {page: "1"}});`, lookup))
		assert.Equal(t, map[string]any{"lead": "Harbor Analytics"}, v)
		reqs := only(t, f.since(), origin, "POST /projects/"+pid+"/sdk/triggers/"+lookup)
		assert.Equal(t, "page=1", reqs[0].Query)
		assert.Empty(t, reqs[0].Credential)
		got := runs()
		require.Len(t, got, 1)
		assert.JSONEq(t, `{"q":"Harbor"}`, string(got[0].Body))
		assert.Equal(t, credID, got[0].CredentialID, "the fake ran it with the user's credential")
	})

	t.Run("workflow with a credential", func(t *testing.T) {
		b.run(t, `return await paragon.workflow(%q, {selectedCredentialId: %q, body: {q: "B"}});`, lookup, credID)
		reqs := only(t, f.since(), origin, "POST /sdk/triggers/"+lookup)
		assert.Equal(t, credID, reqs[0].Credential)
		got := runs()
		require.Len(t, got, 2)
		assert.Equal(t, credID, got[1].CredentialID)
		// A default-enabled workflow without a handler: 202, no body.
		b.run(t, `return await paragon.workflow(%q, {selectedCredentialId: %q});`, paragontest.WorkflowCloseSyncLeads, credID)
		reqs = only(t, f.since(), origin, "POST /sdk/triggers/"+paragontest.WorkflowCloseSyncLeads)
		assert.Equal(t, http.StatusAccepted, reqs[0].Status)
	})

	t.Run("request to Close", func(t *testing.T) {
		lead := obj(t, b.run(t, `return await paragon.request("close", "/lead/", {method: "POST", body: {name: "Harbor Analytics"}});`))
		id, _ := lead["id"].(string)
		require.NotEmpty(t, id, "lead: %v", lead)
		reqs := only(t, f.since(), origin, "POST /sdk/proxy/close/lead/")
		assert.Equal(t, http.StatusOK, reqs[0].Status)
		stored, ok := srv.CloseCRM().Lead(id)
		require.True(t, ok, "the lead is in the fake Close")
		assert.Equal(t, "Harbor Analytics", stored["name"])

		got := obj(t, b.run(t, `return await paragon.request("close", "/lead/%s/", {method: "GET"});`, id))
		assert.Equal(t, id, got["id"])
		assert.Equal(t, "Harbor Analytics", got["display_name"])
		only(t, f.since(), origin, "GET /sdk/proxy/close/lead/"+id+"/")

		list := obj(t, b.run(t, `return await paragon.request("close", "/lead/?_limit=10", {method: "GET"});`))
		data := list["data"].([]any)
		require.Len(t, data, 1)
		assert.Equal(t, id, data[0].(map[string]any)["id"])
		reqs = only(t, f.since(), origin, "GET /sdk/proxy/close/lead/")
		assert.Equal(t, "_limit=10", reqs[0].Query)

		msg := b.runErr(t, `await paragon.request("close", "/lead/lead_doesnotexist/", {method: "GET"});`)
		assert.NotEmpty(t, msg)
		reqs = only(t, f.since(), origin, "GET /sdk/proxy/close/lead/lead_doesnotexist/")
		assert.Equal(t, http.StatusNotFound, reqs[0].Status)
	})

	t.Run("getIntegrationAccount", func(t *testing.T) {
		acct := obj(t, b.run(t, `return await paragon.getIntegrationAccount("close", {includeAccountAuth: true});`))
		assert.Equal(t, paragontest.CloseIntegrationID, acct["id"])
		assert.Equal(t, true, acct["hasCredential"])
		auth, _ := acct["accountAuth"].(map[string]any)
		assert.Equal(t, "paragontest-token-"+credID, auth["OAUTH_ACCESS_TOKEN"])
		reqs := only(t, f.since(), origin, "GET /sdk/credentials")
		assert.Contains(t, reqs[0].Query, "integration=close")
		assert.Contains(t, reqs[0].Query, "includeAccountAuth=true")
	})

	t.Run("getTriggers", func(t *testing.T) {
		v := obj(t, b.run(t, `return await paragon.getTriggers("close");`))
		trig := v["triggers"].(map[string]any)["close"].([]any)
		assert.NotEmpty(t, trig)
		reqs := only(t, f.since(), origin, "GET /projects/"+pid+"/triggers")
		assert.Equal(t, credID, reqs[0].Credential)
		assert.Contains(t, reqs[0].Query, "integrations=close")
	})

	t.Run("updateIntegrationUserSettings", func(t *testing.T) {
		b.run(t, `await paragon.updateIntegrationUserSettings("close", {pipeline: "pipe_Sales"});`)
		reqs := f.since()
		require.NotEmpty(t, reqs)
		only(t, reqs[:1], origin, "PATCH /sdk/credentials/"+credID)
		assert.Equal(t, credID, reqs[0].Credential)
		assert.Equal(t, defCfg, reqs[0].Configuration)
		assert.Equal(t, map[string]any{"pipeline": "pipe_Sales"}, defaultConfig(t, f.integration(dana, "close"))["sharedSettings"])
	})

	t.Run("updateWorkflowUserSettings", func(t *testing.T) {
		b.run(t, `await paragon.updateWorkflowUserSettings("close", %q, {owner: "sam"});`, lookup)
		reqs := f.since()
		require.NotEmpty(t, reqs)
		only(t, reqs[:1], origin, "PATCH /sdk/credentials/"+credID)
		assert.Equal(t, defCfg, reqs[0].Configuration)
		ws := defaultConfig(t, f.integration(dana, "close"))["workflowSettings"].(map[string]any)
		assert.Equal(t, map[string]any{"enabled": true, "settings": map[string]any{"owner": "sam"}}, ws[lookup])
	})

	t.Run("disableWorkflow", func(t *testing.T) {
		b.run(t, `await paragon.disableWorkflow(%q);`, lookup)
		reqs := only(t, f.since(), origin, "DELETE /sdk/workflows/"+lookup)
		assert.Equal(t, credID, reqs[0].Credential)
		assert.Equal(t, defCfg, reqs[0].Configuration)
		ws := defaultConfig(t, f.integration(dana, "close"))["workflowSettings"].(map[string]any)
		assert.Equal(t, false, ws[lookup].(map[string]any)["enabled"])
		msg := b.runErr(t, `await paragon.workflow(%q, {selectedCredentialId: %q});`, lookup, credID)
		assert.NotEmpty(t, msg, "the SDK refuses a disabled workflow")
	})

	t.Run("createConfiguration", func(t *testing.T) {
		cfg := obj(t, b.run(t, `return await paragon.createConfiguration({credentialId: %q, externalId: "eu-team"});`, credID))
		assert.Equal(t, "eu-team", cfg["externalId"])
		assert.Equal(t, false, cfg["isDefault"])
		reqs := f.since()
		require.NotEmpty(t, reqs)
		only(t, reqs[:1], origin, "POST /sdk/credentials/"+credID+"/configurations")
		cfgs := f.integration(dana, "close")["allCredentials"].([]any)[0].(map[string]any)["configurations"].([]any)
		require.Len(t, cfgs, 2)
		assert.Equal(t, cfg["id"], cfgs[1].(map[string]any)["id"])

		b.run(t, `await paragon.updateConfiguration({id: %q, credentialId: %q, meta: {team: "west"}});`, cfg["id"], credID)
		reqs = f.since()
		require.NotEmpty(t, reqs)
		only(t, reqs[:1], origin, "PATCH /sdk/credentials/"+credID+"/configurations")
		assert.Equal(t, cfg["id"], reqs[0].Configuration)
		cfgs = f.integration(dana, "close")["allCredentials"].([]any)[0].(map[string]any)["configurations"].([]any)
		assert.Equal(t, map[string]any{"team": "west"}, cfgs[1].(map[string]any)["configMeta"])

		b.run(t, `await paragon.destroyConfiguration({id: %q, credentialId: %q});`, cfg["id"], credID)
		reqs = f.since()
		require.NotEmpty(t, reqs)
		only(t, reqs[:1], origin, "DELETE /sdk/credentials/"+credID+"/configurations")
		assert.Equal(t, cfg["id"], reqs[0].Configuration)
		assert.Len(t, f.integration(dana, "close")["allCredentials"].([]any)[0].(map[string]any)["configurations"], 1)
	})

	t.Run("uninstallIntegration", func(t *testing.T) {
		b.run(t, `await paragon.uninstallIntegration("close");`)
		reqs := f.since()
		require.NotEmpty(t, reqs)
		only(t, reqs[:1], origin, "DELETE /sdk/integrations/"+paragontest.CloseIntegrationID)
		assert.Equal(t, credID, reqs[0].Credential)
		assert.Equal(t, false, f.integration(dana, "close")["enabled"])
	})

	t.Run("headless API-key reinstall", func(t *testing.T) {
		v := obj(t, b.run(t, `
			paragon.setHeadless(true);
			const done = new Promise((resolve, reject) => {
				paragon.installFlow.start("close", {
					onNext: (next) => { if (next.stage === "preOptions") paragon.installFlow.setPreOptions({apiKey: "close-key-2"}).catch(reject); },
					onComplete: (c) => resolve(c || {}),
					onError: (e) => reject(e),
				});
			});
			const c = await done;
			return {credentialId: (c && (c.credentialId || (c.credential && c.credential.id))) || null};`))
		cl := f.integration(dana, "close")
		assert.Equal(t, true, cl["enabled"], "reinstalled")
		newID := cl["credentialId"].(string)
		assert.NotEqual(t, credID, newID)
		if id, ok := v["credentialId"].(string); ok {
			assert.Equal(t, newID, id)
		}
		reqs := f.since()
		var posts int
		for _, r := range reqs {
			if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/sdk/credentials") {
				posts++
				assert.Equal(t, http.StatusOK, r.Status)
			}
		}
		assert.Equal(t, 1, posts, "one POST /sdk/credentials")
		acct := obj(t, b.run(t, `return await paragon.getIntegrationAccount("close", {includeAccountAuth: true});`))
		assert.Equal(t, "close-key-2", acct["accountAuth"].(map[string]any)["apiKey"], "the API key reached the fake")
		f.since()
	})

	t.Run("completeInstall", func(t *testing.T) {
		b.run(t, `await paragon.completeInstall("slack", {authorizationCode: "code-123", redirectUrl: "https://app.example/cb"});`)
		reqs := f.since()
		require.NotEmpty(t, reqs)
		only(t, reqs[:1], origin, "POST /sdk/credentials")
		sl := f.integration(dana, "slack")
		assert.Equal(t, true, sl["enabled"])
		u := obj(t, b.run(t, `return paragon.getUser();`))
		assert.Equal(t, true, u["integrations"].(map[string]any)["slack"].(map[string]any)["enabled"], "the SDK's state has it")
	})

	t.Run("a user who connected nothing", func(t *testing.T) {
		b.fresh(t)
		configure()
		f.since()
		b.run(t, `await paragon.authenticate(%q, %q);`, pid, srv.UserToken("newcomer"))
		reqs := f.since()
		slices.SortFunc(reqs, func(a, b paragontest.RecordedRequest) int { return strings.Compare(a.Path, b.Path) })
		only(t, reqs, origin, "GET /sdk/integrations", "GET /sdk/me")
		u := obj(t, b.run(t, `return paragon.getUser();`))
		assert.Equal(t, "newcomer", u["userId"])
		for typ, v := range u["integrations"].(map[string]any) {
			in := v.(map[string]any)
			assert.Equal(t, false, in["enabled"], typ)
		}
		msg := b.runErr(t, `await paragon.request("close", "/lead/", {method: "GET"});`)
		assert.Contains(t, msg, "Integration not enabled for user.")
		reqs = f.since()
		require.NotEmpty(t, reqs)
		assert.Equal(t, http.StatusNotFound, reqs[0].Status)
		b.runErr(t, `await paragon.enableWorkflow(%q);`, lookup)
		assert.Empty(t, f.since(), "the SDK refuses locally without a credential")
	})

	for _, r := range srv.Requests() {
		assert.NotEqual(t, http.MethodOptions, r.Method, "preflights are not in Requests()")
	}
}

// defaultConfig returns the default configuration of the first credential
// of an integration state from /sdk/me.
func defaultConfig(t *testing.T, in map[string]any) map[string]any {
	t.Helper()
	creds := in["allCredentials"].([]any)
	require.NotEmpty(t, creds)
	for _, c := range creds[0].(map[string]any)["configurations"].([]any) {
		if c.(map[string]any)["isDefault"] == true {
			return c.(map[string]any)
		}
	}
	t.Fatal("no default configuration")
	return nil
}
