package bench

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// rawSize is the size of the file BenchmarkProxyRaw downloads.
const rawSize = 100 << 20

// fileHandler serves rawSize bytes of a repeated 64 KiB block, as a
// third-party file download through Paragon's proxy in raw mode would.
func fileHandler() http.Handler {
	block := make([]byte, 64<<10)
	for i := range block {
		block[i] = byte('a' + i%26)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(rawSize))
		for sent := 0; sent < rawSize; sent += len(block) {
			if _, err := w.Write(block); err != nil {
				return
			}
		}
	})
}

// sampledReader passes reads through and samples the heap every 8 MiB.
type sampledReader struct {
	r    io.Reader
	h    *heapSampler
	n    int
	next int
}

func (s *sampledReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.n += n; s.n >= s.next {
		s.h.take()
		s.next += 8 << 20
	}
	return n, err
}

// BenchmarkProxyRaw downloads a 100 MiB raw proxy response
// (RequestOptions{Raw: true}) into io.Discard with io.Copy, against the same
// download with net/http. The body must stream: peak-inuse-KiB (the largest
// growth of HeapInuse during the copy) stays far below the file's size.
func BenchmarkProxyRaw(b *testing.B) {
	srv := newServer(b, fileHandler())
	c := newSDK(b, srv)
	tok, err := c.SignUserToken("user-1")
	require.NoError(b, err)

	download := func(b *testing.B, get func(ctx context.Context) (io.ReadCloser, error)) {
		b.SetBytes(rawSize)
		b.ReportAllocs()
		var h *heapSampler
		var cpu cpuMeter
		for b.Loop() {
			b.StopTimer()
			h = startHeap()
			b.StartTimer()
			cpu.start()
			body, err := get(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.Copy(io.Discard, &sampledReader{r: body, h: h})
			_ = body.Close()
			cpu.stop()
			if err != nil || n != rawSize {
				b.Fatalf("copied %d of %d bytes: %v", n, rawSize, err)
			}
		}
		cpu.report(b, b.N)
		b.ReportMetric(float64(h.inuse)/1024, "peak-inuse-KiB")
	}
	hc := newRawClient(b)
	u := c.User("user-1")
	compare(b, impl{"raw", func(b *testing.B) {
		url := srv.URL + "/projects/" + projectID + "/sdk/proxy/files/export.bin"
		download(b, func(ctx context.Context) (io.ReadCloser, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set(paragon.HeaderRawResponse, "1")
			resp, err := hc.Do(req)
			if err != nil {
				return nil, err
			}
			return resp.Body, nil
		})
	}}, impl{"sdk", func(b *testing.B) {
		download(b, func(ctx context.Context) (io.ReadCloser, error) {
			resp, err := u.Request(ctx, "files", "/export.bin", &paragon.RequestOptions{Raw: true})
			if err != nil {
				return nil, err
			}
			return resp.Body, nil
		})
	}})
}
