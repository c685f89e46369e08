package close

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/paragon-go/paragon"
)

// customPrefix starts every custom-field key on the wire.
const customPrefix = "custom."

// CustomFields holds an object's custom fields, keyed by custom field ID
// ("cf_…") without the "custom." prefix that the wire uses ("custom.cf_…":
// value; the keys are flattened and collected by the types' JSON methods).
// Values decode as string, json.Number, bool, []any or nil (null). A key
// written as "custom.cf_…" is accepted too.
//
// In an update, a nil value sends null and clears the field, and keys may end
// in ".add" or ".remove" to add or remove one value of a multi-value field;
// the update types' SetCustom, ClearCustom, AddCustom and RemoveCustom
// methods build such keys.
//
// See https://developer.close.com/api/resources/custom-fields.
type CustomFields map[string]any

// Value returns the raw value of custom field id.
func (c CustomFields) Value(id string) (any, bool) {
	v, ok := c[customID(id)]
	return v, ok
}

// Text returns custom field id as a string (false if missing or not a string).
func (c CustomFields) Text(id string) (string, bool) {
	s, ok := c[customID(id)].(string)
	return s, ok
}

// Float returns custom field id as a number (false if missing or not a number).
func (c CustomFields) Float(id string) (float64, bool) {
	return toFloat(c[customID(id)])
}

// Int returns custom field id as an integer (false if missing, not a number,
// or not a whole number in int64 range).
func (c CustomFields) Int(id string) (int64, bool) {
	switch v := c[customID(id)].(type) {
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 64)
		if err == nil {
			return n, true
		}
	case int:
		return int64(v), true
	case int64:
		return v, true
	}
	f, ok := toFloat(c[customID(id)])
	if !ok || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// List returns a multi-value custom field id as strings (false if missing
// or not a list of strings). A single string is returned as a one-item list.
func (c CustomFields) List(id string) ([]string, bool) {
	switch v := c[customID(id)].(type) {
	case string:
		return []string{v}, true
	case []string:
		return v, true
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// customID strips the wire prefix from a custom field key.
func customID(id string) string { return strings.TrimPrefix(id, customPrefix) }

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// setCustom stores key in *c, allocating the map.
func setCustom(c *CustomFields, key string, v any) {
	if *c == nil {
		*c = CustomFields{}
	}
	(*c)[customID(key)] = v
}

// appendCustom adds custom fields as flat "custom.<id>" keys, sorted, to
// the JSON object obj.
func appendCustom(obj []byte, c CustomFields) ([]byte, error) {
	if len(c) == 0 {
		return obj, nil
	}
	obj = bytes.TrimSpace(obj)
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return nil, errors.New("close: custom fields need a JSON object")
	}
	keys := make([]string, 0, len(c))
	for k := range c {
		if customID(k) == "" {
			return nil, fmt.Errorf("%w: close: empty custom field ID", paragon.ErrInvalidInput)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]byte, 0, len(obj)+32*len(c))
	out = append(out, obj[:len(obj)-1]...)
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		wire := customPrefix + customID(k)
		if seen[wire] {
			return nil, fmt.Errorf("%w: close: custom field %s given twice", paragon.ErrInvalidInput, wire)
		}
		seen[wire] = true
		v, err := json.Marshal(c[k])
		if err != nil {
			return nil, fmt.Errorf("%w: close: custom field %s: %w", paragon.ErrInvalidInput, wire, err)
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		name, _ := json.Marshal(wire)
		out = append(out, name...)
		out = append(out, ':')
		out = append(out, v...)
	}
	return append(out, '}'), nil
}

// decodeObject decodes a Close object into v (a method-less alias of the
// public type), its "custom.…" keys into custom and a copy of b into raw.
func decodeObject(b []byte, v any, custom *CustomFields, raw *json.RawMessage) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	if err := unmarshal(b, v); err != nil {
		return err
	}
	cf, err := scanCustom(b)
	if err != nil {
		return err
	}
	*custom = cf
	*raw = append(json.RawMessage(nil), b...)
	return nil
}

// encodeObject encodes v (a method-less alias) and flattens custom into it.
func encodeObject(v any, custom CustomFields) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return appendCustom(b, custom)
}
