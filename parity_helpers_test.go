package paragon_test

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Wire facts from the spec (§5.1, §5.2, §5.3), copied verbatim into
// testdata/spec: the bodies Paragon sends.
const (
	specCloseCred   = "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10"
	specCloseConfig = "0c9e8d7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f"
	specCloseInteg  = "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9"
	specWorkflow    = "f3a9d6e2-1b2c-4d5e-8f90-a1b2c3d4e5f6"
	secondCred      = "c8f1d2e3-6b55-4a8f-8b12-7d4a3f9e0c21"
	secondConfig    = "1d0f9e8a-7b6c-4d5e-8f2a-1b0c9d8e7f6a"
	extraConfig     = "2e1a0f9b-8c7d-4e6f-9a3b-2c1d0e9f8a7b"
	meURL           = apiBase + "/projects/" + testProject + "/sdk/me"
	integrationsURL = apiBase + "/projects/" + testProject + "/sdk/integrations"
)

func specBody(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/spec/" + name)
	require.NoError(t, err)
	return string(b)
}

// meWith returns the spec's /sdk/me body changed by edit, which gets the
// decoded object.
func meWith(t testing.TB, edit func(me map[string]any)) string {
	t.Helper()
	var me map[string]any
	require.NoError(t, json.Unmarshal([]byte(specBody(t, "me.json")), &me))
	edit(me)
	b, err := json.Marshal(me)
	require.NoError(t, err)
	return string(b)
}

// closeState returns the "close" entry of a decoded /sdk/me.
func closeState(me map[string]any) map[string]any {
	return me["integrations"].(map[string]any)["close"].(map[string]any)
}

// addSecondCloseAccount adds a second Close credential, with its own
// default configuration, as Paragon lists a user's second account.
func addSecondCloseAccount(me map[string]any) {
	cl := closeState(me)
	creds := cl["allCredentials"].([]any)
	first := creds[0].(map[string]any)
	b, _ := json.Marshal(first)
	var second map[string]any
	_ = json.Unmarshal(b, &second)
	second["id"] = secondCred
	second["providerId"] = "user_Zz9"
	second["externalId"] = "west-team"
	cfg := second["configurations"].([]any)[0].(map[string]any)
	cfg["id"] = secondConfig
	cfg["connectCredentialId"] = secondCred
	cl["allCredentials"] = append(creds, second)
}

// addCloseConfiguration adds a non-default configuration to the first
// Close credential.
func addCloseConfiguration(me map[string]any) {
	first := closeState(me)["allCredentials"].([]any)[0].(map[string]any)
	cfgs := first["configurations"].([]any)
	cfgs = append(cfgs, map[string]any{
		"id": extraConfig, "connectCredentialId": specCloseCred, "isDefault": false, "externalId": "eu",
		"sharedSettings": map[string]any{"pipeline": "pipe_EU"}, "workflowSettings": map[string]any{},
		"configMeta": map[string]any{}, "dateCreated": "2025-06-01T10:00:00.000Z", "dateUpdated": "2025-06-01T10:00:00.000Z",
	})
	first["configurations"] = cfgs
}

func nopBody(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
