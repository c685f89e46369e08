package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValueEnd(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{
		`"abc",`:                 5,
		`"a\"b"x`:                6,
		`"a\\"x`:                 5,
		`"a\\\"b"x`:              8,
		`{"a":[1,"]}"],"b":{}}x`: 21,
		`123,`:                   3,
		`true}`:                  4,
		`null`:                   4,
		`[]`:                     2,
	} {
		got, err := ValueEnd([]byte(in), 0)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{``, `"abc`, `{"a":1`, `[`, `,`, `"\"`} {
		_, err := ValueEnd([]byte(in), 0)
		assert.ErrorIs(t, err, ErrSyntax, in)
	}
}

func TestMembers(t *testing.T) {
	t.Parallel()
	in := ` { "a" : 1 , "b\"c":{"x":"}"}, "d":[1,2] ,"e":"f"} `
	var keys, vals []string
	require.NoError(t, Members([]byte(in), func(k []byte, esc bool, v []byte) bool {
		var key string
		require.NoError(t, json.Unmarshal(k, &key))
		assert.Equal(t, key == `b"c`, esc)
		keys = append(keys, key)
		vals = append(vals, string(v))
		return true
	}))
	assert.Equal(t, []string{"a", `b"c`, "d", "e"}, keys)
	assert.Equal(t, []string{"1", `{"x":"}"}`, "[1,2]", `"f"`}, vals)
	require.NoError(t, Members([]byte(`{}`), func([]byte, bool, []byte) bool { t.Fatal("called"); return true }))
	for _, bad := range []string{`[]`, `{"a"}`, `{"a":1 "b":2}`, `{"a":1,`, `{`} {
		assert.ErrorIs(t, Members([]byte(bad), func([]byte, bool, []byte) bool { return true }), ErrSyntax, bad)
	}
}

// FuzzMembers checks the scanner never panics and agrees with
// encoding/json on the keys of valid objects.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a\\":"\"","b":[{}]}`, `{"custom.cf_x":["a","b"]}`, `{`, `{"a":}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want map[string]json.RawMessage
		valid := json.Unmarshal(b, &want) == nil && want != nil
		got := map[string]json.RawMessage{}
		err := Members(b, func(k []byte, _ bool, v []byte) bool {
			var key string
			if json.Unmarshal(k, &key) == nil {
				got[key] = v
			}
			return true
		})
		if valid {
			if err != nil {
				t.Fatalf("Members(%q): %v", b, err)
			}
			if len(got) != len(want) {
				t.Fatalf("Members(%q): %d keys, want %d", b, len(got), len(want))
			}
		}
	})
}

// TestStringEndWords checks the word-at-a-time scans at every offset of a
// quote, backslash, control and non-ASCII byte, against a byte loop.
func TestStringEndWords(t *testing.T) {
	t.Parallel()
	for n := 0; n < 20; n++ {
		for _, c := range []byte{'"', '\\', 0x01, 0x1f, 0x20, 0x7f, 0x80, 0xff, 'a'} {
			for k := 0; k <= n; k++ {
				body := []byte(strings.Repeat("x", n))
				if k < n {
					body[k] = c
				}
				b := append(append([]byte{'"'}, body...), '"', ' ', '"', '"')
				want, wantOK := -1, true
				for j := 1; j < len(b); j++ {
					if b[j] == '\\' {
						wantOK = false
						break
					}
					if b[j] == '"' {
						want = j + 1
						break
					}
					if b[j] < 0x20 || b[j] >= 0x80 {
						wantOK = false
					}
				}
				end, escaped, err := StringEnd(b, 0)
				if want > 0 {
					assert.NoError(t, err)
					assert.Equal(t, want, end, "%q", b)
					assert.False(t, escaped, "%q", b)
				} else {
					assert.True(t, escaped || err != nil, "%q", b)
				}
				pend, ok := PlainStringEnd(b, 0)
				assert.Equal(t, wantOK && want > 0, ok, "%q", b)
				if ok {
					assert.Equal(t, want, pend, "%q", b)
				}
			}
		}
	}
}
