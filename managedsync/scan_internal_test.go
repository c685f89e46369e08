package managedsync

import (
	"encoding/json"
	"testing"
)

func FuzzTopLevelIDs(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","externalId":"b"}`,
		` { "x" : {"id":"no"}, "id" : "yes\"q", "externalId":"\u00e9t\u00e9", "y":[1,{"id":"z"}],"z":null } `,
		`{"\u0069d":"escaped key","externalId":7}`,
		`{"id":"first","id":"second"}`,
		`{}`, `[]`, `null`, `"id"`, `{"a":"}\"{","id":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		var m map[string]any
		isObj := json.Unmarshal(b, &m) == nil && m != nil
		id, ext, ok := topLevelIDs(b)
		if ok != isObj {
			t.Fatalf("%s: ok %v, is object %v", b, ok, isObj)
		}
		if !ok {
			return
		}
		str := func(v any) string { s, _ := v.(string); return s }
		if id != str(m["id"]) || ext != str(m["externalId"]) {
			t.Fatalf("%s: got %q %q, want %q %q", b, id, ext, m["id"], m["externalId"])
		}
	})
}
