package transport

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// bufPool holds buffers for bodies of unknown length, or of a declared
// length between maxPrealloc and maxPooledBuffer.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps one huge body from pinning its buffer in the pool.
const maxPooledBuffer = 1 << 20

// bufKept holds a few buffers that, unlike bufPool's, survive garbage
// collections: a listing allocates fast enough that the GC empties a
// sync.Pool between most pages. It pins at most cap(bufKept) buffers of at
// most maxPooledBuffer bytes.
var bufKept = make(chan *bytes.Buffer, 4)

func getBuffer() *bytes.Buffer {
	select {
	case b := <-bufKept:
		return b
	default:
		return bufPool.Get().(*bytes.Buffer)
	}
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	select {
	case bufKept <- b:
	default:
		bufPool.Put(b)
	}
}

// readBody reads r to EOF. n is the declared length (-1 if unknown). It
// never reads more than limit+1 bytes: past limit it returns a
// *BodyTooLargeError, and when n already exceeds limit it reads nothing.
// On a read error it returns what it read so far with the error.
func readBody(r io.Reader, n, limit int64) ([]byte, error) {
	if n > limit {
		return nil, &BodyTooLargeError{Limit: limit}
	}
	lr := &io.LimitedReader{R: r, N: limit + 1}
	if n < 0 || n > maxPrealloc && n <= maxPooledBuffer {
		// A pooled buffer, then one exact-size copy: growing a fresh
		// buffer as bytes arrive (readKnown) allocates about 2.6 times a
		// 300 KB page, the pool once its buffers are warm only the copy.
		return readPooled(lr, limit)
	}
	b, err := readKnown(lr, n)
	if int64(len(b)) > limit {
		return nil, &BodyTooLargeError{Limit: limit}
	}
	return b, err
}

// maxPrealloc bounds what readKnown allocates before any byte arrived: a
// declared Content-Length is a claim, not bytes, and a server that declares
// 32 MiB and stalls must not pin 32 MiB per call.
const maxPrealloc = 16 << 10

// readKnown reads r to EOF, for a body whose declared length is n. Its
// buffer starts at min(n, maxPrealloc)+1 bytes (the extra byte lets the
// last Read report EOF without a reallocation) and doubles as bytes
// arrive, never past n+1 while the body keeps to its declared length: at
// any time it holds at most about twice what arrived. A body longer than
// declared still reads correctly.
func readKnown(r io.Reader, n int64) ([]byte, error) {
	b := make([]byte, 0, min(n, maxPrealloc)+1)
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
			next := int64(2 * cap(b))
			if int64(len(b)) <= n {
				next = min(next, n+1)
			}
			nb := make([]byte, len(b), next)
			copy(nb, b)
			b = nb
		}
	}
}

// readPooled reads r to EOF through a pooled buffer and returns an exact-size
// copy, so a body of unknown length costs one allocation once the pool is
// warm. Past limit bytes it returns a *BodyTooLargeError.
func readPooled(r io.Reader, limit int64) ([]byte, error) {
	buf := getBuffer()
	defer putBuffer(buf)
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
