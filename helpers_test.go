package paragon_test

import (
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
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paragon-go/paragon"
)

const (
	testProject = "4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3"
	apiBase     = "https://api.test"
	eventsBase  = "https://events.test"
	proxyBase   = "https://proxy.test"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
	keyPEM  []byte
)

// signingKey returns a 2048-bit key made once per test binary.
func signingKey(t testing.TB) (*rsa.PrivateKey, []byte) {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		testKey = k
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
	return testKey, keyPEM
}

// captured is one request seen by the mock transport.
type captured struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// JSON decodes the captured body.
func (c captured) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(c.Body, &m), "body: %s", c.Body)
	return m
}

type harness struct {
	t   testing.TB
	mt  *httpmock.MockTransport
	c   *paragon.Client
	mu  sync.Mutex
	got []captured
}

// newHarness returns a client whose requests go to a per-test httpmock
// transport; an unregistered request fails the test.
func newHarness(t testing.TB, opts ...paragon.Option) *harness {
	t.Helper()
	_, pemBytes := signingKey(t)
	h := &harness{t: t, mt: httpmock.NewMockTransport()}
	h.mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return httpmock.NewStringResponse(599, "unexpected"), nil
	})
	base := []paragon.Option{
		paragon.WithSigningKey(pemBytes),
		paragon.WithHTTPClient(&http.Client{Transport: h.mt}),
		paragon.WithBaseURL(paragon.ServiceAPI, apiBase),
		paragon.WithBaseURL(paragon.ServiceEvents, eventsBase),
		paragon.WithBaseURL(paragon.ServiceProxy, proxyBase),
		paragon.WithRetryPolicy(paragon.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}),
	}
	c, err := paragon.NewClient(testProject, append(base, opts...)...)
	require.NoError(t, err)
	h.c = c
	return h
}

// on registers a responder for method+URL (no query) that records the request.
func (h *harness) on(method, url string, status int, body string, hdr ...string) {
	h.t.Helper()
	h.onFunc(method, url, func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(status, body)
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		return r, nil
	})
}

func (h *harness) onFunc(method, url string, fn httpmock.Responder) {
	h.mt.RegisterResponder(method, url, func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
		}
		h.mu.Lock()
		h.got = append(h.got, captured{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: body})
		h.mu.Unlock()
		return fn(req)
	})
}

// requests returns the captured requests.
func (h *harness) requests() []captured {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]captured(nil), h.got...)
}

// only asserts exactly one request was sent and returns it.
func (h *harness) only() captured {
	h.t.Helper()
	got := h.requests()
	require.Len(h.t, got, 1, "requests: %v", got)
	return got[0]
}

// verifyToken checks the bearer token of a request like Paragon would.
func verifyToken(t testing.TB, hdr http.Header, wantSub string) jwt.MapClaims {
	t.Helper()
	key, _ := signingKey(t)
	auth := hdr.Get("Authorization")
	require.True(t, strings.HasPrefix(auth, "Bearer "), "Authorization header missing Bearer scheme")
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(strings.TrimPrefix(auth, "Bearer "), claims,
		func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience("useparagon.com/"+testProject),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	require.NoError(t, err)
	require.Equal(t, wantSub, claims["sub"])
	return claims
}
