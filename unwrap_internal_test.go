package paragon

import (
	"bytes"
	"encoding/json"
	"strings"
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
	if trimmed[0] != '{' {
		return trimmed
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return trimmed
	}
	if v, ok := m["output"]; ok {
		return bytes.TrimSpace(v)
	}
	return trimmed
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
	`{"` + strings.Repeat("a", 80) + `":1,"output":{"id":7}}`,
	`{"Output":1}`,
	`{"\u006futput":3}`,
	`{"a":{"output":1}}`,
}

func TestUnwrapOutput(t *testing.T) {
	t.Parallel()
	for _, in := range unwrapSeeds {
		assert.Equal(t, string(unwrapOutputByDecoding([]byte(in))), string(unwrapOutput([]byte(in))), "body %q", in)
	}
	assert.Equal(t, `{"id":1}`, string(unwrapOutput([]byte(`{"output":{"id":1}}`))))
	assert.Equal(t, `{"id":7}`, string(unwrapOutput([]byte(`{"meta":{"requestId":"`+strings.Repeat("x", 100)+`"},"output":{"id":7}}`))), "output after 64 bytes")
	assert.Equal(t, `{"Output":1}`, string(unwrapOutput([]byte(`{"Output":1}`))), "the key is case-sensitive")
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
		// A valid body unwraps as decoding does. A malformed one may be
		// cut differently (unwrapOutput does not validate), but never into
		// valid JSON: decoding the output fails as decoding the body would.
		if json.Valid(body) || json.Valid(got) {
			if !bytes.Equal(got, want) {
				t.Fatalf("unwrapOutput(%q) = %q, decoding gives %q", body, got, want)
			}
		}
	})
}

// BenchmarkUnwrapOutput unwraps a 128 KiB page of Close leads, as the proxy
// does for every JSON answer: decoding the envelope into a json.RawMessage
// (scan, decode, copy) against unwrapOutput's single validity scan.
func BenchmarkUnwrapOutput(b *testing.B) {
	lead := `{"id":"lead_0000000000000000000001","name":"Acme Inc.","contacts":[{"id":"cont_1","emails":[{"email":"wile@acme.example.com","type":"office"}]}],` +
		`"addresses":[{"label":"business","address_1":"747 Howard St","city":"San Francisco","zipcode":"94103","country":"US"}],` +
		`"date_created":"2024-03-07T10:31:05.562000+00:00","custom.cf_v6S011I6MqcbVvB2FA5Nk8dr5MkL8sWuCiG8cUleO9c":"Enterprise"}`
	page := []byte(`{"output":{"data":[` + strings.Repeat(lead+",", 319) + lead + `],"has_more":true}}`)
	for _, bb := range []struct {
		name   string
		unwrap func([]byte) json.RawMessage
	}{{"impl=decode", unwrapOutputByDecoding}, {"impl=scan", unwrapOutput}} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				if out := bb.unwrap(page); len(out) < len(page)-20 {
					b.Fatal("not unwrapped")
				}
			}
		})
	}
}
