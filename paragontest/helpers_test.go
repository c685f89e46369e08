package paragontest_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paragon-go/paragon/paragontest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newServer starts a server that is closed when the test ends.
func newServer(t *testing.T, opts ...paragontest.Option) *paragontest.Server {
	t.Helper()
	srv := paragontest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// otherKey is a second RSA key, for forged tokens.
var otherKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// serverKey returns the server's signing key, parsed.
func serverKey(t *testing.T, srv *paragontest.Server) *rsa.PrivateKey {
	t.Helper()
	k, err := jwt.ParseRSAPrivateKeyFromPEM(srv.SigningKeyPEM())
	require.NoError(t, err)
	return k
}

// sign returns an RS256 token over claims with key.
func sign(t *testing.T, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	require.NoError(t, err)
	return s
}

// claimsFor returns valid claims for sub on srv's project.
func claimsFor(srv *paragontest.Server, sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"sub": sub,
		"aud": "useparagon.com/" + srv.ProjectID(),
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
}

// response is a decoded answer of the server.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

// List decodes an array body.
func (r response) List(t *testing.T) []map[string]any {
	t.Helper()
	var m []map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

// req describes one request to the server.
type req struct {
	method string
	path   string // absolute, or relative to /projects/{pid} when it starts with "/sdk"
	token  string // "" sends no Authorization
	body   any
	header map[string]string
}

// do sends rq to srv with the server's HTTP client (no redirects followed).
func do(t *testing.T, srv *paragontest.Server, rq req) response {
	t.Helper()
	url := srv.URL() + rq.path
	if strings.HasPrefix(rq.path, "/sdk") {
		url = srv.URL() + "/projects/" + srv.ProjectID() + rq.path
	}
	var body io.Reader
	switch b := rq.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		body = bytes.NewReader(raw)
	}
	hr, err := http.NewRequestWithContext(t.Context(), rq.method, url, body)
	require.NoError(t, err)
	if rq.token != "" {
		hr.Header.Set("Authorization", "Bearer "+rq.token)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range rq.header {
		hr.Header.Set(k, v)
	}
	hc := *srv.HTTPClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(hr)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// assertParagonError checks Paragon's error shape and the request ID.
func assertParagonError(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	assert.NotEmpty(t, m["message"])
	assert.EqualValues(t, status, m["status"])
	if code != "" {
		assert.Equal(t, code, m["code"])
	}
	meta, ok := m["meta"].(map[string]any)
	require.True(t, ok, "meta: %v", m["meta"])
	assert.Equal(t, r.Header.Get("X-Request-Id"), meta["requestId"])
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, meta["requestId"])
	return m
}

// pemOf encodes k as PKCS#1 PEM.
func pemOf(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// shortKeyPEM is a 1024-bit key, which the server refuses.
func shortKeyPEM() []byte {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	return pemOf(k)
}
