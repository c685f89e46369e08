package textutil

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                              "",
		"plain ASCII, 100% fine":        "plain ASCII, 100% fine",
		`C:\path\to "x"`:                `C:\path\to "x"`,
		"ünïcødé 日本語 ✓":                 "ünïcødé 日本語 ✓",
		"line 1\nline 2\r\n\tend":       `line 1\nline 2\r\n\tend`,
		"\x1b[31mred\x1b[0m":            `\x1b[31mred\x1b[0m`,
		"nul\x00 del\x7f":               `nul\x00 del\x7f`,
		"c1 \u0085 \u009b":              `c1 \u0085 \u009b`,
		"evil\u202egpj.exe":             `evil\u202egpj.exe`,
		"\u202a\u202b\u202c\u202d":      `\u202a\u202b\u202c\u202d`,
		"\u2066\u2067\u2068\u2069":      `\u2066\u2067\u2068\u2069`,
		"lrm\u200e rlm\u200f alm\u061c": `lrm\u200e rlm\u200f alm\u061c`,
		"zw\u200b\ufeff":                `zw\u200b\ufeff`,
		"sep\u2028\u2029":               `sep\u2028\u2029`,
		"tag\U000e0041":                 `tag\U000e0041`,
		"bad \xff\xfe utf8 \xc3":        `bad \xff\xfe utf8 \xc3`,
		"ok é then \x1b":                `ok é then \x1b`,
	}
	for in, want := range cases {
		assert.Equal(t, want, Escape(in), "%q", in)
	}
}

func TestEscapeNoAllocWhenClean(t *testing.T) {
	s := "Integration not enabled for user. Ünïcode too."
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = Escape(s) }))
}

// FuzzEscape: the result is valid UTF-8 with no control, format or
// separator character, and a string that needed nothing is unchanged.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\x1b]0;title\x07", "\u202e", "\xff", "é\u0085", `\u202e`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Escape(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Escape(%q) = %q: not UTF-8", s, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r) {
				t.Fatalf("Escape(%q) = %q keeps %U", s, out, r)
			}
		}
		if !strings.ContainsAny(out, `\`) && out != s {
			t.Fatalf("Escape(%q) = %q changed a string without escaping", s, out)
		}
	})
}

func TestEscapeLimit(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "short", EscapeLimit("short", 10))
	assert.Equal(t, "abcde…", EscapeLimit("abcdefghij", 5))
	assert.Equal(t, `\x00\x00…`, EscapeLimit("\x00\x00\x00", 9), "cut at an escape boundary")
	assert.Equal(t, "éé…", EscapeLimit("ééé", 5), "cut at a character boundary")
	long := strings.Repeat("\x00", 1000)
	assert.LessOrEqual(t, len(EscapeLimit(long, MaxEscaped)), MaxEscaped+len("…"))
	assert.Equal(t, Escape(long), EscapeLimit(long, -1))
}
