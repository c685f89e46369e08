package paragon_test

// Hostile and mistaken input across the public API, in one table: every
// entry fails with paragon.ErrInvalidInput (or the typed error that fits)
// and, when the mistake is the caller's, before any request is sent.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

// countingRT counts requests and refuses every token (401), so that a
// request that should not have been sent is seen, and a token that only
// Paragon can judge is judged.
type countingRT struct{ n atomic.Int64 }

func (c *countingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return answer(http.StatusUnauthorized, `{"message": "Unauthorized", "status": 401}`), nil
}

// badEnv is what a bad-input case works with.
type badEnv struct {
	c   *paragon.Client
	u   *paragon.User
	crm *close.Client
}

// otherKeys holds keys the client must refuse, made once.
var otherKeys = sync.OnceValue(func() (k struct {
	rsa1024, rsa2048 *rsa.PrivateKey
	ec               *ecdsa.PrivateKey
	ed               ed25519.PrivateKey
},
) {
	var err error
	if k.rsa1024, err = rsa.GenerateKey(rand.Reader, 1024); err != nil { //nolint:gosec // the point: a key too short
		panic(err)
	}
	if k.rsa2048, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	return k
})

func pkcs8PEM(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// rawJWT builds a JWT from JSON header and claims with the given signature
// part, without signing anything.
func rawJWT(header, claims, sig string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + "." + sig
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	_, pemBytes := signingKey(t)
	future := time.Now().Add(time.Hour).Unix()
	past := time.Now().Add(-time.Hour).Unix()
	aud := "useparagon.com/" + testProject
	nan, inf := math.NaN(), math.Inf(1)
	long := func(n int) string { return strings.Repeat("a", n) }
	keys := otherKeys()

	newClient := func(opts ...paragon.Option) error {
		_, err := paragon.NewClient(testProject, append([]paragon.Option{paragon.WithSigningKey(pemBytes)}, opts...)...)
		return err
	}
	request := func(integration, path string, opts *paragon.RequestOptions, co ...paragon.CallOption) func(context.Context, badEnv) error {
		return func(ctx context.Context, e badEnv) error {
			_, err := e.u.Request(ctx, integration, path, opts, co...)
			return err
		}
	}
	getUser := func(co ...paragon.CallOption) func(context.Context, badEnv) error {
		return func(ctx context.Context, e badEnv) error {
			_, err := e.u.GetUser(ctx, co...)
			return err
		}
	}
	event := func(name string, payload any) func(context.Context, badEnv) error {
		return func(ctx context.Context, e badEnv) error { return e.u.Event(ctx, name, payload) }
	}
	asUser := func(id string) func(context.Context, badEnv) error {
		return func(ctx context.Context, e badEnv) error {
			_, err := e.c.User(id).GetUser(ctx)
			return err
		}
	}
	authenticate := func(token string) func(context.Context, badEnv) error {
		return func(ctx context.Context, e badEnv) error {
			_, err := e.c.Authenticate(ctx, token)
			return err
		}
	}

	cases := []struct {
		name string
		call func(ctx context.Context, e badEnv) error
		is   []error // default: ErrInvalidInput
		sent int     // requests that may go out: 0 for every caller mistake
	}{
		// User IDs.
		{name: "empty user ID", call: asUser("")},
		{name: "huge user ID", call: asUser(long(2000))},
		{name: "user ID with LF", call: asUser("user\n1")},
		{name: "user ID with CR", call: asUser("user\r1")},
		{name: "user ID with NUL", call: asUser("user\x001")},
		{name: "non-UTF-8 user ID", call: asUser("user\xff\xfe")},
		{name: "SignUserToken empty ID", call: func(context.Context, badEnv) error { _, err := signWith(pemBytes, ""); return err }},
		{name: "SignUserToken CRLF ID", call: func(context.Context, badEnv) error { _, err := signWith(pemBytes, "a\r\nb"); return err }},

		// App Events.
		{name: "empty event name", call: event("", nil)},
		{name: "huge event name", call: event(long(300), nil)},
		{name: "event name with CRLF", call: event("Contact\r\nCreated", nil)},
		{name: "event name with NUL", call: event("Contact\x00", nil)},
		{name: "non-UTF-8 event name", call: event("Contact \xc3\x28", nil)},
		{name: "NaN in payload", call: event("E", map[string]any{"score": nan})},
		{name: "+Inf nested in payload", call: event("E", map[string]any{"a": []any{map[string]any{"b": inf}}})},
		{name: "-Inf float32 in struct payload", call: event("E", struct{ X float32 }{float32(math.Inf(-1))})},
		{name: "unencodable payload (chan)", call: event("E", map[string]any{"c": make(chan int)})},
		{name: "invalid json.RawMessage payload", call: event("E", json.RawMessage(`{"a":`))},

		// Metadata.
		{name: "nil metadata", call: func(ctx context.Context, e badEnv) error { return e.u.SetUserMetadata(ctx, nil) }},
		{name: "oversized metadata", call: func(ctx context.Context, e badEnv) error {
			return e.u.SetUserMetadata(ctx, map[string]any{"blob": long(300 << 10)})
		}},
		{name: "NaN in metadata", call: func(ctx context.Context, e badEnv) error {
			return e.u.SetUserMetadata(ctx, map[string]any{"n": nan})
		}},

		// Proxy: integration names.
		{name: "empty integration", call: request("", "/lead/", nil)},
		{name: "integration ../close", call: request("../close", "/lead/", nil)},
		{name: "integration with slash", call: request("close/../../admin", "/lead/", nil)},
		{name: "integration %2e%2e", call: request("%2e%2e", "/lead/", nil)},
		{name: "integration with space", call: request("close lead", "/lead/", nil)},
		{name: "integration custom. only", call: request("custom.", "/lead/", nil)},

		// Proxy: paths, in every encoding of a way out.
		{name: "empty path", call: request("close", "", nil)},
		{name: "path ..", call: request("close", "../x", nil)},
		{name: "path /a/../b", call: request("close", "/a/../b", nil)},
		{name: "path ./a", call: request("close", "./a", nil)},
		{name: "path %2e%2e", call: request("close", "/%2e%2e/admin", nil)},
		{name: "path %2E%2e%2F", call: request("close", "/%2E%2e%2Fadmin", nil)},
		{name: "path .%2e", call: request("close", "/.%2e/admin", nil)},
		{name: "path encoded slash", call: request("close", "/lead%2f..%2fadmin", nil)},
		{name: "path backslash", call: request("close", "/lead\\..\\admin", nil)},
		{name: "path encoded backslash", call: request("close", "/lead%5c..", nil)},
		{name: "path //host", call: request("close", "//evil.example/steal", nil)},
		{name: "path absolute URL", call: request("close", "https://evil.example/steal", nil)},
		{name: "path scheme-relative in middle", call: request("close", "/a//b", nil)},
		{name: "path CRLF", call: request("close", "/lead/\r\nX-Injected: 1", nil)},
		{name: "path encoded CRLF", call: request("close", "/lead/%0d%0aX-Injected:%201", nil)},
		{name: "path NUL", call: request("close", "/lead/\x00", nil)},
		{name: "path encoded NUL", call: request("close", "/lead/%00", nil)},
		{name: "path fragment", call: request("close", "/lead/#x", nil)},
		{name: "path non-UTF-8", call: request("close", "/lead/\xff", nil)},
		{name: "path encoded non-UTF-8", call: request("close", "/lead/%ff", nil)},
		{name: "path bad escape", call: request("close", "/lead/%zz", nil)},
		{name: "huge path", call: request("close", "/"+long(9<<10), nil)},

		// Proxy: methods, headers, bodies.
		{name: "method with space", call: request("close", "/lead/", &paragon.RequestOptions{Method: "GE T"})},
		{name: "method with CRLF", call: request("close", "/lead/", &paragon.RequestOptions{Method: "GET\r\nX: 1"})},
		{name: "header value CRLF", call: request("close", "/lead/", &paragon.RequestOptions{Headers: http.Header{"X-A": {"v\r\nX-Injected: 1"}}})},
		{name: "header value NUL", call: request("close", "/lead/", &paragon.RequestOptions{Headers: http.Header{"X-A": {"v\x00"}}})},
		{name: "header name with colon", call: request("close", "/lead/", &paragon.RequestOptions{Headers: http.Header{"X-A:b": {"v"}}})},
		{name: "header name with LF", call: request("close", "/lead/", &paragon.RequestOptions{Headers: http.Header{"X-A\nB": {"v"}}})},
		{name: "Authorization via Headers", call: request("close", "/lead/", &paragon.RequestOptions{Headers: http.Header{"authorization": {"Bearer stolen"}}})},
		{name: "Host via Headers", call: request("close", "/lead/", &paragon.RequestOptions{Headers: http.Header{"Host": {"evil.example"}}})},
		{name: "NaN body", call: request("close", "/lead/", &paragon.RequestOptions{Method: "POST", Body: map[string]any{"v": nan}})},
		{name: "invalid json.RawMessage body", call: request("close", "/lead/", &paragon.RequestOptions{Method: "POST", Body: json.RawMessage(`{`)})},

		// Call options.
		{name: "WithHeader Authorization", call: getUser(paragon.WithHeader("Authorization", "Bearer x"))},
		{name: "WithHeader CRLF value", call: getUser(paragon.WithHeader("X-Ok", "a\r\nX-Injected: 1"))},
		{name: "WithHeader empty name", call: getUser(paragon.WithHeader("", "v"))},
		{name: "WithCredential empty", call: getUser(paragon.WithCredential(""))},
		{name: "WithCredential CRLF", call: getUser(paragon.WithCredential("cred\r\nX: 1"))},
		{name: "WithCredential huge", call: getUser(paragon.WithCredential(long(600)))},
		{name: "WithConfiguration without credential", call: getUser(paragon.WithConfiguration("cfg-1"))},
		{name: "WithCallRetries(-1)", call: getUser(paragon.WithCallRetries(-1))},
		{name: "nil context", call: func(_ context.Context, e badEnv) error {
			_, err := e.u.GetUser(nilContext())
			return err
		}},

		// Workflows, integrations, credentials, Connect.
		{name: "empty workflow ID", call: func(ctx context.Context, e badEnv) error { _, err := e.u.Workflow(ctx, "", nil); return err }},
		{name: "workflow ID ..", call: func(ctx context.Context, e badEnv) error { _, err := e.u.Workflow(ctx, "..", nil); return err }},
		{name: "workflow ID with slash", call: func(ctx context.Context, e badEnv) error { return e.u.EnableWorkflow(ctx, "wf/../../admin") }},
		{name: "workflow body NaN", call: func(ctx context.Context, e badEnv) error {
			_, err := e.u.Workflow(ctx, "wf-1", &paragon.WorkflowParams{Body: map[string]any{"x": inf}})
			return err
		}},
		{name: "UninstallIntegration ../x", call: func(ctx context.Context, e badEnv) error { return e.u.UninstallIntegration(ctx, "../x") }},
		{name: "GetIntegrationMetadata bad type", call: func(ctx context.Context, e badEnv) error {
			_, err := e.u.GetIntegrationMetadata(ctx, "a b")
			return err
		}},
		{name: "ListCredentials bad integration", call: func(ctx context.Context, e badEnv) error {
			_, err := e.u.ListCredentials(ctx, &paragon.ListCredentialsParams{Integration: "close/.."})
			return err
		}},
		{name: "UpdateIntegrationUserSettings NaN", call: func(ctx context.Context, e badEnv) error {
			_, err := e.u.UpdateIntegrationUserSettings(ctx, "close", map[string]any{"x": nan})
			return err
		}},
		{name: "Connect nil params", call: func(ctx context.Context, e badEnv) error { _, err := e.u.Connect(ctx, "close", nil); return err }},
		{name: "Connect inputs and code", call: func(ctx context.Context, e badEnv) error {
			_, err := e.u.Connect(ctx, "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "k"}, AuthorizationCode: "c"})
			return err
		}},
		{name: "Connect javascript: redirect", call: func(ctx context.Context, e badEnv) error {
			_, err := e.u.Connect(ctx, "close", &paragon.ConnectParams{AuthorizationCode: "c", RedirectURL: "javascript:alert(1)"})
			return err
		}},
		{name: "Connect NaN input", call: func(ctx context.Context, e badEnv) error {
			_, err := e.u.Connect(ctx, "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": nan}})
			return err
		}},
		{name: "Connect bad integration", call: func(ctx context.Context, e badEnv) error {
			_, err := e.u.Connect(ctx, "../close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "k"}})
			return err
		}},

		// Signing keys and client options.
		{name: "empty key", call: func(context.Context, badEnv) error { return newClient(paragon.WithSigningKey(nil)) }},
		{name: "malformed PEM", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithSigningKey([]byte("-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n")))
		}},
		{name: "truncated PEM", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithSigningKey(pemBytes[:len(pemBytes)/2]))
		}},
		{name: "PEM with garbage DER", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithSigningKey(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("garbage")})))
		}},
		{name: "1024-bit RSA key", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithSigningKey(pkcs8PEM(t, keys.rsa1024)))
		}},
		{name: "EC P-256 key", call: func(context.Context, badEnv) error { return newClient(paragon.WithSigningKey(pkcs8PEM(t, keys.ec))) }},
		{name: "Ed25519 key", call: func(context.Context, badEnv) error { return newClient(paragon.WithSigningKey(pkcs8PEM(t, keys.ed))) }},
		{name: "public key", call: func(context.Context, badEnv) error {
			der, err := x509.MarshalPKIXPublicKey(&keys.rsa2048.PublicKey)
			require.NoError(t, err)
			return newClient(paragon.WithSigningKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
		}},
		{name: "encrypted PEM", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithSigningKey([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n")))
		}},
		{name: "key file missing", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithSigningKeyFile(t.TempDir() + "/nope.pem"))
		}},
		{name: "project ID ../x", call: func(context.Context, badEnv) error { _, err := paragon.NewClient("../x"); return err }},
		{name: "project ID with slash", call: func(context.Context, badEnv) error { _, err := paragon.NewClient("a/b"); return err }},
		{name: "empty project ID", call: func(context.Context, badEnv) error { _, err := paragon.NewClient(""); return err }},
		{name: "base URL http non-loopback", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithBaseURL(paragon.ServiceAPI, "http://api.evil.example"))
		}},
		{name: "base URL with user info", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithBaseURL(paragon.ServiceAPI, "https://user:pass@api.example"))
		}},
		{name: "base URL with query", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithBaseURL(paragon.ServiceProxy, "https://proxy.example/?to=evil"))
		}},
		{name: "base URL javascript:", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithBaseURL(paragon.ServiceAPI, "javascript:alert(1)"))
		}},
		{name: "host with path", call: func(context.Context, badEnv) error { return newClient(paragon.WithHost("evil.example/x")) }},
		{name: "host with CRLF", call: func(context.Context, badEnv) error { return newClient(paragon.WithHost("a.example\r\nX: 1")) }},
		{name: "user agent with CRLF", call: func(context.Context, badEnv) error { return newClient(paragon.WithUserAgent("ua\r\nX: 1")) }},
		{name: "nil HTTP client", call: func(context.Context, badEnv) error { return newClient(paragon.WithHTTPClient(nil)) }},
		{name: "negative retries", call: func(context.Context, badEnv) error { return newClient(paragon.WithMaxRetries(-1)) }},
		{name: "negative backoff", call: func(context.Context, badEnv) error {
			return newClient(paragon.WithRetryPolicy(paragon.RetryPolicy{InitialBackoff: -time.Second}))
		}},
		{name: "token lifetime 1s", call: func(context.Context, badEnv) error { return newClient(paragon.WithTokenLifetime(time.Second)) }},
		{name: "zero token cache", call: func(context.Context, badEnv) error { return newClient(paragon.WithTokenCacheSize(0)) }},
		{name: "zero response limit", call: func(context.Context, badEnv) error { return newClient(paragon.WithMaxResponseBytes(0)) }},

		// Tokens handed to Authenticate.
		{name: "empty token", call: authenticate("")},
		{name: "not a JWT", call: authenticate("not-a-jwt")},
		{name: "two-part token", call: authenticate("eyJhbGciOiJSUzI1NiJ9.e30")},
		{name: "huge token", call: authenticate(rawJWT(`{"alg":"RS256"}`, `{"sub":"`+long(20<<10)+`"}`, "c2ln"))},
		{name: "alg none, no signature", call: authenticate(rawJWT(`{"alg":"none","typ":"JWT"}`, `{"sub":"user-1","exp":`+itoa(future)+`}`, ""))},
		{name: "alg none with a signature", call: authenticate(rawJWT(`{"alg":"none"}`, `{"sub":"user-1","exp":`+itoa(future)+`}`, "c2ln"))},
		{name: "alg HS256 (key confusion)", call: authenticate(hs256(t, jwt.MapClaims{"sub": "user-1", "exp": future, "aud": aud}))},
		{name: "header not JSON", call: authenticate(base64.RawURLEncoding.EncodeToString([]byte("{")) + ".e30.c2ln")},
		{name: "claims not base64", call: authenticate("eyJhbGciOiJSUzI1NiJ9.!!!.c2ln")},
		{name: "expired token", is: []error{paragon.ErrInvalidInput, paragon.ErrUnauthorized},
			call: authenticate(signClaims(t, map[string]any{"sub": "user-1", "exp": past, "iat": past - 60, "aud": aud}))},
		{name: "token without exp", call: authenticate(signClaims(t, map[string]any{"sub": "user-1", "aud": aud}))},
		{name: "token without sub", call: authenticate(signClaims(t, map[string]any{"exp": future, "aud": aud}))},
		{name: "token sub with CRLF", call: authenticate(signClaims(t, map[string]any{"sub": "a\r\nb", "exp": future}))},
		// Well formed, but signed with a key Paragon doesn't know: only the
		// server can tell, so one request goes out and is refused.
		{name: "forged token (other key)", is: []error{paragon.ErrUnauthorized}, sent: 1,
			call: authenticate(signOther(t, keys.rsa2048, jwt.MapClaims{"sub": "user-1", "exp": future, "iat": past, "aud": aud}))},

		// Webhooks.
		{name: "webhook with empty secret", call: func(context.Context, badEnv) error {
			return paragon.VerifyWebhookSignature("", []byte("{}"), "v1=00")
		}},
		{name: "webhook without signature", is: []error{paragon.ErrInvalidSignature}, call: func(context.Context, badEnv) error {
			return paragon.VerifyWebhookSignature("secret", []byte("{}"), "")
		}},
		{name: "webhook with huge signature header", is: []error{paragon.ErrInvalidSignature}, call: func(context.Context, badEnv) error {
			return paragon.VerifyWebhookSignature("secret", []byte("{}"), "v1="+long(4096))
		}},
		{name: "ParseWebhook nil request", call: func(context.Context, badEnv) error { _, err := paragon.ParseWebhook(nil, "s"); return err }},
		{name: "ParseWebhook oversized body", call: func(context.Context, badEnv) error {
			r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(make([]byte, paragon.DefaultMaxWebhookBytes+1)))
			_, err := paragon.ParseWebhook(r, "s")
			return err
		}},
		{name: "Close webhook key not hex", call: func(context.Context, badEnv) error {
			h := http.Header{close.HeaderSigHash: {"00"}, close.HeaderSigTimestamp: {itoa(time.Now().Unix())}}
			return close.VerifySignature("not hex!", h, []byte("{}"), time.Now(), 0)
		}},
		{name: "Close webhook unsigned", is: []error{close.ErrInvalidSignature}, call: func(context.Context, badEnv) error {
			return close.VerifySignature("00ff", http.Header{}, []byte("{}"), time.Now(), 0)
		}},
		{name: "Close webhook replayed (old timestamp)", is: []error{close.ErrInvalidSignature}, call: func(context.Context, badEnv) error {
			h := http.Header{close.HeaderSigHash: {long(64)}, close.HeaderSigTimestamp: {itoa(past)}}
			return close.VerifySignature("00ff", h, []byte("{}"), time.Now(), 0)
		}},

		// Close: IDs and params.
		{name: "close: empty lead ID", call: func(ctx context.Context, e badEnv) error { _, err := e.crm.Leads.Get(ctx, ""); return err }},
		{name: "close: lead ID ..", call: func(ctx context.Context, e badEnv) error { _, err := e.crm.Leads.Get(ctx, ".."); return err }},
		{name: "close: lead ID with slash", call: func(ctx context.Context, e badEnv) error {
			_, err := e.crm.Leads.Get(ctx, "lead_1/../../admin")
			return err
		}},
		{name: "close: contact ID with backslash", call: func(ctx context.Context, e badEnv) error { return e.crm.Contacts.Delete(ctx, "a\\b") }},
		{name: "close: opportunity ID with CRLF", call: func(ctx context.Context, e badEnv) error {
			_, err := e.crm.Opportunities.Get(ctx, "oppo\r\n1")
			return err
		}},
		{name: "close: huge lead ID", call: func(ctx context.Context, e badEnv) error { _, err := e.crm.Leads.Get(ctx, long(300)); return err }},
		{name: "close: non-UTF-8 lead ID", call: func(ctx context.Context, e badEnv) error { _, err := e.crm.Leads.Get(ctx, "lead_\xff"); return err }},
		{name: "close: merge into itself", call: func(ctx context.Context, e badEnv) error { return e.crm.Leads.Merge(ctx, "lead_1", "lead_1") }},
		{name: "close: nil lead update", call: func(ctx context.Context, e badEnv) error {
			_, err := e.crm.Leads.Update(ctx, "lead_1", nil)
			return err
		}},
		{name: "close: empty custom field ID", call: func(ctx context.Context, e badEnv) error {
			_, err := e.crm.Leads.Create(ctx, &close.Lead{Name: close.Set("Acme"), Custom: close.CustomFields{"": 1}})
			return err
		}},
		{name: "close: NaN custom field", call: func(ctx context.Context, e badEnv) error {
			_, err := e.crm.Leads.Create(ctx, &close.Lead{Name: close.Set("Acme"), Custom: close.CustomFields{"cf_x": nan}})
			return err
		}},
		{name: "close: list with negative skip", call: func(ctx context.Context, e badEnv) error {
			for _, err := range e.crm.Contacts.List(ctx, &close.ContactListParams{Skip: -1}) {
				return err
			}
			return errors.New("no result")
		}},
		{name: "close: list with _skip in Extra", call: func(ctx context.Context, e badEnv) error {
			for _, err := range e.crm.Leads.List(ctx, &close.LeadListParams{Extra: map[string][]string{"_skip": {"0"}}}) {
				return err
			}
			return errors.New("no result")
		}},
		{name: "close: list with huge limit", call: func(ctx context.Context, e badEnv) error {
			_, err := e.crm.Opportunities.ListPage(ctx, &close.OpportunityListParams{Limit: 1 << 20})
			return err
		}},
		{name: "close: bad integration", call: func(ctx context.Context, e badEnv) error {
			_, err := close.New(e.u, close.WithIntegration("../close")).Leads.Get(ctx, "lead_1")
			return err
		}},
		{name: "close: page size 0", call: func(ctx context.Context, e badEnv) error {
			_, err := close.New(e.u, close.WithPageSize(0)).Leads.Get(ctx, "lead_1")
			return err
		}},
		{name: "close: NaN time zone", call: func(ctx context.Context, e badEnv) error {
			_, err := close.New(e.u, close.WithTimezoneOffset(nan)).Leads.Get(ctx, "lead_1")
			return err
		}},
		{name: "close: nil requester", call: func(ctx context.Context, _ badEnv) error {
			_, err := close.New(nil).Leads.Get(ctx, "lead_1")
			return err
		}},
	}
	require.GreaterOrEqual(t, len(cases), 40)
	names := map[string]bool{}
	for _, tc := range cases {
		require.False(t, names[tc.name], "duplicate case %q", tc.name)
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rt := &countingRT{}
			c, err := paragon.NewClient(testProject,
				paragon.WithSigningKey(pemBytes),
				paragon.WithHTTPClient(&http.Client{Transport: rt}),
				paragon.WithBaseURL(paragon.ServiceAPI, apiBase),
				paragon.WithBaseURL(paragon.ServiceEvents, eventsBase),
				paragon.WithBaseURL(paragon.ServiceProxy, proxyBase),
				paragon.WithMaxRetries(0),
			)
			require.NoError(t, err)
			u := c.User("user-1")
			err = tc.call(t.Context(), badEnv{c: c, u: u, crm: close.New(u)})
			require.Error(t, err)
			is := tc.is
			if is == nil {
				is = []error{paragon.ErrInvalidInput}
			}
			for _, target := range is {
				assert.ErrorIs(t, err, target)
			}
			if tc.sent > 0 {
				assert.NotErrorIs(t, err, paragon.ErrInvalidInput, "the server's verdict, not a local one")
			}
			assert.EqualValues(t, tc.sent, rt.n.Load(), "requests sent: %v", err)
			msg := err.Error()
			assert.NotContains(t, msg, "eyJ", "a token in the error")
			assert.NotContains(t, msg, "PRIVATE KEY")
			assert.Less(t, len(msg), 1200, "error text not bounded: %d bytes", len(msg))
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func signWith(pemBytes []byte, user string) (string, error) {
	c, err := paragon.NewClient(testProject, paragon.WithSigningKey(pemBytes))
	if err != nil {
		return "", err
	}
	return c.SignUserToken(user)
}

func hs256(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	_, pemBytes := signingKey(t)
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(pemBytes)
	require.NoError(t, err)
	return s
}

func signOther(t *testing.T, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	require.NoError(t, err)
	return s
}

// nilContext hides a nil context from vet.
func nilContext() context.Context { //nolint:staticcheck // the point: a nil context
	var ctx context.Context
	return ctx
}
