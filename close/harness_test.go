package close_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

const (
	testProject = "8f0c2b7e-1d4a-4c55-9e63-5b2f7a1d0c9e"
	proxyBase   = "https://proxy.test"
	// proxyPath is where Close paths live on the wire.
	proxyPath = "/projects/" + testProject + "/sdk/proxy/close"
)

// keyPEM returns a 2048-bit PKCS#8 PEM key made once per test binary.
var keyPEM = sync.OnceValue(func() []byte {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
})

// exchange is one expected request and the proxy's answer to it.
type exchange struct {
	Method string
	Path   string // Close path as escaped on the wire, e.g. "/contact/cont_1/"
	Query  string // expected query, compared as url.Values ("" = none)
	Body   string // expected JSON body, compared exactly as JSON ("" = no body)
	Status int    // default 200
	Reply  string // response body, sent as is
	Header http.Header
}

// captured is a request the mock saw.
type captured struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// wire is a real *paragon.User whose HTTP goes to a per-test httpmock
// transport that expects the given exchanges in order; anything else fails
// the test.
type wire struct {
	t    *testing.T
	mt   *httpmock.MockTransport
	pc   *paragon.Client
	user *paragon.User

	mu   sync.Mutex
	want []exchange
	got  []captured
}

func newWire(t *testing.T, opts ...paragon.Option) *wire {
	t.Helper()
	w := &wire{t: t, mt: httpmock.NewMockTransport()}
	w.mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return httpmock.NewStringResponse(599, "unexpected request"), nil
	})
	base := []paragon.Option{
		paragon.WithSigningKey(keyPEM()),
		paragon.WithHTTPClient(&http.Client{Transport: w.mt}),
		paragon.WithBaseURL(paragon.ServiceProxy, proxyBase),
		paragon.WithRetryPolicy(paragon.RetryPolicy{MaxRetries: 0, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}),
	}
	pc, err := paragon.NewClient(testProject, append(base, opts...)...)
	require.NoError(t, err)
	w.pc = pc
	w.user = pc.User("user-1")
	t.Cleanup(func() {
		pc.CloseIdleConnections()
		w.mu.Lock()
		defer w.mu.Unlock()
		assert.Empty(t, w.want, "expected requests that were never sent")
	})
	return w
}

// expect queues exchanges and registers their routes.
func (w *wire) expect(xs ...exchange) {
	w.t.Helper()
	w.mu.Lock()
	w.want = append(w.want, xs...)
	w.mu.Unlock()
	for _, x := range xs {
		rx := regexp.MustCompile("^" + regexp.QuoteMeta(proxyBase+proxyPath+x.Path) + `(\?.*)?$`)
		w.mt.RegisterRegexpResponder(x.Method, rx, w.respond)
	}
}

func (w *wire) respond(req *http.Request) (*http.Response, error) {
	t := w.t
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	w.mu.Lock()
	w.got = append(w.got, captured{Method: req.Method, URL: req.URL, Header: req.Header.Clone(), Body: body})
	if len(w.want) == 0 {
		w.mu.Unlock()
		t.Errorf("request %s %s after the last expected one", req.Method, req.URL.Path)
		return httpmock.NewStringResponse(599, "unexpected"), nil
	}
	x := w.want[0]
	w.want = w.want[1:]
	w.mu.Unlock()

	assert.Equal(t, x.Method, req.Method, "method of %s", x.Path)
	assert.Equal(t, proxyPath+x.Path, req.URL.EscapedPath(), "path")
	wantQ, err := url.ParseQuery(x.Query)
	assert.NoError(t, err)
	if len(wantQ) == 0 {
		wantQ = url.Values{}
	}
	gotQ := req.URL.Query()
	assert.Equal(t, wantQ, gotQ, "query of %s %s", x.Method, x.Path)
	if x.Body == "" {
		assert.Empty(t, body, "%s %s should have no body", x.Method, x.Path)
	} else {
		assert.JSONEq(t, x.Body, string(body), "body of %s %s", x.Method, x.Path)
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	}
	assert.True(t, strings.HasPrefix(req.Header.Get("Authorization"), "Bearer "), "no user token")

	status := x.Status
	if status == 0 {
		status = http.StatusOK
	}
	resp := httpmock.NewStringResponse(status, x.Reply)
	resp.Header.Set("Content-Type", "application/json")
	for k, vs := range x.Header {
		resp.Header[k] = vs
	}
	return resp, nil
}

// requests returns the captured requests.
func (w *wire) requests() []captured {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]captured(nil), w.got...)
}

// crm returns a Close client for the wire's user.
func (w *wire) crm(opts ...close.Option) *close.Client {
	return close.New(w.user, opts...)
}

// out wraps a JSON value in Paragon's success envelope.
func out(v string) string { return `{"output": ` + v + `}` }
