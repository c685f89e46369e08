package auth

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testAudience = "useparagon.com/4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3"

// segments splits a compact JWT and decodes its header and payload.
func segments(t *testing.T, tok string) (header, payload []byte) {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	payload, err = base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	return header, payload
}

func TestSignRoundTrip(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	iat := time.Now().Add(-30 * time.Second).Truncate(time.Second)
	exp := iat.Add(time.Hour)
	perms := map[string]any{
		"integration:*": true,
		"credential:*":  []any{"credential:write"},
	}
	tok, err := k.Sign(Claims{
		Subject:     "acct-1042",
		Audience:    testAudience,
		IssuedAt:    iat.Add(900 * time.Millisecond), // sub-second parts are dropped
		Expiry:      exp.Add(900 * time.Millisecond),
		Permissions: perms,
	})
	require.NoError(t, err)

	header, payload := segments(t, tok)
	assert.JSONEq(t, `{"alg":"RS256","typ":"JWT"}`, string(header))
	assert.Equal(t, `{"alg":"RS256","typ":"JWT"}`, string(header), "header bytes")
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(payload, &raw))
	assert.Len(t, raw, 5)
	assert.Equal(t, `"`+testAudience+`"`, string(raw["aud"]), "aud must be a single string, not an array")
	assert.Equal(t, `"acct-1042"`, string(raw["sub"]))
	assert.Regexp(t, `^[0-9]+$`, string(raw["iat"]), "iat must be integer seconds")
	assert.Regexp(t, `^[0-9]+$`, string(raw["exp"]), "exp must be integer seconds")

	parsed, err := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithAudience(testAudience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	).Parse(tok, func(*jwt.Token) (any, error) { return k.Public(), nil })
	require.NoError(t, err)
	require.True(t, parsed.Valid)
	mc := parsed.Claims.(jwt.MapClaims)
	sub, err := mc.GetSubject()
	require.NoError(t, err)
	assert.Equal(t, "acct-1042", sub)
	gotIat, err := mc.GetIssuedAt()
	require.NoError(t, err)
	assert.Equal(t, iat.Unix(), gotIat.Unix())
	gotExp, err := mc.GetExpirationTime()
	require.NoError(t, err)
	assert.Equal(t, exp.Unix(), gotExp.Unix())
	aud, err := mc.GetAudience()
	require.NoError(t, err)
	assert.Equal(t, jwt.ClaimStrings{testAudience}, aud)
	assert.Equal(t, perms, mc[PermissionsClaim])
}

func TestSignOptionalClaims(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	base := Claims{Subject: "u-1", IssuedAt: epoch, Expiry: epoch.Add(time.Hour)}
	tests := []struct {
		name        string
		audience    string
		permissions map[string]any
		want        string
	}{
		{"no aud, no permissions", "", nil,
			`{"sub":"u-1","iat":1767225600,"exp":1767229200}`},
		{"aud", "useparagon.com/p", nil,
			`{"sub":"u-1","aud":"useparagon.com/p","iat":1767225600,"exp":1767229200}`},
		{"empty permissions are sent", "", map[string]any{},
			`{"sub":"u-1","iat":1767225600,"exp":1767229200,"urn:useparagon:connect:permissions":{}}`},
		{"permissions", "", map[string]any{"integration:salesforce": true},
			`{"sub":"u-1","iat":1767225600,"exp":1767229200,"urn:useparagon:connect:permissions":{"integration:salesforce":true}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := base
			c.Audience, c.Permissions = tt.audience, tt.permissions
			tok, err := k.Sign(c)
			require.NoError(t, err)
			_, payload := segments(t, tok)
			assert.Equal(t, tt.want, string(payload))
		})
	}
}

func TestSignRejectsBadClaims(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	ok := Claims{Subject: "u", IssuedAt: epoch, Expiry: epoch.Add(time.Hour)}
	tests := []struct {
		name   string
		change func(*Claims)
		want   string
	}{
		{"empty subject", func(c *Claims) { c.Subject = "" }, "subject is empty"},
		{"subject not UTF-8", func(c *Claims) { c.Subject = "u\xff" }, "not valid UTF-8"},
		{"audience not UTF-8", func(c *Claims) { c.Audience = "\xfe" }, "not valid UTF-8"},
		{"no issued-at", func(c *Claims) { c.IssuedAt = time.Time{} }, "issued-at time is not set"},
		{"no expiry", func(c *Claims) { c.Expiry = time.Time{} }, "expiry time is not set"},
		{"expiry equals issued-at", func(c *Claims) { c.Expiry = c.IssuedAt }, "is not after issued-at"},
		{"expiry before issued-at", func(c *Claims) { c.Expiry = c.IssuedAt.Add(-time.Hour) }, "is not after issued-at"},
		{"expiry in the same second", func(c *Claims) { c.Expiry = c.IssuedAt.Add(500 * time.Millisecond) }, "is not after issued-at"},
		{"permissions not JSON", func(c *Claims) { c.Permissions = map[string]any{"x": math.NaN()} }, "encoding claims"},
		{"permissions with a channel", func(c *Claims) { c.Permissions = map[string]any{"x": make(chan int)} }, "encoding claims"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ok
			tt.change(&c)
			tok, err := k.Sign(c)
			require.ErrorIs(t, err, ErrInvalidClaims)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, tok)
		})
	}
}

func TestSignConcurrent(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	errs := make(chan error, 8)
	for range cap(errs) {
		go func() {
			tok, err := k.Sign(Claims{Subject: "u", IssuedAt: epoch, Expiry: time.Now().Add(time.Hour)})
			if err == nil {
				_, _, err = Verify(k.Public(), tok, "", time.Now())
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		require.NoError(t, <-errs)
	}
}
