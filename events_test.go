package paragon_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

const eventsURL = eventsBase + "/v2/projects/" + testProject + "/sdk/events/trigger"

func TestEvent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", eventsURL, 201, ``)
	err := h.c.User("u1").Event(t.Context(), "Contact Created", map[string]any{"email": "a@example.org"},
		paragon.WithCredential("cred-1"), paragon.WithConfiguration("cfg-1"))
	require.NoError(t, err)
	req := h.only()
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, eventsURL, req.URL)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.Equal(t, "cred-1", req.Header.Get("X-Paragon-Credential"))
	assert.Equal(t, "cfg-1", req.Header.Get("X-Paragon-Configuration-Id"))
	assert.JSONEq(t, `{"name":"Contact Created","payload":{"email":"a@example.org"}}`, string(req.Body))
	verifyToken(t, req.Header, "u1")
}

func TestEventNilPayload(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", eventsURL, 201, `{}`)
	require.NoError(t, h.c.User("u1").Event(t.Context(), "Ping", nil))
	req := h.only()
	assert.JSONEq(t, `{"name":"Ping","payload":{}}`, string(req.Body))
	assert.Empty(t, req.Header.Get("X-Paragon-Credential"))
}

func TestEventInvalidInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.c.User("u1")
	cases := []struct {
		name    string
		payload any
		opts    []paragon.CallOption
	}{
		{name: ""},
		{name: "bad\nname"},
		{name: "ok", payload: map[string]any{"x": nanValue()}},
		{name: "ok", payload: make(chan int)},
		{name: "ok", opts: []paragon.CallOption{paragon.WithConfiguration("cfg")}},
		{name: "ok", opts: []paragon.CallOption{paragon.WithCredential("a\r\nX-Evil: 1")}},
		{name: "ok", opts: []paragon.CallOption{paragon.WithCredential("")}},
		{name: "ok", opts: []paragon.CallOption{paragon.WithHeader("Authorization", "Bearer x")}},
		{name: "ok", opts: []paragon.CallOption{paragon.WithHeader("X-Ok", "v\nInjected: 1")}},
		{name: "ok", opts: []paragon.CallOption{paragon.WithHeader("Bad Name", "v")}},
	}
	for i, tc := range cases {
		err := u.Event(t.Context(), tc.name, tc.payload, tc.opts...)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "case %d", i)
	}
	assert.Empty(t, h.requests())
}

func TestEventNotRetriedOn500(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", eventsURL, 500, `{"message":"boom","status":500}`)
	err := h.c.User("u1").Event(t.Context(), "E", nil)
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 500, pe.StatusCode)
	assert.Len(t, h.requests(), 1, "a POST App Event is sent once on 500")
}

func TestEventRetriedOn429(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", eventsURL, 429, `{"message":"slow down","status":429}`, "Retry-After", "0")
	err := h.c.User("u1").Event(t.Context(), "E", nil)
	require.ErrorIs(t, err, paragon.ErrRateLimited)
	got := h.requests()
	assert.Len(t, got, 3, "429 is retried for any method")
	for _, r := range got {
		assert.JSONEq(t, `{"name":"E","payload":{}}`, string(r.Body), "body rebuilt for each attempt")
	}
}

func TestCustomHeader(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", eventsURL, 201, ``)
	require.NoError(t, h.c.User("u1").Event(t.Context(), "E", nil, paragon.WithHeader("X-Trace", "abc")))
	assert.Equal(t, "abc", h.only().Header.Get("X-Trace"))
	_ = url.Values{}
}
