package auth

import (
	"encoding/base64"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// PermissionsClaim is the JWT claim that restricts what a user token may do.
// See https://docs.useparagon.com/apis/api-reference/jwt-permissions.
const PermissionsClaim = "urn:useparagon:connect:permissions"

// rs256 is the one signing method Paragon accepts; shared by every Sign call.
var rs256 jwt.SigningMethod = jwt.SigningMethodRS256

// Claims are the inputs of one Paragon User Token.
// See https://docs.useparagon.com/getting-started/installing-the-connect-sdk.
type Claims struct {
	// Subject is the Connected User's ID (claim "sub"). Required; must be
	// valid UTF-8.
	Subject string
	// Audience is "useparagon.com/<projectID>" (claim "aud", encoded as a
	// single JSON string). Empty means no aud claim.
	Audience string
	// IssuedAt is the issue time (claim "iat", whole seconds). Required.
	IssuedAt time.Time
	// Expiry is the expiry time (claim "exp", whole seconds). Required and
	// after IssuedAt.
	Expiry time.Time
	// Permissions is the value of the claim
	// "urn:useparagon:connect:permissions". Nil leaves the claim out (the
	// token may do everything its subject may); a non-nil empty map sends {}.
	Permissions map[string]any
}

// tokenClaims is the JSON payload of a user token. Audience is a plain
// string, not jwt.ClaimStrings, so that it always encodes as "aud":"…" and
// never as a one-element array.
type tokenClaims struct {
	Subject     string         `json:"sub"`
	Audience    string         `json:"aud,omitempty"`
	IssuedAt    int64          `json:"iat"`
	Expiry      int64          `json:"exp"`
	Permissions map[string]any `json:"urn:useparagon:connect:permissions,omitzero"`
}

var _ jwt.Claims = (*tokenClaims)(nil)

// GetExpirationTime implements jwt.Claims.
func (c *tokenClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Expiry, 0)), nil
}

// GetIssuedAt implements jwt.Claims.
func (c *tokenClaims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.IssuedAt, 0)), nil
}

// GetNotBefore implements jwt.Claims.
func (c *tokenClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }

// GetIssuer implements jwt.Claims.
func (c *tokenClaims) GetIssuer() (string, error) { return "", nil }

// GetSubject implements jwt.Claims.
func (c *tokenClaims) GetSubject() (string, error) { return c.Subject, nil }

// GetAudience implements jwt.Claims.
func (c *tokenClaims) GetAudience() (jwt.ClaimStrings, error) {
	if c.Audience == "" {
		return nil, nil
	}
	return jwt.ClaimStrings{c.Audience}, nil
}

// Sign returns a compact RS256 JWT for c with the header
// {"alg":"RS256","typ":"JWT"} and the claims sub, aud (when set), iat, exp and
// the permissions claim (when Permissions is not nil).
//
// It fails with an error wrapping [ErrInvalidClaims] when Subject is empty or
// not UTF-8, IssuedAt or Expiry is zero, Expiry is not after IssuedAt (to the
// second), or Permissions does not encode as JSON; and with [ErrInvalidKey]
// for a nil Key. Sign is safe for concurrent use. It costs one RSA signature,
// about a millisecond for a 2048-bit key; use a [Cache] for repeated tokens.
func (k *Key) Sign(c Claims) (string, error) {
	if k == nil || k.k == nil {
		return "", fmt.Errorf("%w: no signing key", ErrInvalidKey)
	}
	switch {
	case c.Subject == "":
		return "", fmt.Errorf("%w: subject is empty", ErrInvalidClaims)
	case !utf8.ValidString(c.Subject):
		return "", fmt.Errorf("%w: subject is not valid UTF-8", ErrInvalidClaims)
	case !utf8.ValidString(c.Audience):
		return "", fmt.Errorf("%w: audience is not valid UTF-8", ErrInvalidClaims)
	case c.IssuedAt.IsZero():
		return "", fmt.Errorf("%w: issued-at time is not set", ErrInvalidClaims)
	case c.Expiry.IsZero():
		return "", fmt.Errorf("%w: expiry time is not set", ErrInvalidClaims)
	}
	iat, exp := c.IssuedAt.Unix(), c.Expiry.Unix()
	if exp <= iat {
		return "", fmt.Errorf("%w: expiry %s is not after issued-at %s", ErrInvalidClaims,
			c.Expiry.UTC().Format(time.RFC3339), c.IssuedAt.UTC().Format(time.RFC3339))
	}
	t := jwt.NewWithClaims(rs256, &tokenClaims{
		Subject:     c.Subject,
		Audience:    c.Audience,
		IssuedAt:    iat,
		Expiry:      exp,
		Permissions: c.Permissions,
	})
	signing, err := t.SigningString()
	if err != nil {
		// Only the permissions map can fail to encode (a channel, a func, NaN…).
		return "", fmt.Errorf("%w: encoding claims: %w", ErrInvalidClaims, err)
	}
	sig, err := rs256.Sign(signing, k.k)
	if err != nil {
		return "", fmt.Errorf("%w: RS256 signature failed: %w", ErrInvalidKey, err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
