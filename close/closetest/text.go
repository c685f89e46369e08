package closetest

import (
	"strings"
	"unicode"
)

// words splits s into lowercase words: runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// textMatch reports whether s matches value in Close's text modes:
// "phrase" needs the value's words one after another, "full_words" (the
// default) needs each of the value's words somewhere in s. Words match
// whole, never as substrings: "a" does not match "Ada". A value without
// words matches nothing.
func textMatch(s, value, mode string) bool {
	want := words(value)
	if len(want) == 0 {
		return false
	}
	have := words(s)
	if mode == "phrase" {
		for i := 0; i+len(want) <= len(have); i++ {
			match := true
			for j, w := range want {
				if have[i+j] != w {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
		return false
	}
	set := map[string]bool{}
	for _, w := range have {
		set[w] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

// anyText reports whether one of the strings in v (at any depth) matches
// value in mode.
func anyText(v any, value, mode string) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "id" || strings.HasSuffix(k, "_id") || k == "html_url" {
				continue
			}
			if anyText(e, value, mode) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if anyText(e, value, mode) {
				return true
			}
		}
	case nil, bool:
	default:
		return textMatch(str(x), value, mode)
	}
	return false
}
