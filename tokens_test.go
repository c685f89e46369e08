package paragon_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

const permClaim = "urn:useparagon:connect:permissions"

func TestPermissionsBuilderClaim(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := paragon.NewPermissions().
		Allow(paragon.AllIntegrations).
		Allow(paragon.IntegrationScope("salesforce"), paragon.PermissionActionKit).
		Allow(paragon.AllCredentials, paragon.PermissionCredentialWrite).
		Allow(paragon.CredentialScope("b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10")).
		Allow(paragon.AllConfigurations).
		Allow(paragon.ConfigurationScope("Team A")).
		Block(paragon.IntegrationScope("slack")).
		Nest(paragon.IntegrationScope("sharepoint"), paragon.NewPermissions().Allow(paragon.CredentialScope("c1")))
	tok, err := h.c.SignUserToken("u1", paragon.WithPermissions(p))
	require.NoError(t, err)
	got, err := json.Marshal(claimsOf(t, tok)[permClaim])
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"integration:*": true,
		"integration:salesforce": ["actionkit"],
		"credential:*": ["credential:write"],
		"credential:b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10": true,
		"configuration:*": true,
		"configuration:ext:Team A": true,
		"integration:slack": false,
		"integration:sharepoint": {"credential:c1": true}
	}`, string(got))

	// The claim is copied: changing p afterwards does not reach later tokens.
	opt := paragon.WithPermissions(p)
	p.Allow(paragon.IntegrationScope("slack"))
	tok, err = h.c.SignUserToken("u1", opt)
	require.NoError(t, err)
	assert.Equal(t, false, claimsOf(t, tok)[permClaim].(map[string]any)["integration:slack"])

	// A plain map still works, as before.
	tok, err = h.c.SignUserToken("u1", paragon.WithPermissions(map[string]any{"integration:*": true, "credential:*": []any{"credential:write"}}))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"integration:*": true, "credential:*": []any{"credential:write"}}, claimsOf(t, tok)[permClaim])
}

func TestPermissionsValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	bad := map[string]paragon.Permissions{
		"empty":                      {},
		"empty scope":                {"": true},
		"integration without name":   {"integration:": true},
		"bare integration":           {"integration": true},
		"credential wildcard inside": {"credential:ab*": true},
		"configuration by UUID":      {"configuration:0b7e": true},
		"configuration ext empty":    {"configuration:ext:": true},
		"unknown scope with colon":   {"workflow:abc": true},
		"space in scope":             {"integration: slack": true},
		"null value":                 {"integration:*": nil},
		"number value":               {"integration:*": 1},
		"string value":               {"integration:*": "all"},
		"empty rights":               {"credential:*": []string{}},
		"empty right":                {"credential:*": []string{""}},
		"right with space":           {"credential:*": []string{"credential write"}},
		"mixed array":                {"credential:*": []any{"credential:write", 3}},
		"nested too deep":            {"integration:a": map[string]any{"credential:b": map[string]any{"credential:c": true}}},
		"nested empty":               {"integration:a": map[string]any{}},
		"nested bad scope":           {"integration:a": paragon.Permissions{"nope:x": true}},
		"builder bad name":           paragon.NewPermissions().Allow(paragon.IntegrationScope("")),
		"builder bad ext":            paragon.NewPermissions().Allow(paragon.ConfigurationScope("")),
	}
	for name, p := range bad {
		_, err := h.c.SignUserToken("u1", paragon.WithPermissions(p))
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
		// The user handle reports the same error on its first call, before any request.
		_, err = h.c.User("u1", paragon.WithPermissions(p)).GetUser(t.Context())
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
	}
	assert.Empty(t, h.requests())

	good := map[string]paragon.Permissions{
		"category":     {"actionkit": true},
		"nested array": {"integration:a": map[string]any{"credential:*": []string{"credential:write"}}},
		"nil builder":  paragon.Permissions(nil).Allow(paragon.AllIntegrations),
	}
	for name, p := range good {
		require.NoError(t, p.Validate(), name)
	}
}

func TestIssueUserTokenExpiry(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	before := time.Now().Truncate(time.Second)
	tok, err := h.c.IssueUserToken("u1", paragon.WithTokenDuration(10*time.Minute))
	require.NoError(t, err)
	claims := verifyToken(t, map[string][]string{"Authorization": {"Bearer " + tok.Value()}}, "u1")
	exp, err := claims.GetExpirationTime()
	require.NoError(t, err)
	assert.True(t, tok.ExpiresAt.Equal(exp.Time), "ExpiresAt is the token's exp")
	assert.WithinDuration(t, before.Add(10*time.Minute), tok.ExpiresAt, 2*time.Second)
	iat, err := claims.GetIssuedAt()
	require.NoError(t, err)
	assert.True(t, tok.IssuedAt.Equal(iat.Time))
	assert.Equal(t, "u1", tok.UserID)

	// No form of the value shows the token.
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("issued", "token", tok)
	js, err := json.Marshal(tok)
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%+v %#v %s %q %x", tok, tok, tok, tok, tok), fmt.Sprint(&tok), string(js), logs.String(),
		fmt.Sprintf("%v", struct{ T paragon.UserToken }{tok})} {
		assert.NotContains(t, s, tok.Value()[20:60])
		assert.NotContains(t, s, "eyJ")
	}
	assert.Contains(t, string(js), `"expiresAt"`)

	// Audience options.
	tok, err = h.c.IssueUserToken("u1", paragon.WithTokenAudience("paragon.example.com/p"))
	require.NoError(t, err)
	assert.Equal(t, "paragon.example.com/p", claimsOf(t, tok.Value())["aud"])
	tok, err = h.c.IssueUserToken("u1", paragon.WithoutAudience())
	require.NoError(t, err)
	assert.NotContains(t, claimsOf(t, tok.Value()), "aud")
	_, err = h.c.IssueUserToken("u1", paragon.WithTokenAudience(" "))
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
}

// TestUserTokenOptionsOnTheWire: a user handle made with token options
// sends tokens with those claims; handles of the same user with other
// permissions or audiences never get each other's cached token.
func TestUserTokenOptionsOnTheWire(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/me", 200, `{"authenticated":true}`)
	onlySlack := paragon.NewPermissions().Allow(paragon.IntegrationScope("slack"))
	handles := []*paragon.User{
		h.c.User("u1"),
		h.c.User("u1", paragon.WithPermissions(onlySlack)),
		h.c.User("u1", paragon.WithPermissions(paragon.NewPermissions().Allow(paragon.AllIntegrations))),
		h.c.User("u1", paragon.WithTokenAudience("other.example/"+testProject)),
		h.c.User("u1", paragon.WithPermissions(onlySlack)), // same as [1]
	}
	for _, u := range handles {
		_, err := u.GetUser(t.Context())
		require.NoError(t, err)
	}
	got := h.requests()
	require.Len(t, got, len(handles))
	var toks []string
	for _, r := range got {
		toks = append(toks, bearer(t, r.Header))
	}
	verifyToken(t, got[0].Header, "u1")
	assert.NotContains(t, claimsOf(t, toks[0]), permClaim)
	assert.Equal(t, map[string]any{"integration:slack": true}, claimsOf(t, toks[1])[permClaim])
	assert.Equal(t, map[string]any{"integration:*": true}, claimsOf(t, toks[2])[permClaim])
	assert.Equal(t, "other.example/"+testProject, claimsOf(t, toks[3])["aud"])
	assert.Equal(t, "useparagon.com/"+testProject, claimsOf(t, toks[1])["aud"])
	for i := range 4 {
		for j := range i {
			assert.NotEqual(t, toks[i], toks[j], "handles %d and %d shared a token", i, j)
		}
	}
	assert.Equal(t, toks[1], toks[4], "equal permissions share one cached token")
}

// TestSigningKeyStoredForms: keys as secret stores keep them sign tokens that
// verify with the same public key; a wrong form names the forms accepted.
func TestSigningKeyStoredForms(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)
	lines := strings.Split(strings.TrimSpace(string(pemBytes)), "\n")
	body := strings.Join(lines[1:len(lines)-1], "")
	for name, key := range map[string]string{
		"bare base64 DER":          body,
		"bare base64, wrapped":     strings.Join(lines[1:len(lines)-1], "\n"),
		"one-line PEM with spaces": strings.Join(lines, " "),
		"escaped newlines":         strings.Join(lines, `\n`),
	} {
		c, err := paragon.NewClient(testProject, paragon.WithSigningKey([]byte(key)))
		require.NoError(t, err, name)
		tok, err := c.SignUserToken("u1")
		require.NoError(t, err, name)
		verifyToken(t, map[string][]string{"Authorization": {"Bearer " + tok}}, "u1")
	}
	_, err := paragon.NewClient(testProject, paragon.WithSigningKey([]byte("MIIE"+strings.Repeat("x", 100)+"!")))
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Contains(t, err.Error(), "want PEM (PKCS#8 or PKCS#1) or the bare base64")
	assert.NotContains(t, err.Error(), "MIIE")
}
