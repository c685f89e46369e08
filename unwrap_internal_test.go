package paragon

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// unwrapOutputByDecoding is what unwrapOutput computes, written the plain
// way: decode the envelope into a json.RawMessage.
func unwrapOutputByDecoding(body []byte) json.RawMessage {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] != '{' || !bytes.Contains(trimmed[:min(len(trimmed), 64)], []byte(`"output"`)) {
		return trimmed
	}
	var env struct {
		Output json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(trimmed, &env); err != nil || env.Output == nil {
		return trimmed
	}
	return env.Output
}

var unwrapSeeds = []string{
	``,
	`  `,
	`[1]`,
	`{"id":1}`,
	`{"output":{"id":1}}`,
	` {"output": {"id": 1} } `,
	`{"output":null}`,
	`{"output":"x"}`,
	`{"output":[1,2]}`,
	`{"output":{"output":1}}`,
	`{"output":1,"x":2}`,
	`{"output":{"a":1},"b":{"c":2}}`,
	`{"x":2,"output":1}`,
	`{"output":1,"output":2}`,
	`{"output":}`,
	`{"output":1}}`,
	`{"output":{"a":"}"}}`,
	`{"output":"\"}"}`,
	`{"output": <html>}`,
}

func TestUnwrapOutput(t *testing.T) {
	t.Parallel()
	for _, in := range unwrapSeeds {
		assert.Equal(t, string(unwrapOutputByDecoding([]byte(in))), string(unwrapOutput([]byte(in))), "body %q", in)
	}
	assert.Equal(t, `{"id":1}`, string(unwrapOutput([]byte(`{"output":{"id":1}}`))))
}

// FuzzUnwrapOutput checks that the single-scan envelope check agrees with
// decoding the envelope.
func FuzzUnwrapOutput(f *testing.F) {
	for _, s := range unwrapSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want := unwrapOutputByDecoding(body)
		got := unwrapOutput(body)
		if !bytes.Equal(got, want) {
			t.Fatalf("unwrapOutput(%q) = %q, decoding gives %q", body, got, want)
		}
	})
}
