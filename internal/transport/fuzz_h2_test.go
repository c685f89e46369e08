package transport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzH2Unprocessed: only net/http's exact texts for REFUSED_STREAM and a
// GOAWAY below the stream count as proof that a request was not
// processed. A PROTOCOL_ERROR whose cause echoes server-chosen text (a
// header name, say) never does, whatever the text, bare or inside the
// "cannot retry" wrapper.
func FuzzH2Unprocessed(f *testing.F) {
	f.Add(uint32(1), "invalid header field name \"x\"", "anything")
	f.Add(uint32(3), "x; REFUSED_STREAM; received from peer", "stream error: stream ID 3; REFUSED_STREAM; received from peer")
	f.Add(uint32(7), "] after Request.Body was written; define Request.GetBody to avoid this error", h2GoAwayGraceful)
	f.Add(uint32(0), "", h2GoAwayCodePrefix+"NO_ERROR")
	f.Add(uint32(9), "received from peer", h2GoAwayCodePrefix+"unknown error code 0x1f")
	f.Fuzz(func(t *testing.T, id uint32, cause, msg string) {
		for _, code := range []string{"PROTOCOL_ERROR", "INTERNAL_ERROR", "CANCEL", "NO_ERROR"} {
			se := fmt.Sprintf("stream error: stream ID %d; %s; %s", id, code, cause)
			for _, m := range []string{se, h2CannotRetryPrefix + se + h2CannotRetrySuffix} {
				if h2Unprocessed(m) {
					t.Fatalf("a %s reset passed for a proof: %q", code, m)
				}
			}
		}
		refused := fmt.Sprintf("stream error: stream ID %d; REFUSED_STREAM; received from peer", id)
		if !h2Unprocessed(refused) || !h2Unprocessed(h2CannotRetryPrefix+refused+h2CannotRetrySuffix) {
			t.Fatalf("REFUSED_STREAM on stream %d not recognised", id)
		}
		if h2Unprocessed(msg) {
			inner := strings.TrimSuffix(strings.TrimPrefix(msg, h2CannotRetryPrefix), h2CannotRetrySuffix)
			if inner != h2GoAwayGraceful && !strings.HasPrefix(inner, h2GoAwayCodePrefix) &&
				!(strings.HasPrefix(inner, h2StreamErrPrefix) && strings.HasSuffix(inner, h2RefusedSuffix)) {
				t.Fatalf("accepted %q", msg)
			}
			if strings.Contains(inner, "PROTOCOL_ERROR") || strings.Contains(inner, ";  ") {
				t.Fatalf("accepted %q", msg)
			}
		}
		// Wrapped as net/http returns it: the chain is searched.
		if !unprocessedH2(&url.Error{Op: "Post", URL: "https://x/", Err: errors.New(refused)}) {
			t.Fatal("not found through *url.Error")
		}
	})
}

// FuzzSameRoute: a redirect target the guard lets through has the first
// request's scheme, host, port and escaped path, and so its decoded path
// has no dot segment the first one lacks.
func FuzzSameRoute(f *testing.F) {
	f.Add("https://api.example.test/projects/p/sdk/proxy/close/lead/", "/projects/p/sdk/proxy/close/lead/?_skip=100")
	f.Add("https://api.example.test/projects/p/sdk/me", "/projects/p/sdk/credentials?includeAccountAuth=true")
	f.Add("https://api.example.test/projects/p/sdk/proxy/close/lead/", "/projects/p/sdk/proxy/close/lead/%2e%2e/%2e%2e/salesforce/")
	f.Add("https://api.example.test/a/b", "//evil.example.test/a/b")
	f.Add("https://API.example.test:443/a%2Fb", "https://api.example.test/a%2fb")
	f.Add("http://127.0.0.1:8080/x", "HTTP://127.0.0.1:8080/x")
	f.Fuzz(func(t *testing.T, first, location string) {
		base, err := url.Parse(first)
		if err != nil || base.Host == "" {
			return
		}
		loc, err := url.Parse(location)
		if err != nil {
			return
		}
		hop := base.ResolveReference(loc)
		if !sameRoute(hop, base) {
			return
		}
		if !strings.EqualFold(hop.Scheme, base.Scheme) || !strings.EqualFold(hop.Hostname(), base.Hostname()) || port(hop) != port(base) {
			t.Fatalf("%q → %q: another origin passed", first, hop)
		}
		if hop.EscapedPath() != base.EscapedPath() || hop.Path != base.Path {
			t.Fatalf("%q → %q: another path passed", first, hop)
		}
	})
}

// FuzzReadKnown: whatever Content-Length a server declares, the body reads
// back exactly, and the buffer never runs far ahead of the bytes that
// arrived (at most twice them, plus maxPrealloc).
func FuzzReadKnown(f *testing.F) {
	f.Add([]byte(`{"ok":true}`), int64(11), false)
	f.Add([]byte(`{}`), int64(32<<20), true)
	f.Add([]byte{}, int64(1<<40), false)
	f.Add(bytes.Repeat([]byte("x"), 70000), int64(5), true)
	f.Fuzz(func(t *testing.T, data []byte, declared int64, trickle bool) {
		if declared < 0 {
			declared = -declared
		}
		var r io.Reader = bytes.NewReader(data)
		if trickle {
			r = iotest.OneByteReader(r)
		}
		b, err := readKnown(r, declared)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, data) {
			t.Fatalf("read %d bytes, want %d", len(b), len(data))
		}
		if limit := 2*len(data) + maxPrealloc + 1; cap(b) > limit {
			t.Fatalf("buffer of %d bytes for %d arrived (declared %d)", cap(b), len(data), declared)
		}
	})
}
