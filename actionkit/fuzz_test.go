package actionkit

import (
	"encoding/json"
	"testing"
)

// The decoders read what a server sends: they must never panic, and what
// they accept must be self-consistent.
func FuzzDecodeToolList(f *testing.F) {
	f.Add([]byte(`{"actions":{"close":[{"type":"function","function":{"name":"A","description":"d","parameters":{"type":"object"}}}]},"errors":[]}`))
	f.Add([]byte(`{"actions":{"close":[{"name":"A","title":"t","inputs":[]}]},"errors":["x",{"type":"hubspot","message":"m"},1]}`))
	f.Add([]byte(`{"tools":{"a":[{"function":null}]}}`))
	f.Add([]byte(`{"actions":{"a":[{"function":{"parameters":null}}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		l, err := decodeToolList(body)
		if err != nil {
			return
		}
		for _, tool := range l.Tools {
			if tool.Parameters != nil && !json.Valid(tool.Parameters) {
				t.Fatalf("invalid parameters kept: %q", tool.Parameters)
			}
			if tool.Raw != nil && !json.Valid(tool.Raw) {
				t.Fatalf("invalid raw entry: %q", tool.Raw)
			}
			_, _ = tool.Schema()
		}
	})
}

func FuzzSchema(f *testing.F) {
	f.Add([]byte(`{"type":["string","null"],"items":[{"type":"x"}],"properties":{"a":{"type":"object","items":{"type":"string"}}}}`))
	f.Add([]byte(`{"type":1,"enum":[1,"a",null],"default":{"x":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var s Schema
		if json.Unmarshal(body, &s) == nil && !json.Valid(s.Raw) {
			t.Fatalf("invalid raw schema kept: %q", s.Raw)
		}
	})
}

func FuzzDecodeTriggerEvent(f *testing.F) {
	f.Add([]byte(`{"eventId":"e","dateReceived":"2026-01-01T00:07:00.000Z","payload":{"id":1},"triggerSubscriptionMetadata":{"a":1}}`))
	f.Add([]byte(`{"eventId":"e","dateReceived":12,"payload":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := DecodeTriggerEvent(body)
		if err != nil {
			return
		}
		if ev.EventID == "" {
			t.Fatal("an event without eventId was accepted")
		}
		var v any
		_ = ev.DecodePayload(&v)
	})
}
