package paragon

import (
	"fmt"
	"time"

	"github.com/paragon-go/paragon/internal/auth"
)

// TokenOption adjusts one token made by [Client.SignUserToken].
type TokenOption func(*tokenConfig) error

type tokenConfig struct {
	lifetime    time.Duration
	permissions map[string]any
}

// WithPermissions adds Paragon's JWT permissions claim
// ("urn:useparagon:connect:permissions"), a map of scope to permission, e.g.
// {"integration:*": true, "credential:*": []string{"credential:write"}}.
func WithPermissions(p map[string]any) TokenOption {
	return func(c *tokenConfig) error {
		if len(p) == 0 {
			return invalid("empty permissions")
		}
		c.permissions = p
		return nil
	}
}

// WithTokenDuration sets the lifetime of one token (default: the client's
// token lifetime).
func WithTokenDuration(d time.Duration) TokenOption {
	return func(c *tokenConfig) error {
		if d < time.Minute {
			return invalid("token lifetime %v is under one minute", d)
		}
		c.lifetime = d
		return nil
	}
}

// SignUserToken returns a new Paragon User Token for userID: an RS256 JWT
// with sub, iat, exp and aud ("useparagon.com/<projectID>"). Hand it to the
// browser SDK's paragon.authenticate() or Connect Portal. The token is a
// secret: don't log it.
func (c *Client) SignUserToken(userID string, opts ...TokenOption) (string, error) {
	if err := checkUserID(userID); err != nil {
		return "", err
	}
	if c.key == nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidInput, errNoSigningKey)
	}
	tc := tokenConfig{lifetime: c.lifetime}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&tc); err != nil {
			return "", err
		}
	}
	now := time.Now()
	tok, err := c.key.Sign(auth.Claims{
		Subject:     userID,
		Audience:    c.audience,
		IssuedAt:    now.Add(-auth.IssuedAtBackdate),
		Expiry:      now.Add(tc.lifetime),
		Permissions: tc.permissions,
	})
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return tok, nil
}
