package paragon_test

// WithProxyURL end to end against paragontest: the full URL travels in
// X-Paragon-Proxy-Url with an empty proxy path, as Paragon takes it.

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

func TestWithProxyURLAgainstFakeClose(t *testing.T) {
	t.Parallel()
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := t.Context()
	proxyRoot := "/projects/" + srv.ProjectID() + "/sdk/proxy/close/"

	created, err := paragon.RequestJSON[Lead](ctx, u, "close", "", &paragon.RequestOptions{
		Method: "POST", Body: map[string]any{"name": "Harbor Analytics"},
	}, paragon.WithProxyURL("https://api.close.com/api/v1/lead/"))
	require.NoError(t, err)
	require.NotEmpty(t, created.ID)

	// The lead is in the fake Close: read it by path and by URL, the URL
	// with RequestOptions.Query added to its own.
	byPath, err := paragon.RequestJSON[Lead](ctx, u, "close", "/lead/"+created.ID+"/", nil)
	require.NoError(t, err)
	assert.Equal(t, "Harbor Analytics", byPath.DisplayName)
	resp, err := u.Request(ctx, "close", "", &paragon.RequestOptions{Query: map[string][]string{"_fields": {"id"}}},
		paragon.WithProxyURL("https://api.close.com/api/v1/lead/"+created.ID+"/"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"`+created.ID+`"}`, string(resp.Output))

	// Both URL calls went to the empty proxy path, with no query of their own.
	var urlCalls int
	for _, r := range srv.Requests() {
		if r.Path == proxyRoot {
			urlCalls++
			assert.Empty(t, r.Query)
			assert.Equal(t, http.StatusOK, r.Status)
		}
	}
	assert.Equal(t, 2, urlCalls)

	// A Close 404 through a URL is the third party's.
	_, err = u.Request(ctx, "close", "", nil, paragon.WithProxyURL("https://api.close.com/api/v1/lead/lead_missing/"))
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, http.StatusNotFound, pe.StatusCode)
	assert.ErrorIs(t, err, paragon.ErrNotFound)
}

func TestWithProxyURLAgainstFakeOtherHost(t *testing.T) {
	t.Parallel()
	srv := paragontest.NewServer(
		paragontest.WithIntegration(paragontest.Integration{Type: "googledrive"}),
		paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"googledrive"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := t.Context()

	// The echo handler sees the full URL.
	const sheet = "https://sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
	var echo struct {
		Method string              `json:"method"`
		URL    string              `json:"url"`
		Path   string              `json:"path"`
		Query  map[string][]string `json:"query"`
	}
	resp, err := u.Request(ctx, "googledrive", "", &paragon.RequestOptions{Query: map[string][]string{"fields": {"sheets"}}},
		paragon.WithProxyURL(sheet))
	require.NoError(t, err)
	require.NoError(t, resp.Decode(&echo))
	assert.Equal(t, "GET", echo.Method)
	assert.Equal(t, sheet+"?fields=sheets", echo.URL)
	assert.Equal(t, "/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms", echo.Path)
	assert.Equal(t, map[string][]string{"fields": {"sheets"}}, echo.Query)

	// A handler of the test's own sees it too.
	var mu sync.Mutex
	var seen []string
	srv.HandleProxy("googledrive", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.Host+" "+r.URL.String())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"spreadsheetId":"1Bxi"}`))
	}))
	resp, err = u.Request(ctx, "googledrive", "/", &paragon.RequestOptions{Method: "PUT", Body: map[string]any{"a": 1}},
		paragon.WithProxyURL(sheet+"/values/A1?valueInputOption=RAW"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"spreadsheetId":"1Bxi"}`, string(resp.Output))
	mu.Lock()
	assert.Equal(t, []string{"PUT sheets.googleapis.com " + sheet + "/values/A1?valueInputOption=RAW"}, seen)
	mu.Unlock()
}

// TestWithProxyURLFakeRefuses: the SDK lets a loopback http URL through
// (for local fakes of a provider); paragontest, like Paragon, proxies only
// https, and its 400 is Paragon's, not the third party's.
func TestWithProxyURLFakeRefuses(t *testing.T) {
	t.Parallel()
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close", "slack"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	for _, tc := range []struct{ integration, url string }{
		{"slack", "http://127.0.0.1:9/api/x"},
		{"close", "https://elsewhere.example/api/v1/lead/"},
	} {
		_, err := u.Request(t.Context(), tc.integration, "", nil, paragon.WithProxyURL(tc.url))
		var pe *paragon.Error
		require.ErrorAs(t, err, &pe, tc.url)
		assert.Equal(t, http.StatusBadRequest, pe.StatusCode, tc.url)
		assert.False(t, pe.Upstream, "a refusal of the fake proxy is Paragon's: %s", tc.url)
		assert.Contains(t, pe.Error(), "X-Paragon-Proxy-Url", tc.url)
	}
}
