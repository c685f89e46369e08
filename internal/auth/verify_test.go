package auth

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// craft builds a compact JWT from a raw header and claims with any signing
// method and key, including ones Sign would never use.
func craft(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return tok
}

// craftNone builds an unsigned token with the given alg header value.
func craftNone(t *testing.T, alg string, claims jwt.MapClaims) string {
	t.Helper()
	h, err := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
	require.NoError(t, err)
	c, err := json.Marshal(claims)
	require.NoError(t, err)
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(c) + "."
}

func TestVerify(t *testing.T) {
	t.Parallel()
	k, other := testKeys(t)
	now := epoch
	claims := func(extra map[string]any) jwt.MapClaims {
		c := jwt.MapClaims{
			"sub": "user-1",
			"aud": testAudience,
			"iat": now.Add(-30 * time.Second).Unix(),
			"exp": now.Add(time.Hour).Unix(),
		}
		for name, v := range extra {
			if v == nil {
				delete(c, name)
			} else {
				c[name] = v
			}
		}
		return c
	}
	rs := func(c jwt.MapClaims) string { return craft(t, jwt.SigningMethodRS256, k.k, c) }
	pubDER, err := x509.MarshalPKIXPublicKey(k.Public())
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	signed, err := k.Sign(Claims{
		Subject: "user-1", Audience: testAudience,
		IssuedAt: now.Add(-30 * time.Second), Expiry: now.Add(time.Hour),
		Permissions: map[string]any{"integration:*": true},
	})
	require.NoError(t, err)

	valid := []struct {
		name     string
		token    string
		audience string
	}{
		{"from Sign", signed, testAudience},
		{"audience not checked", signed, ""},
		{"token without aud", rs(claims(map[string]any{"aud": nil})), testAudience},
		{"aud array containing the audience", rs(claims(map[string]any{"aud": []string{"x", testAudience}})), testAudience},
		{"no iat", rs(claims(map[string]any{"iat": nil})), testAudience},
		{"iat within leeway", rs(claims(map[string]any{"iat": now.Add(59 * time.Second).Unix()})), testAudience},
		{"extra claims", rs(claims(map[string]any{"payload": map[string]any{"a": 1}})), testAudience},
	}
	for _, tt := range valid {
		t.Run("accepts "+tt.name, func(t *testing.T) {
			t.Parallel()
			sub, got, err := Verify(k.Public(), tt.token, tt.audience, now)
			require.NoError(t, err)
			assert.Equal(t, "user-1", sub)
			assert.Equal(t, "user-1", got["sub"])
		})
	}
	_, got, err := Verify(k.Public(), signed, testAudience, now)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"integration:*": true}, got[PermissionsClaim])
	assert.InDelta(t, float64(now.Add(time.Hour).Unix()), got["exp"], 0)

	invalid := []struct {
		name     string
		token    string
		audience string
		now      time.Time
		want     string
		sentinel error
	}{
		{"forged with another key", craft(t, jwt.SigningMethodRS256, other.k, claims(nil)), testAudience, now,
			"signature is invalid", jwt.ErrTokenSignatureInvalid},
		{"tampered payload", signed[:len(signed)-2] + "AA", testAudience, now,
			"signature is invalid", jwt.ErrTokenSignatureInvalid},
		{"expired", signed, testAudience, now.Add(time.Hour),
			"expired", jwt.ErrTokenExpired},
		{"long expired", signed, testAudience, now.Add(48 * time.Hour),
			"expired", jwt.ErrTokenExpired},
		{"wrong audience", signed, "useparagon.com/other-project", now,
			"aud does not match", jwt.ErrTokenInvalidAudience},
		{"aud array without the audience", rs(claims(map[string]any{"aud": []string{"x"}})), testAudience, now,
			"aud does not match", jwt.ErrTokenInvalidAudience},
		{"aud of the wrong type", rs(claims(map[string]any{"aud": 42})), testAudience, now,
			"aud does not match", jwt.ErrTokenInvalidAudience},
		{"aud array of the wrong type", rs(claims(map[string]any{"aud": []any{testAudience, 42}})), testAudience, now,
			"aud is not a string", jwt.ErrTokenInvalidAudience},
		{"no exp", rs(claims(map[string]any{"exp": nil})), testAudience, now,
			"exp is missing", jwt.ErrTokenRequiredClaimMissing},
		{"iat in the future", rs(claims(map[string]any{"iat": now.Add(61 * time.Second).Unix()})), testAudience, now,
			"issued in the future", jwt.ErrTokenUsedBeforeIssued},
		{"nbf in the future", rs(claims(map[string]any{"nbf": now.Add(time.Minute).Unix()})), testAudience, now,
			"not valid yet", jwt.ErrTokenNotValidYet},
		{"no sub", rs(claims(map[string]any{"sub": nil})), testAudience, now,
			"sub is missing", jwt.ErrTokenInvalidSubject},
		{"empty sub", rs(claims(map[string]any{"sub": ""})), testAudience, now,
			"sub is missing", jwt.ErrTokenInvalidSubject},
		{"alg none", craftNone(t, "none", claims(nil)), testAudience, now,
			"algorithm is not RS256", jwt.ErrTokenSignatureInvalid},
		{"alg none via golang-jwt", craft(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)), testAudience, now,
			"algorithm is not RS256", jwt.ErrTokenSignatureInvalid},
		{"alg None", craftNone(t, "None", claims(nil)), testAudience, now,
			"unknown algorithm", jwt.ErrTokenUnverifiable},
		{"HS256 keyed with the public key PEM", craft(t, jwt.SigningMethodHS256, pubPEM, claims(nil)), testAudience, now,
			"algorithm is not RS256", jwt.ErrTokenSignatureInvalid},
		{"HS256 keyed with the public key DER", craft(t, jwt.SigningMethodHS256, pubDER, claims(nil)), testAudience, now,
			"algorithm is not RS256", jwt.ErrTokenSignatureInvalid},
		{"PS256", craft(t, jwt.SigningMethodPS256, k.k, claims(nil)), testAudience, now,
			"algorithm is not RS256", jwt.ErrTokenSignatureInvalid},
		{"RS512", craft(t, jwt.SigningMethodRS512, k.k, claims(nil)), testAudience, now,
			"algorithm is not RS256", jwt.ErrTokenSignatureInvalid},
		{"empty", "", testAudience, now, "token is empty", nil},
		{"garbage", "eyJnot.a.token", testAudience, now, "malformed", jwt.ErrTokenMalformed},
		{"two segments", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0", testAudience, now, "malformed", jwt.ErrTokenMalformed},
		{"bad JSON header", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"`)) + ".e30.", testAudience, now,
			"malformed", jwt.ErrTokenMalformed},
	}
	for _, tt := range invalid {
		t.Run("rejects "+tt.name, func(t *testing.T) {
			t.Parallel()
			sub, got, err := Verify(k.Public(), tt.token, tt.audience, tt.now)
			require.Error(t, err)
			assert.Empty(t, sub)
			assert.Nil(t, got)
			require.ErrorIs(t, err, ErrInvalidToken)
			if tt.sentinel != nil {
				require.ErrorIs(t, err, tt.sentinel)
			}
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "eyJ")
			if len(tt.token) > 8 {
				for _, part := range splitNonEmpty(tt.token) {
					assert.NotContains(t, err.Error(), part)
				}
			}
		})
	}

	t.Run("nil public key", func(t *testing.T) {
		t.Parallel()
		_, _, err := Verify(nil, signed, "", now)
		require.ErrorIs(t, err, ErrInvalidKey)
	})
}

func splitNonEmpty(tok string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(tok); i++ {
		if i == len(tok) || tok[i] == '.' {
			if i-start >= 6 {
				out = append(out, tok[start:i])
			}
			start = i + 1
		}
	}
	return out
}
