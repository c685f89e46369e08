package bench

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/internal/auth"
)

// BenchmarkToken compares the two ways a call can get its user token: an
// RS256 signature per call (Client.SignUserToken) and a lookup in the token
// cache that Client.User's calls go through.
func BenchmarkToken(b *testing.B) {
	c := newSDK(b, newServer(b, meHandler()))
	cache := auth.NewCache(auth.CacheConfig{Key: key(b), Audience: "useparagon.com/" + projectID})
	_, err := cache.Token("user-1")
	require.NoError(b, err)

	compare(b, impl{"sign", func(b *testing.B) {
		loop(b, func() error {
			_, err := c.SignUserToken("user-1")
			return err
		})
	}}, impl{"cached", func(b *testing.B) {
		loop(b, func() error {
			_, err := cache.Token("user-1")
			return err
		})
	}})
}
