package paragon_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

const (
	actionKitBase = "https://actionkit.test"
	syncBase      = "https://sync.test"
)

func TestCallWire(t *testing.T) {
	t.Parallel()
	h := newHarness(t,
		paragon.WithBaseURL(paragon.ServiceActionKit, actionKitBase),
		paragon.WithBaseURL(paragon.ServiceManagedSync, syncBase))
	h.on(http.MethodPost, actionKitBase+"/projects/"+testProject+"/tools", 200, `{"ok":true}`)
	h.on(http.MethodGet, syncBase+"/api/syncs/s%201/records", 200, ` {"data":[]} `)

	u := h.c.User("user-1")
	resp, err := u.Call(t.Context(), paragon.ServiceActionKit, "post", "/projects/"+testProject+"/tools",
		&paragon.CallParams{Body: map[string]any{"tool": "X"}}, paragon.WithCredential("cred-1"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"ok":true}`, string(resp.Output))

	resp, err = u.Call(t.Context(), paragon.ServiceManagedSync, http.MethodGet, "/api/syncs/"+url.PathEscape("s 1")+"/records",
		&paragon.CallParams{Query: url.Values{"pageSize": {"10"}}})
	require.NoError(t, err)
	assert.Equal(t, `{"data":[]}`, string(resp.Output))

	got := h.requests()
	require.Len(t, got, 2)
	assert.Equal(t, "POST", got[0].Method)
	assert.Equal(t, "cred-1", got[0].Header.Get(paragon.HeaderCredential))
	assert.Equal(t, "application/json", got[0].Header.Get("Content-Type"))
	assert.JSONEq(t, `{"tool":"X"}`, string(got[0].Body))
	verifyToken(t, got[0].Header, "user-1")
	assert.Equal(t, syncBase+"/api/syncs/s%201/records?pageSize=10", got[1].URL)
}

func TestCallStream(t *testing.T) {
	t.Parallel()
	h := newHarness(t, paragon.WithBaseURL(paragon.ServiceManagedSync, syncBase))
	h.on(http.MethodGet, syncBase+"/api/syncs/s1/records/r1/content", 200, "file bytes")
	resp, err := h.c.User("u").Call(t.Context(), paragon.ServiceManagedSync, "", "/api/syncs/s1/records/r1/content",
		&paragon.CallParams{Stream: true})
	require.NoError(t, err)
	defer func() { _ = resp.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "file bytes", string(b))
}

func TestCallBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.c.User("u")
	ctx := context.Background()
	for name, tc := range map[string]struct {
		svc  paragon.Service
		path string
		p    *paragon.CallParams
	}{
		"no slash":       {paragon.ServiceAPI, "projects/x", nil},
		"dot dot":        {paragon.ServiceAPI, "/projects/../x", nil},
		"encoded dotdot": {paragon.ServiceAPI, "/projects/%2e%2E/x", nil},
		"double slash":   {paragon.ServiceAPI, "/projects//x", nil},
		"query":          {paragon.ServiceAPI, "/projects/x?a=b", nil},
		"crlf":           {paragon.ServiceAPI, "/projects/x\r\nHost: evil", nil},
		"encoded slash":  {paragon.ServiceAPI, "/projects/a%2Fb", nil},
		"bad service":    {paragon.Service(99), "/x", nil},
		"auth header":    {paragon.ServiceAPI, "/x", &paragon.CallParams{Header: http.Header{"Authorization": {"x"}}}},
		"proxy url":      {paragon.ServiceAPI, "/x", &paragon.CallParams{Header: http.Header{"X-Paragon-Proxy-Url": {"https://evil"}}}},
		"nan body":       {paragon.ServiceAPI, "/x", &paragon.CallParams{Body: map[string]any{"n": nanValue()}}},
	} {
		_, err := u.Call(ctx, tc.svc, "GET", tc.path, tc.p)
		assert.True(t, errors.Is(err, paragon.ErrInvalidInput), "%s: %v", name, err)
	}
	var nilUser *paragon.User
	_, err := nilUser.Call(ctx, paragon.ServiceAPI, "GET", "/x", nil)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Empty(t, h.requests())
}
