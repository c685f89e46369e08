package textutil

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSnippet(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                                       "",
		"upstream connect error\n or disconnect": "upstream connect error or disconnect",
		"a\n\r\tb":                               "a b",
		strings.Repeat("é", 150):                 strings.Repeat("é", 100) + "…",
		"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>": "502 Bad Gateway",
		"  <HTML><TITLE> Service\nUnavailable </TITLE></HTML>":                    "Service Unavailable",
		"<html><body>no title</body></html>":                                      "non-JSON (HTML) response",
		"<html><title>\xff\xfe</title></html>":                                    "\uFFFD",
		"<html><title>" + strings.Repeat("x", 300) + "</title>":                   "non-JSON (HTML) response",
		"\xff\xfe\xfd": "\uFFFD",
	}
	for in, want := range cases {
		assert.Equal(t, want, Snippet([]byte(in)), "%q", in)
	}
}

func FuzzSnippet(f *testing.F) {
	f.Add([]byte("<html><title>x</title>"))
	f.Add([]byte("<!doctype \xff<title>\xc3"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := Snippet(b)
		if !strings.Contains(s, "\n") && len(s) <= MaxSnippet+len("…") {
			return
		}
		t.Fatalf("snippet too long or multi-line: %q", s)
	})
}
