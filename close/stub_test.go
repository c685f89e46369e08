package close_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

// stub is a Requester that answers with a function and records calls.
type stub struct {
	mu    sync.Mutex
	calls []stubCall
	fn    func(path string, opts *paragon.RequestOptions) (*paragon.Response, error)
}

type stubCall struct {
	Integration, Path string
	Opts              paragon.RequestOptions
	NumCallOpts       int
}

func (s *stub) Request(_ context.Context, integration, path string, opts *paragon.RequestOptions, callOpts ...paragon.CallOption) (*paragon.Response, error) {
	s.mu.Lock()
	s.calls = append(s.calls, stubCall{integration, path, *opts, len(callOpts)})
	s.mu.Unlock()
	return s.fn(path, opts)
}

func jsonResponse(status int, body string) *paragon.Response {
	return &paragon.Response{StatusCode: status, Header: http.Header{}, Output: json.RawMessage(body)}
}

func TestWorksWithStubRequester(t *testing.T) {
	t.Parallel()
	s := &stub{fn: func(path string, opts *paragon.RequestOptions) (*paragon.Response, error) {
		switch path {
		case "/lead/lead_1/":
			// A Requester that leaves Paragon's envelope on.
			return jsonResponse(200, `{"output": {"id": "lead_1", "name": "Acme"}}`), nil
		case "/contact/cont_1/":
			// Raw mode: the body streams.
			return &paragon.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`{"id": "cont_1"}`))}, nil
		case "/opportunity/oppo_1/":
			return nil, &paragon.Error{StatusCode: 404, Upstream: true, Body: []byte(`{"error": "gone"}`)}
		}
		return nil, errors.New("boom")
	}}
	crm := close.New(s, close.WithIntegration("custom.close"), close.WithCallOptions(paragon.WithCredential("c1"), paragon.WithHeader("X-A", "1")))
	l, err := crm.Leads.Get(t.Context(), "lead_1")
	require.NoError(t, err)
	assert.Equal(t, close.Set("Acme"), l.Name)
	c, err := crm.Contacts.Get(t.Context(), "cont_1")
	require.NoError(t, err)
	assert.Equal(t, "cont_1", c.ID)
	_, err = crm.Opportunities.Get(t.Context(), "oppo_1")
	require.ErrorIs(t, err, close.ErrNotFound)
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 404, pe.StatusCode)
	var ce *close.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "gone", ce.Message)
	err = crm.Leads.Delete(t.Context(), "lead_2")
	assert.EqualError(t, err, "boom", "other errors are returned as they are")

	require.Len(t, s.calls, 4)
	for _, c := range s.calls {
		assert.Equal(t, "custom.close", c.Integration)
		assert.Equal(t, 2, c.NumCallOpts)
		assert.Nil(t, c.Opts.Headers)
	}
	assert.Equal(t, http.MethodGet, s.calls[0].Opts.Method)
	assert.Equal(t, http.MethodDelete, s.calls[3].Opts.Method)
}

func TestStubOddResponses(t *testing.T) {
	t.Parallel()
	s := &stub{fn: func(path string, _ *paragon.RequestOptions) (*paragon.Response, error) {
		switch path {
		case "/lead/nil/":
			return nil, nil
		case "/lead/empty/":
			return jsonResponse(200, ``), nil
		case "/lead/bad/":
			return jsonResponse(200, `{"id": 5}`), nil
		case "/contact/":
			return jsonResponse(200, `{"data": [], "has_more": true}`), nil
		case "/lead/nostatus/":
			return &paragon.Response{Output: json.RawMessage(`{"id": "nostatus"}`)}, nil
		}
		return jsonResponse(201, `{"id": "x"}`), nil
	}}
	crm := close.New(s)
	_, err := crm.Leads.Get(t.Context(), "nil")
	assert.ErrorContains(t, err, "no response")
	_, err = crm.Leads.Get(t.Context(), "empty")
	assert.ErrorContains(t, err, "empty response body")
	_, err = crm.Leads.Get(t.Context(), "bad")
	assert.ErrorContains(t, err, "decoding response")
	l, err := crm.Leads.Get(t.Context(), "created")
	require.NoError(t, err, "any 2xx is success")
	assert.Equal(t, "x", l.ID)
	l, err = crm.Leads.Get(t.Context(), "nostatus")
	require.NoError(t, err, "a Requester that leaves StatusCode 0 means success")
	assert.Equal(t, "nostatus", l.ID)
	var errs []error
	for _, err := range crm.Contacts.List(t.Context(), nil) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorContains(t, errs[0], "has_more")
}

func TestInvalidOptions(t *testing.T) {
	t.Parallel()
	s := &stub{fn: func(string, *paragon.RequestOptions) (*paragon.Response, error) {
		return jsonResponse(200, `{}`), nil
	}}
	clients := map[string]*close.Client{
		"nil requester":  close.New(nil),
		"page size 0":    close.New(s, close.WithPageSize(0)),
		"page size 101":  close.New(s, close.WithPageSize(101)),
		"tz NaN":         close.New(s, close.WithTimezoneOffset(math.NaN())),
		"tz 15":          close.New(s, close.WithTimezoneOffset(15)),
		"no integration": close.New(s, nil, close.WithIntegration("")),
	}
	for name, crm := range clients {
		_, err := crm.Leads.Get(t.Context(), "lead_1")
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
		for _, err := range crm.Opportunities.List(t.Context(), nil) {
			assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
		}
		for _, err := range crm.Search(t.Context(), &close.SearchParams{Query: close.ObjectType("lead")}) {
			assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
		}
	}
	var nilCtx context.Context
	_, err := close.New(s).Leads.Get(nilCtx, "lead_1")
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	for _, err := range close.New(s).Leads.List(nilCtx, nil) {
		assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	}
	for _, err := range close.New(s).Search(nilCtx, &close.SearchParams{Query: close.ObjectType("lead")}) {
		assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	}
	assert.Empty(t, s.calls)
}

func TestHeadersOnTheWire(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "GET", Path: "/lead/lead_1/", Reply: out(`{"id": "lead_1"}`)})
	crm := w.crm(close.WithTimezoneOffset(-2.5), close.WithCallOptions(paragon.WithCredential("cred-7")))
	_, err := crm.Leads.Get(t.Context(), "lead_1")
	require.NoError(t, err)
	got := w.requests()
	require.Len(t, got, 1)
	assert.Equal(t, "-2.5", got[0].Header.Get("X-Tz-Offset"))
	assert.Equal(t, "cred-7", got[0].Header.Get(paragon.HeaderCredential))
}

var errCanceled = context.Canceled

// contextWithCancelAfter returns a context cancelled once s has seen n
// calls (checked when the stub answers).
func contextWithCancelAfter(t *testing.T, n int, s *stub) (context.Context, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	fn := s.fn
	s.fn = func(path string, opts *paragon.RequestOptions) (*paragon.Response, error) {
		s.mu.Lock()
		seen := len(s.calls)
		s.mu.Unlock()
		if seen >= n {
			cancel()
		}
		return fn(path, opts)
	}
	return ctx, cancel
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
