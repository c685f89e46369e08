package paragon_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

const credentialsURL = apiBase + "/projects/" + testProject + "/sdk/credentials"

const credentialsBody = `[
  {
    "id": "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10",
    "dateCreated": "2025-05-11T08:02:44.310Z",
    "dateUpdated": "2025-05-11T08:03:01.902Z",
    "dateDeleted": null,
    "projectId": "4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3",
    "integrationId": "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9",
    "personaId": "71d3c5b9-8e2a-4f60-b1c4-d7e9f0a2b3c5",
    "config": {"configuredWorkflows": {"f3a9": {"enabled": false, "settings": {}}}, "sharedSettings": {"pipeline": "p1", "owner": "me"}},
    "isPreviewCredential": false,
    "providerId": "user_8kQ2xLmN",
    "status": "VALID",
    "accountAuth": {"OAUTH_ACCESS_TOKEN": "secret-access-token-123", "DOMAIN": "acme"}
  }
]`

func TestListCredentials(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", credentialsURL, 200, credentialsBody)
	u := h.c.User("u1")

	_, err := u.ListCredentials(t.Context(), nil)
	require.NoError(t, err)
	creds, err := u.ListCredentials(t.Context(), &paragon.ListCredentialsParams{Integration: "close", IncludeAccountAuth: true})
	require.NoError(t, err)
	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, credentialsURL, got[0].URL, "includeAccountAuth only on explicit request")
	assert.Equal(t, credentialsURL+"?includeAccountAuth=true&integration=close", got[1].URL)

	c := creds[0]
	assert.Equal(t, paragon.CredentialValid, c.Status)
	assert.Nil(t, c.DateDeleted)
	assert.Equal(t, "p1", c.Config.SharedSettings["pipeline"])
	tok, ok := c.AccountAuth.Get("OAUTH_ACCESS_TOKEN")
	require.True(t, ok)
	assert.Equal(t, "secret-access-token-123", tok)

	// The provider secret never shows up when the credential is printed.
	var logBuf strings.Builder
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("cred", "auth", c.AccountAuth, "c", c)
	js, err := json.Marshal(c)
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), string(js), logBuf.String()} {
		assert.NotContains(t, s, "secret-access-token-123")
	}
	assert.Contains(t, string(js), "OAUTH_ACCESS_TOKEN")
}

func TestUpdateIntegrationUserSettings(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", meURL, 200, specBody(t, "me.json"))
	patchURL := credentialsURL + "/b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10"
	h.on("PATCH", patchURL, 200, `{"id": "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10", "config": {"sharedSettings": {"pipeline": "p2", "owner": "me"}}}`)

	cred, err := h.c.User("u1").UpdateIntegrationUserSettings(t.Context(), "close", map[string]any{"owner": "me"})
	require.NoError(t, err)
	assert.Equal(t, "p2", cred.Config.SharedSettings["pipeline"])
	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, meURL, got[0].URL)
	assert.Equal(t, "PATCH", got[1].Method)
	assert.Equal(t, patchURL, got[1].URL)
	assert.Equal(t, "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10", got[1].Header.Get("X-Paragon-Credential"))
	assert.Equal(t, specCloseConfig, got[1].Header.Get("X-Paragon-Configuration-Id"))
	assert.JSONEq(t, `{"config":{"sharedSettings":{"pipeline":"pipe_Sales","owner":"me"}}}`, string(got[1].Body),
		"the configuration's settings are kept (merged), the new value wins")
}

func TestUpdateIntegrationUserSettingsErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.c.User("u1")
	_, err := u.UpdateIntegrationUserSettings(t.Context(), "close", nil)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = u.UpdateIntegrationUserSettings(t.Context(), "clo/se", map[string]any{"a": 1})
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Empty(t, h.requests())

	h.on("GET", meURL, 200, specBody(t, "me.json"))
	_, err = u.UpdateIntegrationUserSettings(t.Context(), "hubspot", map[string]any{"a": 1})
	assert.ErrorIs(t, err, paragon.ErrIntegrationNotEnabled)
	for _, r := range h.requests() {
		assert.Equal(t, "GET", r.Method, "no PATCH without a credential")
	}
}
