package close

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/paragon-go/paragon/internal/jsonscan"
	"github.com/paragon-go/paragon/internal/jsonx"
)

// The close package decodes Close's answers with jsonv2 (see
// internal/jsonx): encoding/json validated a lead page's bytes again at
// every level that has an UnmarshalJSON method, nine or ten scans in all.
// The types' UnmarshalJSON methods stay for callers that use encoding/json.

// decoders decode the answers of the API: an object's Raw gets a copy of
// its bytes, and the objects nested in it decode with nested, whose Raw
// shares that copy instead of copying again. Leads, contacts and
// opportunities take objParser's one-pass path (fastdecode.go) first.
var decoders = newDecoderOptions(true)

type decoderOptions struct {
	topLevel, nested jsonv2.Options
	fast             bool // objParser first; false only to test it against reflection
}

func newDecoderOptions(fast bool) *decoderOptions {
	d := &decoderOptions{fast: fast}
	d.topLevel = jsonv2.JoinOptions(jsonx.Tolerant, jsonv2.WithUnmarshalers(d.objectUnmarshalers(false)))
	d.nested = jsonv2.JoinOptions(jsonx.Tolerant, jsonv2.WithUnmarshalers(d.objectUnmarshalers(true)))
	return d
}

// unmarshal decodes the JSON value b (an answer of the API) into v.
func unmarshal(b []byte, v any) error { return jsonx.Unmarshal(b, v, decoders.topLevel) }

// objectUnmarshalers decode the objects that keep Raw and Custom; with
// shared, Raw points into the bytes being decoded, which must be a copy
// that nothing else writes to.
func (d *decoderOptions) objectUnmarshalers(shared bool) *jsonv2.Unmarshalers {
	return jsonv2.JoinUnmarshalers(
		objectUnmarshaler(d, shared, (*objParser).lead, func(l *Lead) (any, *CustomFields, *json.RawMessage) {
			return (*leadJSON)(l), &l.Custom, &l.Raw
		}),
		objectUnmarshaler(d, shared, (*objParser).contact, func(c *Contact) (any, *CustomFields, *json.RawMessage) {
			return (*contactJSON)(c), &c.Custom, &c.Raw
		}),
		objectUnmarshaler(d, shared, (*objParser).opportunity, func(o *Opportunity) (any, *CustomFields, *json.RawMessage) {
			return (*opportunityJSON)(o), &o.Custom, &o.Raw
		}),
	)
}

// objectUnmarshaler decodes an S with fast (when d.fast) or, when fast gives
// up, through fields, which returns its method-less alias, its Custom and
// its Raw.
func objectUnmarshaler[S any](d *decoderOptions, shared bool, fast func(*objParser, *S, int) (int, error), fields func(*S) (any, *CustomFields, *json.RawMessage)) *jsonv2.Unmarshalers {
	return jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *S) error {
		val, err := dec.ReadValue() // validated: objParser relies on it
		if err != nil {
			return err
		}
		if val.Kind() == 'n' {
			return nil
		}
		if !shared {
			val = bytes.Clone(val)
		}
		if d.fast {
			saved := *v
			if whole(newObjParser(val), v, fast) {
				return nil
			}
			*v = saved
		}
		alias, custom, raw := fields(v)
		if err := jsonv2.Unmarshal(val, alias, d.nested); err != nil {
			return err
		}
		if *custom, err = scanCustom(val); err != nil {
			return err
		}
		*raw = json.RawMessage(val)
		return nil
	})
}

// scanCustom returns the "custom.…" keys of the JSON object b, prefix
// removed, in one forward pass over its top-level members: other values are
// skipped without being decoded. Numbers are kept as json.Number. The
// deprecated name-keyed "custom" object, and "custom.custom.…" keys (no
// Close field ID; as a Custom key such a name would be read back as the
// prefixed form of another), are left in Raw only.
func scanCustom(b []byte) (CustomFields, error) {
	if !bytes.Contains(b, []byte(`"custom.`)) {
		return nil, nil
	}
	var out CustomFields
	var err error
	serr := jsonscan.Members(b, func(rawKey []byte, escaped bool, value []byte) bool {
		if !bytes.HasPrefix(rawKey, []byte(`"custom.`)) {
			return true
		}
		key := string(rawKey[1 : len(rawKey)-1])
		if escaped {
			if err = json.Unmarshal(rawKey, &key); err != nil {
				return false
			}
		}
		id, _ := strings.CutPrefix(key, customPrefix)
		if id == "" || strings.HasPrefix(id, customPrefix) {
			return true
		}
		var v any
		if v, err = customValue(value); err != nil {
			err = fmt.Errorf("close: custom field %s: %w", id, err)
			return false
		}
		if out == nil {
			out = make(CustomFields, 4)
		}
		out[id] = v
		return true
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// customValue decodes one custom-field value: strings without escapes,
// numbers (as json.Number), booleans and null directly, anything else with
// encoding/json (numbers as json.Number).
func customValue(v []byte) (any, error) {
	switch c := v[0]; {
	case c == '"':
		if bytes.IndexByte(v[1:len(v)-1], '\\') < 0 {
			return string(v[1 : len(v)-1]), nil
		}
	case c == '-' || c >= '0' && c <= '9':
		return json.Number(v), nil
	case c == 't':
		return true, nil
	case c == 'f':
		return false, nil
	case c == 'n':
		return nil, nil
	case c == '[':
		if l, ok := stringList(v, ""); ok {
			return l, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// stringList decodes a JSON array of strings without escapes (the usual
// multi-value custom field) as []any; ok is false for anything else. When
// vs holds v's bytes, the strings are substrings of it.
func stringList(v []byte, vs string) ([]any, bool) {
	out := make([]any, 0, 4)
	i := jsonscan.SkipSpace(v, 1)
	if i < len(v) && v[i] == ']' {
		return out, true
	}
	for i < len(v) {
		if v[i] != '"' {
			return nil, false
		}
		end, escaped, err := jsonscan.StringEnd(v, i)
		if err != nil || escaped {
			return nil, false
		}
		if vs != "" {
			out = append(out, vs[i+1:end-1])
		} else {
			out = append(out, string(v[i+1:end-1]))
		}
		i = jsonscan.SkipSpace(v, end)
		if i >= len(v) {
			return nil, false
		}
		switch v[i] {
		case ']':
			return out, true
		case ',':
			i = jsonscan.SkipSpace(v, i+1)
		default:
			return nil, false
		}
	}
	return nil, false
}
