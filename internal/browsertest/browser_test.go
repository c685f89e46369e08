package browsertest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// EnvRequire names the variable that turns a missing browser, node or
// node_modules from a skip into a failure (CI sets it).
const EnvRequire = "PARAGON_BROWSERTEST"

// need skips the test, or fails it when EnvRequire is set, because of why.
func need(t *testing.T, why string) {
	t.Helper()
	if os.Getenv(EnvRequire) != "" {
		t.Fatalf("%s is set but %s", EnvRequire, why)
	}
	t.Skip(why)
}

// chromePath finds the Chromium binary: CHROME_PATH, else Debian's.
func chromePath() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// browser drives the page through testdata/drive.js.
type browser struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Scanner
	cmd *exec.Cmd
	mu  sync.Mutex
}

// result is one answer of drive.js.
type result struct {
	OK    bool            `json:"ok"`
	Value json.RawMessage `json:"value"`
	Error string          `json:"error"`
}

func startBrowser(t *testing.T, pageURL string) *browser {
	t.Helper()
	chrome := chromePath()
	if chrome == "" {
		need(t, "no Chromium found (apt-get install chromium, or set CHROME_PATH)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		need(t, "no node in PATH")
	}
	if _, err := os.Stat(filepath.Join("testdata", "node_modules", "puppeteer-core")); err != nil {
		need(t, "no testdata/node_modules: run npm ci in internal/browsertest/testdata")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, node, "drive.js")
	cmd.Dir = "testdata"
	cmd.Env = append(os.Environ(), "CHROME_PATH="+chrome, "PAGE_URL="+pageURL)
	cmd.Stderr = testWriter{t}
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	b := &browser{t: t, in: in, out: bufio.NewScanner(out), cmd: cmd}
	b.out.Buffer(make([]byte, 0, 1<<20), 16<<20)
	t.Cleanup(func() {
		_ = in.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cancel()
			<-done
		}
		cancel()
	})
	r := b.next()
	require.True(t, r.OK, "drive.js did not start: %s", r.Error)
	return b
}

// testWriter sends the driver's stderr to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func (b *browser) next() result {
	b.t.Helper()
	if !b.out.Scan() {
		b.t.Fatalf("drive.js stopped: %v", b.out.Err())
	}
	var r result
	require.NoError(b.t, json.Unmarshal(b.out.Bytes(), &r), "line: %s", b.out.Bytes())
	return r
}

func (b *browser) send(cmd map[string]any) result {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	line, err := json.Marshal(cmd)
	require.NoError(b.t, err)
	_, err = b.in.Write(append(line, '\n'))
	require.NoError(b.t, err)
	return b.next()
}

// run runs an async function body in the page and returns what it returns,
// failing the test when it throws.
func (b *browser) run(t *testing.T, code string, args ...any) json.RawMessage {
	t.Helper()
	r := b.send(map[string]any{"code": fmt.Sprintf(code, args...)})
	require.True(t, r.OK, "page threw: %s\ncode: %s", r.Error, fmt.Sprintf(code, args...))
	return r.Value
}

// runErr runs code that must throw and returns the error message.
func (b *browser) runErr(t *testing.T, code string, args ...any) string {
	t.Helper()
	r := b.send(map[string]any{"code": fmt.Sprintf(code, args...)})
	require.False(t, r.OK, "page did not throw; returned %s", r.Value)
	return r.Error
}

func (b *browser) fresh(t *testing.T) {
	t.Helper()
	r := b.send(map[string]any{"fresh": true})
	require.True(t, r.OK, r.Error)
}

func obj(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m), "value: %s", raw)
	return m
}

// pageServer serves the page and the SDK bundle from node_modules, on its
// own origin (another port than the fake's).
func pageServer(t *testing.T) *httptest.Server {
	t.Helper()
	bundle := filepath.Join("testdata", "node_modules", "@useparagon", "connect", "dist", "src", "index.js")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("testdata", "index.html"))
	})
	mux.HandleFunc("GET /connect.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		http.ServeFile(w, r, bundle)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}
