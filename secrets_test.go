package paragon_test

// Secrets: with a real signing key, real user tokens, a Close API key and
// webhook secrets in play, format everything a user might print or log —
// the client, users, options, request parameters, results and every error
// type — every way Go can, and log real calls at debug level; no secret may
// appear in any of it.

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
	"github.com/paragon-go/paragon/paragontest"
)

// tokenTap records the bearer tokens the client really sends.
type tokenTap struct {
	base   http.RoundTripper
	mu     sync.Mutex
	tokens []string
}

func (tt *tokenTap) RoundTrip(req *http.Request) (*http.Response, error) {
	if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		tt.mu.Lock()
		tt.tokens = append(tt.tokens, tok)
		tt.mu.Unlock()
	}
	return tt.base.RoundTrip(req)
}

func (tt *tokenTap) seen() []string {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return append([]string(nil), tt.tokens...)
}

// jwtPattern matches anything shaped like a JWT: base64url JSON header,
// payload and a signature part.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.`)

// keyFragments returns pieces of the private key a leak would show: the PEM
// body lines, and the private numbers in base64 and hex.
func keyFragments(t *testing.T, pemBytes []byte) []string {
	t.Helper()
	block, _ := pem.Decode(pemBytes)
	require.NotNil(t, block)
	var out []string
	for _, line := range strings.Split(string(pem.EncodeToMemory(block)), "\n") {
		if len(line) >= 32 && !strings.HasPrefix(line, "-----") {
			out = append(out, line[8:40]) // a window inside each base64 line
		}
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	}
	require.NoError(t, err)
	k := parsed.(*rsa.PrivateKey)
	for _, n := range [][]byte{k.D.Bytes(), k.Primes[0].Bytes(), k.Primes[1].Bytes()} {
		out = append(out,
			base64.StdEncoding.EncodeToString(n)[8:40],
			base64.RawURLEncoding.EncodeToString(n)[8:40],
			hex.EncodeToString(n)[8:40],
		)
	}
	return append(out, fmt.Sprint(k.D)[4:36]) // decimal, as %v of a big.Int
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	const (
		closeAPIKey      = "api_3kQxW9mZt7RfYv2LpN8cHdJ4sG6bT1eU"
		paragonWHSecret  = "whsec_paragon_f41b9d2e07c8a53e"
		closeWebhookKey  = "7d1e4a9c2b8f0e6d3a5c7b9e1f2d4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f"
		closeOAuthMarker = "paragontest-token-"
	)
	srv := paragontest.NewServer()
	t.Cleanup(srv.Close)
	keyPEM := srv.SigningKeyPEM()

	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tap := &tokenTap{base: srv.HTTPClient().Transport}
	c := srv.Client(paragon.WithLogger(logger), paragon.WithHTTPClient(&http.Client{Transport: tap}))
	t.Cleanup(c.CloseIdleConnections)
	ctx := t.Context()

	// Real calls, with the secrets in play.
	u := c.User("user-1")
	_, err := u.GetUser(ctx)
	require.NoError(t, err)
	require.NoError(t, u.SetUserMetadata(ctx, map[string]any{"Name": "Ada"}))
	require.NoError(t, u.Event(ctx, "Contact Created", map[string]any{"email": "ada@example.com"}))
	connect := &paragon.ConnectParams{Inputs: map[string]any{"apiKey": closeAPIKey}}
	cred, err := u.Connect(ctx, "close", connect)
	require.NoError(t, err)
	creds, err := u.ListCredentials(ctx, &paragon.ListCredentialsParams{IncludeAccountAuth: true})
	require.NoError(t, err)
	require.NotEmpty(t, creds)
	got, ok := creds[0].AccountAuth.Get("apiKey")
	require.True(t, ok, "the Close API key is in the credential's accountAuth")
	require.Equal(t, closeAPIKey, got)
	state, err := u.GetUser(ctx)
	require.NoError(t, err)

	crm := close.New(u)
	lead, err := crm.Leads.Create(ctx, &close.Lead{Name: close.Set("Acme")})
	require.NoError(t, err)
	_, closeErr := crm.Leads.Get(ctx, "lead_doesnotexist")
	require.Error(t, closeErr)
	proxyResp, err := u.Request(ctx, "close", "/lead/"+lead.ID+"/", nil)
	require.NoError(t, err)

	signed, err := c.SignUserToken("user-2")
	require.NoError(t, err)
	u2, err := c.Authenticate(ctx, signed)
	require.NoError(t, err)
	_, err = u2.GetUser(ctx)
	require.NoError(t, err)

	// Errors of every kind, each with a secret nearby.
	var errs []error
	errs = append(errs, closeErr)
	forged, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"sub": "user-1", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "aud": "useparagon.com/" + srv.ProjectID(),
	}).SignedString(otherKeys().rsa2048)
	require.NoError(t, err)
	_, err = c.Authenticate(ctx, forged) // *paragon.Error, 401
	require.ErrorIs(t, err, paragon.ErrUnauthorized)
	errs = append(errs, err)
	tampered, err := c.SignUserToken("user-3", paragon.WithTokenDuration(time.Minute))
	require.NoError(t, err)
	tampered = tampered[:len(tampered)-4] + "AAAA"
	_, err = c.Authenticate(ctx, tampered) // well formed; Paragon refuses the signature
	require.Error(t, err)
	errs = append(errs, err)
	_, err = c.Authenticate(ctx, "eyJhbGciOiJub25lIn0."+strings.Split(signed, ".")[1]+".") // alg none, a real payload
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	errs = append(errs, err)
	_, err = u.Workflow(ctx, "no-such-workflow", nil) // *paragon.Error from the server
	require.Error(t, err)
	errs = append(errs, err)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadURL := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	dead, err := paragon.NewClient(srv.ProjectID(), paragon.WithSigningKey(keyPEM), paragon.WithMaxRetries(0),
		paragon.WithBaseURL(paragon.ServiceAPI, deadURL), paragon.WithBaseURL(paragon.ServiceEvents, deadURL),
		paragon.WithBaseURL(paragon.ServiceProxy, deadURL))
	require.NoError(t, err)
	_, err = dead.User("user-1").GetUser(ctx) // transport error: dial refused
	require.Error(t, err)
	errs = append(errs, err)
	_, err = dead.User("user-1").Request(ctx, "close", "/lead/?api_key="+closeAPIKey, nil) // a secret in a query string
	require.Error(t, err)
	errs = append(errs, err)
	ctxTimeout, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	<-ctxTimeout.Done()
	errs = append(errs, u.Event(ctxTimeout, "E", nil))

	lines := strings.Split(strings.TrimSpace(string(keyPEM)), "\n")
	broken := strings.Join(append(append([]string{}, lines[:3]...), lines[4:]...), "\n") // one line missing
	for _, bad := range [][]byte{[]byte(broken), keyPEM[:len(keyPEM)/2], bytes.ReplaceAll(keyPEM, []byte("PRIVATE KEY"), []byte("PUBLIC KEY"))} {
		_, err = paragon.NewClient(srv.ProjectID(), paragon.WithSigningKey(bad)) // auth (key) errors
		require.ErrorIs(t, err, paragon.ErrInvalidInput)
		errs = append(errs, err)
	}
	errs = append(errs,
		paragon.VerifyWebhookSignature(paragonWHSecret, []byte(`{"eventId":"e"}`), "v1=00"),
		paragon.VerifyWebhookSignature(paragonWHSecret, []byte(`{"eventId":"e"}`), "v1="+paragonWHSecret),
		close.VerifySignature(closeWebhookKey, http.Header{close.HeaderSigHash: {closeWebhookKey}, close.HeaderSigTimestamp: {"1"}}, []byte("{}"), time.Now(), 0),
		close.VerifySignature(closeWebhookKey[:63], http.Header{}, []byte("{}"), time.Now(), 0),
	)
	for _, e := range errs {
		require.Error(t, e)
	}

	// Everything a user might print.
	values := map[string]any{
		"client": c, "user": u, "user value": *u, "authenticated user": u2, "authenticated user value": *u2,
		"connect params": connect, "connect params value": *connect,
		"credential": cred, "credentials": creds, "account auth": creds[0].AccountAuth, "state": state,
		"proxy response": proxyResp, "lead": lead,
		"retry policy": paragon.DefaultRetryPolicy,
		"options":      []paragon.Option{paragon.WithSigningKey(keyPEM), paragon.WithHTTPClient(http.DefaultClient)},
		"nested": struct {
			Client *paragon.Client
			User   *paragon.User
			Params *paragon.ConnectParams
		}{c, u2, connect},
	}
	for i, e := range errs {
		values[fmt.Sprintf("error %d (%T)", i, e)] = e
	}

	secrets := append(keyFragments(t, keyPEM), closeAPIKey, paragonWHSecret, closeWebhookKey, closeWebhookKey[:40], signed, forged, tampered)
	tokens := tap.seen()
	require.NotEmpty(t, tokens)
	for _, tok := range tokens {
		secrets = append(secrets, tok, strings.Split(tok, ".")[2][:32])
	}
	for _, cr := range creds {
		for _, k := range cr.AccountAuth.Keys() {
			v, _ := cr.AccountAuth.Get(k)
			if s, ok := v.(string); ok && len(s) >= 8 {
				secrets = append(secrets, s)
			}
		}
	}

	check := func(where, out string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s leaks a secret (%.12s…):\n%s", where, s, out)
			}
		}
		assert.NotContains(t, out, "-----BEGIN", where)
		assert.NotContains(t, out, closeOAuthMarker, where)
		assert.False(t, jwtPattern.MatchString(out), "%s shows a JWT:\n%s", where, out)
		assert.NotContains(t, out, "Bearer ", where)
	}
	var jsonLog syncBuffer
	jl := slog.New(slog.NewJSONHandler(&jsonLog, nil))
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			check(name+" "+verb, fmt.Sprintf(verb, v))
		}
		if b, err := json.Marshal(v); err == nil {
			check(name+" json", string(b))
		}
		jl.Info("value", "v", v)
		jl.Info("value", slog.Any("v", v))
		if e, ok := v.(error); ok {
			check(name+" Error()", e.Error())
			jl.Error("call failed", "err", e)
		}
	}
	check("slog JSON", jsonLog.String())
	// Redacted, yet still useful.
	assert.Equal(t, "paragon.ConnectParams{Inputs: [apiKey] (values REDACTED)}", fmt.Sprintf("%+v", *connect))
	assert.Equal(t, `paragon.User{id: "user-2"}`, fmt.Sprintf("%#v", *u2))
	assert.Contains(t, jsonLog.String(), `"v":{"user":"user-1"}`)

	// The SDK's own debug log of all the calls above.
	debug := logs.String()
	require.Greater(t, strings.Count(debug, `"msg":"paragon: http attempt"`), 15, "the debug log recorded every attempt")
	check("WithLogger debug log", debug)
	assert.NotContains(t, debug, "apiKey")
	assert.NotContains(t, debug, "api_key")
	assert.NotContains(t, debug, lead.ID, "real paths (IDs) are logged as templates")
}
