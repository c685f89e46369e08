// Package jsonx is how the SDK decodes the JSON that servers send: with
// jsonv2 (github.com/go-json-experiment/json, the upstream of Go's
// encoding/json/v2, usable without a GOEXPERIMENT), made as lenient as
// encoding/json with what a server may send. jsonv2 validates while it
// decodes; encoding/json validates the input first and again at every
// level with an UnmarshalJSON method, which made decoding the SDK's typed
// answers several times slower than it needs to be (docs/PERFORMANCE.md).
package jsonx

import (
	"encoding/json"
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Tolerant accepts what encoding/json accepts of a server: duplicate names
// (the last one wins) and invalid UTF-8 (replaced by U+FFFD). Names match
// exactly, as the servers spell them.
var Tolerant = jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// Unmarshal decodes the JSON value b into v with Tolerant and opts. When
// jsonv2 fails, it decodes b again with encoding/json and returns what that
// says: the error callers know (*json.SyntaxError, *json.UnmarshalTypeError,
// an UnmarshalJSON method's error), or success where encoding/json is more
// lenient than jsonv2 still is. Only bad input pays for the second decode.
func Unmarshal(b []byte, v any, opts ...jsonv2.Options) error {
	var err error
	if len(opts) == 0 {
		err = jsonv2.Unmarshal(b, v, Tolerant)
	} else {
		err = jsonv2.Unmarshal(b, v, append([]jsonv2.Options{Tolerant}, opts...)...)
	}
	if err == nil {
		return nil
	}
	return json.Unmarshal(b, v)
}

// v1Semantics are encoding/json's rules on jsonv2's decoder (the options Go's
// own encoding/json uses when built on encoding/json/v2): for the caller's
// types, whose tags and methods were written for encoding/json.
// One difference is closed: jsonv2 takes any JSON string into a json.Number,
// encoding/json only one that holds a number.
var v1Semantics = jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(), jsonv2.WithUnmarshalers(
	jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, n *json.Number) error {
		if dec.PeekKind() != '"' {
			return jsonv2.SkipFunc
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		s := tok.String()
		if !isNumber(s) {
			return fmt.Errorf("jsonx: %q is not a number", s)
		}
		*n = json.Number(s)
		return nil
	})))

// isNumber reports whether s is a JSON number.
func isNumber(s string) bool {
	if s == "" || s[0] != '-' && (s[0] < '0' || s[0] > '9') {
		return false
	}
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil
}

// UnmarshalCompat decodes the JSON value b into v with encoding/json's
// semantics (case-insensitive names, UnmarshalJSON methods, …) on jsonv2's
// one-pass decoder. When that fails it decodes b again with encoding/json
// and returns what it says, as Unmarshal does. On failure v holds what the
// two decoded before they stopped, as it would after encoding/json alone:
// callers must not use it.
func UnmarshalCompat(b []byte, v any) error {
	// v1Semantics already allow what Tolerant allows.
	return Unmarshal(b, v, v1Semantics)
}
