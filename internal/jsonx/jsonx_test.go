package jsonx

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestUnmarshalTolerant(t *testing.T) {
	t.Parallel()
	var v struct {
		A string `json:"a"`
		B []int  `json:"b"`
	}
	require.NoError(t, Unmarshal([]byte("{\"a\":\"x\",\"a\":\"y\xff\",\"b\":[1,2],\"c\":{}}"), &v))
	assert.Equal(t, "y\uFFFD", v.A)
	assert.Equal(t, []int{1, 2}, v.B)
}

func TestUnmarshalErrorsAreEncodingJSONs(t *testing.T) {
	t.Parallel()
	var v struct {
		A int `json:"a"`
	}
	var se *json.SyntaxError
	require.ErrorAs(t, Unmarshal([]byte(`{"a":`), &v), &se)
	require.ErrorAs(t, Unmarshal([]byte(`<html>`), &v), &se)
	var te *json.UnmarshalTypeError
	require.ErrorAs(t, Unmarshal([]byte(`{"a":"x"}`), &v), &te)
	assert.Equal(t, "a", te.Field)
}

// compatDoc has the kinds of fields callers' types have.
type compatDoc struct {
	Name    string            `json:"name"`
	Count   int               `json:"count,string"`
	Ratio   float64           `json:"ratio"`
	Tags    []string          `json:"tags"`
	Attrs   map[string]any    `json:"attrs"`
	Ptr     *compatInner      `json:"ptr"`
	Any     any               `json:"any"`
	Raw     json.RawMessage   `json:"raw"`
	Num     json.Number       `json:"num"`
	When    time.Time         `json:"when"`
	Method  compatMethod      `json:"method"`
	Ints    map[int]string    `json:"ints"`
	Bytes   []byte            `json:"bytes"`
	Nested  []compatInner     `json:"nested"`
	Strings map[string]string `json:"strings"`
	compatInner
}

type compatInner struct {
	Flag  bool   `json:"flag"`
	Inner string `json:"inner,omitempty"`
}

// compatMethod has an UnmarshalJSON method that sees the raw value.
type compatMethod struct{ Got string }

func (m *compatMethod) UnmarshalJSON(b []byte) error {
	m.Got = string(b)
	return nil
}

var compatSeeds = []string{
	`{"NAME":"x","Count":"12","ratio":1.5,"tags":["a",null],"attrs":{"k":[1,{"z":null}]},"ptr":{"flag":true},"any":1e3,` +
		`"raw":  {"a" : 1},"num":12.50,"when":"2025-09-04T14:22:09.518Z","method":[1, 2],"ints":{"1":"one"},"bytes":"aGk=",` +
		`"nested":[{"inner":"i"}],"strings":{"a":"b"},"flag":true,"Inner":"promoted","unknown":{"x":[]}}`,
	`{"name":"a","name":"b","tags":[],"ptr":null,"attrs":null}`,
	`{"name":"caf\u00e9 \ud83d\ude00","count":"x"}`, `{"count":12}`, `{"ratio":"1"}`, `{"when":"yesterday"}`,
	`{"bytes":"not base64"}`, `{"num":""}`, `{"num":"12.5e3"}`, `{"num":"promoted"}`, `{"num":null}`, `{"num":-0}`, `{"ints":{"x":"y"}}`, `{"name":1}`, `{"tags":{}}`, `null`, `[]`, `{}`, `{"name":"a"`,
	"{\"name\":\"bad \xff utf8\"}",
}

// TestUnmarshalCompatIsEncodingJSON checks UnmarshalCompat against
// encoding/json on the seeds: the same value, or an error from both (with
// encoding/json's error).
func TestUnmarshalCompatIsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range compatSeeds {
		checkCompat(t, []byte(s))
	}
}

func FuzzUnmarshalCompat(f *testing.F) {
	for _, s := range compatSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkCompat)
}

func checkCompat(t *testing.T, b []byte) {
	var got, want compatDoc
	errGot := UnmarshalCompat(b, &got)
	errWant := json.Unmarshal(b, &want)
	if (errGot == nil) != (errWant == nil) {
		t.Fatalf("%q: UnmarshalCompat error %v, encoding/json error %v", b, errGot, errWant)
	}
	if errWant != nil {
		if errGot.Error() != errWant.Error() {
			t.Fatalf("%q: error %q, want encoding/json's %q", b, errGot, errWant)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\ngot  %#v\nwant %#v", b, got, want)
	}
}
