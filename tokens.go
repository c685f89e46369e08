package paragon

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paragon-go/paragon/internal/auth"
)

// TokenOption adjusts the tokens made by [Client.SignUserToken] and
// [Client.IssueUserToken], or, given to [Client.User], every token the
// user handle signs and caches.
type TokenOption func(*tokenConfig) error

type tokenConfig struct {
	lifetime    time.Duration
	permissions map[string]any
	audience    string
	noAudience  bool
}

// WithPermissions adds Paragon's JWT permissions claim
// ("urn:useparagon:connect:permissions"), a map of scope to permission, e.g.
// {"integration:*": true, "credential:*": []string{"credential:write"}}.
// Build it with [NewPermissions] for checked scope names; a plain
// map[string]any is accepted too. It is validated (see
// [Permissions.Validate]) and copied, so later changes to p don't reach the
// token. Tokens with different permissions never share a cache entry.
//
// Docs: https://docs.useparagon.com/apis/api-reference/jwt-permissions
func WithPermissions(p Permissions) TokenOption {
	var (
		frozen map[string]any
		err    = invalid("empty permissions")
	)
	if len(p) > 0 {
		frozen, err = p.freeze() // now: later changes to p must not reach the token
	}
	return func(c *tokenConfig) error {
		if err != nil {
			return err
		}
		c.permissions = frozen
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

// WithTokenAudience sets the aud claim of the token, overriding the
// client's (see [WithAudience]).
func WithTokenAudience(aud string) TokenOption {
	return func(c *tokenConfig) error {
		if err := checkAudience(aud); err != nil {
			return err
		}
		c.audience, c.noAudience = aud, false
		return nil
	}
}

// WithoutAudience leaves the aud claim out of the token, as Paragon's older
// samples do. Managed Sync, the Permissions API and the Agent OS Context API
// refuse such tokens.
func WithoutAudience() TokenOption {
	return func(c *tokenConfig) error {
		c.audience, c.noAudience = "", true
		return nil
	}
}

func (c *Client) tokenConfig(opts []TokenOption) (tokenConfig, error) {
	tc := tokenConfig{lifetime: c.lifetime}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&tc); err != nil {
			return tc, err
		}
	}
	return tc, nil
}

// userTokenVariant turns the token options of a user handle into the
// variant its tokens are cached under.
func (c *Client) userTokenVariant(opts []TokenOption) (auth.Variant, error) {
	tc, err := c.tokenConfig(opts)
	if err != nil {
		return auth.Variant{}, err
	}
	ttl := tc.lifetime
	if ttl == c.lifetime {
		ttl = 0
	}
	v, err := auth.NewVariant(tc.audience, tc.noAudience, tc.permissions, ttl)
	if err != nil {
		return auth.Variant{}, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return v, nil
}

// UserToken is a signed Paragon User Token and when it expires. Its
// formatting (fmt, slog, encoding/json) never shows the token itself; use
// [UserToken.Value] to hand it to the browser.
type UserToken struct {
	value string
	// UserID is the token's subject.
	UserID string
	// IssuedAt is the token's iat (backdated a little for clock skew).
	IssuedAt time.Time
	// ExpiresAt is the token's exp, in whole seconds: refresh before it.
	ExpiresAt time.Time
}

// Value returns the token, for the browser SDK's paragon.authenticate() or
// an Authorization header. It is a secret: don't log it.
func (t UserToken) Value() string { return t.value }

// String describes the token without revealing it.
func (t UserToken) String() string {
	return fmt.Sprintf("paragon.UserToken{user: %q, expires: %s, redacted}", t.UserID, t.ExpiresAt.UTC().Format(time.RFC3339))
}

// GoString is like String, for %#v.
func (t UserToken) GoString() string { return t.String() }

// Format prints the redacted description for every verb.
func (t UserToken) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue is the token's slog representation, without the token.
func (t UserToken) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", t.UserID), slog.Time("expires", t.ExpiresAt))
}

// MarshalJSON encodes the user ID and the expiry only, never the token.
func (t UserToken) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		UserID    string    `json:"userId"`
		ExpiresAt time.Time `json:"expiresAt"`
	}{t.UserID, t.ExpiresAt.UTC()})
}

// IssueUserToken signs a new Paragon User Token for userID, like
// [Client.SignUserToken], and returns it with its expiry, so that a token
// endpoint can tell the browser when to ask for a new one.
func (c *Client) IssueUserToken(userID string, opts ...TokenOption) (UserToken, error) {
	if err := checkUserID(userID); err != nil {
		return UserToken{}, err
	}
	if c.key == nil {
		return UserToken{}, fmt.Errorf("%w: %w", ErrInvalidInput, errNoSigningKey)
	}
	tc, err := c.tokenConfig(opts)
	if err != nil {
		return UserToken{}, err
	}
	aud := c.audience
	switch {
	case tc.noAudience:
		aud = ""
	case tc.audience != "":
		aud = tc.audience
	}
	now := time.Now()
	iat, exp := now.Add(-auth.IssuedAtBackdate), now.Add(tc.lifetime)
	tok, err := c.key.Sign(auth.Claims{
		Subject:     userID,
		Audience:    aud,
		IssuedAt:    iat,
		Expiry:      exp,
		Permissions: tc.permissions,
	})
	if err != nil {
		return UserToken{}, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return UserToken{value: tok, UserID: userID, IssuedAt: time.Unix(iat.Unix(), 0), ExpiresAt: time.Unix(exp.Unix(), 0)}, nil
}

// SignUserToken returns a new Paragon User Token for userID: an RS256 JWT
// with sub, iat, exp and aud (see [WithAudience]; "useparagon.com/<projectID>"
// on the US cloud). Hand it to the browser SDK's paragon.authenticate() or
// Connect Portal. The token is a secret: don't log it. [Client.IssueUserToken]
// also returns its expiry.
func (c *Client) SignUserToken(userID string, opts ...TokenOption) (string, error) {
	t, err := c.IssueUserToken(userID, opts...)
	if err != nil {
		return "", err
	}
	return t.value, nil
}

// Scope is a key of the JWT permissions claim: what a permission applies
// to. More specific scopes override less specific ones.
type Scope string

// Scopes that cover every integration, credential or configuration.
const (
	AllIntegrations   Scope = "integration:*"
	AllCredentials    Scope = "credential:*" //nolint:gosec // G101: a scope name, not a credential
	AllConfigurations Scope = "configuration:*"
)

// Permission strings Paragon documents. The full list is not published;
// [Permissions.Allow] takes any permission string.
const (
	// PermissionActionKit lets a token call ActionKit when permissions are
	// in use.
	PermissionActionKit = "actionkit"
	// PermissionCredentialWrite lets a token change credentials.
	PermissionCredentialWrite = "credential:write" //nolint:gosec // G101: a permission name, not a credential
)

// IntegrationScope is the scope of one integration, by the type name the
// Connect SDK uses ("salesforce", "custom.acme").
func IntegrationScope(name string) Scope { return Scope("integration:" + name) }

// CredentialScope is the scope of one credential, by its UUID.
func CredentialScope(id string) Scope { return Scope("credential:" + id) }

// ConfigurationScope is the scope of one configuration, by the external ID
// it was created with ("configuration:ext:<externalID>").
func ConfigurationScope(externalID string) Scope {
	return Scope("configuration:ext:" + externalID)
}

// Permissions is the value of the JWT permissions claim: a map of scope to
// permission. A permission is true (everything), an array of permission
// strings (only those rights), false (blocked), or, under an integration,
// a nested Permissions. Build one with [NewPermissions]:
//
//	p := paragon.NewPermissions().
//		Allow(paragon.IntegrationScope("salesforce")).
//		Allow(paragon.AllCredentials, paragon.PermissionCredentialWrite).
//		Block(paragon.IntegrationScope("slack"))
//
// Its methods return the map they filled in; use the result (a nil
// Permissions gets a new map). Scope names are checked by
// [Permissions.Validate], which every token option calls before signing.
type Permissions map[string]any

// NewPermissions returns an empty Permissions to fill in.
func NewPermissions() Permissions { return Permissions{} }

// Allow grants s: everything when no rights are given (true), otherwise
// only the rights listed (an array of permission strings).
func (p Permissions) Allow(s Scope, rights ...string) Permissions {
	if p == nil {
		p = Permissions{}
	}
	if len(rights) == 0 {
		p[string(s)] = true
	} else {
		p[string(s)] = append([]string(nil), rights...)
	}
	return p
}

// Block denies s (false). Paragon documents that permissions can block
// whole categories (proxy calls, App Events, workflow triggers) but not the
// exact form; false for a scope is this SDK's reading.
func (p Permissions) Block(s Scope) Permissions {
	if p == nil {
		p = Permissions{}
	}
	p[string(s)] = false
	return p
}

// Nest puts inner under s, e.g. credential rules under one integration:
// {"integration:sharepoint": {"credential:<uuid>": true}}. Paragon's docs
// show nesting only in community code.
func (p Permissions) Nest(s Scope, inner Permissions) Permissions {
	if p == nil {
		p = Permissions{}
	}
	p[string(s)] = inner
	return p
}

// maxPermissionsDepth bounds nesting: one level of scopes under a scope.
const maxPermissionsDepth = 2

// Validate checks p: every key is a scope Paragon documents
// (integration:*, integration:<name>, credential:*, credential:<id>,
// configuration:*, configuration:ext:<externalID>) or a bare permission
// category such as "actionkit"; every value is true, false, a non-empty
// array of permission strings, or (one level deep) a nested map of scopes.
// Errors match [ErrInvalidInput] and name the key at fault.
func (p Permissions) Validate() error { return validatePermissions(p, 1) }

func validatePermissions(m map[string]any, depth int) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first bad key, deterministically
	for _, k := range keys {
		if err := checkScope(k); err != nil {
			return err
		}
		if err := checkPermissionValue(k, m[k], depth); err != nil {
			return err
		}
	}
	return nil
}

func checkScope(k string) error {
	if k == "" {
		return invalid("permissions: empty scope")
	}
	if len(k) > 512 || !utf8.ValidString(k) {
		return invalid("permissions: scope %.40q is not a short UTF-8 string", k)
	}
	for _, r := range k {
		if r < ' ' || r == 0x7f {
			return invalid("permissions: scope %q contains a control character", k)
		}
	}
	// Only an external ID (configuration:ext:<id>) may hold spaces.
	if !strings.HasPrefix(k, "configuration:ext:") && strings.ContainsRune(k, ' ') {
		return invalid("permissions: scope %q contains a space", k)
	}
	kind, arg, hasArg := strings.Cut(k, ":")
	switch kind {
	case "integration", "credential":
		if !hasArg || arg == "" {
			return invalid("permissions: scope %q names no %s; use %s:* or %s:<name>", k, kind, kind, kind)
		}
		if arg != "*" && strings.ContainsAny(arg, "*:") {
			return invalid("permissions: scope %q: only %s:* may use a wildcard", k, kind)
		}
	case "configuration":
		ext, hasExt := strings.CutPrefix(arg, "ext:")
		switch {
		case arg == "*":
		case hasExt && ext != "":
		default:
			return invalid("permissions: scope %q: want configuration:* or configuration:ext:<externalID>", k)
		}
	default:
		if hasArg || strings.Contains(k, "*") {
			return invalid("permissions: unknown scope %q; want integration:…, credential:…, configuration:… or a bare category such as actionkit", k)
		}
	}
	return nil
}

func checkPermissionValue(k string, v any, depth int) error {
	switch x := v.(type) {
	case bool:
		return nil
	case []string:
		return checkRights(k, x)
	case []any:
		rights := make([]string, len(x))
		for i, r := range x {
			s, ok := r.(string)
			if !ok {
				return invalid("permissions: %s: array element %d is %T; want permission strings", k, i, r)
			}
			rights[i] = s
		}
		return checkRights(k, rights)
	case Permissions:
		return checkNested(k, x, depth)
	case map[string]any:
		return checkNested(k, x, depth)
	case nil:
		return invalid("permissions: %s is null; use true, false or an array of permission strings", k)
	}
	return invalid("permissions: %s is %T; use true, false, an array of permission strings or nested scopes", k, v)
}

func checkNested(k string, m map[string]any, depth int) error {
	if depth >= maxPermissionsDepth {
		return invalid("permissions: %s nests scopes more than %d levels deep", k, maxPermissionsDepth)
	}
	if len(m) == 0 {
		return invalid("permissions: %s holds no scopes", k)
	}
	return validatePermissions(m, depth+1)
}

func checkRights(k string, rights []string) error {
	if len(rights) == 0 {
		return invalid("permissions: %s has an empty array; use false to block it", k)
	}
	for _, r := range rights {
		if r == "" || len(r) > 128 {
			return invalid("permissions: %s: empty or overlong permission string", k)
		}
		for _, c := range r {
			if c <= ' ' || c == 0x7f || c == '"' || c == '\\' {
				return invalid("permissions: %s: permission %q contains a space, quote or control character", k, r)
			}
		}
	}
	return nil
}

// freeze validates p and returns a deep copy whose values are their JSON
// encodings, so the claim can't change after the option was made.
func (p Permissions) freeze() (map[string]any, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(p))
	for k, v := range p {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, invalid("permissions: %s: %v", k, err)
		}
		out[k] = json.RawMessage(b)
	}
	return out, nil
}
