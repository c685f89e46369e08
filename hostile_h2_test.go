package paragon_test

// HTTP/2 hostile tests (spec §6.7, RFC 9113 §8.7): a real HTTP/2 server over
// TLS that resets streams and sends GOAWAY at the frame level, against the
// SDK's own transport (transport.NewHTTPTransport) through the public API.
// net/http's HTTP/2 layer replays a request with a replayable body on
// RST_STREAM(PROTOCOL_ERROR) and on GOAWAY, across fresh connections and
// below any retry policy (golang/go#47635, #52459); these tests pin that the
// SDK lets no write go out twice without proof that the first was not
// processed, and that every call ends after a bounded number of attempts.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/internal/transport"
)

// h2Call is one public call tried against the HTTP/2 servers.
type h2Call struct {
	name  string
	write bool // not idempotent: at most once unless proven unprocessed
	call  func(ctx context.Context, u *paragon.User) error
}

var h2Calls = []h2Call{
	{"Event", true, func(ctx context.Context, u *paragon.User) error {
		return u.Event(ctx, "Contact Created", map[string]any{"email": "ada@example.com"})
	}},
	{"Workflow", true, func(ctx context.Context, u *paragon.User) error {
		_, err := u.Workflow(ctx, "wf-1", &paragon.WorkflowParams{Body: map[string]any{"lead": "Acme"}})
		return err
	}},
	{"Request POST (Close create)", true, func(ctx context.Context, u *paragon.User) error {
		_, err := u.Request(ctx, "close", "/lead/", &paragon.RequestOptions{Method: "POST", Body: map[string]any{"name": "Acme"}})
		return err
	}},
	{"Request PATCH", true, func(ctx context.Context, u *paragon.User) error {
		_, err := u.Request(ctx, "close", "/lead/lead_1/", &paragon.RequestOptions{Method: "PATCH", Body: map[string]any{"name": "Acme"}})
		return err
	}},
	{"EnableWorkflow (empty POST)", true, func(ctx context.Context, u *paragon.User) error {
		return u.EnableWorkflow(ctx, "wf-1", pinned...)
	}},
	{"SetUserMetadata", true, func(ctx context.Context, u *paragon.User) error {
		return u.SetUserMetadata(ctx, map[string]any{"Name": "Ada"})
	}},
	{"GetUser", false, func(ctx context.Context, u *paragon.User) error {
		_, err := u.GetUser(ctx)
		return err
	}},
	{"Request GET", false, func(ctx context.Context, u *paragon.User) error {
		_, err := u.Request(ctx, "close", "/lead/", nil)
		return err
	}},
	{"DisableWorkflow (DELETE)", false, func(ctx context.Context, u *paragon.User) error {
		return u.DisableWorkflow(ctx, "wf-1", pinned...)
	}},
}

// maxH2Attempts is the most requests one attempt of the retry policy may
// put on the wire when net/http's HTTP/2 layer replays it on every
// connection: the first, the replays transport.MaxReplays allows, and one
// more that may race the cancellation. fastRetries allows three attempts.
const (
	maxH2Attempts = 1 + transport.MaxReplays + 1
	maxH2Requests = 3 * maxH2Attempts
)

// safetyNet bounds a call that would otherwise run forever, so that a
// regression fails the test instead of hanging it. A call that ends on
// its own never sees this deadline, which the tests check.
const safetyNet = 30 * time.Second

// callOnce runs c against a fresh client on s and returns its error.
func callOnce(t *testing.T, s *h2Server, c h2Call, opts ...paragon.Option) error {
	t.Helper()
	cl := s.h2Client(t, opts...)
	ctx, cancel := context.WithTimeout(t.Context(), safetyNet)
	defer cancel()
	err := c.call(ctx, cl.User("user-1"))
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the call only ended at the safety net")
	return err
}

// TestH2ResetAfterWriteNotReplayed: the server reads each request whole
// and resets its stream with PROTOCOL_ERROR, on every connection. The
// request may have been processed, so a write goes out exactly once and
// fails; an idempotent call is replayed a bounded number of times by
// net/http, retried by the policy, and ends with ErrTooManyAttempts.
// Nothing hangs.
func TestH2ResetAfterWriteNotReplayed(t *testing.T) {
	t.Parallel()
	for _, code := range []http2.ErrCode{http2.ErrCodeProtocol, http2.ErrCodeInternal, http2.ErrCodeCancel} {
		for _, c := range h2Calls {
			t.Run(code.String()+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				s := newH2Server(t, func(*h2Req) h2Action { return h2Action{Kind: h2ResetStream, Code: code} })
				err := callOnce(t, s, c)
				require.Error(t, err)
				checkReadable(t, err)
				seen := len(s.Seen())
				t.Logf("%d requests on %d connections: %v", seen, s.Conns(), err)
				if c.write {
					assert.Equal(t, 1, seen, "a write that may have been processed went out again")
					var ue *url.Error
					assert.ErrorAs(t, err, &ue)
					return
				}
				assert.LessOrEqual(t, seen, maxH2Requests)
				if code == http2.ErrCodeProtocol { // the code net/http replays on its own
					assert.ErrorIs(t, err, paragon.ErrTooManyAttempts)
				}
			})
		}
	}
}

// TestH2GoAwayZeroEveryConnection: a server that answers every stream
// with GOAWAY(last_stream_id=0) and closes. The GOAWAY proves the request
// unprocessed, so writes are retried by the SDK's own policy (with backoff,
// MaxRetries 2: three requests); idempotent calls, which net/http itself
// replays on fresh connections, end after a bounded number.
func TestH2GoAwayZeroEveryConnection(t *testing.T) {
	t.Parallel()
	for _, c := range h2Calls {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newH2Server(t, func(*h2Req) h2Action { return h2Action{Kind: h2GoAwayZero} })
			err := callOnce(t, s, c)
			require.Error(t, err)
			checkReadable(t, err)
			seen := len(s.Seen())
			t.Logf("%d requests on %d connections: %v", seen, s.Conns(), err)
			if c.write {
				assert.Equal(t, 3, seen, "proven unprocessed: the first attempt and two retries")
				return
			}
			assert.LessOrEqual(t, seen, maxH2Requests)
			assert.ErrorIs(t, err, paragon.ErrTooManyAttempts)
		})
	}
}

// TestH2ProvenUnprocessedIsRetried: REFUSED_STREAM, or a GOAWAY whose last
// stream ID is below the request's, proves the request was not processed:
// the SDK sends it again (once, here) and the call succeeds, the server
// having processed it exactly once.
func TestH2ProvenUnprocessedIsRetried(t *testing.T) {
	t.Parallel()
	refusals := map[string]h2Action{
		"REFUSED_STREAM": {Kind: h2ResetStream, Code: http2.ErrCodeRefusedStream},
		"GOAWAY below":   {Kind: h2GoAway},
	}
	for name, refuse := range refusals {
		for _, c := range h2Calls {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				var n, processed atomic.Int64
				s := newH2Server(t, func(r *h2Req) h2Action {
					if n.Add(1) == 1 {
						return refuse
					}
					processed.Add(1)
					return h2JSON(http.StatusOK, `{"authenticated": true, "output": {}}`)
				})
				err := callOnce(t, s, c)
				require.NoError(t, err)
				assert.EqualValues(t, 1, processed.Load(), "processed exactly once")
				assert.Len(t, s.Seen(), 2, "the refused request and its retry")
			})
		}
	}
}

// TestH2WriteSucceedsAfterGoodAnswer: a plain exchange over HTTP/2 works
// for every call, and a write's body arrives whole (with an empty body
// sent as an empty DATA frame, not as no body).
func TestH2WriteSucceedsAfterGoodAnswer(t *testing.T) {
	t.Parallel()
	for _, c := range h2Calls {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newH2Server(t, func(*h2Req) h2Action {
				return h2JSON(http.StatusOK, `{"authenticated": true, "output": {}}`)
			})
			require.NoError(t, callOnce(t, s, c))
			seen := s.Seen()
			require.Len(t, seen, 1)
			assert.NotEmpty(t, seen[0].Header.Get("Authorization"))
		})
	}
}

// TestH2TransportDirect drives transport.Transport over
// transport.NewHTTPTransport without the paragon package: a POST reset
// with PROTOCOL_ERROR goes out once; a GET facing GOAWAY(0) on every
// connection ends with ErrTooManyAttempts after a bounded number; a POST
// refused with REFUSED_STREAM is retried by the policy.
func TestH2TransportDirect(t *testing.T) {
	t.Parallel()
	newTr := func(s *h2Server) *transport.Transport {
		ht := s.h2Transport()
		t.Cleanup(ht.CloseIdleConnections)
		return transport.New(transport.Config{
			HTTPClient: &http.Client{Transport: ht}, MaxRetries: 3,
			InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
		})
	}
	do := func(t *testing.T, tr *transport.Transport, method, u, body string) (*transport.Response, error) {
		ctx, cancel := context.WithTimeout(t.Context(), safetyNet)
		defer cancel()
		r := &transport.Request{Method: method, URL: u, MaxRetries: -1}
		if body != "" {
			r.Body = []byte(body)
		}
		resp, err := tr.Do(ctx, r)
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
		return resp, err
	}

	t.Run("POST reset with PROTOCOL_ERROR", func(t *testing.T) {
		t.Parallel()
		s := newH2Server(t, func(*h2Req) h2Action { return h2Action{Kind: h2ResetStream, Code: http2.ErrCodeProtocol} })
		_, err := do(t, newTr(s), "POST", s.URL+"/v2/projects/p/sdk/events/trigger", `{"name":"x"}`)
		require.Error(t, err)
		assert.Len(t, s.Seen(), 1)
	})
	t.Run("GET facing GOAWAY(0)", func(t *testing.T) {
		t.Parallel()
		s := newH2Server(t, func(*h2Req) h2Action { return h2Action{Kind: h2GoAwayZero} })
		_, err := do(t, newTr(s), "GET", s.URL+"/projects/p/sdk/me", "")
		require.ErrorIs(t, err, transport.ErrTooManyAttempts)
		assert.LessOrEqual(t, len(s.Seen()), 4*maxH2Attempts, "four attempts (MaxRetries 3), each bounded")
	})
	t.Run("GET refused or reset a few times, then answered", func(t *testing.T) {
		t.Parallel()
		var n atomic.Int64
		s := newH2Server(t, func(*h2Req) h2Action {
			switch n.Add(1) {
			case 1, 3, 5:
				return h2Action{Kind: h2ResetStream, Code: http2.ErrCodeProtocol}
			case 2, 4:
				return h2Action{Kind: h2GoAwayZero}
			}
			return h2JSON(http.StatusOK, `{}`)
		})
		resp, err := do(t, newTr(s), "GET", s.URL+"/projects/p/sdk/me", "")
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Len(t, s.Seen(), 6)
	})
	t.Run("POST refused twice, then answered", func(t *testing.T) {
		t.Parallel()
		var n atomic.Int64
		s := newH2Server(t, func(*h2Req) h2Action {
			if n.Add(1) <= 2 {
				return h2Action{Kind: h2ResetStream, Code: http2.ErrCodeRefusedStream}
			}
			return h2JSON(http.StatusCreated, `{}`)
		})
		resp, err := do(t, newTr(s), "POST", s.URL+"/v2/projects/p/sdk/events/trigger", `{"name":"x"}`)
		require.NoError(t, err)
		assert.Equal(t, http.StatusCreated, resp.StatusCode)
		assert.Equal(t, 3, resp.Attempts)
		assert.Len(t, s.Seen(), 3)
	})
	t.Run("POST marked idempotent may be replayed, boundedly", func(t *testing.T) {
		t.Parallel()
		s := newH2Server(t, func(*h2Req) h2Action { return h2Action{Kind: h2ResetStream, Code: http2.ErrCodeProtocol} })
		tr := newTr(s)
		ctx, cancel := context.WithTimeout(t.Context(), safetyNet)
		defer cancel()
		_, err := tr.Do(ctx, &transport.Request{Method: "POST", URL: s.URL + "/x", Body: []byte("{}"), Idempotent: true, MaxRetries: 0})
		require.ErrorIs(t, err, transport.ErrTooManyAttempts)
		assert.LessOrEqual(t, len(s.Seen()), maxH2Attempts)
	})
}

// TestH2ErrorsTyped: the failures above are typed: ErrTooManyAttempts
// matches through the paragon error, and a reset write is a *url.Error.
func TestH2ErrorsTyped(t *testing.T) {
	t.Parallel()
	s := newH2Server(t, func(*h2Req) h2Action { return h2Action{Kind: h2GoAwayZero} })
	err := callOnce(t, s, h2Calls[6]) // GetUser
	require.ErrorIs(t, err, paragon.ErrTooManyAttempts)
	assert.True(t, errors.Is(err, transport.ErrTooManyAttempts))
	assert.NotErrorIs(t, err, paragon.ErrInvalidInput)
}
