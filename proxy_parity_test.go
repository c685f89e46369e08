package paragon_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

func TestRequestOutputAnywhere(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", proxyPrefix+"close/lead/lead_7Hn2/", 200,
		`{"meta": {"requestId": "`+strings.Repeat("r", 80)+`"}, "output": {"id": "lead_7Hn2", "display_name": "Harbor Analytics"}}`)
	resp, err := h.c.User("u1").Request(t.Context(), "close", "/lead/lead_7Hn2/", nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id": "lead_7Hn2", "display_name": "Harbor Analytics"}`, string(resp.Output))
}

func TestRequestNonJSONAnswers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.onFunc("GET", proxyPrefix+"custom.acme/report.csv", func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/csv"}}, Body: nopBody("id,name\n1,Acme\n")}, nil
	})
	h.on("GET", proxyPrefix+"custom.acme/greeting", 200, `{"output": "hello, world"}`)
	h.onFunc("GET", proxyPrefix+"custom.acme/untyped", func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: nopBody("plain words")}, nil
	})
	u := h.c.User("u1")

	resp, err := u.Request(t.Context(), "custom.acme", "/report.csv", nil)
	require.NoError(t, err, "a non-JSON answer is no error")
	assert.Nil(t, resp.Output)
	assert.Equal(t, "id,name\n1,Acme\n", resp.Text())
	assert.Equal(t, "id,name\n1,Acme\n", string(resp.Bytes()))
	var v any
	err = resp.Decode(&v)
	assert.ErrorIs(t, err, paragon.ErrInvalidResponse)
	assert.Contains(t, err.Error(), "text/csv")

	resp, err = u.Request(t.Context(), "custom.acme", "/greeting", nil)
	require.NoError(t, err)
	assert.Equal(t, "hello, world", resp.Text(), "a wrapped string output")

	resp, err = u.Request(t.Context(), "custom.acme", "/untyped", nil)
	require.NoError(t, err)
	assert.Equal(t, "plain words", resp.Text())
}

func TestRequestBodyContentType(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", proxyPrefix+"custom.acme/upload", 200, `{"output": {}}`)
	u := h.c.User("u1")
	_, err := u.Request(t.Context(), "custom.acme", "/upload", &paragon.RequestOptions{Method: "POST", Body: []byte("a=1&b=2")})
	require.NoError(t, err)
	_, err = u.Request(t.Context(), "custom.acme", "/upload", &paragon.RequestOptions{Method: "POST", Body: strings.NewReader("raw")})
	require.NoError(t, err)
	_, err = u.Request(t.Context(), "custom.acme", "/upload", &paragon.RequestOptions{Method: "POST", Body: map[string]int{"a": 1}})
	require.NoError(t, err)
	got := h.requests()
	require.Len(t, got, 3)
	assert.Equal(t, "auto", got[0].Header.Get("Content-Type"), "bytes without a type: as the browser SDK sends them")
	assert.Equal(t, "a=1&b=2", string(got[0].Body))
	assert.Equal(t, "auto", got[1].Header.Get("Content-Type"))
	assert.Equal(t, "application/json", got[2].Header.Get("Content-Type"))
}

func TestRequestProxyURL(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", proxyPrefix+"googledrive/", 200, `{"output": {"sheets": []}}`)
	u := h.c.User("u1")
	target := "https://sheets.googleapis.com/v4/spreadsheets/abc"
	_, err := u.Request(t.Context(), "googledrive", "", &paragon.RequestOptions{Query: url.Values{"fields": {"sheets"}}},
		paragon.WithProxyURL(target))
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, proxyPrefix+"googledrive/", req.URL, "the path and query stay empty")
	assert.Equal(t, target+"?fields=sheets", req.Header.Get(paragon.HeaderProxyURL))

	for name, call := range map[string]func() error{
		"WithHeader": func() error {
			_, err := u.Request(t.Context(), "googledrive", "/files", nil, paragon.WithHeader("X-Paragon-Proxy-Url", target))
			return err
		},
		"Headers": func() error {
			_, err := u.Request(t.Context(), "googledrive", "/files", &paragon.RequestOptions{Headers: http.Header{"x-paragon-proxy-url": {target}}})
			return err
		},
		"path with WithProxyURL": func() error {
			_, err := u.Request(t.Context(), "googledrive", "/files", nil, paragon.WithProxyURL(target))
			return err
		},
		"http URL": func() error {
			_, err := u.Request(t.Context(), "googledrive", "", nil, paragon.WithProxyURL("http://evil.example/x"))
			return err
		},
		"user info": func() error {
			_, err := u.Request(t.Context(), "googledrive", "", nil, paragon.WithProxyURL("https://a:b@evil.example/x"))
			return err
		},
		"relative": func() error {
			_, err := u.Request(t.Context(), "googledrive", "", nil, paragon.WithProxyURL("/v4/x"))
			return err
		},
		"CRLF": func() error {
			_, err := u.Request(t.Context(), "googledrive", "", nil, paragon.WithProxyURL("https://a.example/\r\nX: y"))
			return err
		},
		"not a proxy call": func() error {
			_, err := u.GetUser(t.Context(), paragon.WithProxyURL(target))
			return err
		},
		"Call": func() error {
			_, err := u.Call(t.Context(), paragon.ServiceProxy, "GET", "/projects/"+testProject+"/sdk/proxy/googledrive/",
				&paragon.CallParams{Header: http.Header{"X-Paragon-Proxy-Url": {target}}})
			return err
		},
	} {
		assert.ErrorIs(t, call(), paragon.ErrInvalidInput, name)
	}
	assert.Len(t, h.requests(), 1, "nothing else was sent")
}

func TestRequestSlackUserToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", proxyPrefix+"slack/chat.postMessage", 200, `{"output": {"ok": true}}`)
	_, err := h.c.User("u1").Request(t.Context(), "slack", "chat.postMessage",
		&paragon.RequestOptions{Method: "POST", Body: map[string]string{"channel": "C1", "text": "hi"}}, paragon.WithSlackUserToken())
	require.NoError(t, err)
	assert.Equal(t, "user", h.only().Header.Get("X-Paragon-Use-Slack-Token-Type"))
}

func TestWithResponseInto(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", meURL, 200, specBody(t, "me.json"), "X-Request-Id", "req-me-1")
	h.on("GET", proxyPrefix+"close/lead/lead_missing/", 404, `{"output": {"error": "Empty query"}}`, "X-Request-Id", "req-404")
	u := h.c.User("acct-1042")

	var info paragon.ResponseInfo
	_, err := u.GetUser(t.Context(), paragon.WithResponseInto(&info))
	require.NoError(t, err)
	assert.Equal(t, 200, info.StatusCode)
	assert.Equal(t, "req-me-1", info.RequestID)
	assert.Equal(t, 1, info.Attempts)
	assert.Equal(t, "application/json", info.Header.Get("Content-Type"))

	_, err = u.Request(t.Context(), "close", "/lead/lead_missing/", nil, paragon.WithResponseInto(&info))
	require.Error(t, err)
	assert.Equal(t, 404, info.StatusCode, "reported on errors too")
	assert.Equal(t, "req-404", info.RequestID)

	var nilInfo *paragon.ResponseInfo
	_, err = u.GetUser(t.Context(), paragon.WithResponseInto(nilInfo))
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Len(t, h.requests(), 2)
}

func TestWithResponseIntoThroughClose(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", proxyPrefix+"close/lead/", 200, `{"output": {"id": "lead_1", "display_name": "Acme"}}`,
		"RateLimit", "limit=240, remaining=239, reset=1", "X-Request-Id", "req-lead")
	var info paragon.ResponseInfo
	var seen []string
	crm := close.New(h.c.User("u1"), close.WithCallOptions(
		paragon.WithResponseInto(&info),
		paragon.WithResponseFunc(func(ri paragon.ResponseInfo) { seen = append(seen, ri.RequestID) }),
	))
	lead, err := crm.Leads.Create(t.Context(), &close.Lead{Name: close.Set("Acme")})
	require.NoError(t, err)
	assert.Equal(t, "lead_1", lead.ID)
	assert.Equal(t, 200, info.StatusCode)
	assert.Equal(t, "limit=240, remaining=239, reset=1", info.Header.Get("RateLimit"), "Close's remaining rate limit")
	assert.Equal(t, "req-lead", info.RequestID)
	assert.Equal(t, []string{"req-lead"}, seen)
}

func TestRequestNestJS401IsParagons(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("GET", proxyPrefix+"close/lead/", 401, `{"message": "Unauthorized", "statusCode": 401}`)
	_, err := h.c.User("u1").Request(t.Context(), "close", "/lead/", nil)
	require.ErrorIs(t, err, paragon.ErrUnauthorized, "a bare NestJS body on a proxy call is Paragon's")
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.False(t, pe.Upstream)
	got := h.requests()
	require.Len(t, got, 2, "re-signed and sent once more")

	// The third party's own 401 (Close's shape, wrapped) is not.
	h2 := newHarness(t)
	h2.on("GET", proxyPrefix+"close/lead/", 401, `{"output": {"error": "Unauthorized: invalid API key"}}`)
	_, err = h2.c.User("u1").Request(t.Context(), "close", "/lead/", nil)
	require.Error(t, err)
	assert.NotErrorIs(t, err, paragon.ErrUnauthorized)
	assert.Len(t, h2.requests(), 1)
}

func TestNilUserNewCalls(t *testing.T) {
	t.Parallel()
	var u *paragon.User
	ctx := t.Context()
	_, err := u.GetCredential(ctx, "c")
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = u.GetIntegrationAccount(ctx, "close", nil)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = u.CreateConfiguration(ctx, "c", nil)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.ErrorIs(t, u.DeleteConfiguration(ctx, "c", "d"), paragon.ErrInvalidInput)
	_, err = u.ConnectResource(ctx, "s", map[string]any{"a": 1})
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = u.FieldOptionsPage(ctx, &paragon.FieldOptionsParams{Integration: "close", Source: "x"}, "")
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.ErrorIs(t, u.EnableWorkflow(ctx, "wf"), paragon.ErrInvalidInput)
	assert.ErrorIs(t, u.UninstallIntegration(ctx, "close"), paragon.ErrInvalidInput)
	_, err = u.Request(ctx, "close", "/lead/", nil)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
}
