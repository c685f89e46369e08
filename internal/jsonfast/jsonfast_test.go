package jsonfast

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestNumberGrammar checks numberEnd against encoding/json's grammar.
func TestNumberGrammar(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0", "-0", "1", "-12", "1.5", "1e5", "1E+5", "1e-05", "-0.0e0", "123456789012345678901234567890",
		"01", "+1", "1.", ".5", "-", "1e", "1e+", "--1", "1.5.5", "0x10", "1,"} {
		b := []byte(s)
		end := numberEnd(b, 0)
		valid := json.Valid(b)
		if valid {
			assert.Equal(t, len(b), end, s)
		} else {
			assert.NotEqual(t, len(b), end, s) // stops early or fails
		}
	}
}

// TestParserChecksGrammar decodes bad JSON without accepting it.
func TestParserChecksGrammar(t *testing.T) {
	t.Parallel()
	decode := func(s string, validate bool) error {
		p := &Parser{B: []byte(s), S: s, Validate: validate}
		m := p.Members(p.Space(0))
		for m.Next() {
			switch m.Key {
			case "s":
				var v string
				m.At(SetString(p, &v, m.I))
			case "n":
				var v int
				m.At(SetInt(p, &v, m.I))
			case "b":
				var v bool
				m.At(p.SetBool(&v, m.I))
			case "l":
				var v []string
				m.At(p.SetStrings(&v, m.I))
			default:
				m.At(p.Skip(m.I))
			}
		}
		end, err := m.End()
		if err == nil {
			err = p.End(end)
		}
		return err
	}
	assert.NoError(t, decode(` {"s":"a","n":-1,"b":true,"l":["x",null],"x":{"y":[1,2]}} `, true))
	for _, s := range []string{`{"s":"a",}`, `{"s":"a"} x`, `{"n":01}`, `{"b":tru}`, `{"b":nul}`, "{\"s\":\"\x01\"}", `{"s":"\x"}`,
		`{"l":["a",]}`, `{"l":["a" "b"]}`, `{"s" "a"}`, `{"x":[1,}`, `{"x":[1,,2]}`, `{"x":{"y":}}`, `{"x":"\u12"}`, `{`, `{"s":"a"`} {
		assert.ErrorIs(t, decode(s, true), ErrSlow, s)
	}
	assert.NoError(t, decode(`{"x":[1,,2]}`, false), "skipped values are checked only with Validate")
}

// TestSkipDepth: a skipped value may not nest deeper than the general
// decoder lets a whole text nest.
func TestSkipDepth(t *testing.T) {
	t.Parallel()
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, tc := range []struct {
		n  int
		ok bool
	}{{10, true}, {MaxDepth - decoderDepth, true}, {MaxDepth - decoderDepth + 1, false}, {MaxDepth + 5, false}} {
		s := `{"x":` + deep(tc.n) + `}`
		p := &Parser{B: []byte(s), S: s, Validate: true}
		_, err := p.Skip(len(`{"x":`))
		assert.Equal(t, tc.ok, err == nil, "depth %d", tc.n)
	}
}
