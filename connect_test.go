package paragon_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

func TestConnectWithInputs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/integrations", 200, integrationsBody)
	h.on("GET", meURL, 200, specBody(t, "me.json"))
	h.on("POST", credentialsURL, 200, `{"id": "cred-new", "status": "VALID", "integrationId": "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9"}`)
	events := make(chan paragon.SDKEvent, 1)
	defer h.c.Subscribe(paragon.EventIntegrationInstall, func(e paragon.SDKEvent) { events <- e })()

	cred, err := h.c.User("u1").Connect(t.Context(), "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "api_close_secret"},
		InstallOptions: paragon.InstallOptions{AllowMultipleCredentials: true}})
	require.NoError(t, err)
	assert.Equal(t, "cred-new", cred.ID)
	got := h.requests()
	require.Len(t, got, 2, "AllowMultipleCredentials: no state read")
	assert.Equal(t, "POST", got[1].Method)
	assert.JSONEq(t, `{"integrationId":"2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9","config":{},"payload":{"apiKey":"api_close_secret"},
		"installOptions":{"allowMultipleCredentials":true}}`, string(got[1].Body))
	select {
	case e := <-events:
		assert.Equal(t, "cred-new", e.CredentialID)
		assert.Equal(t, "close", e.IntegrationType)
	case <-time.After(5 * time.Second):
		t.Fatal("no install event")
	}
}

func TestConnectWithAuthorizationCode(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/integrations", 200, integrationsBody)
	h.on("GET", meURL, 200, meWith(t, func(me map[string]any) {
		me["integrations"].(map[string]any)["close"] = map[string]any{"enabled": false, "allCredentials": []any{}, "configuredWorkflows": map[string]any{}}
	}))
	h.on("POST", credentialsURL, 200, `{"id": "cred-2"}`)
	_, err := h.c.User("u1").Connect(t.Context(), "close", &paragon.ConnectParams{
		AuthorizationCode: "code-123", RedirectURL: "https://app.example/oauth/done",
		IntegrationOptions: map[string]any{"accountType": "default"},
	})
	require.NoError(t, err)
	got := h.requests()
	require.Len(t, got, 3)
	assert.Equal(t, "GET", got[1].Method, "a user who never connected Close may install it")
	assert.JSONEq(t, `{"integrationId":"2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9","code":"code-123",
		"redirectUrl":"https://app.example/oauth/done",
		"integrationOptions":{"accountType":"default","installOptions":{"allowMultipleCredentials":false}}}`, string(got[2].Body))
}

func TestConnectInvalid(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.c.User("u1")
	for i, p := range []*paragon.ConnectParams{
		nil, {}, {Inputs: map[string]any{"k": "v"}, AuthorizationCode: "c"},
		{AuthorizationCode: "c", RedirectURL: "javascript:alert(1)"},
	} {
		_, err := u.Connect(t.Context(), "close", p)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "case %d", i)
	}
	assert.Empty(t, h.requests())
}
