package paragon_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

const proxyPrefix = proxyBase + "/projects/" + testProject + "/sdk/proxy/"

func TestRequestGETUnwrapsOutput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", proxyPrefix+"close/lead/lead_7Hn2/", 200,
		`{"output": {"id": "lead_7Hn2", "display_name": "Harbor Analytics"}}`)
	resp, err := h.c.User("u1").Request(t.Context(), "close", "/lead/lead_7Hn2/", nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id": "lead_7Hn2", "display_name": "Harbor Analytics"}`, string(resp.Output))
	var lead struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
	}
	require.NoError(t, resp.Decode(&lead))
	assert.Equal(t, "Harbor Analytics", lead.DisplayName)
	req := h.only()
	assert.Equal(t, proxyPrefix+"close/lead/lead_7Hn2/", req.URL)
	assert.Empty(t, req.Header.Get("X-Paragon-Use-Raw-Response"))
	verifyToken(t, req.Header, "u1")
}

func TestRequestPOSTJSONWithQueryAndHeaders(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", proxyPrefix+"close/contact/", 200, `{"output": {"id": "cont_1"}}`)
	_, err := h.c.User("u1").Request(t.Context(), "close", "contact/?_fields=id", &paragon.RequestOptions{
		Method:  "post",
		Query:   url.Values{"x": {"1"}},
		Headers: http.Header{"X-Tz-Offset": {"-4"}},
		Body:    map[string]any{"name": "John"},
	}, paragon.WithCredential("cred-9"))
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, "POST", req.Method)
	u, err := url.Parse(req.URL)
	require.NoError(t, err)
	assert.Equal(t, "/projects/"+testProject+"/sdk/proxy/close/contact/", u.Path)
	assert.Equal(t, url.Values{"_fields": {"id"}, "x": {"1"}}, u.Query())
	assert.Equal(t, "-4", req.Header.Get("X-Tz-Offset"))
	assert.Equal(t, "cred-9", req.Header.Get("X-Paragon-Credential"))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"name":"John"}`, string(req.Body))
}

func TestRequestBytesBodyAndCustomIntegration(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("PUT", proxyPrefix+"custom.acme/v1/files/a.txt", 200, `{"output": {"ok": true}}`)
	_, err := h.c.User("u1").Request(t.Context(), "custom.acme", "/v1/files/a.txt", &paragon.RequestOptions{
		Method:  "PUT",
		Body:    []byte("hello"),
		Headers: http.Header{"Content-Type": {"text/plain"}},
	})
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, "hello", string(req.Body))
	assert.Equal(t, "text/plain", req.Header.Get("Content-Type"))
}

func TestRequestRawStreams(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	payload := bytes.Repeat([]byte{0, 1, 2, 0xff}, 1000)
	h.onFunc("GET", proxyPrefix+"googledrive/files/abc", func(*http.Request) (*http.Response, error) {
		r := httpmock.NewBytesResponse(200, payload)
		r.Header.Set("Content-Type", "application/octet-stream")
		r.Header.Set("X-Upstream", "drive")
		return r, nil
	})
	resp, err := h.c.User("u1").Request(t.Context(), "googledrive", "files/abc", &paragon.RequestOptions{Raw: true})
	require.NoError(t, err)
	defer func() { _ = resp.Close() }()
	assert.Nil(t, resp.Output)
	assert.Equal(t, "drive", resp.Header.Get("X-Upstream"))
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, payload, got)
	assert.Equal(t, "1", h.only().Header.Get("X-Paragon-Use-Raw-Response"))
}

func TestRequestUpstreamError(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", proxyPrefix+"close/lead/", 400,
		`{"errors": [], "field-errors": {"status": "Not a valid choice."}}`)
	_, err := h.c.User("u1").Request(t.Context(), "close", "/lead/", &paragon.RequestOptions{Method: "POST", Body: map[string]any{}})
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Upstream)
	assert.Equal(t, 400, pe.StatusCode)
	assert.Contains(t, string(pe.Body), "field-errors")
	assert.Contains(t, err.Error(), "upstream 400")
	assert.NotErrorIs(t, err, paragon.ErrUnauthorized)
}

func TestRequestIntegrationNotEnabled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", proxyPrefix+"close/lead/", 404,
		`{"message":"Integration not enabled for user.","code":"integration_not_enabled","status":404,"meta":{"requestId":"r-9"}}`)
	_, err := h.c.User("u1").Request(t.Context(), "close", "/lead/", nil)
	require.ErrorIs(t, err, paragon.ErrIntegrationNotEnabled)
	require.ErrorIs(t, err, paragon.ErrNotFound)
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.False(t, pe.Upstream)
	assert.Equal(t, "r-9", pe.RequestID)
}

func TestRequestRejectsHostilePaths(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.c.User("u1")
	paths := []string{
		"", "/", "../x", "/lead/../../sdk/me", "a/./b", "a//b", "//evil.com/x",
		"https://evil.com/x", "%2e%2e/x", "a/%2E%2E/b", "a%2fb", "a%2Fb", "a%5cb", "a\\b",
		"a\r\nX-Evil: 1", "a\x00b", "a#frag", "\xff", "a/%00", "a/%0d%0a",
		strings.Repeat("a/", 5000),
	}
	for _, p := range paths {
		_, err := u.Request(t.Context(), "close", p, nil)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "path %q", p)
	}
	for _, integ := range []string{"", "../close", "close/x", "cl ose", "custom.", "close\n", "a.b"} {
		_, err := u.Request(t.Context(), integ, "/lead/", nil)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "integration %q", integ)
	}
	_, err := u.Request(t.Context(), "close", "/lead/", &paragon.RequestOptions{Headers: http.Header{"Host": {"evil"}}})
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = u.Request(t.Context(), "close", "/lead/", &paragon.RequestOptions{Method: "GET /x"})
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Empty(t, h.requests())
}

func TestRequestJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", proxyPrefix+"slack/users.list", 200, `{"output": {"ok": true, "members": [{"id": "U1"}]}}`)
	type members struct {
		OK      bool `json:"ok"`
		Members []struct {
			ID string `json:"id"`
		} `json:"members"`
	}
	out, err := paragon.RequestJSON[members](t.Context(), h.c.User("u1"), "slack", "users.list", nil)
	require.NoError(t, err)
	assert.True(t, out.OK)
	assert.Equal(t, "U1", out.Members[0].ID)
}

func TestRequestGETRetriedOn503(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	calls := 0
	h.onFunc("GET", proxyPrefix+"close/lead/", func(*http.Request) (*http.Response, error) {
		calls++
		if calls == 1 {
			return httpmock.NewStringResponse(503, "<html><title>Service Unavailable</title></html>"), nil
		}
		return httpmock.NewStringResponse(200, `{"output": {"data": []}}`), nil
	})
	_, err := h.c.User("u1").Request(t.Context(), "close", "/lead/", nil)
	require.NoError(t, err)
	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, got[0].Header.Get("Authorization"), got[1].Header.Get("Authorization"))
}
