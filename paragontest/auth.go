package paragontest

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// verifyToken checks the request's user token the way Paragon does and
// returns its subject, or a message saying why it is refused. The message is
// safe to send back: it never holds the token.
//
// Rules: "Authorization: Bearer <jwt>"; RS256 only, signed with the
// server's key; exp present and in the future; nbf, if present, passed; aud,
// if present, "useparagon.com/<projectID>"; sub a non-empty string.
func (s *Server) verifyToken(r *http.Request) (sub, problem string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", "Missing user token: send Authorization: Bearer <Paragon User Token>."
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", "Malformed Authorization header: want Bearer <Paragon User Token>."
	}
	tok = strings.TrimSpace(tok)
	if e, ok := s.verified.Load(tok); ok {
		if e := e.(verifiedToken); time.Now().Before(e.exp) {
			return e.sub, ""
		}
		s.verified.Delete(tok)
	}
	var claims jwt.MapClaims
	_, err := jwt.ParseWithClaims(tok, &claims, func(*jwt.Token) (any, error) {
		return &s.key.PublicKey, nil
	},
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(time.Now),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "", "User token expired."
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "", "User token has no exp claim."
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "", "User token signature is invalid: sign it with the project's signing key, RS256."
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "", "User token is not valid yet."
	case err != nil:
		return "", "User token is invalid."
	}
	aud, err := claims.GetAudience()
	if err != nil {
		return "", "User token has a malformed aud claim."
	}
	if len(aud) > 0 && !slices.Contains(aud, s.audience) {
		return "", "User token audience does not match this project."
	}
	sub, ok = claims["sub"].(string)
	if !ok || sub == "" {
		return "", "User token has no sub claim."
	}
	if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
		if s.verifiedN.Add(1) > maxVerified {
			s.verified.Clear()
			s.verifiedN.Store(0)
		}
		s.verified.Store(tok, verifiedToken{sub: sub, exp: exp.Time})
	}
	return sub, ""
}

// maxVerified bounds the cache of verified tokens.
const maxVerified = 100_000

// verifiedToken is a cached verification: RSA checks are slow enough to
// matter when a load test sends the same tokens thousands of times.
type verifiedToken struct {
	sub string
	exp time.Time
}

// UserToken returns a valid user token for userID, signed with the server's
// key: RS256 with sub, aud, iat and an exp one hour away. Use it with
// paragon's Client.Authenticate, or to call the server without package
// paragon. It panics if userID is empty.
func (s *Server) UserToken(userID string) string {
	if userID == "" {
		panic("paragontest: UserToken: empty user ID")
	}
	now := time.Now()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"sub": userID,
		"aud": s.audience,
		"iat": now.Add(-30 * time.Second).Unix(),
		"exp": now.Add(time.Hour).Unix(),
	})
	signed, err := t.SignedString(s.key)
	if err != nil {
		panic("paragontest: UserToken: " + err.Error()) // unreachable with an RSA key
	}
	return signed
}
