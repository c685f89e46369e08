package transport

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// bufPool holds buffers for bodies of unknown length.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps one huge body from pinning its buffer in the pool.
const maxPooledBuffer = 1 << 20

// readBody reads r to EOF. n is the declared length (-1 if unknown). It
// never reads more than limit+1 bytes: past limit it returns a
// *BodyTooLargeError, and when n already exceeds limit it reads nothing.
// On a read error it returns what it read so far with the error.
func readBody(r io.Reader, n, limit int64) ([]byte, error) {
	if n > limit {
		return nil, &BodyTooLargeError{Limit: limit}
	}
	lr := &io.LimitedReader{R: r, N: limit + 1}
	if n < 0 {
		return readPooled(lr, limit)
	}
	b, err := readKnown(lr, n)
	if int64(len(b)) > limit {
		return nil, &BodyTooLargeError{Limit: limit}
	}
	return b, err
}

// readKnown reads r to EOF into a slice sized for the declared length n,
// plus one byte so the last Read can report EOF without a reallocation.
// A body longer than declared still reads correctly, growing the slice.
func readKnown(r io.Reader, n int64) ([]byte, error) {
	b := make([]byte, 0, n+1)
	for {
		m, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// readPooled reads r to EOF through a pooled buffer and returns an exact-size
// copy, so a body of unknown length costs one allocation once the pool is
// warm. Past limit bytes it returns a *BodyTooLargeError.
func readPooled(r io.Reader, limit int64) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	buf.Reset()
	_, err := buf.ReadFrom(r)
	if int64(buf.Len()) > limit {
		return nil, &BodyTooLargeError{Limit: limit}
	}
	return bytes.Clone(buf.Bytes()), err
}

// readErrorBody reads and closes a non-2xx body: at most MaxErrorBodyBytes
// are kept, a little more is drained so a slightly larger body still frees
// its connection, and the rest is dropped. A read error keeps what arrived:
// the status is already known and the caller only wants a message.
func readErrorBody(body io.ReadCloser, n int64) []byte {
	if n > MaxErrorBodyBytes {
		n = -1
	}
	b, _ := readBody(io.LimitReader(body, MaxErrorBodyBytes), n, MaxErrorBodyBytes)
	discard(body)
	return b
}

// discard drains at most a few KiB of body, so a small body frees its
// connection for reuse, and closes it.
func discard(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, maxDrainBytes)
	_ = body.Close()
}
