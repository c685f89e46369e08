package paragontest_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

// TestCloseFakeBehindTheProxy drives the fake Close's event log, webhook
// deliveries and export downloads through the Paragon proxy.
func TestCloseFakeBehindTheProxy(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	u := srv.Client().User("u1")
	ctx := t.Context()

	var mu sync.Mutex
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			Event struct {
				ObjectType string `json:"object_type"`
				Action     string `json:"action"`
			} `json:"event"`
		}
		_ = json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		got = append(got, p.Event.ObjectType+"."+p.Event.Action)
		mu.Unlock()
	}))
	defer hook.Close()
	resp, err := u.Request(ctx, "close", "/webhook/", &paragon.RequestOptions{Method: http.MethodPost, Body: map[string]any{
		"url": hook.URL, "events": []any{map[string]any{"object_type": "lead", "action": "created"}},
	}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	var sub map[string]any
	require.NoError(t, resp.Decode(&sub))
	assert.Regexp(t, `^[0-9a-f]{64}$`, sub["signature_key"], "the one-time key comes wrapped in output")

	_, err = u.Request(ctx, "close", "/lead/", &paragon.RequestOptions{Method: http.MethodPost, Body: map[string]any{"name": "Acme"}})
	require.NoError(t, err)
	require.NoError(t, srv.CloseCRM().FlushWebhooks(ctx))
	mu.Lock()
	assert.Equal(t, []string{"lead.created"}, got)
	mu.Unlock()

	resp, err = u.Request(ctx, "close", "/event/?object_type=lead&action=created", nil)
	require.NoError(t, err)
	var page struct {
		Data []struct {
			Meta map[string]any `json:"meta"`
		} `json:"data"`
	}
	require.NoError(t, resp.Decode(&page))
	require.Len(t, page.Data, 1)
	assert.Equal(t, "/api/v1/lead/", page.Data[0].Meta["request_path"])

	// An export's download_url points at the server, outside the proxy.
	resp, err = u.Request(ctx, "close", "/export/lead/", &paragon.RequestOptions{Method: http.MethodPost, Body: map[string]any{"format": "json"}})
	require.NoError(t, err)
	var exp struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		DownloadURL string `json:"download_url"`
	}
	require.NoError(t, resp.Decode(&exp))
	for exp.Status != "done" {
		resp, err = u.Request(ctx, "close", "/export/"+exp.ID+"/", nil)
		require.NoError(t, err)
		require.NoError(t, resp.Decode(&exp))
	}
	require.Regexp(t, "^"+srv.URL()+"/closetest/exports/", exp.DownloadURL)
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, exp.DownloadURL, nil)
	require.NoError(t, err)
	dl, err := srv.HTTPClient().Do(hr)
	require.NoError(t, err)
	defer func() { _ = dl.Body.Close() }()
	require.Equal(t, http.StatusOK, dl.StatusCode)
	zr, err := gzip.NewReader(dl.Body)
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"display_name":"Acme"`)
}
