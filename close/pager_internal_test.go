package close

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScanPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in           string
		items, conts int
		data         string
	}{
		{`{"data": [], "has_more": false}`, 0, 2, `[]`},
		{`{"data": [ {"a": [1, 2]}, {"b": "x,]"} ], "cursor": null}`, 2, 5, `[ {"a": [1, 2]}, {"b": "x,]"} ]`},
		{`{"x": {"data": [1, 2, 3]}, "data": [1]}`, 1, 4, `[1]`},
		{`{"dat\"a": [1, 2], "data": ["a\\", "b"]}`, 2, 3, `["a\\", "b"]`},
		{`{"has_more": true, "data": [[], [], []]}`, 3, 5, `[[], [], []]`},
		{`[{"data": [1]}]`, 0, 3, ``},
		{`{"data": "no"}`, 0, 1, ``},
	}
	for _, tt := range tests {
		p := scanPage([]byte(tt.in))
		assert.Equal(t, tt.items, p.items, tt.in)
		assert.Equal(t, tt.conts, p.containers, tt.in)
		assert.Equal(t, tt.data, string(p.data), tt.in)
	}
}

// FuzzScanPage checks the scan against encoding/json: for any valid JSON
// object with one plain "data" array, the scan counts its items exactly.
func FuzzScanPage(f *testing.F) {
	for _, s := range []string{`{"data": [{}, {}], "has_more": true}`, `{"data": []}`, `{"cursor": "x", "data": [[1], "a"]}`, `{"data": [{"data": [1, 2]}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := scanPage(b)
		if p.items < 0 || p.containers < 0 || p.items > len(b) {
			t.Fatalf("bad counts %+v", p)
		}
		var page struct {
			Data []json.RawMessage `json:"data"`
		}
		if json.Unmarshal(b, &page) != nil || bytes.Count(b, []byte(`"data"`)) != 1 || bytes.Contains(b, []byte(`\`)) {
			return
		}
		var top map[string]json.RawMessage
		if json.Unmarshal(b, &top) != nil || top["data"] == nil || bytes.TrimSpace(top["data"])[0] != '[' {
			return
		}
		if p.items != len(page.Data) {
			t.Fatalf("scan counted %d items, json %d: %s", p.items, len(page.Data), b)
		}
	})
}
