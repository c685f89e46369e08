// Package auth loads RSA signing keys, signs Paragon User Tokens (RS256) and
// caches them per user. It is internal to the paragon SDK.
package auth

import (
	"crypto/rsa"
	"errors"
	"time"
)

// ErrInvalidKey is returned (wrapped) for any unusable signing key.
var ErrInvalidKey = errors.New("invalid signing key")

// ParseKey normalises escaped "\n", decodes a PKCS#1 or PKCS#8 PEM RSA private
// key and refuses keys under 2048 bits. Errors never contain key material.
func ParseKey(pemBytes []byte) (*Key, error) { return nil, ErrInvalidKey }

// Key is an RSA signing key whose formatting (String, GoString, Format,
// LogValue, MarshalJSON) is redacted.
type Key struct {
	k *rsa.PrivateKey
}

// Public returns the public half (for verification in tests and paragontest).
func (k *Key) Public() *rsa.PublicKey { return &k.k.PublicKey }

// Claims are the inputs of one user token.
type Claims struct {
	Subject     string
	Audience    string // "useparagon.com/<projectID>"; empty = no aud claim
	IssuedAt    time.Time
	Expiry      time.Time
	Permissions map[string]any // claim "urn:useparagon:connect:permissions"; nil = absent
}

// Sign returns a compact RS256 JWT for c.
func (k *Key) Sign(c Claims) (string, error) { return "", ErrInvalidKey }

// Cache holds signed tokens per user: bounded, refreshes before expiry, one
// signature for concurrent first calls of the same user.
type Cache struct{}

// CacheConfig configures a Cache.
type CacheConfig struct {
	Key      *Key
	Audience string
	TTL      time.Duration // token lifetime
	MaxUsers int           // bound on cached users
	Now      func() time.Time
}

// NewCache returns a Cache.
func NewCache(cfg CacheConfig) *Cache { return &Cache{} }

// Token returns a valid token for userID, signing when needed.
func (c *Cache) Token(userID string) (string, error) { return "", ErrInvalidKey }

// Len reports the number of cached users.
func (c *Cache) Len() int { return 0 }
