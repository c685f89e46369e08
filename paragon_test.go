package paragon_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

func TestNewClientValidation(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	smallPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	require.NoError(t, err)
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})

	cases := map[string]struct {
		project string
		opts    []paragon.Option
	}{
		"empty project":     {project: ""},
		"project with path": {project: "a/../b"},
		"project with CRLF": {project: "a\r\nb"},
		"garbage PEM":       {project: testProject, opts: []paragon.Option{paragon.WithSigningKey([]byte("-----BEGIN NOTHING-----"))}},
		"empty PEM":         {project: testProject, opts: []paragon.Option{paragon.WithSigningKey(nil)}},
		"1024-bit key":      {project: testProject, opts: []paragon.Option{paragon.WithSigningKey(smallPEM)}},
		"EC key":            {project: testProject, opts: []paragon.Option{paragon.WithSigningKey(ecPEM)}},
		"missing key file":  {project: testProject, opts: []paragon.Option{paragon.WithSigningKeyFile(filepath.Join(t.TempDir(), "none.pem"))}},
		"http non-loopback": {project: testProject, opts: []paragon.Option{paragon.WithBaseURL(paragon.ServiceAPI, "http://api.example.com")}},
		"ftp base URL":      {project: testProject, opts: []paragon.Option{paragon.WithBaseURL(paragon.ServiceAPI, "ftp://x")}},
		"base URL query":    {project: testProject, opts: []paragon.Option{paragon.WithBaseURL(paragon.ServiceAPI, "https://x/?a=1")}},
		"base URL userinfo": {project: testProject, opts: []paragon.Option{paragon.WithBaseURL(paragon.ServiceAPI, "https://u:p@x")}},
		"unknown service":   {project: testProject, opts: []paragon.Option{paragon.WithBaseURL(paragon.Service(9), "https://x")}},
		"host with scheme":  {project: testProject, opts: []paragon.Option{paragon.WithHost("https://paragon.example.com")}},
		"nil http client":   {project: testProject, opts: []paragon.Option{paragon.WithHTTPClient(nil)}},
		"negative retries":  {project: testProject, opts: []paragon.Option{paragon.WithMaxRetries(-1)}},
		"bad retry policy":  {project: testProject, opts: []paragon.Option{paragon.WithRetryPolicy(paragon.RetryPolicy{MaxBackoff: -1})}},
		"short lifetime":    {project: testProject, opts: []paragon.Option{paragon.WithTokenLifetime(0)}},
		"cache size 0":      {project: testProject, opts: []paragon.Option{paragon.WithTokenCacheSize(0)}},
		"user agent CRLF":   {project: testProject, opts: []paragon.Option{paragon.WithUserAgent("a\r\nb")}},
		"max bytes 0":       {project: testProject, opts: []paragon.Option{paragon.WithMaxResponseBytes(0)}},
	}
	for name, tc := range cases {
		c, err := paragon.NewClient(tc.project, tc.opts...)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
		assert.Nil(t, c, name)
		if err != nil {
			assert.NotContains(t, err.Error(), "PRIVATE KEY", name)
		}
	}
	_, err = paragon.NewClient(testProject, paragon.WithSigningKey(pemBytes),
		paragon.WithBaseURL(paragon.ServiceAPI, "http://127.0.0.1:8080/prefix/"),
		paragon.WithBaseURL(paragon.ServiceProxy, "http://localhost:1"),
		paragon.WithBaseURL(paragon.ServiceEvents, "http://[::1]:2"))
	assert.NoError(t, err, "http is fine on loopback")
}

func TestSigningKeyForms(t *testing.T) {
	t.Parallel()
	key, pkcs8 := signingKey(t)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	escaped := []byte(strings.ReplaceAll(string(pkcs8), "\n", `\n`))
	file := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(file, pkcs1, 0o600))
	for name, opt := range map[string]paragon.Option{
		"pkcs8": paragon.WithSigningKey(pkcs8), "pkcs1": paragon.WithSigningKey(pkcs1),
		"escaped newlines": paragon.WithSigningKey(escaped), "file": paragon.WithSigningKeyFile(file),
	} {
		c, err := paragon.NewClient(testProject, opt)
		require.NoError(t, err, name)
		tok, err := c.SignUserToken("u1")
		require.NoError(t, err, name)
		verifyToken(t, http.Header{"Authorization": {"Bearer " + tok}}, "u1")
	}
}

func TestBaseURLs(t *testing.T) {
	t.Parallel()
	c, err := paragon.NewClient(testProject)
	require.NoError(t, err)
	assert.Equal(t, "https://api.useparagon.com", c.BaseURL(paragon.ServiceAPI))
	assert.Equal(t, "https://hermes.useparagon.com", c.BaseURL(paragon.ServiceEvents))
	assert.Equal(t, "https://proxy.useparagon.com", c.BaseURL(paragon.ServiceProxy))

	// Option order never matters: the explicit URL wins over the derived one.
	for _, opts := range [][]paragon.Option{
		{paragon.WithHost("Paragon.Example.com"), paragon.WithBaseURL(paragon.ServiceProxy, "https://proxy.internal")},
		{paragon.WithBaseURL(paragon.ServiceProxy, "https://proxy.internal"), paragon.WithHost("Paragon.Example.com")},
	} {
		c, err := paragon.NewClient(testProject, opts...)
		require.NoError(t, err)
		assert.Equal(t, "https://zeus.paragon.example.com", c.BaseURL(paragon.ServiceAPI))
		assert.Equal(t, "https://hermes.paragon.example.com", c.BaseURL(paragon.ServiceEvents))
		assert.Equal(t, "https://proxy.internal", c.BaseURL(paragon.ServiceProxy))
	}
}

func TestOnPremRequestsGoToDerivedHost(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, pemBytes := signingKey(t)
	c, err := paragon.NewClient(testProject, paragon.WithSigningKey(pemBytes), paragon.WithHost("paragon.example.com"),
		paragon.WithHTTPClient(&http.Client{Transport: h.mt}))
	require.NoError(t, err)
	h.on("GET", "https://zeus.paragon.example.com/projects/"+testProject+"/sdk/me", 200, `{"authenticated":true}`)
	h.on("POST", "https://worker-proxy.paragon.example.com/projects/"+testProject+"/sdk/proxy/close/lead/", 200, `{"output":{}}`)
	_, err = c.User("u1").GetUser(t.Context())
	require.NoError(t, err)
	_, err = c.User("u1").Request(t.Context(), "close", "/lead/", &paragon.RequestOptions{Method: "POST", Body: map[string]any{}})
	require.NoError(t, err)
	assert.Len(t, h.requests(), 2)
}

func TestNewClientFromEnv(t *testing.T) {
	_, pemBytes := signingKey(t)
	t.Setenv(paragon.EnvProjectID, testProject)
	t.Setenv(paragon.EnvSigningKey, strings.ReplaceAll(string(pemBytes), "\n", `\n`))
	t.Setenv(paragon.EnvHost, "paragon.example.com")
	c, err := paragon.NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, testProject, c.ProjectID())
	assert.Equal(t, "https://zeus.paragon.example.com", c.BaseURL(paragon.ServiceAPI))
	_, err = c.SignUserToken("u1")
	require.NoError(t, err)

	t.Setenv(paragon.EnvSigningKeyFile, "/nonexistent")
	_, err = paragon.NewClientFromEnv()
	assert.ErrorIs(t, err, paragon.ErrInvalidInput, "both key variables set")

	t.Setenv(paragon.EnvProjectID, "")
	_, err = paragon.NewClientFromEnv()
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
}

func TestClientRedaction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, pemBytes := signingKey(t)
	js, err := json.Marshal(h.c)
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprintf("%v", h.c), fmt.Sprintf("%+v", h.c), fmt.Sprintf("%#v", h.c), fmt.Sprintf("%s", h.c), string(js)} {
		assert.NotContains(t, s, "PRIVATE")
		assert.NotContains(t, s, string(pemBytes[40:80]))
		assert.Contains(t, s, testProject)
	}
}
