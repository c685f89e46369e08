package jsonx

import (
	"encoding/json"
	"testing"

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
