package auth

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// IssuedAtLeeway is how far in the future a token's iat may lie before
// [Verify] refuses it, to absorb clock differences between signer and
// verifier.
const IssuedAtLeeway = 60 * time.Second

// tokenError is a Verify failure: its message is ours (never the token or a
// fragment of it), and it matches ErrInvalidToken and, when there is one, the
// golang-jwt sentinel that caused it (jwt.ErrTokenExpired, …).
type tokenError struct {
	reason string
	cause  error
}

func (e *tokenError) Error() string { return ErrInvalidToken.Error() + ": " + e.reason }

func (e *tokenError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrInvalidToken}
	}
	return []error{ErrInvalidToken, e.cause}
}

func invalidToken(reason string, cause error) error {
	return &tokenError{reason: reason, cause: cause}
}

// Verify checks token the way Paragon checks a user token and returns its
// subject and all of its claims (JSON numbers as float64). paragontest and
// tests use it.
//
// The token must be a compact JWT with alg RS256 (alg "none", HS256 keyed
// with the public key and every other algorithm are refused) whose signature
// verifies with pub. It must carry exp, and now must be before exp; nbf, when
// present, must not be after now; iat, when present, may be at most
// [IssuedAtLeeway] after now; sub must be a non-empty string. The aud claim
// is checked only when both the token has one and audience is not empty: it
// must then equal audience (or, as an array, contain it).
//
// Errors wrap [ErrInvalidToken] (and the matching golang-jwt sentinel, such
// as jwt.ErrTokenExpired, when there is one). They never contain the token.
func Verify(pub *rsa.PublicKey, token, audience string, now time.Time) (subject string, claims map[string]any, err error) {
	if pub == nil {
		return "", nil, fmt.Errorf("%w: no public key to verify with", ErrInvalidKey)
	}
	if token == "" {
		return "", nil, invalidToken("token is empty", nil)
	}
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{rs256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	mc := jwt.MapClaims{}
	parsed, err := p.ParseWithClaims(token, mc, func(t *jwt.Token) (any, error) {
		// WithValidMethods already limits alg to RS256; this makes the key
		// type match the method whatever the parser options say.
		if _, ok := t.Method.(*jwt.SigningMethodRSA); !ok {
			return nil, jwt.ErrTokenUnverifiable
		}
		return pub, nil
	})
	if err != nil {
		if parsed != nil && parsed.Method != nil && parsed.Method.Alg() != rs256.Alg() {
			return "", nil, invalidToken("algorithm is not RS256", jwt.ErrTokenSignatureInvalid)
		}
		return "", nil, classify(err)
	}
	if iat, err := mc.GetIssuedAt(); err != nil {
		return "", nil, invalidToken("iat is not a number", jwt.ErrTokenInvalidClaims)
	} else if iat != nil && iat.After(now.Add(IssuedAtLeeway)) {
		return "", nil, invalidToken("issued in the future (iat)", jwt.ErrTokenUsedBeforeIssued)
	}
	sub, err := mc.GetSubject()
	if err != nil || sub == "" {
		return "", nil, invalidToken("sub is missing or not a string", jwt.ErrTokenInvalidSubject)
	}
	if audience != "" {
		if _, has := mc["aud"]; has {
			aud, err := mc.GetAudience()
			if err != nil {
				return "", nil, invalidToken("aud is not a string or array of strings", jwt.ErrTokenInvalidAudience)
			}
			ok := false
			for _, a := range aud {
				ok = ok || a == audience
			}
			if !ok {
				return "", nil, invalidToken("aud does not match the project", jwt.ErrTokenInvalidAudience)
			}
		}
	}
	return sub, map[string]any(mc), nil
}

// classify turns a golang-jwt parse error into a tokenError with a fixed
// message: jwt's own messages can quote decoded fragments of the token.
func classify(err error) error {
	for _, c := range []struct {
		sentinel error
		reason   string
	}{
		{jwt.ErrTokenMalformed, "malformed token"},
		{jwt.ErrTokenUnverifiable, "unverifiable token (unknown algorithm)"},
		{jwt.ErrTokenSignatureInvalid, "signature is invalid"},
		{jwt.ErrTokenRequiredClaimMissing, "exp is missing"},
		{jwt.ErrTokenExpired, "token is expired"},
		{jwt.ErrTokenNotValidYet, "token is not valid yet (nbf)"},
		{jwt.ErrTokenInvalidClaims, "claims are invalid"},
	} {
		if errors.Is(err, c.sentinel) {
			return invalidToken(c.reason, c.sentinel)
		}
	}
	return invalidToken("token could not be verified", nil)
}
