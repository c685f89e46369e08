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

// uploadSize is the size of BenchmarkUpload's file.
const uploadSize = 100 << 20

// patternReader yields n bytes of a repeated pattern without holding them:
// a file being read, as far as memory goes. It can't seek, so the SDK sends
// it once, as it would a pipe.
type patternReader struct{ left int }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.left)
	for i := range p[:n] {
		p[i] = byte('a' + i%26)
	}
	r.left -= n
	return n, nil
}

// uploadHandler reads and counts a request body, answering as Paragon's
// proxy does.
func uploadHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil || n != uploadSize {
			http.Error(w, "got "+strconv.FormatInt(n, 10)+" bytes", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"output":{"ok":true}}`)
	})
}

// BenchmarkUpload posts a 100 MiB body given as an io.Reader through the
// proxy (User.Request with RequestOptions.Body), against a plain net/http
// POST of the same reader. B/op is what the call allocates: the body
// streams, so it stays far below the file's size; MB/s is the throughput.
func BenchmarkUpload(b *testing.B) {
	srv := newServer(b, uploadHandler())
	c := newSDK(b, srv)
	tok, err := c.SignUserToken("user-1")
	require.NoError(b, err)
	hc := newRawClient(b)
	url := srv.URL + "/projects/" + projectID + "/sdk/proxy/acme/upload"
	u := c.User("user-1")
	run := func(b *testing.B, upload func() error) {
		b.SetBytes(uploadSize)
		loop(b, upload)
	}
	compare(b, impl{"nethttp", func(b *testing.B) {
		run(b, func() error {
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, &patternReader{left: uploadSize})
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/octet-stream")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return errStatus(resp.StatusCode)
			}
			return nil
		})
	}}, impl{"sdk", func(b *testing.B) {
		run(b, func() error {
			_, err := u.Request(context.Background(), "acme", "/upload", &paragon.RequestOptions{
				Method: http.MethodPost, Body: &patternReader{left: uploadSize},
				Headers: http.Header{"Content-Type": {"application/octet-stream"}},
			})
			return err
		})
	}})
}

type errStatus int

func (e errStatus) Error() string { return "status " + strconv.Itoa(int(e)) }
