package paragon_test

import (
	"math"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

func nanValue() float64 { return math.NaN() }

// signClaims signs arbitrary claims with the test key.
func signClaims(t testing.TB, claims map[string]any) string {
	t.Helper()
	key, _ := signingKey(t)
	tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims)).SignedString(key)
	require.NoError(t, err)
	return tok
}
