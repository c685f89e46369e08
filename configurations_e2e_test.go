package paragon_test

// End to end against paragontest: configurations, workflow enablement and
// settings in a non-default configuration, and User-Level API resources. The
// httpmock tests (parity_test.go) pin the wire; these check what the fake
// records as a result, read back through GET /sdk/me.

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

// requestsTo returns the fake's recorded requests with method and path.
func requestsTo(srv *paragontest.Server, method, path string) []paragontest.RecordedRequest {
	var out []paragontest.RecordedRequest
	for _, r := range srv.Requests() {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// closeConfigs returns the configurations of the user's only Close
// credential, read fresh from GET /sdk/me, by ID, and the default one's ID.
func closeConfigs(t *testing.T, u *paragon.User) (byID map[string]paragon.Configuration, defaultID string) {
	t.Helper()
	me, err := u.GetUser(t.Context())
	require.NoError(t, err)
	is := me.Integrations["close"]
	require.Len(t, is.AllCredentials, 1)
	byID = map[string]paragon.Configuration{}
	for _, cfg := range is.AllCredentials[0].Configurations {
		byID[cfg.ID] = cfg
		if cfg.IsDefault {
			require.Empty(t, defaultID, "two default configurations")
			defaultID = cfg.ID
		}
	}
	require.NotEmpty(t, defaultID, "no default configuration")
	return byID, defaultID
}

func TestConfigurationsAgainstFake(t *testing.T) {
	t.Parallel()
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := t.Context()
	base := "/projects/" + srv.ProjectID() + "/sdk"

	me, err := u.GetUser(ctx)
	require.NoError(t, err)
	credID := me.Integrations["close"].CredentialID
	require.NotEmpty(t, credID)
	before, defID := closeConfigs(t, u)
	require.Len(t, before, 1)

	// Create: the answer names the new configuration, and /sdk/me lists it
	// with its externalId and the integration's default workflow states.
	cfg, err := u.CreateConfiguration(ctx, credID, &paragon.CreateConfigurationParams{ExternalID: "eu-team"})
	require.NoError(t, err)
	assert.Equal(t, "eu-team", cfg.ExternalID)
	assert.False(t, cfg.IsDefault)
	require.NotEmpty(t, cfg.ID)
	assert.NotEqual(t, defID, cfg.ID)
	require.Len(t, requestsTo(srv, http.MethodPost, base+"/credentials/"+credID+"/configurations"), 1)

	cfgs, def2 := closeConfigs(t, u)
	require.Len(t, cfgs, 2)
	assert.Equal(t, defID, def2, "the default stays the default")
	got, ok := cfgs[cfg.ID]
	require.True(t, ok, "GET /sdk/me does not list the new configuration")
	assert.Equal(t, "eu-team", got.ExternalID)
	assert.False(t, got.IsDefault)
	assert.Equal(t, cfgs[defID].WorkflowSettings[paragontest.WorkflowCloseSyncLeads].Enabled, got.WorkflowSettings[paragontest.WorkflowCloseSyncLeads].Enabled)
	assert.True(t, got.WorkflowSettings[paragontest.WorkflowCloseSyncLeads].Enabled, "DefaultEnabled workflow")
	assert.False(t, got.WorkflowSettings[paragontest.WorkflowCloseLookupLead].Enabled)

	// A second one with the same externalId is refused by the fake (Paragon
	// keeps them unique per credential).
	_, err = u.CreateConfiguration(ctx, credID, &paragon.CreateConfigurationParams{ExternalID: "eu-team"})
	require.Error(t, err)
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, http.StatusBadRequest, pe.StatusCode)

	// Update meta, named by header.
	cred, err := u.UpdateConfiguration(ctx, credID, cfg.ID, map[string]any{"region": "eu"})
	require.NoError(t, err)
	assert.Equal(t, credID, cred.ID)
	patches := requestsTo(srv, http.MethodPatch, base+"/credentials/"+credID+"/configurations")
	require.Len(t, patches, 1)
	assert.Equal(t, credID, patches[0].Credential)
	assert.Equal(t, cfg.ID, patches[0].Configuration)
	cfgs, _ = closeConfigs(t, u)
	assert.Equal(t, "eu", cfgs[cfg.ID].ConfigMeta["region"])
	assert.NotContains(t, cfgs[defID].ConfigMeta, "region")

	// Enable and disable in the new configuration: only its
	// workflowSettings change.
	pin := []paragon.CallOption{paragon.WithCredential(credID), paragon.WithConfiguration(cfg.ID)}
	require.NoError(t, u.EnableWorkflow(ctx, paragontest.WorkflowCloseLookupLead, pin...))
	require.NoError(t, u.DisableWorkflow(ctx, paragontest.WorkflowCloseSyncLeads, pin...))
	for _, path := range []string{"/workflows/" + paragontest.WorkflowCloseLookupLead, "/workflows/" + paragontest.WorkflowCloseSyncLeads} {
		var rs []paragontest.RecordedRequest
		rs = append(rs, requestsTo(srv, http.MethodPost, base+path)...)
		rs = append(rs, requestsTo(srv, http.MethodDelete, base+path)...)
		require.Len(t, rs, 1, path)
		assert.Equal(t, credID, rs[0].Credential, path)
		assert.Equal(t, cfg.ID, rs[0].Configuration, path)
	}
	cfgs, _ = closeConfigs(t, u)
	assert.True(t, cfgs[cfg.ID].WorkflowSettings[paragontest.WorkflowCloseLookupLead].Enabled)
	assert.False(t, cfgs[cfg.ID].WorkflowSettings[paragontest.WorkflowCloseSyncLeads].Enabled)
	assert.False(t, cfgs[defID].WorkflowSettings[paragontest.WorkflowCloseLookupLead].Enabled, "default configuration changed")
	assert.True(t, cfgs[defID].WorkflowSettings[paragontest.WorkflowCloseSyncLeads].Enabled, "default configuration changed")

	// Workflow settings in the new configuration, merged twice; the
	// enablement just set must survive (the SDK sends the whole map).
	_, err = u.UpdateWorkflowUserSettings(ctx, "close", paragontest.WorkflowCloseLookupLead, map[string]any{"owner": "dana"}, pin...)
	require.NoError(t, err)
	_, err = u.UpdateWorkflowUserSettings(ctx, "close", paragontest.WorkflowCloseLookupLead, map[string]any{"pipeline": "pipe_EU"}, pin...)
	require.NoError(t, err)
	for _, r := range requestsTo(srv, http.MethodPatch, base+"/credentials/"+credID) {
		assert.Equal(t, credID, r.Credential)
		assert.Equal(t, cfg.ID, r.Configuration)
	}
	cfgs, _ = closeConfigs(t, u)
	lookup := cfgs[cfg.ID].WorkflowSettings[paragontest.WorkflowCloseLookupLead]
	assert.True(t, lookup.Enabled)
	assert.Equal(t, map[string]any{"owner": "dana", "pipeline": "pipe_EU"}, lookup.Settings)
	assert.False(t, cfgs[cfg.ID].WorkflowSettings[paragontest.WorkflowCloseSyncLeads].Enabled)
	assert.Empty(t, cfgs[defID].WorkflowSettings[paragontest.WorkflowCloseLookupLead].Settings, "default configuration changed")

	// Deleting the default is refused before any DELETE.
	deletePath := base + "/credentials/" + credID + "/configurations"
	err = u.DeleteConfiguration(ctx, credID, defID)
	require.ErrorIs(t, err, paragon.ErrDefaultConfiguration)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Empty(t, requestsTo(srv, http.MethodDelete, deletePath))

	// Deleting the other one works, and /sdk/me no longer lists it.
	require.NoError(t, u.DeleteConfiguration(ctx, credID, cfg.ID))
	dels := requestsTo(srv, http.MethodDelete, deletePath)
	require.Len(t, dels, 1)
	assert.Equal(t, credID, dels[0].Credential)
	assert.Equal(t, cfg.ID, dels[0].Configuration)
	assert.Equal(t, http.StatusOK, dels[0].Status)
	cfgs, def3 := closeConfigs(t, u)
	assert.Len(t, cfgs, 1)
	assert.Equal(t, defID, def3)

	// Once gone it is not found, again before any DELETE.
	err = u.DeleteConfiguration(ctx, credID, cfg.ID)
	require.ErrorIs(t, err, paragon.ErrNotFound)
	assert.Len(t, requestsTo(srv, http.MethodDelete, deletePath), 1)
}

// TestConfigurationEventAgainstFake: an App Event pinned to a configuration
// reaches the fake with both headers.
func TestConfigurationEventAgainstFake(t *testing.T) {
	t.Parallel()
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := t.Context()
	me, err := u.GetUser(ctx)
	require.NoError(t, err)
	credID := me.Integrations["close"].CredentialID
	cfg, err := u.CreateConfiguration(ctx, credID, nil)
	require.NoError(t, err)
	assert.Empty(t, cfg.ExternalID)
	require.NoError(t, u.Event(ctx, "Deal Won", map[string]any{"amount": 1200},
		paragon.WithCredential(credID), paragon.WithConfiguration(cfg.ID)))
	evs := requestsTo(srv, http.MethodPost, "/v2/projects/"+srv.ProjectID()+"/sdk/events/trigger")
	require.Len(t, evs, 1)
	assert.Equal(t, credID, evs[0].Credential)
	assert.Equal(t, cfg.ID, evs[0].Configuration)
	assert.Equal(t, http.StatusCreated, evs[0].Status)
}

func TestConnectResourceAgainstFake(t *testing.T) {
	t.Parallel()
	srv := paragontest.NewServer()
	defer srv.Close()
	resID, err := srv.AddResource(paragontest.APIResource{Slug: "close-api", Integration: "close", RequiredKeys: []string{"access_token"}})
	require.NoError(t, err)
	u := srv.Client().User("acct-1042")
	ctx := t.Context()
	base := "/projects/" + srv.ProjectID() + "/sdk"

	// Listed, not yet connected.
	me, err := u.GetUser(ctx)
	require.NoError(t, err)
	require.Len(t, me.Resources, 1)
	assert.Equal(t, paragon.Resource{ID: resID, Slug: "close-api", IntegrationID: paragontest.CloseIntegrationID}, me.Resources[0])

	// Unknown slug: not found, nothing posted.
	_, err = u.ConnectResource(ctx, "nope", map[string]any{"access_token": "tok"})
	require.ErrorIs(t, err, paragon.ErrNotFound)
	// A value the resource requires missing: the fake's 400.
	_, err = u.ConnectResource(ctx, "close-api", map[string]any{"refresh_token": "r"})
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, http.StatusBadRequest, pe.StatusCode)
	connectPath := base + "/resources/" + resID + "/connect"
	require.Len(t, requestsTo(srv, http.MethodPost, connectPath), 1)

	cred, err := u.ConnectResource(ctx, "close-api", map[string]any{"access_token": "tok_live_resource"})
	require.NoError(t, err)
	require.NotEmpty(t, cred.ID)
	assert.Equal(t, paragon.CredentialStatus("VALID"), cred.Status)
	assert.Equal(t, paragontest.CloseIntegrationID, cred.IntegrationID)
	posts := requestsTo(srv, http.MethodPost, connectPath)
	require.Len(t, posts, 2)
	assert.Equal(t, http.StatusOK, posts[1].Status)

	// /sdk/me lists the resource with its credential, and the integration
	// is connected with it.
	me, err = u.GetUser(ctx)
	require.NoError(t, err)
	require.Len(t, me.Resources, 1)
	assert.Equal(t, resID, me.Resources[0].ID)
	assert.Equal(t, cred.ID, me.Resources[0].CredentialID)
	assert.Equal(t, paragon.CredentialStatus("VALID"), me.Resources[0].CredentialStatus)
	is := me.Integrations["close"]
	assert.True(t, is.Enabled)
	assert.Equal(t, cred.ID, is.CredentialID)
	_, ok := is.Credential(cred.ID)
	assert.True(t, ok)

	// The credential holds the values given.
	creds, err := u.ListCredentials(ctx, &paragon.ListCredentialsParams{Integration: "close", IncludeAccountAuth: true})
	require.NoError(t, err)
	require.Len(t, creds, 1)
	assert.Equal(t, cred.ID, creds[0].ID)
	tok, _ := creds[0].AccountAuth.Get("access_token")
	assert.Equal(t, "tok_live_resource", tok)
}

// TestConnectResourceBadInputAgainstFake: bad values fail before any
// request.
func TestConnectResourceBadInputAgainstFake(t *testing.T) {
	t.Parallel()
	srv := paragontest.NewServer()
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	for name, f := range map[string]func(context.Context) error{
		"no values": func(ctx context.Context) error {
			_, err := u.ConnectResource(ctx, "close-api", nil)
			return err
		},
		"empty slug": func(ctx context.Context) error {
			_, err := u.ConnectResource(ctx, "", map[string]any{"a": "b"})
			return err
		},
	} {
		err := f(t.Context())
		assert.True(t, errors.Is(err, paragon.ErrInvalidInput), "%s: %v", name, err)
	}
	assert.Zero(t, srv.RequestCount())
}
