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
	h.on("POST", credentialsURL, 200, `{"id": "cred-new", "status": "VALID", "integrationId": "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9"}`)
	events := make(chan paragon.SDKEvent, 1)
	defer h.c.Subscribe(paragon.EventIntegrationInstall, func(e paragon.SDKEvent) { events <- e })()

	cred, err := h.c.User("u1").Connect(t.Context(), "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "api_close_secret"}})
	require.NoError(t, err)
	assert.Equal(t, "cred-new", cred.ID)
	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, "POST", got[1].Method)
	assert.JSONEq(t, `{"integrationId":"2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9","config":{},"payload":{"apiKey":"api_close_secret"}}`, string(got[1].Body))
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
	h.on("POST", credentialsURL, 200, `{"id": "cred-2"}`)
	_, err := h.c.User("u1").Connect(t.Context(), "close", &paragon.ConnectParams{
		AuthorizationCode: "code-123", RedirectURL: "https://app.example/oauth/done",
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"integrationId":"2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9","code":"code-123",
		"redirectUrl":"https://app.example/oauth/done","integrationOptions":{}}`, string(h.requests()[1].Body))
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
