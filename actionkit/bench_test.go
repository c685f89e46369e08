package actionkit

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// benchToolList builds a GET /tools answer shaped like ActionKit's: nInteg
// integrations of nTools tools each, every tool with a JSON Schema of a
// dozen properties (about 1.3 KB), as CRM tools look.
func benchToolList(nInteg, nTools int) []byte {
	var b strings.Builder
	b.WriteString(`{"actions":{`)
	for i := range nInteg {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"integration%02d":[`, i)
		for j := range nTools {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"type":"function","function":{"name":"INTEGRATION%02d_TOOL_%03d","description":"Create or update a record of kind %d in the user's account; returns the record.","parameters":{"type":"object","properties":{`, i, j, j)
			for k := range 12 {
				if k > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `"field_%02d":{"type":"string","description":"Value of field %d, as the provider's API takes it (see its docs)."}`, k, k)
			}
			b.WriteString(`,"paginationParameters":{"type":"object","properties":{"pageCursor":{"type":"string"}}}},"required":["field_00","field_01"],"additionalProperties":false}}}`)
		}
		b.WriteByte(']')
	}
	b.WriteString(`},"errors":[]}`)
	return []byte(b.String())
}

// leanTools is what a hand-written client decodes into: the fields an agent
// uses, no raw copies, no sorting.
type leanTools struct {
	Actions map[string][]struct {
		Function struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
		} `json:"function"`
	} `json:"actions"`
	Errors []json.RawMessage `json:"errors"`
}

// BenchmarkListToolsDecode compares decoding a 20×40-tool answer (about 1
// MB) with the SDK's decoder and with the lean hand-written baseline, in
// interleaved rounds of the same run (see docs/PERFORMANCE.md).
func BenchmarkListToolsDecode(b *testing.B) {
	body := benchToolList(20, 40)
	for round := 1; round <= 6; round++ {
		b.Run(fmt.Sprintf("round=%d/impl=raw", round), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var v leanTools
				if err := json.Unmarshal(body, &v); err != nil {
					b.Fatal(err)
				}
				if len(v.Actions) != 20 {
					b.Fatal("short decode")
				}
			}
		})
		b.Run(fmt.Sprintf("round=%d/impl=sdk", round), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				l, err := decodeToolList(body)
				if err != nil {
					b.Fatal(err)
				}
				if len(l.Tools) != 800 {
					b.Fatal("short decode")
				}
			}
		})
	}
}
