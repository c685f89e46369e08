package actionkit_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/actionkit"
)

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string]string{
		`plain text`: `plain text`,
		`{"message":"{\"error\":\"Field \\\"name\\\" is required\"}"}`: `Field "name" is required`,
		`{"message": 42}`:    `{"message": 42}`,
		`{not json`:          `{not json`,
		`{"error": "nope"}`:  `nope`,
		`  {"message":"x"} `: `x`,
	} {
		assert.Equal(t, want, actionkit.ErrorMessage(&paragon.Error{StatusCode: 400, Message: msg}), msg)
	}
	assert.Equal(t, "boom", actionkit.ErrorMessage(errors.New("boom")))
	assert.Empty(t, actionkit.ErrorMessage(nil))
	assert.Contains(t, actionkit.ErrorMessage(&paragon.Error{StatusCode: 502}), "502")
}
