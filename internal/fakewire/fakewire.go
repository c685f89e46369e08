// Package fakewire holds the request-reading helpers the fakes share
// (paragontest's fake Paragon and close/closetest's fake Close): they read
// what a client sends as plain JSON values, never through the SDK's types,
// so that each fake stays an independent check of the SDK.
package fakewire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// ReadBody reads r's body, at most max bytes.
func ReadBody(r *http.Request, max int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, errors.New("request body too large")
	}
	return b, nil
}

// DecodeObject decodes a JSON object body, keeping numbers as json.Number.
// An empty body decodes as an empty object.
func DecodeObject(b []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	if m == nil {
		return nil, errors.New("body is not a JSON object")
	}
	return m, nil
}

// DeepCopy copies JSON-like values (maps, slices, scalars) so that callers
// can't reach a fake's state.
func DeepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return CopyMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = DeepCopy(e)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = CopyMap(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	default:
		return v
	}
}

// CopyMap deep-copies m; nil stays nil.
func CopyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = DeepCopy(v)
	}
	return out
}
