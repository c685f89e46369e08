package paragontest_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/paragontest"
)

// X-Paragon-Proxy-Url with a full URL, as Paragon takes it (with an empty
// proxy path, as paragon-mcp sends it).

func TestProxyURLCloseAPI(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"close"}}))
	tok := srv.UserToken("u")
	hdr := func(v string) map[string]string { return map[string]string{"X-Paragon-Proxy-Url": v} }

	// Create through the URL, read it back through the URL and a path.
	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/proxy/close/", token: tok,
		header: hdr("https://api.close.com/api/v1/lead/"), body: map[string]any{"name": "Harbor Analytics"}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	id, _ := r.JSON(t)["output"].(map[string]any)["id"].(string)
	require.True(t, strings.HasPrefix(id, "lead_"), "id %q", id)

	for _, u := range []string{
		"https://api.close.com/api/v1/lead/" + id + "/",
		"https://API.Close.com:443/api/v1/lead/" + id + "/",
	} {
		r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/", token: tok, header: hdr(u)})
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", u, r.Body)
		out := r.JSON(t)["output"].(map[string]any)
		assert.Equal(t, id, out["id"], u)
		assert.Equal(t, "Harbor Analytics", out["display_name"], u)
	}

	// The URL's query reaches the fake Close.
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/", token: tok, header: hdr("https://api.close.com/api/v1/lead/" + id + "/?_fields=id")})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, map[string]any{"id": id}, r.JSON(t)["output"])

	// A Close 404 through the URL is Close's, wrapped.
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/", token: tok, header: hdr("https://api.close.com/api/v1/lead/lead_missing/")})
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.Contains(t, string(r.Body), `"output":`)

	// Off Close's API base: the default fake Close refuses, Paragon-shaped.
	for _, u := range []string{
		"https://elsewhere.test/api/v1/lead/",
		"https://api.close.com/lead/",
		"https://api.close.com/api/v10/lead/",
		"https://api.close.com:8443/api/v1/lead/",
		"https://api.close.com/api%2Fv1/lead/",
	} {
		r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/", token: tok, header: hdr(u)})
		m := assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
		assert.Contains(t, m["message"], "https://api.close.com/api/v1/", u)
	}
	// A handler of the test's own for "close" sees other hosts whole.
	var mu sync.Mutex
	var seen []string
	srv.HandleProxy("close", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Host+" "+r.URL.String())
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/", token: tok, header: hdr("https://files.close.com/export/x.csv")})
	assert.Equal(t, http.StatusNoContent, r.Status, "body: %s", r.Body)
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/close/", token: tok, header: hdr("https://api.close.com/api/v1/me/")})
	assert.Equal(t, http.StatusNoContent, r.Status, "body: %s", r.Body)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2)
	assert.Equal(t, "files.close.com https://files.close.com/export/x.csv", seen[0])
	assert.True(t, strings.HasSuffix(seen[1], " /me/"), "a Close API URL is seen as its path: %q", seen[1])
}

func TestProxyURLEcho(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"slack"}}))
	tok := srv.UserToken("u")

	r := do(t, srv, req{method: http.MethodPost, path: "/sdk/proxy/slack/", token: tok,
		header: map[string]string{"X-Paragon-Proxy-Url": "https://files.slack.com/upload/v1/a%2Fb?channel=C1&x=1", "X-Extra": "e"},
		body:   map[string]any{"text": "hi"}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	out := r.JSON(t)["output"].(map[string]any)
	assert.Equal(t, "https://files.slack.com/upload/v1/a%2Fb?channel=C1&x=1", out["url"])
	assert.Equal(t, "/upload/v1/a%2Fb", out["path"])
	assert.Equal(t, map[string]any{"channel": []any{"C1"}, "x": []any{"1"}}, out["query"])
	assert.Equal(t, "POST", out["method"])
	assert.Equal(t, map[string]any{"text": "hi"}, out["body"])
	h := out["headers"].(map[string]any)
	assert.Equal(t, "e", h["X-Extra"])
	assert.NotContains(t, h, "X-Paragon-Proxy-Url")
	assert.NotContains(t, h, "Authorization")

	// The URL replaces the call's path; the call's query stays when the URL
	// has none, as with a path.
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/slack/ignored?y=2", token: tok,
		header: map[string]string{"X-Paragon-Proxy-Url": "https://slack.com/api/users.list"}})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	out = r.JSON(t)["output"].(map[string]any)
	assert.Equal(t, "https://slack.com/api/users.list?y=2", out["url"])
	assert.Equal(t, "/api/users.list", out["path"])

	// A path call's echo has no "url".
	r = do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/slack/api/x", token: tok})
	require.Equal(t, http.StatusOK, r.Status)
	assert.NotContains(t, r.JSON(t)["output"], "url")
}

func TestProxyURLRefused(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"slack", "close"}}))
	tok := srv.UserToken("u")
	srv.HandleProxy("slack", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("a refused proxy URL reached the handler")
	}))
	for _, v := range []string{
		"http://slack.com/api/x",
		"ftp://slack.com/x",
		"HTTPS//slack.com/x",
		"https://",
		"https:///x",
		"https:slack.com/x",
		"//slack.com/x",
		"slack.com/api/x",
		"https://user:pass@slack.com/x",
		"https://slack.com/x#frag",
		"https://slack.com:0/x",
		"https://slack.com:99999/x",
		"https://slack.com:port/x",
		"https://sl ack.com/x",
		"https://slack.com/%zz",
		"/x/%zz",
		"/x#frag",
	} {
		r := do(t, srv, req{method: http.MethodGet, path: "/sdk/proxy/slack/", token: tok, header: map[string]string{"X-Paragon-Proxy-Url": v}})
		m := assertParagonError(t, r, http.StatusBadRequest, "invalid_request")
		assert.Contains(t, m["message"], "X-Paragon-Proxy-Url", v)
	}
}
