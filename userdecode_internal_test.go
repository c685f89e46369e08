package paragon

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/internal/jsonx"
)

// userDecodeSeeds exercise every field userParser decodes, and what it
// must leave to jsonx.
var userDecodeSeeds = []string{
	`{"authenticated":true,"userId":"u","meta":{"Name":"N","n":1.5,"l":[1,"a",null],"o":{}},"resources":[{"id":"r","slug":"s","integrationId":"i","credentialId":"c","credentialStatus":"VALID"},null],` +
		`"project":{"id":"p","billingPlan":"pro","accessibleFeatures":["headless-cp",null]},"unknown":[{"x":1e5}],` +
		`"integrations":{"close":{"enabled":true,"credentialStatus":"VALID","credentialId":"c1","providerId":"pv","providerData":{"email":"a@b.c"},` +
		`"configuredWorkflows":{"w1":{"enabled":true,"settings":{"a":[true]}},"w2":{"enabled":false}},"sharedSettings":{"k":"v"},"workflowSettings":{},` +
		`"configMeta":null,"externalId":"x","credentialConfigId":"cc","allCredentials":[{"id":"c1","dateCreated":"2025-05-11T08:02:44.310Z",` +
		`"dateUpdated":"2025-05-11T08:03:01Z","dateDeleted":null,"projectId":"p","integrationId":"i","personaId":"pe",` +
		`"config":{"configuredWorkflows":{"w":{"enabled":true}},"sharedSettings":{},"workflowSettings":null},"isPreviewCredential":false,` +
		`"providerId":"pv","providerData":{},"status":"VALID","dateRefreshed":"2025-05-11T08:02:44.310123456Z","dateValidUntil":null,` +
		`"refreshFailureCount":true,"isRefreshing":false,"externalId":"e","configurations":[{"id":"cf","connectCredentialId":"c1","isDefault":true,` +
		`"externalId":"x","configMeta":{"m":1},"sharedSettings":{"pipeline":"p"},"workflowSettings":{"w":{"enabled":true,"settings":{}}},` +
		`"dateCreated":"2025-05-11T08:02:44.310Z","dateUpdated":"2025-05-11T08:02:44.310Z"}]},{"refreshFailureCount":"3"},{"refreshFailureCount":2.5},null]},` +
		`"slack":{"enabled":false,"allCredentials":[],"configuredWorkflows":{}}}}`,
	`{"authenticated":false}`, `{"authenticated":true,"authenticated":false,"userId":"a","userId":"b"}`,
	`{"integrations":{"a":{},"a":{"enabled":true}}}`, `{"integrations":{"a":null}}`, `{"meta":{"a":1},"meta":{"b":2}}`,
	`{"integrations":{"a":{"allCredentials":[{"accountAuth":{"OAUTH_ACCESS_TOKEN":"t"}}]}}}`,
	`{"integrations":{"a":{"allCredentials":[{"dateCreated":"2025-05-11T08:02:44+02:00"},{"dateCreated":"2025-05-11 08:02:44Z"},{"dateCreated":"2025-05-11T8:02:44Z"}]}}}`,
	`{"userId":"caf\u00e9"}`, "{\"userId\":\"bad \xff\"}", "{\"userId\":\"ctl \x01\"}", `{"u\u0073erId":"escaped key"}`,
	`{"authenticated":tru}`, `{"authenticated":nul}`, `{"resources":[1,]}`, `{"meta":{},}`, `{"project":{"id":"p"}} x`,
	`{"integrations":{"a":{"allCredentials":[{"refreshFailureCount":01}]}}}`, `{"integrations":{"a":{"allCredentials":[{"refreshFailureCount":-1e5}]}}}`,
	`{"unknown":[1,2,{"a":[]}]}`, `{"unknown":[1,2,{"a":[}]}`, `{"unknown":"\u00"}`, `null`, `[]`, ` {} `, ``,
}

// FuzzUserDecode checks userParser against jsonx: when userParser decodes
// a body, the body is valid JSON and jsonx decodes it to the same state.
func FuzzUserDecode(f *testing.F) {
	for _, s := range userDecodeSeeds {
		f.Add([]byte(s))
	}
	// Nested past the general decoder's limit, in a skipped value and in meta.
	deep := strings.Repeat("[", 9999) + strings.Repeat("]", 9999)
	f.Add([]byte(`{"authenticated":true,"x":` + deep + `}`))
	f.Add([]byte(`{"meta":{"a":` + deep + `}}`))
	if b, err := os.ReadFile("testdata/spec/me.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast, ref UserState
		if !fastUserState(b, &fast) {
			assert.Equal(t, UserState{}, fast, "a state left behind")
			return
		}
		if !jsontext.Value(b).IsValid(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)) {
			t.Fatalf("decoded invalid JSON %q", b)
		}
		require.NoError(t, jsonx.Unmarshal(b, (*userStateJSON)(&ref)), "%q", b)
		if !reflect.DeepEqual(fast, ref) {
			t.Fatalf("%q:\nfast      %#v\nreference %#v", b, fast, ref)
		}
	})
}

// TestUserDecodeTakesParagonAnswers makes sure FuzzUserDecode compares
// something: userParser itself decodes the spec's /sdk/me and the seeds
// Paragon could send.
func TestUserDecodeTakesParagonAnswers(t *testing.T) {
	t.Parallel()
	me, err := os.ReadFile("testdata/spec/me.json")
	require.NoError(t, err)
	var st UserState
	require.True(t, fastUserState(me, &st))
	assert.True(t, st.Integrations["close"].Enabled)
	for _, s := range userDecodeSeeds[:3] {
		assert.True(t, fastUserState([]byte(s), new(UserState)), s)
	}
	for _, s := range []string{`{"authenticated":tru}`, "{\"userId\":\"ctl \x01\"}", `{"project":{"id":"p"}} x`, `{"resources":[1,]}`} {
		assert.False(t, fastUserState([]byte(s), new(UserState)), s)
	}
}

// TestUnmarshalJSONFromKeepsItsRules: a Credential or IntegrationAccount
// decoded by the caller's types through Response.Decode (encoding/json's
// rules on jsonv2) decodes as encoding/json decodes it, through its
// UnmarshalJSON: names match exactly.
func TestUnmarshalJSONFromKeepsItsRules(t *testing.T) {
	t.Parallel()
	body := []byte(`{"c":{"ID":"x","id":"y","RefreshFailureCount":3,"Status":"VALID"},"a":{"ID":"x","connectedUserLimitOnDevCred":2,"ConnectedUserLimitOnDevCred":9}}`)
	type doc struct {
		C Credential         `json:"c"`
		A IntegrationAccount `json:"a"`
	}
	var got, want doc
	require.NoError(t, jsonx.UnmarshalCompat(body, &got))
	require.NoError(t, json.Unmarshal(body, &want))
	assert.Equal(t, want, got)
	assert.Equal(t, "y", got.C.ID)
	assert.Equal(t, 0, got.C.RefreshFailureCount)
}
