package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
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

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs the command line and returns its exit status, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(t.Context(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// envFor points the client commands at srv, as a user of a real project
// would with NewClientFromEnv's variables.
func envFor(t *testing.T, srv *paragontest.Server) {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(keyFile, srv.SigningKeyPEM(), 0o600))
	t.Setenv("PARAGON_PROJECT_ID", srv.ProjectID())
	t.Setenv("PARAGON_SIGNING_KEY_FILE", keyFile)
	t.Setenv("PARAGON_SIGNING_KEY", "")
	t.Setenv("PARAGON_HOST", "")
	t.Setenv(EnvUser, "")
}

func TestClientCommands(t *testing.T) {
	srv, err := paragontest.Start(paragontest.WithUser(paragontest.UserSeed{ID: "dana", Connected: []string{"close"}}))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	envFor(t, srv)
	url := srv.URL()

	t.Run("token", func(t *testing.T) {
		code, out, errOut := cli(t, "token", "-user", "dana", "-ttl", "2h", "-permissions", `{"integration:close": true}`)
		require.Equal(t, 0, code, errOut)
		tok := strings.TrimSpace(out)
		claims := jwt.MapClaims{}
		_, _, err := jwt.NewParser().ParseUnverified(tok, claims)
		require.NoError(t, err)
		assert.Equal(t, "dana", claims["sub"])
		exp, _ := claims.GetExpirationTime()
		assert.WithinDuration(t, time.Now().Add(2*time.Hour), exp.Time, time.Minute)
		assert.Equal(t, map[string]any{"integration:close": true}, claims["urn:useparagon:connect:permissions"])
		// The fake accepts it: it is signed with the project's key.
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/projects/"+srv.ProjectID()+"/sdk/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.NotContains(t, out+errOut, "PRIVATE KEY")
	})

	t.Run("me", func(t *testing.T) {
		code, out, errOut := cli(t, "me", "-url", url, "-user", "dana")
		require.Equal(t, 0, code, errOut)
		var me map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &me))
		assert.Equal(t, "dana", me["userId"])
		assert.Equal(t, true, me["integrations"].(map[string]any)["close"].(map[string]any)["enabled"])
		assert.NotContains(t, out, "eyJ", "no token printed")
	})

	t.Run("request", func(t *testing.T) {
		t.Setenv(EnvUser, "dana")
		code, out, errOut := cli(t, "request", "-url", url, "close", "POST", "/lead/", "-d", `{"name": "Harbor Analytics"}`)
		require.Equal(t, 0, code, errOut)
		var lead map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &lead))
		id := lead["id"].(string)
		code, out, errOut = cli(t, "request", "-url", url, "close", "get", "/lead/"+id+"/")
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, `"display_name": "Harbor Analytics"`)
		reqs := srv.Requests()
		last := reqs[len(reqs)-1]
		assert.Equal(t, http.MethodGet, last.Method)
		assert.Equal(t, "/projects/"+srv.ProjectID()+"/sdk/proxy/close/lead/"+id+"/", last.Path)
		assert.Equal(t, "dana", last.UserID)

		code, _, errOut = cli(t, "request", "-url", url, "close", "GET", "/lead/lead_nope/")
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "404")
	})

	t.Run("event", func(t *testing.T) {
		code, out, errOut := cli(t, "event", "-url", url, "-user", "dana", "Lead Created", `{"id": "lead_1"}`)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, `"accepted": true`)
		evs := srv.Events()
		require.Len(t, evs, 1)
		assert.Equal(t, "Lead Created", evs[0].Name)
		assert.JSONEq(t, `{"id":"lead_1"}`, string(evs[0].Payload))
	})

	t.Run("workflow", func(t *testing.T) {
		var (
			mu  sync.Mutex
			got []byte
		)
		srv.HandleWorkflow("wf-cli", func(_ context.Context, r paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			got = r.Body
			return paragontest.WorkflowResponse{Status: 200, Body: map[string]any{"ok": true}}, nil
		})
		code, out, errOut := cli(t, "workflow", "-url", url, "-user", "dana", "wf-cli", `{"q": 1}`)
		require.Equal(t, 0, code, errOut)
		assert.JSONEq(t, `{"status": 200, "body": {"ok": true}}`, out)
		mu.Lock()
		defer mu.Unlock()
		assert.JSONEq(t, `{"q": 1}`, string(got))
	})

	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{}, {"nope"}, {"me"}, {"request", "-user", "u", "close", "GET"}, {"event", "-user", "u"},
			{"request", "-user", "u", "-d", "{bad", "close", "POST", "/lead/"}, {"token", "-user", "u", "-permissions", "[1]"},
			{"fake", "extra"},
		} {
			code, _, errOut := cli(t, args...)
			assert.Equal(t, 2, code, "%q: %s", args, errOut)
		}
		code, out, _ := cli(t, "help")
		assert.Equal(t, 0, code)
		assert.Contains(t, out, "paragon fake")
	})

	t.Run("environment errors name no secret", func(t *testing.T) {
		t.Setenv("PARAGON_SIGNING_KEY_FILE", "")
		t.Setenv("PARAGON_SIGNING_KEY", "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----")
		code, out, errOut := cli(t, "token", "-user", "dana")
		assert.Equal(t, 1, code)
		assert.Empty(t, out)
		assert.NotContains(t, errOut, "c2VjcmV0LWtleS1ieXRlcw")
	})
}

func TestFake(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.json")
	require.NoError(t, os.WriteFile(seed, []byte(`{
		"projectId": "proj-dev",
		"integrations": [{"type": "hubspot"}],
		"workflows": [
			{"id": "wf-lookup", "integration": "close", "description": "Look up", "response": {"status": 200, "body": {"lead": "Harbor"}}},
			{"id": "wf-free"}
		],
		"users": [{"id": "dana", "meta": {"Name": "Dana"}, "connected": ["close"], "enabledWorkflows": ["wf-lookup"]}]
	}`), 0o600))
	keyOut := filepath.Join(t.TempDir(), "key.pem")
	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"fake", "-addr", "127.0.0.1:0", "-seed", seed, "-user", "sam:slack", "-key-out", keyOut, "-json"}, &out, &errOut)
	}()
	var info fakeInfo
	require.Eventually(t, func() bool { return json.Unmarshal([]byte(out.String()), &info) == nil }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, "proj-dev", info.ProjectID)
	assert.Equal(t, keyOut, info.SigningKeyFile)
	assert.Equal(t, info.URL, info.ConfigureGlobal["ZEUS_PUBLIC_URL"])
	require.Contains(t, info.Tokens, "dana")
	require.Contains(t, info.Tokens, "sam")
	assert.NotContains(t, out.String(), "PRIVATE KEY", "the key is in the file, not printed")
	pem, err := os.ReadFile(keyOut)
	require.NoError(t, err)
	assert.Contains(t, string(pem), "PRIVATE KEY")

	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	call := func(method, path, token string) (int, map[string]any) {
		req, _ := http.NewRequestWithContext(t.Context(), method, info.URL+"/projects/proj-dev"+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := tr.RoundTrip(req)
		require.NoError(t, err)
		defer func() { _ = resp.Body.Close() }()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	status, me := call(http.MethodGet, "/sdk/me", info.Tokens["dana"])
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"Name": "Dana"}, me["meta"])
	assert.Contains(t, me["integrations"], "hubspot")
	status, body := call(http.MethodPost, "/sdk/triggers/wf-lookup", info.Tokens["dana"])
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"lead": "Harbor"}, body, "the canned answer")
	status, _ = call(http.MethodPost, "/sdk/triggers/wf-free", info.Tokens["sam"])
	assert.Equal(t, http.StatusAccepted, status)
	status, me = call(http.MethodGet, "/sdk/me", info.Tokens["sam"])
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, true, me["integrations"].(map[string]any)["slack"].(map[string]any)["enabled"])

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("fake did not stop")
	}
	tr.CloseIdleConnections()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, info.URL, nil)
	_, err = tr.RoundTrip(req)
	assert.Error(t, err, "stopped listening")
}

func TestFakeBadSeed(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"unknown field":       `{"userz": []}`,
		"unknown integration": `{"users": [{"id": "u", "connected": ["nope"]}]}`,
		"workflow no id":      `{"workflows": [{"integration": "close"}]}`,
		"bad project":         `{"projectId": "a/b"}`,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		code, _, errOut := cli(t, "fake", "-addr", "127.0.0.1:0", "-seed", p)
		assert.Equal(t, 1, code, "%s: %s", name, errOut)
		assert.NotEmpty(t, errOut, name)
	}
	code, _, _ := cli(t, "fake", "-addr", "256.0.0.1:1")
	assert.Equal(t, 1, code, "a bad address is an error, not a panic")
}
