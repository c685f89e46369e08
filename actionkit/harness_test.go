package actionkit_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paragon-go/paragon"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	testProject = "4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3"
	akBase      = "https://actionkit.test"
	akPath      = "/projects/" + testProject
)

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

// exchange is one expected request and its answer.
type exchange struct {
	Method string
	Path   string // below /projects/{pid}
	Query  string // compared as url.Values
	Body   string // compared as JSON; "" = no body
	Header map[string]string

	Status      int
	Reply       string
	ContentType string // default application/json
}

type wire struct {
	t    *testing.T
	mt   *httpmock.MockTransport
	user *paragon.User
	mu   sync.Mutex
	want []exchange
	n    int
}

// newWire returns a user whose ActionKit calls go to an httpmock transport
// expecting xs in order; anything else fails the test. retries sets the
// client's retry count.
func newWire(t *testing.T, retries int, xs ...exchange) *wire {
	t.Helper()
	w := &wire{t: t, mt: httpmock.NewMockTransport(), want: xs}
	w.mt.RegisterNoResponder(w.respond)
	pc, err := paragon.NewClient(testProject,
		paragon.WithSigningKey(keyPEM()),
		paragon.WithHTTPClient(&http.Client{Transport: w.mt}),
		paragon.WithBaseURL(paragon.ServiceActionKit, akBase),
		paragon.WithRetryPolicy(paragon.RetryPolicy{MaxRetries: retries, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}),
	)
	require.NoError(t, err)
	w.user = pc.User("user-1")
	t.Cleanup(func() {
		pc.CloseIdleConnections()
		w.mu.Lock()
		defer w.mu.Unlock()
		assert.Empty(t, w.want, "expected requests that were never sent")
	})
	return w
}

func (w *wire) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

func (w *wire) respond(req *http.Request) (*http.Response, error) {
	t := w.t
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	w.mu.Lock()
	w.n++
	if len(w.want) == 0 {
		w.mu.Unlock()
		t.Errorf("unexpected request %s %s", req.Method, req.URL)
		return httpmock.NewStringResponse(599, "unexpected"), nil
	}
	x := w.want[0]
	w.want = w.want[1:]
	w.mu.Unlock()

	assert.Equal(t, "actionkit.test", req.URL.Host, "host")
	assert.Equal(t, x.Method, req.Method, "method")
	assert.Equal(t, akPath+x.Path, req.URL.EscapedPath(), "path")
	wantQ, err := url.ParseQuery(x.Query)
	require.NoError(t, err)
	gotQ := req.URL.Query()
	if len(wantQ) == 0 {
		assert.Empty(t, gotQ, "query")
	} else {
		assert.Equal(t, wantQ, gotQ, "query")
	}
	assert.True(t, strings.HasPrefix(req.Header.Get("Authorization"), "Bearer "), "bearer token")
	for k, v := range x.Header {
		assert.Equal(t, v, req.Header.Get(k), "header %s", k)
	}
	if x.Body == "" {
		assert.Empty(t, body, "body")
	} else {
		assert.JSONEq(t, x.Body, string(body), "body")
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	}
	status := x.Status
	if status == 0 {
		status = http.StatusOK
	}
	resp := httpmock.NewStringResponse(status, x.Reply)
	ct := x.ContentType
	if ct == "" {
		ct = "application/json"
	}
	resp.Header.Set("Content-Type", ct)
	return resp, nil
}
