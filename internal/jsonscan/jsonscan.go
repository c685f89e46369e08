// Package jsonscan walks JSON text that is known to be well formed (or
// will be validated later by a decoder) without decoding it: finding where
// a value ends, iterating an object's top-level members. It is the fast
// path for work that encoding/json would do with a full scan and
// allocations, such as picking one key out of a large object.
//
// On malformed input the functions return ErrSyntax (never panic); they do
// not promise to detect every syntax error.
package jsonscan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
)

// ErrSyntax reports JSON the scanner can't walk.
var ErrSyntax = errors.New("jsonscan: malformed JSON")

// SkipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func SkipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// StringEnd returns the index after the JSON string that starts at b[i]
// (a '"'), and whether the string holds a backslash escape.
func StringEnd(b []byte, i int) (end int, escaped bool, err error) {
	if i >= len(b) || b[i] != '"' {
		return 0, false, ErrSyntax
	}
	// Eight bytes at a time up to the first quote or backslash: most
	// strings are short, and this beats two IndexByte calls on them.
	j := i + 1
	for ; j+8 <= len(b); j += 8 {
		w := binary.LittleEndian.Uint64(b[j:])
		if t := hasByte(w, '"') | hasByte(w, '\\'); t != 0 {
			j += bits.TrailingZeros64(t) / 8
			break
		}
	}
	for ; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1, false, nil
		case '\\':
			return stringEnd(b, i)
		}
	}
	return 0, false, ErrSyntax
}

// Per-byte masks for the word-at-a-time scans.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasByte returns a word whose high bit is set in the first byte of w equal
// to c (and possibly in later ones): zero if no byte of w is c.
func hasByte(w uint64, c byte) uint64 {
	x := w ^ (ones * uint64(c))
	return (x - ones) &^ x & highs
}

// PlainStringEnd returns the index after the JSON string that starts at b[i]
// (a '"') when its contents are plain: ASCII from 0x20 up, without a
// backslash, which JSON takes as it is. ok is false otherwise (an escape, a control
// character, a byte past ASCII, or no closing quote).
func PlainStringEnd(b []byte, i int) (end int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	j := i + 1
	for ; j+8 <= len(b); j += 8 {
		w := binary.LittleEndian.Uint64(b[j:])
		// A quote, a backslash, a byte below 0x20 or one from 0x80.
		if t := hasByte(w, '"') | hasByte(w, '\\') | (w-ones*0x20)&^w&highs | w&highs; t != 0 {
			j += bits.TrailingZeros64(t) / 8
			break
		}
	}
	for ; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return 0, false
		}
	}
	return 0, false
}

func stringEnd(b []byte, i int) (end int, escaped bool, err error) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, false, ErrSyntax
		}
		q := j + k
		if b[q-1] != '\\' {
			if !escaped {
				escaped = bytes.IndexByte(b[j:q], '\\') >= 0
			}
			return q + 1, escaped, nil
		}
		escaped = true
		n := 0 // backslashes right before the quote: an odd count escapes it
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, true, nil
		}
		j = q + 1
	}
}

// ValueEnd returns the index after the JSON value that starts at b[i].
func ValueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, ErrSyntax
	}
	switch b[i] {
	case '"':
		end, _, err := StringEnd(b, i)
		return end, err
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, _, err := StringEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, ErrSyntax
	}
	switch c := b[i]; { // a number or a literal
	case c == '-' || c >= '0' && c <= '9' || c == 't' || c == 'f' || c == 'n':
	default:
		return 0, ErrSyntax
	}
	for j := i; j < len(b); j++ {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if j == i {
				return 0, ErrSyntax
			}
			return j, nil
		}
	}
	return len(b), nil
}

// Depth returns how deeply the JSON text b nests objects and arrays (0 for
// a string, number or literal).
func Depth(b []byte) int {
	depth, deepest := 0, 0
	for j := 0; j < len(b); j++ {
		switch b[j] {
		case '"':
			end, _, err := StringEnd(b, j)
			if err != nil {
				return deepest
			}
			j = end - 1
		case '{', '[':
			if depth++; depth > deepest {
				deepest = depth
			}
		case '}', ']':
			depth--
		}
	}
	return deepest
}

// Members calls fn for each top-level member of the JSON object b, in
// order, with the key as it appears on the wire (quotes and escapes
// included; escaped reports a backslash in it) and the value's bytes. fn
// returns false to stop early.
func Members(b []byte, fn func(rawKey []byte, escaped bool, value []byte) bool) error {
	i := SkipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return ErrSyntax
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		keyEnd, escaped, err := StringEnd(b, i)
		if err != nil {
			return err
		}
		key := b[i:keyEnd]
		i = SkipSpace(b, keyEnd)
		if i >= len(b) || b[i] != ':' {
			return ErrSyntax
		}
		i = SkipSpace(b, i+1)
		end, err := ValueEnd(b, i)
		if err != nil {
			return err
		}
		if !fn(key, escaped, b[i:end]) {
			return nil
		}
		i = SkipSpace(b, end)
		if i >= len(b) {
			return ErrSyntax
		}
		switch b[i] {
		case '}':
			return nil
		case ',':
			i = SkipSpace(b, i+1)
		default:
			return ErrSyntax
		}
	}
}
