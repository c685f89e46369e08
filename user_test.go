package paragon_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

const meBody = `{
  "authenticated": true,
  "userId": "acct-1042",
  "meta": {"Name": "Dana Ortiz", "Email": "dana@example.org", "tier": "growth"},
  "integrations": {
    "close": {
      "enabled": true,
      "credentialStatus": "VALID",
      "credentialId": "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10",
      "providerId": "user_8kQ2xLmN",
      "providerData": {},
      "configuredWorkflows": {
        "f3a9d6e2-1b2c-4d5e-8f90-a1b2c3d4e5f6": {"enabled": true, "settings": {"pipeline": "pipe_Sales"}}
      },
      "allCredentials": [
        {
          "id": "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10",
          "integrationId": "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9",
          "status": "VALID",
          "providerId": "user_8kQ2xLmN",
          "isPreviewCredential": false,
          "configurations": [
            {"id": "0c9e8d7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f", "isDefault": true, "sharedSettings": {}, "workflowSettings": {}}
          ]
        }
      ]
    },
    "hubspot": {"enabled": false}
  },
  "resources": [],
  "project": {"accessibleFeatures": ["headless-cp", "user-metadata"]},
  "futureField": 7
}`

func TestGetUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/me", 200, meBody)

	me, err := h.c.User("acct-1042").GetUser(t.Context())
	require.NoError(t, err)

	req := h.only()
	assert.Equal(t, "GET", req.Method)
	assert.Equal(t, apiBase+"/projects/"+testProject+"/sdk/me", req.URL)
	assert.Equal(t, "application/json", req.Header.Get("Accept"))
	assert.Contains(t, req.Header.Get("User-Agent"), "paragon-go/")
	assert.Empty(t, req.Body)
	claims := verifyToken(t, req.Header, "acct-1042")
	exp, _ := claims.GetExpirationTime()
	iat, _ := claims.GetIssuedAt()
	assert.InDelta(t, time.Hour+30*time.Second, exp.Sub(iat.Time), float64(2*time.Second))

	assert.True(t, me.Authenticated)
	assert.Equal(t, "acct-1042", me.UserID)
	assert.Equal(t, "Dana Ortiz", me.Meta["Name"])
	cl := me.Integrations["close"]
	assert.True(t, cl.Enabled)
	assert.Equal(t, paragon.CredentialValid, cl.CredentialStatus)
	assert.Equal(t, "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10", cl.CredentialID)
	assert.Equal(t, "pipe_Sales", cl.ConfiguredWorkflows["f3a9d6e2-1b2c-4d5e-8f90-a1b2c3d4e5f6"].Settings["pipeline"])
	require.Len(t, cl.AllCredentials, 1)
	require.Len(t, cl.AllCredentials[0].Configurations, 1)
	assert.True(t, cl.AllCredentials[0].Configurations[0].IsDefault)
	assert.False(t, me.Integrations["hubspot"].Enabled)
	assert.True(t, me.Project.HasFeature("headless-cp"))
	assert.False(t, me.Project.HasFeature("dfm"))
	assert.Contains(t, string(me.Raw), `"futureField": 7`)
}

func TestGetUserUnauthenticatedBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/me", 200, `{"authenticated": false}`)
	me, err := h.c.User("u1").GetUser(t.Context())
	require.NoError(t, err)
	assert.False(t, me.Authenticated)
	assert.Empty(t, me.Integrations)
}

func TestTokenIsCachedPerUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/me", 200, `{"authenticated": true}`)
	u := h.c.User("u1")
	for range 3 {
		_, err := u.GetUser(t.Context())
		require.NoError(t, err)
	}
	_, err := h.c.User("u2").GetUser(t.Context())
	require.NoError(t, err)
	got := h.requests()
	require.Len(t, got, 4)
	assert.Equal(t, got[0].Header.Get("Authorization"), got[1].Header.Get("Authorization"))
	assert.Equal(t, got[0].Header.Get("Authorization"), got[2].Header.Get("Authorization"))
	assert.NotEqual(t, got[0].Header.Get("Authorization"), got[3].Header.Get("Authorization"))
	verifyToken(t, got[3].Header, "u2")
}

func TestSetUserMetadata(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("PATCH", apiBase+"/projects/"+testProject+"/sdk/me", 200, `{}`)
	err := h.c.User("u1").SetUserMetadata(t.Context(), map[string]any{"Name": "Dana", "Email": "d@example.org", "seats": 3})
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, "PATCH", req.Method)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"meta":{"Name":"Dana","Email":"d@example.org","seats":3}}`, string(req.Body))
	verifyToken(t, req.Header, "u1")
}

func TestSetUserMetadataInvalid(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.c.User("u1")
	for name, meta := range map[string]map[string]any{
		"nil":       nil,
		"NaN":       {"x": nanValue()},
		"oversized": {"x": strings.Repeat("a", 300<<10)},
		"func":      {"x": func() {}},
	} {
		err := u.SetUserMetadata(t.Context(), meta)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
	}
	assert.Empty(t, h.requests())
}

func TestInvalidUserIDsSendNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, id := range []string{"", "a\nb", "a\x00b", "\xff\xfe", strings.Repeat("x", 2000)} {
		_, err := h.c.User(id).GetUser(t.Context())
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "id %q", id)
		_, err = h.c.SignUserToken(id)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "id %q", id)
	}
	assert.Empty(t, h.requests())
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok, err := h.c.SignUserToken("acct-1042")
	require.NoError(t, err)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/me", 200, meBody)

	u, err := h.c.Authenticate(t.Context(), tok)
	require.NoError(t, err)
	assert.Equal(t, "acct-1042", u.ID())
	assert.Equal(t, "Bearer "+tok, h.only().Header.Get("Authorization"))
	assert.NotContains(t, u.String(), tok)
}

func TestAuthenticateRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok, err := h.c.SignUserToken("u1")
	require.NoError(t, err)
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/me", 401,
		`{"message":"Invalid token","code":"1001","status":401,"meta":{"requestId":"req-1"}}`)
	_, err = h.c.Authenticate(t.Context(), tok)
	require.ErrorIs(t, err, paragon.ErrUnauthorized)
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "req-1", pe.RequestID)
	assert.NotContains(t, err.Error(), tok)
	assert.Len(t, h.requests(), 1, "401 is not retried")
}

func TestAuthenticateLocalChecks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// An expired token, signed with golang-jwt directly.
	expired := signClaims(t, map[string]any{"sub": "u1", "iat": time.Now().Add(-2 * time.Hour).Unix(), "exp": time.Now().Add(-time.Hour).Unix()})
	cases := map[string]string{
		"empty":     "",
		"garbage":   "not-a-jwt",
		"two parts": "a.b",
		"alg none":  "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1MSIsImV4cCI6OTk5OTk5OTk5OX0.",
		"HS256":     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsImV4cCI6OTk5OTk5OTk5OX0.c2ln",
		"expired":   expired,
	}
	for name, tok := range cases {
		_, err := h.c.Authenticate(t.Context(), tok)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
		if tok != "" {
			assert.NotContains(t, err.Error(), tok, name)
		}
	}
	_, err := h.c.Authenticate(t.Context(), expired)
	assert.ErrorIs(t, err, paragon.ErrUnauthorized, "expired also matches ErrUnauthorized")
	assert.Empty(t, h.requests())
}

func TestSignUserToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, paragon.WithTokenLifetime(2*time.Hour))
	perms := map[string]any{"integration:*": true, "credential:*": []string{"credential:write"}}
	tok, err := h.c.SignUserToken("acct-7", paragon.WithPermissions(perms))
	require.NoError(t, err)
	claims := verifyToken(t, http.Header{"Authorization": {"Bearer " + tok}}, "acct-7")
	assert.Equal(t, "useparagon.com/"+testProject, claims["aud"], "aud is a single string")
	assert.Equal(t, map[string]any{"integration:*": true, "credential:*": []any{"credential:write"}},
		claims["urn:useparagon:connect:permissions"])
	exp, _ := claims.GetExpirationTime()
	assert.WithinDuration(t, time.Now().Add(2*time.Hour), exp.Time, 5*time.Second)
	iat, _ := claims.GetIssuedAt()
	assert.True(t, iat.Before(time.Now()), "iat is backdated for clock skew")

	_, err = h.c.SignUserToken("u", paragon.WithTokenDuration(time.Second))
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = h.c.SignUserToken("u", paragon.WithPermissions(nil))
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
}

func TestClientWithoutKey(t *testing.T) {
	t.Parallel()
	c, err := paragon.NewClient(testProject)
	require.NoError(t, err)
	_, err = c.User("u1").GetUser(t.Context())
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = c.SignUserToken("u1")
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
}

func TestUserRedaction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.c.User("u1")
	assert.Equal(t, `paragon.User{id: "u1"}`, u.String())
	_ = errors.New
}
