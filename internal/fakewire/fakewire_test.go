package fakewire

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDecodeObject(t *testing.T) {
	t.Parallel()
	m, err := DecodeObject([]byte(" "))
	require.NoError(t, err)
	assert.Empty(t, m)
	m, err = DecodeObject([]byte(`{"n":12345678901234567890}`))
	require.NoError(t, err)
	assert.Equal(t, json.Number("12345678901234567890"), m["n"], "numbers stay exact")
	for _, bad := range []string{`[]`, `null`, `{"a":1} {}`, `{`} {
		_, err := DecodeObject([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestReadBodyLimit(t *testing.T) {
	t.Parallel()
	b, err := ReadBody(httptest.NewRequest("POST", "/", strings.NewReader("12345")), 5)
	require.NoError(t, err)
	assert.Equal(t, "12345", string(b))
	_, err = ReadBody(httptest.NewRequest("POST", "/", strings.NewReader("123456")), 5)
	assert.Error(t, err)
}

func TestDeepCopySharesNothing(t *testing.T) {
	t.Parallel()
	in := map[string]any{"a": []any{map[string]any{"b": 1}}, "c": []map[string]any{{"d": 2}}, "e": []string{"f"}}
	out := CopyMap(in)
	out["a"].([]any)[0].(map[string]any)["b"] = 9
	out["c"].([]any)[0].(map[string]any)["d"] = 9
	out["e"].([]any)[0] = "g"
	assert.Equal(t, 1, in["a"].([]any)[0].(map[string]any)["b"])
	assert.Equal(t, 2, in["c"].([]map[string]any)[0]["d"])
	assert.Equal(t, "f", in["e"].([]string)[0])
	assert.Nil(t, CopyMap(nil))
}
