// Package textutil turns error bodies that are not JSON (gateway HTML pages,
// plain text) into short, readable, single-line messages. It is shared by the
// paragon and close error decoders.
package textutil

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// MaxSnippet is the longest snippet, in bytes, before the "…".
const MaxSnippet = 200

// Snippet returns a short, single-line, valid UTF-8 prefix of a non-JSON
// body. For an HTML page it returns the page's <title>, or "non-JSON (HTML)
// response" when it has none. b may be any bytes, including invalid UTF-8.
func Snippet(b []byte) string {
	b = bytes.TrimSpace(b)
	if indexFold(b, "<!doctype") == 0 || indexFold(b, "<html") == 0 {
		if t := htmlTitle(b); t != "" {
			return t
		}
		return "non-JSON (HTML) response"
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > MaxSnippet {
		cut := MaxSnippet
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func htmlTitle(b []byte) string {
	i := indexFold(b, "<title>")
	if i < 0 {
		return ""
	}
	rest := b[i+len("<title>"):]
	j := indexFold(rest, "</title>")
	if j < 0 || j > MaxSnippet {
		return ""
	}
	return Snippet(rest[:j])
}

// indexFold is bytes.Index with ASCII case folding for a lower-case ASCII
// sub. It returns an offset into b itself: searching bytes.ToLower(b)
// instead gives offsets that are wrong (and may be out of range) when b is
// not valid UTF-8, which a hostile error page need not be.
func indexFold(b []byte, sub string) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		j := 0
		for j < len(sub) && lowerASCII(b[i+j]) == sub[j] {
			j++
		}
		if j == len(sub) {
			return i
		}
	}
	return -1
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
