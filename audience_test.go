package paragon_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

func TestUserAudience(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	assert.Equal(t, "useparagon.com/"+testProject, h.c.User("u1").Audience())
	assert.Empty(t, h.c.User("").Audience(), "unusable user")
	var nilUser *paragon.User
	assert.Empty(t, nilUser.Audience())
	assert.Equal(t, "example.com/x", h.c.User("u1", paragon.WithTokenAudience("example.com/x")).Audience())
	assert.Empty(t, h.c.User("u1", paragon.WithoutAudience()).Audience())

	h.on(http.MethodGet, apiBase+"/projects/"+testProject+"/sdk/me", 200, `{"authenticated":true,"userId":"u2"}`)
	now := time.Now()
	for name, tc := range map[string]struct {
		aud  any
		want string
	}{
		"none":   {nil, ""},
		"string": {"example.com/p", "example.com/p"},
		"array":  {[]any{"", "a/b", "c/d"}, "a/b"},
	} {
		claims := map[string]any{"sub": "u2", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
		if tc.aud != nil {
			claims["aud"] = tc.aud
		}
		u, err := h.c.Authenticate(context.Background(), signClaims(t, claims))
		require.NoError(t, err, name)
		assert.Equal(t, tc.want, u.Audience(), name)
	}
}
