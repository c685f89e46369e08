package paragon_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// uploadServer records the body and Content-Length of every request it
// gets and answers with the next status of statuses (200 once they run out).
type uploadServer struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   []string
	lengths  []int64
	statuses []int
}

func newUploadServer(t *testing.T, statuses ...int) *uploadServer {
	t.Helper()
	s := &uploadServer{statuses: statuses}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, string(b))
		s.lengths = append(s.lengths, r.ContentLength)
		status := http.StatusOK
		if len(s.statuses) > 0 {
			status, s.statuses = s.statuses[0], s.statuses[1:]
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status == http.StatusUnauthorized { // Paragon refusing the token
			_, _ = io.WriteString(w, `{"message":"Unauthorized","statusCode":401}`)
			return
		}
		_, _ = io.WriteString(w, `{"output":{"ok":true}}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *uploadServer) seen() ([]string, []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...), append([]int64(nil), s.lengths...)
}

func (s *uploadServer) client(t *testing.T) *paragon.Client {
	t.Helper()
	_, pemBytes := signingKey(t)
	c, err := paragon.NewClient(testProject, paragon.WithSigningKey(pemBytes),
		paragon.WithBaseURL(paragon.ServiceProxy, s.URL), paragon.WithBaseURL(paragon.ServiceAPI, s.URL),
		paragon.WithRetryPolicy(paragon.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// onlyReader hides every method of a reader but Read: a stream that can't
// be rewound or measured.
type onlyReader struct{ io.Reader }

// TestReaderBodyStreams: a reader body reaches the server whole, with its
// length when the reader can tell it, chunked otherwise.
func TestReaderBodyStreams(t *testing.T) {
	t.Parallel()
	s := newUploadServer(t)
	u := s.client(t).User("u1")
	for _, body := range []io.Reader{strings.NewReader("known length"), onlyReader{strings.NewReader("unknown length")}} {
		_, err := u.Request(t.Context(), "acme", "/upload", &paragon.RequestOptions{Method: http.MethodPost, Body: body,
			Headers: http.Header{"Content-Type": {"text/plain"}}})
		require.NoError(t, err)
	}
	bodies, lengths := s.seen()
	assert.Equal(t, []string{"known length", "unknown length"}, bodies)
	assert.Equal(t, []int64{int64(len("known length")), -1}, lengths, "Content-Length when the reader tells it, chunked otherwise")
}

// TestReaderBodyRetriedOnlyWhenRewound: an idempotent PUT answered 503 is
// retried with a seekable body, rewound to where it started (not to 0),
// and sent once with a reader that can't be rewound.
func TestReaderBodyRetriedOnlyWhenRewound(t *testing.T) {
	t.Parallel()
	t.Run("seekable", func(t *testing.T) {
		t.Parallel()
		s := newUploadServer(t, http.StatusServiceUnavailable, http.StatusServiceUnavailable)
		r := bytes.NewReader([]byte("skip:payload"))
		_, err := r.Seek(int64(len("skip:")), io.SeekStart)
		require.NoError(t, err)
		_, err = s.client(t).User("u1").Request(t.Context(), "acme", "/put", &paragon.RequestOptions{Method: http.MethodPut, Body: r})
		require.NoError(t, err)
		bodies, _ := s.seen()
		assert.Equal(t, []string{"payload", "payload", "payload"}, bodies)
	})
	t.Run("stream", func(t *testing.T) {
		t.Parallel()
		s := newUploadServer(t, http.StatusServiceUnavailable, http.StatusServiceUnavailable)
		_, err := s.client(t).User("u1").Request(t.Context(), "acme", "/put",
			&paragon.RequestOptions{Method: http.MethodPut, Body: onlyReader{strings.NewReader("payload")}})
		var pe *paragon.Error
		require.True(t, errors.As(err, &pe), "%v", err)
		assert.Equal(t, http.StatusServiceUnavailable, pe.StatusCode)
		bodies, _ := s.seen()
		assert.Equal(t, []string{"payload"}, bodies, "a stream that can't be rewound goes out once")
	})
}

// TestReaderBodyNotResentAfter401: the re-sign-and-resend after a Paragon
// 401 also needs a body it can send again.
func TestReaderBodyNotResentAfter401(t *testing.T) {
	t.Parallel()
	s := newUploadServer(t, http.StatusUnauthorized, http.StatusUnauthorized)
	_, err := s.client(t).User("u1").Request(t.Context(), "acme", "/post",
		&paragon.RequestOptions{Method: http.MethodPost, Body: onlyReader{strings.NewReader("payload")}})
	require.Error(t, err)
	bodies, _ := s.seen()
	assert.Equal(t, []string{"payload"}, bodies)

	s2 := newUploadServer(t, http.StatusUnauthorized)
	_, err = s2.client(t).User("u1").Request(t.Context(), "acme", "/post",
		&paragon.RequestOptions{Method: http.MethodPost, Body: strings.NewReader("payload")})
	require.NoError(t, err)
	bodies, _ = s2.seen()
	assert.Equal(t, []string{"payload", "payload"}, bodies, "a rewindable body is re-sent whole with a fresh token")
}
