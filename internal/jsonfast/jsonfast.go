// Package jsonfast decodes JSON in one forward pass and without reflection,
// checking the grammar of what it decodes (and, with Validate, of what it
// skips): the SDK's hand-written decoders of the objects it decodes most
// (Close leads, GET /sdk/me) are built on it.
// Every unescaped string is a substring of one copy of the text (one
// allocation instead of one per field). Anything unusual (an escaped member
// name, a value of an unexpected kind) makes it give up with ErrSlow, and
// the caller decodes the text with its general decoder instead, which
// decides.
package jsonfast

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/paragon-go/paragon/internal/jsonscan"
	"github.com/paragon-go/paragon/internal/jsonx"
)

// ErrSlow means the text needs the general decoder.
var ErrSlow = errors.New("jsonfast: the value needs the general decoder")

// Parser reads values out of B. It checks the JSON grammar of what it
// decodes (strings, numbers, literals, structure); the values it skips
// (Skip) it checks only with Validate set, which a text a decoder has
// already validated does not need.
type Parser struct {
	B        []byte // the text
	S        string // B as a string, or "": decoded strings are substrings of it
	Validate bool   // check skipped values too
}

// MaxDepth is how deeply jsonv2 (and encoding/json) let JSON values nest.
const MaxDepth = 10000

// decoderDepth bounds how deep the SDK's decoders built on Parser go before
// they skip a value (a Close page is eight levels deep where it skips, GET
// /sdk/me ten).
const decoderDepth = 64

// validOptions accept what jsonx.Tolerant accepts.
var validOptions = jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// New returns a Parser of b; it copies b once, into S.
func New(b []byte) *Parser { return &Parser{B: b, S: string(b)} }

// sub returns B[i:j] as a string: a substring of S, or a copy when S is
// not set (a Parser that decodes few strings need not copy B).
func (p *Parser) sub(i, j int) string {
	if len(p.S) == len(p.B) {
		return p.S[i:j]
	}
	return string(p.B[i:j])
}

// Space returns the index of the first byte at or after i that is not
// white space.
func (p *Parser) Space(i int) int { return jsonscan.SkipSpace(p.B, i) }

// IsNull reports whether a null literal starts at B[i].
func (p *Parser) IsNull(i int) bool {
	return i+len("null") <= len(p.B) && string(p.B[i:i+len("null")]) == "null"
}

// End checks that only white space follows the top-level value ending at i.
func (p *Parser) End(i int) error {
	if p.Space(i) != len(p.B) {
		return ErrSlow
	}
	return nil
}

// plain reports whether s, a string's contents, holds no control
// character (which JSON forbids unescaped) and is valid UTF-8.
func plain[T string | []byte](s T) bool {
	ascii := true
	for k := 0; k < len(s); k++ {
		if c := s[k]; c < 0x20 {
			return false
		} else if c >= 0x80 {
			ascii = false
		}
	}
	return ascii || utf8.ValidString(string(s))
}

// Members iterates over the members of the object at B[i]:
//
//	m := p.Members(i)
//	for m.Next() {
//		m.At(decodeValue(m.Key, m.I)) // the index after the value, or an error
//	}
//	end, err := m.End()
type Members struct {
	p       *Parser
	I       int    // the value's start, then the index after it
	Key     string // the member's name
	err     error
	started bool
	done    bool
}

// Members starts iterating over the object at B[i].
func (p *Parser) Members(i int) Members {
	m := Members{p: p, I: i}
	if i >= len(p.B) || p.B[i] != '{' {
		m.err = ErrSlow
	}
	return m
}

// Next moves to the next member; false at the end of the object or on error.
func (m *Members) Next() bool {
	if m.err != nil || m.done {
		return false
	}
	p := m.p
	i := p.Space(m.I + 1) // after '{' or the previous value
	if m.started {
		i = p.Space(m.I)
		switch {
		case i < len(p.B) && p.B[i] == ',':
			i = p.Space(i + 1)
		case i < len(p.B) && p.B[i] == '}':
			m.I, m.done = i+1, true
			return false
		default:
			m.err = ErrSlow
			return false
		}
	} else if m.started = true; i < len(p.B) && p.B[i] == '}' {
		m.I, m.done = i+1, true
		return false
	}
	end, ok := jsonscan.PlainStringEnd(p.B, i)
	if !ok { // names with escapes or past ASCII: the general decoder
		m.err = ErrSlow
		return false
	}
	m.Key = p.sub(i+1, end-1)
	i = p.Space(end)
	if i >= len(p.B) || p.B[i] != ':' {
		m.err = ErrSlow
		return false
	}
	m.I = p.Space(i + 1)
	return true
}

// At records what decoding the member's value returned.
func (m *Members) At(end int, err error) { m.I, m.err = end, err }

// End returns the index after the object.
func (m *Members) End() (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	return m.I, nil
}

// Elements iterates over the elements of the array at B[i], as members does.
type Elements struct {
	p       *Parser
	I       int // the element's start, then the index after it
	err     error
	started bool
	done    bool
}

// Elements starts iterating over the array at B[i].
func (p *Parser) Elements(i int) Elements {
	e := Elements{p: p, I: i}
	if i >= len(p.B) || p.B[i] != '[' {
		e.err = ErrSlow
	}
	return e
}

// Next moves to the next element; false at the end of the array or on error.
func (e *Elements) Next() bool {
	if e.err != nil || e.done {
		return false
	}
	p := e.p
	var i int
	if e.started {
		i = p.Space(e.I)
		switch {
		case i < len(p.B) && p.B[i] == ',':
			e.I = p.Space(i + 1)
			return true
		case i < len(p.B) && p.B[i] == ']':
			e.I, e.done = i+1, true
		default:
			e.err = ErrSlow
		}
		return false
	}
	e.started = true
	if i = p.Space(e.I + 1); i < len(p.B) && p.B[i] == ']' {
		e.I, e.done = i+1, true
		return false
	}
	e.I = i
	return true
}

// At records what decoding the element returned.
func (e *Elements) At(end int, err error) { e.I, e.err = end, err }

// End returns the index after the array.
func (e *Elements) End() (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return e.I, nil
}

// Skip returns the index after the value at B[i].
func (p *Parser) Skip(i int) (int, error) {
	end, err := jsonscan.ValueEnd(p.B, i)
	if err != nil {
		return 0, ErrSlow
	}
	if p.Validate {
		// Checked on its own, the value would be allowed the whole text's
		// depth: a skipped value may nest no deeper than the general
		// decoder would let the text nest.
		// (A value shorter than that bound can't nest that deep.)
		if !jsontext.Value(p.B[i:end]).IsValid(validOptions) ||
			end-i > MaxDepth-decoderDepth && jsonscan.Depth(p.B[i:end]) > MaxDepth-decoderDepth {
			return 0, ErrSlow
		}
	}
	return end, nil
}

// Str decodes the string at B[i]; null is "" (null reports it). Escapes and
// invalid UTF-8 (replaced by U+FFFD, as jsonx.Tolerant does) take the
// general decoder.
func (p *Parser) Str(i int) (s string, end int, null bool, err error) {
	if p.IsNull(i) {
		return "", i + len("null"), true, nil
	}
	if end, ok := jsonscan.PlainStringEnd(p.B, i); ok {
		return p.sub(i+1, end-1), end, false, nil
	}
	end, escaped, err := jsonscan.StringEnd(p.B, i)
	if err != nil {
		return "", 0, false, ErrSlow
	}
	s = p.sub(i+1, end-1)
	if escaped || !plain(s) {
		return p.slowString(i, end) // jsonv2 checks it
	}
	return s, end, false, nil
}

// slowString decodes the string B[i:end] with jsonv2.
func (p *Parser) slowString(i, end int) (string, int, bool, error) {
	var s string
	if err := jsonv2.Unmarshal(p.B[i:end], &s, jsonx.Tolerant); err != nil {
		return "", 0, false, ErrSlow
	}
	return s, end, false, nil
}

// SetString decodes a string (null is "") into *dst.
func SetString[S ~string](p *Parser, dst *S, i int) (int, error) {
	s, end, _, err := p.Str(i)
	*dst = S(s)
	return end, err
}

// Number returns the number (or null: "") at B[i] and the index after it.
func (p *Parser) Number(i int) (string, int, error) {
	if p.IsNull(i) {
		return "", i + len("null"), nil
	}
	j := numberEnd(p.B, i)
	if j < 0 {
		return "", 0, ErrSlow
	}
	return p.sub(i, j), j, nil
}

// numberEnd returns the index after the JSON number at b[i], or -1:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(b []byte, i int) int {
	digits := func(j int) int { // the index after the digits at b[j], or -1 if none
		k := j
		for k < len(b) && b[k] >= '0' && b[k] <= '9' {
			k++
		}
		if k == j {
			return -1
		}
		return k
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i = digits(i + 1); i < 0 {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i = digits(i); i < 0 {
			return -1
		}
	}
	return i
}

// SetInt decodes an integer (null is 0) into *dst.
func SetInt[N int | int64](p *Parser, dst *N, i int) (int, error) {
	s, end, err := p.Number(i)
	if err != nil {
		return 0, err
	}
	if s == "" { // null
		*dst = 0
		return end, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || int64(N(n)) != n {
		return 0, ErrSlow
	}
	*dst = N(n)
	return end, nil
}

// SetBool decodes a boolean (null is false) into *dst.
func (p *Parser) SetBool(dst *bool, i int) (int, error) {
	switch {
	case bytes.HasPrefix(p.B[i:], []byte("true")):
		*dst = true
		return i + len("true"), nil
	case bytes.HasPrefix(p.B[i:], []byte("false")):
		*dst = false
		return i + len("false"), nil
	case p.IsNull(i):
		*dst = false
		return i + len("null"), nil
	}
	return 0, ErrSlow
}

// SetSlice decodes null (nil) or an array into *dst, each element with elem
// (a zero element for null). The elements are appended to (*dst)[:0].
func SetSlice[E, C any](c C, p *Parser, dst *[]E, i int, elem func(C, *E, int) (int, error)) (int, error) {
	if p.IsNull(i) {
		*dst = nil
		return i + len("null"), nil
	}
	out := (*dst)[:0] // as jsonv2 does, the slice's room is reused
	if out == nil {
		out = []E{} // [] is an empty slice, not nil
		if j := p.Space(i + 1); j < len(p.B) && p.B[j] != ']' {
			out = make([]E, 0, 1)
		}
	}
	e := p.Elements(i)
	for e.Next() {
		var zero E
		out = append(out, zero)
		if p.IsNull(e.I) { // a zero element, as jsonv2 decodes it
			e.At(e.I+len("null"), nil)
			continue
		}
		e.At(elem(c, &out[len(out)-1], e.I))
	}
	*dst = out
	return e.End()
}

// SetStrings decodes null or an array of strings into *dst.
func (p *Parser) SetStrings(dst *[]string, i int) (int, error) {
	return SetSlice(p, p, dst, i, SetString[string])
}

// SetPtr decodes null (nil) or an object into *dst, with dec.
func SetPtr[E, C any](c C, p *Parser, dst **E, i int, dec func(C, *E, int) (int, error)) (int, error) {
	if p.IsNull(i) {
		*dst = nil
		return i + len("null"), nil
	}
	if *dst == nil { // a repeated member merges, as jsonv2 does
		*dst = new(E)
	}
	return dec(c, *dst, i)
}
