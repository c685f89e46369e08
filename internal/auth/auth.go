// Package auth loads RSA signing keys, signs Paragon User Tokens (RS256) and
// caches them per user. It is internal to the paragon SDK.
//
// The pieces, in the order a client uses them:
//
//   - [ParseKey] turns the PEM the Paragon dashboard hands out (PKCS#1 or
//     PKCS#8, possibly squeezed onto one line with literal "\n" escapes) into
//     a [Key]. Keys under 2048 bits are refused.
//   - [Key.Sign] signs one token from [Claims].
//   - [Cache] keeps one token per user, re-signs it before it expires, signs
//     once for concurrent first calls and stays within a fixed number of users.
//   - [Verify] checks a token the way Paragon would; paragontest and tests use it.
//
// Secrets never leak through formatting: [Key] and [Cache] print, log and
// marshal to a redacted form, and no error carries key material or a token.
//
// See https://docs.useparagon.com/getting-started/installing-the-connect-sdk
// for the token format and
// https://docs.useparagon.com/apis/api-reference/jwt-permissions for the
// permissions claim.
package auth

import (
	"errors"
	"time"
)

// ErrInvalidKey is returned (wrapped) for any unusable signing key: one that
// does not parse, is not RSA, is too short, is encrypted, or is missing.
// Messages that wrap it never contain key material.
var ErrInvalidKey = errors.New("invalid signing key")

// ErrInvalidClaims is returned (wrapped) by [Key.Sign] and [Cache.Token] when
// the claims cannot make a valid token: an empty subject, a missing or
// inverted time range, or a permissions value that does not encode as JSON.
var ErrInvalidClaims = errors.New("invalid token claims")

// ErrInvalidToken is returned (wrapped) by [Verify] for any token it refuses.
// Messages that wrap it never contain the token.
var ErrInvalidToken = errors.New("invalid user token")

const (
	// MinKeyBits is the smallest RSA modulus, in bits, that ParseKey and
	// GenerateKey accept.
	MinKeyBits = 2048

	// MaxKeyBits is the largest RSA modulus, in bits, that ParseKey and
	// GenerateKey accept. Larger keys only make every signature slower.
	MaxKeyBits = 16384

	// DefaultTTL is the token lifetime a Cache uses when CacheConfig.TTL is
	// zero or negative.
	DefaultTTL = time.Hour

	// MinTTL is the shortest token lifetime a Cache uses; a shorter
	// CacheConfig.TTL is raised to it. Callers that take a lifetime from users
	// should refuse values below it.
	MinTTL = time.Minute

	// DefaultMaxUsers is the number of users a Cache holds tokens for when
	// CacheConfig.MaxUsers is zero or negative.
	DefaultMaxUsers = 10_000

	// IssuedAtBackdate is how far before "now" a Cache sets a token's iat, so
	// that a server whose clock runs slightly behind still accepts it.
	IssuedAtBackdate = 30 * time.Second

	// MinRemaining is the least lifetime a token handed out by a Cache has
	// left.
	MinRemaining = 30 * time.Second
)
