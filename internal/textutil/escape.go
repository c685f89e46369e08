package textutil

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s made safe to log and print on a terminal: C0 and C1
// control characters (newlines and ESC included), DEL, Unicode format
// characters (the bidirectional overrides and isolates U+202A–U+202E and
// U+2066–U+2069, the marks U+200E, U+200F and U+061C, zero-width characters,
// the BOM) and the line and paragraph separators U+2028 and U+2029 are
// written as Go escapes (\n, \x1b, \u202e), and bytes that are not UTF-8 as
// \xNN. Everything else, backslashes included, is kept. A string that needs
// no escaping is returned as it is, without allocating.
//
// Error strings built from what a server sent (Paragon's, a third party's
// or Close's messages, which may echo user input) go through Escape; the
// raw bytes stay in the errors' fields.
func Escape(s string) string { return EscapeLimit(s, -1) }

// MaxEscaped is the limit the error types pass to EscapeLimit for a
// server's message: escaping can make a short text four times longer.
const MaxEscaped = 400

// EscapeLimit is Escape with the result cut to at most limit bytes (at a
// character or escape boundary) plus "…" when it is longer; a negative limit
// means no limit.
func EscapeLimit(s string, limit int) string {
	if limit >= 0 && len(s) > limit {
		return escapeSlow(s, 0, limit)
	}
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s // printable ASCII: the common case
	}
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if unsafeRune(r, size) {
			break
		}
		j += size
	}
	if j == len(s) {
		return s
	}
	return escapeSlow(s, j, limit)
}

// escapeSlow escapes s from byte j on (s[:j] needs nothing), up to limit
// bytes of output when limit >= 0.
func escapeSlow(s string, j, limit int) string {
	var b strings.Builder
	b.Grow(min(len(s), max(limit, 0)+len("…")) + 8)
	if limit >= 0 && j > limit {
		j = 0 // the clean prefix alone is too long: cut it below
	}
	b.WriteString(s[:j])
	var esc strings.Builder
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		esc.Reset()
		switch {
		case r == utf8.RuneError && size == 1:
			esc.WriteString(`\x`)
			writeHex(&esc, rune(s[j]), 2)
		case unsafeRune(r, size):
			writeEscaped(&esc, r)
		default:
			esc.WriteString(s[j : j+size])
		}
		if limit >= 0 && b.Len()+esc.Len() > limit {
			b.WriteString("…")
			break
		}
		b.WriteString(esc.String())
		j += size
	}
	return b.String()
}

// unsafeRune reports whether the rune r (size bytes long in its string)
// must be escaped.
func unsafeRune(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true // not UTF-8
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true // C0, DEL, C1
	case r < 0xa0:
		return false
	case r == '\u2028', r == '\u2029':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// writeEscaped writes r as a Go escape: \n, \r, \t by name, \xNN below
// 0x80 and \uNNNN or \UNNNNNNNN above.
func writeEscaped(b *strings.Builder, r rune) {
	switch r {
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	default:
		switch {
		case r < 0x80:
			b.WriteString(`\x`)
			writeHex(b, r, 2)
		case r <= 0xffff:
			b.WriteString(`\u`)
			writeHex(b, r, 4)
		default:
			b.WriteString(`\U`)
			writeHex(b, r, 8)
		}
	}
}

func writeHex(b *strings.Builder, r rune, width int) {
	h := strconv.FormatInt(int64(r), 16)
	for range width - len(h) {
		b.WriteByte('0')
	}
	b.WriteString(h)
}
