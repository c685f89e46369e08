package transport

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// generator is an endless-looking body of size bytes that is never held in
// memory, and counts what was read from it.
type generator struct {
	size int64
	read atomic.Int64
}

func (g *generator) Read(p []byte) (int, error) {
	left := g.size - g.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), left))
	for i := range p[:n] {
		p[i] = 'x'
	}
	g.read.Add(int64(n))
	return n, nil
}

func (g *generator) Close() error { return nil }

func TestBodyTooLargeKeepsMemoryFlat(t *testing.T) {
	t.Parallel()
	// The limit is small so that what this test allocates stays far below
	// the 8 MiB bound even with other parallel tests allocating meanwhile.
	const (
		gib   = 1 << 30
		limit = 256 << 10
	)
	for _, declared := range []bool{false, true} {
		name := "chunked"
		if declared {
			name = "content-length"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := &generator{size: gib}
			respond := func(int, *http.Request) (*http.Response, error) {
				r := reply(200, "")
				r.Body, r.ContentLength = g, -1
				if declared {
					r.ContentLength = gib
				}
				return r, nil
			}
			tr, rt := newFake(respond, Config{MaxBodyBytes: limit})

			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			resp, err := tr.Do(t.Context(), get(testURL))
			runtime.ReadMemStats(&after)

			require.ErrorIs(t, err, ErrBodyTooLarge)
			var tooLarge *BodyTooLargeError
			require.ErrorAs(t, err, &tooLarge)
			assert.Equal(t, int64(limit), tooLarge.Limit)
			assert.Nil(t, resp)
			assert.Len(t, rt.calls(), 1, "never retried")
			assert.LessOrEqual(t, g.read.Load(), int64(limit+1), "read at most limit+1 bytes")
			if declared {
				assert.Zero(t, g.read.Load(), "a declared oversize body is not read at all")
			}
			grown := after.TotalAlloc - before.TotalAlloc
			assert.Less(t, grown, uint64(8<<20), "allocated %d bytes for a 1 GiB body", grown)
		})
	}
}

func TestBodyAtLimitIsRead(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	body := strings.Repeat("a", limit)
	for _, cl := range []int64{limit, -1} {
		respond := func(int, *http.Request) (*http.Response, error) {
			r := reply(200, body)
			r.ContentLength = cl
			return r, nil
		}
		tr, _ := newFake(respond, Config{MaxBodyBytes: limit})
		resp := mustDo(t, tr, get(testURL))
		assert.Equal(t, body, string(resp.Body), "content length %d", cl)
	}
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("0123456789"), 1000)
	tests := []struct {
		name string
		r    func() io.Reader
		n    int64
	}{
		{"known", func() io.Reader { return bytes.NewReader(data) }, int64(len(data))},
		{"known, one byte reads", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }, int64(len(data))},
		{"known, data with EOF", func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) }, int64(len(data))},
		{"declared too short", func() io.Reader { return bytes.NewReader(data) }, 10},
		{"unknown", func() io.Reader { return bytes.NewReader(data) }, -1},
		{"unknown, half reads", func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) }, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := readBody(tt.r(), tt.n, 1<<20)
			require.NoError(t, err)
			assert.Equal(t, data, b)
		})
	}
	t.Run("empty", func(t *testing.T) {
		t.Parallel()
		b, err := readBody(strings.NewReader(""), 0, 10)
		require.NoError(t, err)
		assert.Empty(t, b)
	})
	t.Run("error keeps prefix", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("boom")
		b, err := readBody(brokenBody("abc", boom), -1, 10)
		require.ErrorIs(t, err, boom)
		assert.Equal(t, "abc", string(b))
	})
}

func TestErrorBodyIsCapped(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("e", 200<<10)
	for _, cl := range []int64{int64(len(big)), -1} {
		respond := func(int, *http.Request) (*http.Response, error) {
			r := reply(500, big)
			r.ContentLength = cl
			return r, nil
		}
		tr, _ := newFake(respond, Config{})
		resp := mustDo(t, tr, post(testURL, "{}"))
		assert.Equal(t, 500, resp.StatusCode)
		assert.Len(t, resp.Body, MaxErrorBodyBytes, "content length %d", cl)
	}

	// A body that breaks off still gives what arrived.
	respond := func(int, *http.Request) (*http.Response, error) {
		r := reply(404, "")
		r.Body, r.ContentLength = brokenBody(`{"message":"not found"`, io.ErrUnexpectedEOF), 200
		return r, nil
	}
	tr, _ := newFake(respond, Config{})
	resp := mustDo(t, tr, get(testURL))
	assert.Equal(t, `{"message":"not found"`, string(resp.Body))
}

func TestStreamMode(t *testing.T) {
	t.Parallel()
	g := &generator{size: 3 << 20}
	respond := func(int, *http.Request) (*http.Response, error) {
		r := reply(200, "")
		r.Body, r.ContentLength = g, -1
		return r, nil
	}
	tr, _ := newFake(respond, Config{MaxBodyBytes: 1 << 20})
	r := get(testURL)
	r.Stream = true
	resp := mustDo(t, tr, r)
	require.NotNil(t, resp.Stream)
	assert.Nil(t, resp.Body)
	assert.Zero(t, g.read.Load(), "left unread for the caller")
	n, err := io.Copy(io.Discard, resp.Stream)
	require.NoError(t, err)
	require.NoError(t, resp.Stream.Close())
	assert.Equal(t, int64(3<<20), n, "a stream has no size limit")

	// A non-2xx in stream mode is read like any other, for the error.
	tr, _ = newFake(func(int, *http.Request) (*http.Response, error) { return reply(404, "nope"), nil }, Config{})
	resp = mustDo(t, tr, r)
	assert.Nil(t, resp.Stream)
	assert.Equal(t, "nope", string(resp.Body))
}

func TestHeadDeclaredLengthIsNotALimit(t *testing.T) {
	t.Parallel()
	respond := func(int, *http.Request) (*http.Response, error) {
		r := reply(200, "", "Content-Length", "1073741824")
		r.Body, r.ContentLength = http.NoBody, 1<<30
		return r, nil
	}
	tr, _ := newFake(respond, Config{MaxBodyBytes: 1 << 20})
	resp := mustDo(t, tr, &Request{Method: http.MethodHead, URL: testURL, MaxRetries: -1})
	assert.Equal(t, 200, resp.StatusCode)
	assert.Empty(t, resp.Body)
}
