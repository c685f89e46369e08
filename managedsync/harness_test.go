package managedsync_test

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
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/managedsync"
)

const (
	testProject = "4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3"
	syncBase    = "https://sync.test"
	testSync    = "163a345e-2dd4-51ff-bcf5-7667de564bb0"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
	keyPEM  []byte
)

func signingKey() (*rsa.PrivateKey, []byte) {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		testKey, keyPEM = k, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
	return testKey, keyPEM
}

type captured struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

type harness struct {
	t  testing.TB
	mt *httpmock.MockTransport
	c  *paragon.Client
	ms *managedsync.Client
	mu sync.Mutex
	in []captured
}

// newHarness returns a managedsync client for user "acct-1042" whose
// requests go to a per-test mock transport; an unregistered request fails
// the test.
func newHarness(t testing.TB) *harness {
	t.Helper()
	_, pemBytes := signingKey()
	h := &harness{t: t, mt: httpmock.NewMockTransport()}
	h.mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return httpmock.NewStringResponse(599, "unexpected"), nil
	})
	c, err := paragon.NewClient(testProject,
		paragon.WithSigningKey(pemBytes),
		paragon.WithHTTPClient(&http.Client{Transport: h.mt}),
		paragon.WithBaseURL(paragon.ServiceManagedSync, syncBase),
		paragon.WithRetryPolicy(paragon.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}),
	)
	require.NoError(t, err)
	h.c = c
	h.ms = managedsync.New(c.User("acct-1042"))
	return h
}

// on answers method+URL (query ignored unless the URL has one) with status
// and a JSON body, recording each request.
func (h *harness) on(method, url string, status int, body string) {
	h.onFunc(method, url, func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(status, body)
		r.Header.Set("Content-Type", "application/json")
		return r, nil
	})
}

func (h *harness) onFunc(method, url string, fn httpmock.Responder) {
	h.mt.RegisterResponder(method, url, func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		h.mu.Lock()
		h.in = append(h.in, captured{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: body})
		h.mu.Unlock()
		return fn(req)
	})
}

func (h *harness) requests() []captured {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]captured(nil), h.in...)
}

// only asserts that exactly one request was sent, checks its token, and
// returns it.
func (h *harness) only() captured {
	h.t.Helper()
	got := h.requests()
	require.Len(h.t, got, 1)
	checkAuth(h.t, got[0].Header)
	return got[0]
}

// checkAuth verifies the bearer token like Managed Sync: RS256 by the
// project key, sub acct-1042, aud useparagon.com/<project> required.
func checkAuth(t testing.TB, hdr http.Header) {
	t.Helper()
	key, _ := signingKey()
	auth := hdr.Get("Authorization")
	require.True(t, strings.HasPrefix(auth, "Bearer "))
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(strings.TrimPrefix(auth, "Bearer "), claims,
		func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience("useparagon.com/"+testProject),
		jwt.WithExpirationRequired(),
	)
	require.NoError(t, err)
	assert.Equal(t, "acct-1042", claims["sub"])
}

// jsonBody asserts the request body is exactly the JSON want.
func jsonBody(t testing.TB, c captured, want string) {
	t.Helper()
	assert.Equal(t, "application/json", c.Header.Get("Content-Type"))
	assert.JSONEq(t, want, string(c.Body))
}

func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}
