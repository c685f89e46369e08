package auth

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheVariantsNeverShareAnEntry(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	clock := newFakeClock(epoch)
	c := NewCache(CacheConfig{Key: k, Audience: testAudience, Now: clock.Now})
	signs := countSigns(c)

	mustVariant := func(aud string, noAud bool, p map[string]any, ttl time.Duration) Variant {
		v, err := NewVariant(aud, noAud, p, ttl)
		require.NoError(t, err)
		return v
	}
	variants := []struct {
		name     string
		v        Variant
		wantAud  any // nil: no aud claim
		wantPerm any
		wantTTL  time.Duration
	}{
		{"default", Variant{}, testAudience, nil, DefaultTTL},
		{"zero NewVariant is the default", mustVariant("", false, nil, 0), testAudience, nil, DefaultTTL},
		{"other audience", mustVariant("eu.paragon.so/p", false, nil, 0), "eu.paragon.so/p", nil, DefaultTTL},
		{"no audience", mustVariant("", true, nil, 0), nil, nil, DefaultTTL},
		{"permissions", mustVariant("", false, map[string]any{"integration:*": true}, 0), testAudience,
			map[string]any{"integration:*": true}, DefaultTTL},
		{"other permissions", mustVariant("", false, map[string]any{"integration:slack": true}, 0), testAudience,
			map[string]any{"integration:slack": true}, DefaultTTL},
		{"empty permissions", mustVariant("", false, map[string]any{}, 0), testAudience, map[string]any{}, DefaultTTL},
		{"lifetime", mustVariant("", false, nil, 10*time.Minute), testAudience, nil, 10 * time.Minute},
	}
	seen := map[string]string{}
	for _, tt := range variants {
		tok, err := c.TokenFor("user-1", tt.v)
		require.NoError(t, err, tt.name)
		sub, claims, err := Verify(k.Public(), tok, "", clock.Now())
		require.NoError(t, err, tt.name)
		assert.Equal(t, "user-1", sub)
		assert.Equal(t, tt.wantAud, claims["aud"], tt.name)
		assert.Equal(t, tt.wantPerm, claims[PermissionsClaim], tt.name)
		assert.InDelta(t, float64(epoch.Add(tt.wantTTL).Unix()), claims["exp"], 0, tt.name)
		if tt.name != "zero NewVariant is the default" {
			_, dup := seen[tok]
			assert.False(t, dup, "%s reused the token of another variant", tt.name)
		}
		seen[tok] = tt.name
	}
	n := signs.Load()
	assert.Equal(t, int64(len(variants)-1), n, "the zero NewVariant hits the default entry")

	// Each variant is cached on its own; an equal permissions map built
	// separately hits the same entry.
	for _, tt := range variants {
		_, err := c.TokenFor("user-1", tt.v)
		require.NoError(t, err)
	}
	_, err := c.TokenFor("user-1", mustVariant("", false, map[string]any{"integration:*": true}, 0))
	require.NoError(t, err)
	assert.Equal(t, n, signs.Load(), "cached per variant")

	// Invalidating one variant leaves the others.
	c.InvalidateFor("user-1", variants[4].v)
	_, err = c.TokenFor("user-1", variants[4].v)
	require.NoError(t, err)
	_, err = c.Token("user-1")
	require.NoError(t, err)
	assert.Equal(t, n+1, signs.Load())
}

func TestVariantErrors(t *testing.T) {
	t.Parallel()
	_, err := NewVariant("", false, map[string]any{"x": make(chan int)}, 0)
	require.ErrorIs(t, err, ErrInvalidClaims)
	_, err = NewVariant("", false, nil, time.Second)
	require.ErrorIs(t, err, ErrInvalidClaims)

	c, _, _ := newFakeCache(CacheConfig{})
	v, err := NewVariant("a", false, nil, 0)
	require.NoError(t, err)
	_, err = c.TokenFor("u\x00"+v.key, Variant{})
	require.ErrorIs(t, err, ErrInvalidClaims, "a NUL in a user ID could reach another variant's entry")
	_, err = c.TokenFor("", v)
	require.ErrorIs(t, err, ErrInvalidClaims)
}
