package paragon_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// claimsOf decodes a JWT's payload without verifying it.
func claimsOf(t testing.TB, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// bearer returns the token of a request's Authorization header.
func bearer(t testing.TB, h http.Header) string {
	t.Helper()
	a := h.Get("Authorization")
	require.True(t, strings.HasPrefix(a, "Bearer "), "Authorization %q", a)
	return strings.TrimPrefix(a, "Bearer ")
}

func TestRegionHosts(t *testing.T) {
	t.Parallel()
	all := []paragon.Service{paragon.ServiceAPI, paragon.ServiceEvents, paragon.ServiceProxy,
		paragon.ServiceActionKit, paragon.ServiceManagedSync, paragon.ServiceAgentOS}
	tests := []struct {
		name string
		opts []paragon.Option
		want []string // per service of all; "" = no documented host
		aud  string
	}{
		{"US default", nil, []string{
			"https://api.useparagon.com", "https://hermes.useparagon.com", "https://proxy.useparagon.com",
			"https://actionkit.useparagon.com", "https://sync.useparagon.com", "https://agentos.useparagon.com",
		}, "useparagon.com/" + testProject},
		{"US explicit", []paragon.Option{paragon.WithRegion(paragon.RegionUS)}, []string{
			"https://api.useparagon.com", "https://hermes.useparagon.com", "https://proxy.useparagon.com",
			"https://actionkit.useparagon.com", "https://sync.useparagon.com", "https://agentos.useparagon.com",
		}, "useparagon.com/" + testProject},
		{"EU", []paragon.Option{paragon.WithRegion(paragon.RegionEU)}, []string{
			"https://zeus.eu.paragon.so", "", "https://worker-proxy.eu.paragon.so", "", "", "https://agentos.eu.paragon.so",
		}, "eu.paragon.so/" + testProject},
		{"EU with the missing hosts set", []paragon.Option{
			paragon.WithBaseURL(paragon.ServiceActionKit, "https://ak.eu.example"),
			paragon.WithRegion(paragon.RegionEU),
		}, []string{
			"https://zeus.eu.paragon.so", "", "https://worker-proxy.eu.paragon.so", "https://ak.eu.example", "", "https://agentos.eu.paragon.so",
		}, "eu.paragon.so/" + testProject},
		{"on-prem", []paragon.Option{paragon.WithHost("paragon.example.com")}, []string{
			"https://zeus.paragon.example.com", "https://hermes.paragon.example.com", "https://worker-proxy.paragon.example.com",
			"https://worker-actionkit.paragon.example.com", "https://ms-sync.paragon.example.com", "",
		}, "paragon.example.com/" + testProject},
		{"on-prem with Agent OS set and an audience", []paragon.Option{
			paragon.WithHost("paragon.example.com"),
			paragon.WithBaseURL(paragon.ServiceAgentOS, "https://agents.example.com/base"),
			paragon.WithAudience("paragon.example.com:443/" + testProject),
		}, []string{
			"https://zeus.paragon.example.com", "https://hermes.paragon.example.com", "https://worker-proxy.paragon.example.com",
			"https://worker-actionkit.paragon.example.com", "https://ms-sync.paragon.example.com", "https://agents.example.com/base",
		}, "paragon.example.com:443/" + testProject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, pemBytes := signingKey(t)
			c, err := paragon.NewClient(testProject, append(tt.opts, paragon.WithSigningKey(pemBytes))...)
			require.NoError(t, err)
			for i, s := range all {
				assert.Equal(t, tt.want[i], c.BaseURL(s), "%v", s)
			}
			assert.Equal(t, tt.aud, c.Audience())
			tok, err := c.SignUserToken("u1")
			require.NoError(t, err)
			assert.Equal(t, tt.aud, claimsOf(t, tok)["aud"])
		})
	}
}

func TestRegionOptionErrors(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]paragon.Option{
		"region and host":        {paragon.WithRegion(paragon.RegionEU), paragon.WithHost("paragon.example.com")},
		"host and region":        {paragon.WithHost("paragon.example.com"), paragon.WithRegion(paragon.RegionUS)},
		"unknown region":         {paragon.WithRegion(paragon.Region(7))},
		"negative region":        {paragon.WithRegion(paragon.Region(-1))},
		"empty audience":         {paragon.WithAudience("")},
		"spaced audience":        {paragon.WithAudience("useparagon.com/ x")},
		"control audience":       {paragon.WithAudience("a\nb")},
		"unknown required":       {paragon.WithRequiredServices(paragon.Service(99))},
		"EU needs ActionKit":     {paragon.WithRegion(paragon.RegionEU), paragon.WithRequiredServices(paragon.ServiceActionKit)},
		"on-prem needs Agent OS": {paragon.WithHost("p.example.com"), paragon.WithRequiredServices(paragon.ServiceAPI, paragon.ServiceAgentOS)},
	} {
		_, err := paragon.NewClient(testProject, opts...)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
	}
	_, err := paragon.NewClient(testProject, paragon.WithRegion(paragon.RegionEU), paragon.WithRequiredServices(paragon.ServiceManagedSync))
	var nh *paragon.NoHostError
	require.ErrorAs(t, err, &nh)
	assert.Equal(t, paragon.ServiceManagedSync, nh.Service)
	assert.ErrorIs(t, err, paragon.ErrNoHost)
	assert.Equal(t, "paragon: Paragon documents no managedsync host for region eu; set one with WithBaseURL(paragon.ServiceManagedSync, …)", err.Error())

	// Documented EU services pass the check.
	_, err = paragon.NewClient(testProject, paragon.WithRegion(paragon.RegionEU),
		paragon.WithRequiredServices(paragon.ServiceAPI, paragon.ServiceProxy, paragon.ServiceAgentOS))
	require.NoError(t, err)
}

// TestEURequestsAndLazyNoHost: an EU client calls zeus.eu.paragon.so with an
// EU aud, and a call to a service without a documented EU host fails before
// any request is sent, with a NoHostError.
func TestEURequestsAndLazyNoHost(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return httpmock.NewStringResponse(599, ""), nil
	})
	var got *http.Request
	mt.RegisterResponder("GET", "https://zeus.eu.paragon.so/projects/"+testProject+"/sdk/me", func(r *http.Request) (*http.Response, error) {
		got = r
		return httpmock.NewStringResponse(200, `{"authenticated":true,"userId":"u1"}`), nil
	})
	_, pemBytes := signingKey(t)
	c, err := paragon.NewClient(testProject, paragon.WithSigningKey(pemBytes), paragon.WithRegion(paragon.RegionEU),
		paragon.WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	_, err = c.User("u1").GetUser(t.Context())
	require.NoError(t, err)
	require.NotNil(t, got)
	claims := verifyTokenAud(t, got.Header, "u1", "eu.paragon.so/"+testProject)
	assert.NotContains(t, claims, "urn:useparagon:connect:permissions")

	for _, svc := range []paragon.Service{paragon.ServiceEvents, paragon.ServiceActionKit, paragon.ServiceManagedSync} {
		_, err := c.User("u1").Call(t.Context(), svc, "GET", "/x", nil)
		var nh *paragon.NoHostError
		require.ErrorAs(t, err, &nh, "%v", svc)
		assert.Equal(t, svc, nh.Service)
		assert.Equal(t, "region eu", nh.Instance)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	}
	err = c.User("u1").Event(t.Context(), "Contact Created", nil)
	require.ErrorIs(t, err, paragon.ErrNoHost, "events have no documented EU host")
	assert.Equal(t, 1, mt.GetTotalCallCount(), "only GET /sdk/me was sent")
}

// verifyTokenAud checks the bearer token's signature, subject and aud.
func verifyTokenAud(t testing.TB, hdr http.Header, wantSub, wantAud string) jwt.MapClaims {
	t.Helper()
	key, _ := signingKey(t)
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(bearer(t, hdr), claims,
		func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience(wantAud),
		jwt.WithExpirationRequired(),
	)
	require.NoError(t, err)
	require.Equal(t, wantSub, claims["sub"])
	require.Equal(t, wantAud, claims["aud"], "aud is one string")
	return claims
}

func TestNewClientFromEnvRegionAndAPIKey(t *testing.T) {
	t.Setenv(paragon.EnvProjectID, testProject)
	t.Setenv(paragon.EnvRegion, "EU")
	t.Setenv(paragon.EnvAPIKey, testAPIKey)
	c, err := paragon.NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "https://zeus.eu.paragon.so", c.BaseURL(paragon.ServiceAPI))
	assert.Equal(t, "eu.paragon.so/"+testProject, c.Audience())
	assert.NotContains(t, c.Project().String(), testAPIKey)

	t.Setenv(paragon.EnvRegion, "ap")
	_, err = paragon.NewClientFromEnv()
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	t.Setenv(paragon.EnvRegion, "eu")
	t.Setenv(paragon.EnvHost, "paragon.example.com")
	_, err = paragon.NewClientFromEnv()
	require.ErrorIs(t, err, paragon.ErrInvalidInput, "a region and an on-prem host")
	t.Setenv(paragon.EnvHost, "")
	t.Setenv(paragon.EnvAPIKey, "bad key")
	_, err = paragon.NewClientFromEnv()
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.NotContains(t, err.Error(), "bad key")
}
