package paragon_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

const integrationsBody = `[
  {
    "id": "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9",
    "type": "close",
    "name": "Close",
    "brandColor": "#2F6BFF",
    "projectId": "4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3",
    "dateCreated": "2025-03-02T09:14:07.120Z",
    "dateUpdated": "2025-06-18T16:40:51.006Z",
    "isActive": true,
    "customIntegrationId": null,
    "customIntegration": null,
    "authenticationType": "basic",
    "hasCredential": true,
    "configs": [{"id": "9a8b", "integrationId": "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9",
                 "values": {"description": "Sync leads with Close", "sharedMeta": {"inputs": []}, "workflowMeta": {}}}],
    "workflows": [{"id": "f3a9", "description": "Push new leads", "integrationId": "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9"}]
  },
  {"id": "11111111-2222-3333-4444-555555555555", "type": "custom.acme", "name": "Acme",
   "customIntegration": {"slug": "acme", "name": "Acme", "icon": "https://cdn.example/acme.svg"}}
]`

func TestListIntegrations(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/integrations", 200, integrationsBody)
	list, err := h.c.User("u1").ListIntegrations(t.Context())
	require.NoError(t, err)
	require.Len(t, list, 2)
	cl := list[0]
	assert.Equal(t, "close", cl.Type)
	assert.Equal(t, "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9", cl.ID)
	assert.Equal(t, "basic", cl.AuthenticationType)
	assert.True(t, cl.IsActive)
	assert.Equal(t, time.Date(2025, 3, 2, 9, 14, 7, 120e6, time.UTC), cl.DateCreated)
	assert.Nil(t, cl.CustomIntegration)
	assert.Equal(t, "Push new leads", cl.Workflows[0].Description)
	assert.Equal(t, "Sync leads with Close", cl.Configs[0].Values["description"])
	assert.Equal(t, "acme", list[1].CustomIntegration.Slug)
	assert.NotEmpty(t, cl.Raw)
	verifyToken(t, h.only().Header, "u1")
}

func TestUninstallIntegration(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/integrations", 200, integrationsBody)
	delURL := apiBase + "/projects/" + testProject + "/sdk/integrations/2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9"
	h.on("DELETE", delURL, 200, `{}`)
	h.on("GET", meURL, 200, meWith(t, func(me map[string]any) {
		closeState(me)["allCredentials"].([]any)[0].(map[string]any)["id"] = "cred-1"
	}))

	events := make(chan paragon.SDKEvent, 2)
	defer h.c.Subscribe(paragon.EventIntegrationUninstall, func(e paragon.SDKEvent) { events <- e })()

	require.NoError(t, h.c.User("u1").UninstallIntegration(t.Context(), "close", paragon.WithCredential("cred-1")))
	require.NoError(t, h.c.User("u2").UninstallIntegration(t.Context(), "close"))

	got := h.requests()
	require.Len(t, got, 5, "the integration UUID is looked up once and cached; /sdk/me once per user")
	assert.Equal(t, "GET", got[0].Method)
	assert.Empty(t, got[0].Header.Get("X-Paragon-Credential"), "the lookup is not pinned to an account")
	assert.Equal(t, meURL, got[1].URL)
	assert.Empty(t, got[1].Header.Get("X-Paragon-Credential"), "the state read is not pinned either")
	assert.Equal(t, "DELETE", got[2].Method)
	assert.Equal(t, delURL, got[2].URL)
	assert.Equal(t, "cred-1", got[2].Header.Get("X-Paragon-Credential"))
	verifyToken(t, got[4].Header, "u2")
	assert.Equal(t, "cred-1", got[4].Header.Get("X-Paragon-Credential"), "resolved from the state")

	select {
	case e := <-events:
		assert.Equal(t, "close", e.IntegrationType)
		assert.Equal(t, "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9", e.IntegrationID)
	case <-time.After(5 * time.Second):
		t.Fatal("no uninstall event")
	}
}

func TestUninstallUnknownIntegration(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/integrations", 200, integrationsBody)
	err := h.c.User("u1").UninstallIntegration(t.Context(), "hubspot")
	require.ErrorIs(t, err, paragon.ErrIntegrationNotFound)
	require.ErrorIs(t, err, paragon.ErrNotFound)
	assert.Contains(t, err.Error(), "hubspot")
	got := h.requests()
	require.Len(t, got, 1)
	assert.Equal(t, "GET", got[0].Method, "no DELETE is sent")

	err = h.c.User("u1").UninstallIntegration(t.Context(), "../close")
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Len(t, h.requests(), 1)
}

func TestGetIntegrationMetadata(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/metadata", 200, `[
	  {"type": "close", "name": "Close", "brandColor": "#2F6BFF", "icon": "https://cdn.useparagon.com/2.40.1/dashboard/public/integrations/close.svg"},
	  {"type": "slack", "name": "Slack", "brandColor": "#4A154B", "icon": "https://cdn.useparagon.com/2.40.1/dashboard/public/integrations/slack.svg"}]`)
	u := h.c.User("u1")
	all, err := u.GetIntegrationMetadata(t.Context(), "")
	require.NoError(t, err)
	require.Len(t, all, 2)
	one, err := u.GetIntegrationMetadata(t.Context(), "slack")
	require.NoError(t, err)
	assert.Equal(t, []paragon.IntegrationMetadata{{Type: "slack", Name: "Slack", BrandColor: "#4A154B",
		Icon: "https://cdn.useparagon.com/2.40.1/dashboard/public/integrations/slack.svg"}}, one)
	_, err = u.GetIntegrationMetadata(t.Context(), "jira")
	assert.ErrorIs(t, err, paragon.ErrIntegrationNotFound)
	assert.Len(t, h.requests(), 3)
}
