package managedsync_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/managedsync"
)

const permBase = syncBase + "/api/permissions/" + testSync

func TestCheckAccess(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, permBase+"/check", 200, `{"hasAccess":true}`)
	ok, err := h.ms.CheckAccess(t.Context(), testSync, managedsync.AccessCheck{Object: "obj-1", User: "ann@example.com", Role: managedsync.RoleCanRead})
	require.NoError(t, err)
	assert.True(t, ok)
	req := h.only()
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, permBase+"/check", req.URL)
	jsonBody(t, req, `{"object":"obj-1","user":"ann@example.com","role":"can_read"}`)
}

func TestCheckAccessStripsUserPrefixAndNeedsAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, permBase+"/check", 200, `{}`)
	_, err := h.ms.CheckAccess(t.Context(), testSync, managedsync.AccessCheck{Object: "o", User: "user:ann@example.com", Role: managedsync.RoleIsOwner})
	require.ErrorIs(t, err, paragon.ErrInvalidResponse)
	jsonBody(t, h.only(), `{"object":"o","user":"ann@example.com","role":"is_owner"}`)
}

func TestBatchCheckAccessChunksAndMatches(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// Answer in reverse order, allowing checks whose object ends in an even digit.
	h.onFunc(http.MethodPost, permBase+"/batch-check", func(req *http.Request) (*http.Response, error) {
		var in struct {
			Checks []map[string]string `json:"checks"`
		}
		b, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(b, &in); err != nil {
			return nil, err
		}
		var out []string
		for i := len(in.Checks) - 1; i >= 0; i-- {
			c := in.Checks[i]
			allowed := (c["object"][len(c["object"])-1]-'0')%2 == 0
			rq, _ := json.Marshal(c)
			out = append(out, fmt.Sprintf(`{"allowed":%t,"request":%s}`, allowed, rq))
		}
		return httpmock.NewStringResponse(200, `{"result":[`+strings.Join(out, ",")+`]}`), nil
	})
	var checks []managedsync.AccessCheck
	for i := range 2*managedsync.MaxBatchCheck + 7 {
		checks = append(checks, managedsync.AccessCheck{Object: fmt.Sprintf("obj-%d", i), User: "ann@example.com", Role: managedsync.RoleCanWrite})
	}
	res, err := h.ms.BatchCheckAccess(t.Context(), testSync, checks)
	require.NoError(t, err)
	require.Len(t, res, len(checks))
	for i, r := range res {
		assert.Equal(t, checks[i], r.Check)
		assert.Equal(t, i%2 == 0, r.Allowed, "check %d", i)
	}
	got := h.requests()
	require.Len(t, got, 3)
	for i, n := range []int{managedsync.MaxBatchCheck, managedsync.MaxBatchCheck, 7} {
		assert.Equal(t, http.MethodPost, got[i].Method)
		assert.Equal(t, permBase+"/batch-check", got[i].URL)
		checkAuth(t, got[i].Header)
		var body struct {
			Checks []map[string]string `json:"checks"`
		}
		require.NoError(t, json.Unmarshal(got[i].Body, &body))
		require.Len(t, body.Checks, n)
		assert.Equal(t, map[string]string{
			"object": fmt.Sprintf("obj-%d", i*managedsync.MaxBatchCheck), "user": "user:ann@example.com", "role": "can_write",
		}, body.Checks[0])
	}
}

func TestBatchCheckAccessPerCheckError(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, permBase+"/batch-check", 200,
		`{"result":[{"allowed":false,"request":{"object":"o1","user":"user:a@x.io","role":"can_read"},"error":{"message":"object not found"}}]}`)
	res, err := h.ms.BatchCheckAccess(t.Context(), testSync, []managedsync.AccessCheck{{Object: "o1", User: "a@x.io", Role: managedsync.RoleCanRead}})
	require.NoError(t, err)
	require.Len(t, res, 1)
	assert.Equal(t, "object not found", res[0].Error)
	jsonBody(t, h.only(), `{"checks":[{"object":"o1","user":"user:a@x.io","role":"can_read"}]}`)
}

func TestBatchCheckAccessBadAnswers(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"too few":   `{"result":[]}`,
		"stranger":  `{"result":[{"allowed":true,"request":{"object":"zz","user":"user:a@x.io","role":"can_read"}}]}`,
		"not json":  `nope`,
		"no result": `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.on(http.MethodPost, permBase+"/batch-check", 200, body)
			_, err := h.ms.BatchCheckAccess(t.Context(), testSync, []managedsync.AccessCheck{{Object: "o1", User: "a@x.io", Role: managedsync.RoleCanRead}})
			require.ErrorIs(t, err, paragon.ErrInvalidResponse)
		})
	}
}

func TestBatchCheckAccessEmpty(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	res, err := h.ms.BatchCheckAccess(t.Context(), testSync, nil)
	require.NoError(t, err)
	assert.Empty(t, res)
	assert.Empty(t, h.requests())
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, permBase+"/list-users", 200, `{"users":["ann@example.com","user:bob@example.com"]}`)
	users, err := h.ms.ListUsers(t.Context(), testSync, "obj-1", managedsync.RoleIsOwner)
	require.NoError(t, err)
	assert.Equal(t, []string{"ann@example.com", "bob@example.com"}, users)
	req := h.only()
	assert.Equal(t, permBase+"/list-users", req.URL)
	jsonBody(t, req, `{"object":"obj-1","role":"is_owner"}`)
}

func ndjsonResponder(lines string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(200, lines)
		r.Header.Set("Content-Type", "application/x-ndjson")
		return r, nil
	}
}

func TestListObjects(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.onFunc(http.MethodPost, permBase+"/streamed-list-objects", ndjsonResponder("{\"object\":\"a\"}\n\n{\"object\":\"b\"}\r\n{\"object\":\"c\"}"))
	var objs []string
	for o, err := range h.ms.ListObjects(t.Context(), testSync, &managedsync.ListObjectsParams{User: "ann@example.com", Role: managedsync.RoleCanRead, ObjectType: managedsync.ObjectFolder}) {
		require.NoError(t, err)
		objs = append(objs, o)
	}
	assert.Equal(t, []string{"a", "b", "c"}, objs)
	req := h.only()
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, permBase+"/streamed-list-objects", req.URL)
	assert.Equal(t, "application/x-ndjson", req.Header.Get("Accept"))
	jsonBody(t, req, `{"objectType":"folder","user":"ann@example.com","role":"can_read"}`)
}

func TestListObjectsDefaultsToFiles(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.onFunc(http.MethodPost, permBase+"/streamed-list-objects", ndjsonResponder(""))
	for _, err := range h.ms.ListObjects(t.Context(), testSync, &managedsync.ListObjectsParams{User: "ann@example.com", Role: managedsync.RoleCanRead}) {
		require.NoError(t, err)
	}
	jsonBody(t, h.only(), `{"objectType":"file","user":"ann@example.com","role":"can_read"}`)
}

// countingBody is an endless ndjson body that counts reads and closes.
type countingBody struct {
	n      int
	closed bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errors.New("read after close")
	}
	b.n++
	return copy(p, fmt.Sprintf("{\"object\":\"o%d\"}\n", b.n)), nil
}

func (b *countingBody) Close() error { b.closed = true; return nil }

func TestListObjectsIsLazyAndClosesOnBreak(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	body := &countingBody{}
	h.onFunc(http.MethodPost, permBase+"/streamed-list-objects", func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-ndjson"}}, Body: body, ContentLength: -1}, nil
	})
	n := 0
	for o, err := range h.ms.ListObjects(t.Context(), testSync, &managedsync.ListObjectsParams{User: "a@x.io", Role: managedsync.RoleCanRead}) {
		require.NoError(t, err)
		n++
		if o == "o5" {
			break
		}
	}
	assert.Equal(t, 5, n)
	assert.True(t, body.closed)
	assert.Less(t, body.n, 10, "the stream was read line by line")
}

// listObjectsOfA lists what a@x.io can read, with the last error the
// iteration yielded.
func listObjectsOfA(t *testing.T, h *harness) (objs []string, last error) {
	t.Helper()
	for o, err := range h.ms.ListObjects(t.Context(), testSync, &managedsync.ListObjectsParams{User: "a@x.io", Role: managedsync.RoleCanRead}) {
		if err != nil {
			last = err
			continue
		}
		objs = append(objs, o)
	}
	return objs, last
}

func TestListObjectsLineTooLong(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.onFunc(http.MethodPost, permBase+"/streamed-list-objects", ndjsonResponder(`{"object":"a"}`+"\n"+`{"object":"`+strings.Repeat("x", managedsync.MaxLineBytes)+`"}`+"\n"))
	objs, last := listObjectsOfA(t, h)
	assert.Equal(t, []string{"a"}, objs)
	require.ErrorIs(t, last, managedsync.ErrLineTooLong)
}

func TestListObjectsErrorLine(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.onFunc(http.MethodPost, permBase+"/streamed-list-objects", ndjsonResponder(`{"object":"a"}`+"\n"+`{"error":"graph unavailable"}`+"\n"+`{"object":"b"}`))
	objs, last := listObjectsOfA(t, h)
	assert.Equal(t, []string{"a"}, objs)
	require.ErrorIs(t, last, paragon.ErrInvalidResponse)
	assert.Contains(t, last.Error(), "graph unavailable")
}

func TestListObjectsHTTPError(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, permBase+"/streamed-list-objects", 401, `{"message":"Unauthorized","statusCode":401}`)
	err := firstErr(h.ms.ListObjects(t.Context(), testSync, &managedsync.ListObjectsParams{User: "a@x.io", Role: managedsync.RoleCanRead}))
	require.ErrorIs(t, err, paragon.ErrUnauthorized)
}

func TestPermissionsBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := t.Context()
	ok := managedsync.AccessCheck{Object: "o", User: "a@x.io", Role: managedsync.RoleCanRead}
	with := func(f func(*managedsync.AccessCheck)) managedsync.AccessCheck { c := ok; f(&c); return c }
	cases := map[string]func() error{
		"no object": func() error {
			_, err := h.ms.CheckAccess(ctx, testSync, with(func(c *managedsync.AccessCheck) { c.Object = "" }))
			return err
		},
		"not email": func() error {
			_, err := h.ms.CheckAccess(ctx, testSync, with(func(c *managedsync.AccessCheck) { c.User = "ann" }))
			return err
		},
		"space": func() error {
			_, err := h.ms.CheckAccess(ctx, testSync, with(func(c *managedsync.AccessCheck) { c.User = "a b@x.io" }))
			return err
		},
		"role": func() error {
			_, err := h.ms.CheckAccess(ctx, testSync, with(func(c *managedsync.AccessCheck) { c.Role = "can_delete" }))
			return err
		},
		"no role": func() error {
			_, err := h.ms.CheckAccess(ctx, testSync, with(func(c *managedsync.AccessCheck) { c.Role = "" }))
			return err
		},
		"sync": func() error { _, err := h.ms.CheckAccess(ctx, "", ok); return err },
		"batch": func() error {
			_, err := h.ms.BatchCheckAccess(ctx, testSync, []managedsync.AccessCheck{ok, {}})
			return err
		},
		"users": func() error { _, err := h.ms.ListUsers(ctx, testSync, "o", "owner"); return err },
		"objects nil": func() error {
			return firstErr(h.ms.ListObjects(ctx, testSync, nil))
		},
		"objects type": func() error {
			return firstErr(h.ms.ListObjects(ctx, testSync, &managedsync.ListObjectsParams{User: "a@x.io", Role: managedsync.RoleCanRead, ObjectType: "drive"}))
		},
	}
	for name, fn := range cases {
		require.ErrorIs(t, fn(), paragon.ErrInvalidInput, name)
	}
	assert.Empty(t, h.requests())
}
