package paragon

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/paragon-go/paragon/internal/auth"
	"github.com/paragon-go/paragon/internal/jsonx"
)

// maxUserID bounds the user IDs the client signs tokens for.
const maxUserID = 1024

// User acts as one Connected User: every call is authenticated with that
// user's Paragon User Token. A User is cheap; it shares its Client's
// transport and token cache and is safe for concurrent use.
type User struct {
	c     *Client
	id    string
	token string // a token signed elsewhere (Authenticate); "" = the client signs
	err   error  // set when id is unusable: every call returns it

	variant auth.Variant // the audience, permissions and lifetime of its tokens (TokenOption)
}

// User returns a handle that acts as the Connected User id (your own user or
// company ID, the token's "sub"). Its token is signed on first use and cached.
// An empty or malformed id is reported by the first call, with
// [ErrInvalidInput], before any request is sent. opts shape the handle's
// tokens (e.g. [WithPermissions] for a least-privilege token); they are
// checked here and any error is reported by the first call as well.
func (c *Client) User(id string, opts ...TokenOption) *User {
	u := &User{c: c, id: id}
	switch err := checkUserID(id); {
	case err != nil:
		u.err = err
	case c.tokens == nil:
		u.err = fmt.Errorf("%w: %w", ErrInvalidInput, errNoSigningKey)
	case len(opts) > 0:
		u.variant, u.err = c.userTokenVariant(opts)
	}
	return u
}

// ID returns the Connected User's ID ("" for a nil *User).
func (u *User) ID() string {
	if u == nil {
		return ""
	}
	return u.id
}

// Client returns the client the user belongs to (nil for a nil *User).
func (u *User) Client() *Client {
	if u == nil {
		return nil
	}
	return u.c
}

func checkUserID(id string) error { return checkName("user ID", id, maxUserID) }

// authorize returns the Authorization header value for one attempt.
func (u *User) authorize(context.Context) (string, error) {
	if u.token != "" {
		return "Bearer " + u.token, nil
	}
	bearer, err := u.c.tokens.BearerFor(u.id, u.variant)
	if err != nil {
		return "", fmt.Errorf("signing user token: %w", err)
	}
	return bearer, nil
}

// The formatting methods have value receivers so that a dereferenced User
// (fmt.Print(*u)) is redacted too: it may hold a token from Authenticate.

// String describes the user without its token.
func (u User) String() string { return fmt.Sprintf("paragon.User{id: %q}", u.id) }

// GoString is like String, for %#v.
func (u User) GoString() string { return u.String() }

// Format prints the redacted description for every verb.
func (u User) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(u.String())) }

// LogValue is the user's slog representation, without its token.
func (u User) LogValue() slog.Value { return slog.GroupValue(slog.String("user", u.id)) }

// MarshalJSON encodes the user's ID only.
func (u User) MarshalJSON() ([]byte, error) { return json.Marshal(map[string]string{"id": u.id}) }

// Authenticate returns a User that acts with token, a Paragon User Token
// signed elsewhere (for example by another service, or Firebase/Auth0 tokens
// configured in Paragon). It checks the token's form and expiry locally,
// all three segments of it, before anything is sent (a malformed token fails
// with [ErrInvalidInput]), then asks Paragon (GET /sdk/me): a token Paragon
// refuses fails with [ErrUnauthorized].
func (c *Client) Authenticate(ctx context.Context, token string) (*User, error) {
	if c == nil {
		return nil, invalid("nil *paragon.Client")
	}
	sub, err := inspectToken(token, time.Now())
	if err != nil {
		return nil, err
	}
	u := &User{c: c, id: sub, token: token}
	st, err := u.GetUser(ctx)
	if err != nil {
		return nil, err
	}
	if !st.Authenticated {
		return nil, fmt.Errorf("%w: Paragon did not accept the token", ErrUnauthorized)
	}
	if st.UserID != "" {
		u.id = st.UserID
	}
	return u, nil
}

// maxTokenBytes bounds the tokens Authenticate accepts.
const maxTokenBytes = 16 << 10

// inspectToken checks a JWT's form without verifying its signature (only
// Paragon holds the public key) and returns its subject. All three segments
// are checked before anything is sent, because the token goes into the
// Authorization header as it is: each is non-empty, unpadded base64url
// (only A–Z, a–z, 0–9, '-' and '_', in its canonical encoding), the header
// and the claims are JSON objects, the header names RS256, and exp is in
// the future. Errors match ErrInvalidInput and never include the token.
func inspectToken(token string, now time.Time) (string, error) {
	if token == "" {
		return "", invalid("empty token")
	}
	if len(token) > maxTokenBytes {
		return "", invalid("token is %d bytes long", len(token))
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", invalid("token is not a signed JWT (want header.payload.signature)")
	}
	var segs [3][]byte
	for i, name := range [...]string{"header", "claims", "signature"} {
		b, err := decodeSegment(parts[i])
		if err != nil {
			return "", invalid("token %s: %v", name, err)
		}
		segs[i] = b
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if err := decodeObject(segs[0], &hdr); err != nil {
		return "", invalid("token header: %v", err)
	}
	if hdr.Alg != "RS256" {
		return "", invalid("token algorithm %q; Paragon User Tokens are RS256", hdr.Alg)
	}
	var claims struct {
		Sub string   `json:"sub"`
		ID  string   `json:"id"`
		Exp *float64 `json:"exp"`
	}
	if err := decodeObject(segs[1], &claims); err != nil {
		return "", invalid("token claims: %v", err)
	}
	sub := claims.Sub
	if sub == "" {
		sub = claims.ID
	}
	if err := checkUserID(sub); err != nil {
		return "", fmt.Errorf("token subject: %w", err)
	}
	if claims.Exp == nil {
		return "", invalid("token has no exp claim")
	}
	if exp := time.Unix(int64(*claims.Exp), 0); !now.Before(exp) {
		return "", fmt.Errorf("%w: %w: token expired at %s", ErrInvalidInput, ErrUnauthorized, exp.UTC().Format(time.RFC3339))
	}
	return sub, nil
}

// decodeSegment decodes one JWT segment: non-empty, unpadded base64url,
// canonical (no stray bits in the last character).
func decodeSegment(seg string) ([]byte, error) {
	if seg == "" {
		return nil, errors.New("empty")
	}
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, errors.New("not base64url (a character outside A-Z, a-z, 0-9, '-', '_')")
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil || len(b) == 0 {
		return nil, errors.New("not base64url")
	}
	return b, nil
}

// decodeObject decodes a JSON object (not null, an array or a string).
func decodeObject(b []byte, v any) error {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return errors.New("not a JSON object")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New("not a JSON object")
	}
	return nil
}

// UserState is a Connected User as Paragon sees it (GET /sdk/me).
type UserState struct {
	// Authenticated is false when Paragon did not accept the token; the other
	// fields are then empty.
	Authenticated bool `json:"authenticated"`
	// UserID is the token's subject.
	UserID string `json:"userId,omitzero"`
	// Meta is the user's metadata (see [User.SetUserMetadata]).
	Meta map[string]any `json:"meta,omitzero"`
	// Integrations maps an integration type ("close") to its state.
	Integrations map[string]IntegrationState `json:"integrations,omitzero"`
	// Resources lists the user's API Resources.
	Resources []Resource `json:"resources,omitzero"`
	// Project describes the project's plan features.
	Project ProjectInfo `json:"project,omitzero"`
	// Raw is the response as Paragon sent it, for fields not modelled here.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the state and keeps the raw JSON.
func (s *UserState) UnmarshalJSON(b []byte) error {
	if err := jsonx.Unmarshal(b, (*userStateJSON)(s)); err != nil {
		return err
	}
	s.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// userStateJSON is UserState without its UnmarshalJSON method.
type userStateJSON UserState

// IntegrationState is one integration's state for a user, an entry of
// GET /sdk/me's "integrations". Paragon lists every integration of the
// project there, connected or not; a never-connected one has Enabled false,
// no CredentialID and empty AllCredentials and ConfiguredWorkflows.
type IntegrationState struct {
	// Enabled is false when the user has not connected the integration or
	// its credential is INVALID.
	Enabled bool `json:"enabled"`
	// CredentialStatus is the last-known state of the current (default)
	// credential: VALID can be stale.
	CredentialStatus CredentialStatus `json:"credentialStatus,omitzero"`
	// CredentialID is the current (default) credential's UUID.
	CredentialID string         `json:"credentialId,omitzero"`
	ProviderID   string         `json:"providerId,omitzero"`
	ProviderData map[string]any `json:"providerData,omitzero"`
	// ConfiguredWorkflows is Paragon's deprecated view of the active
	// configuration's workflow settings; read
	// AllCredentials[].Configurations[].WorkflowSettings instead.
	ConfiguredWorkflows map[string]WorkflowState `json:"configuredWorkflows,omitzero"`
	// AllCredentials lists every connected account, each with its
	// configurations (where workflow enablement and settings live).
	AllCredentials []Credential `json:"allCredentials,omitzero"`
	// SharedSettings, WorkflowSettings, ConfigMeta, ExternalID and
	// CredentialConfigID describe the active configuration when Paragon
	// sends them at this level (it may not; the configurations in
	// AllCredentials always have them).
	SharedSettings     map[string]any           `json:"sharedSettings,omitzero"`
	WorkflowSettings   map[string]WorkflowState `json:"workflowSettings,omitzero"`
	ConfigMeta         map[string]any           `json:"configMeta,omitzero"`
	ExternalID         string                   `json:"externalId,omitzero"`
	CredentialConfigID string                   `json:"credentialConfigId,omitzero"`
}

// Credential returns the account with the given credential ID.
func (s IntegrationState) Credential(id string) (Credential, bool) {
	for _, c := range s.AllCredentials {
		if c.ID == id {
			return c, true
		}
	}
	return Credential{}, false
}

// WorkflowState is a workflow's enablement and settings in one
// configuration.
type WorkflowState struct {
	Enabled  bool           `json:"enabled"`
	Settings map[string]any `json:"settings,omitzero"`
}

// Resource is one of the user's User-Level API Resources (GET /sdk/me
// "resources"); connect one with [User.ConnectResource].
type Resource struct {
	ID               string           `json:"id"`
	Slug             string           `json:"slug,omitzero"`
	IntegrationID    string           `json:"integrationId,omitzero"`
	CredentialID     string           `json:"credentialId,omitzero"`
	CredentialStatus CredentialStatus `json:"credentialStatus,omitzero"`
}

// ProjectInfo describes the project and its plan.
type ProjectInfo struct {
	// ID is the project's UUID.
	ID string `json:"id,omitzero"`
	// BillingPlan is e.g. "pro" or "enterprise".
	BillingPlan string `json:"billingPlan,omitzero"`
	// AccessibleFeatures lists plan features such as "headless-cp" and
	// "user-metadata".
	AccessibleFeatures []string `json:"accessibleFeatures,omitzero"`
}

// HasFeature reports whether the project's plan includes feature.
func (p ProjectInfo) HasFeature(feature string) bool {
	for _, f := range p.AccessibleFeatures {
		if f == feature {
			return true
		}
	}
	return false
}

// GetUser returns the user's state: metadata and connected integrations
// (GET /sdk/me). When Paragon does not accept the token it answers 401, an
// error matching [ErrUnauthorized]; a body of {"authenticated": false} comes
// back as a UserState with Authenticated false.
//
// Docs: https://docs.useparagon.com/apis/users
func (u *User) GetUser(ctx context.Context, opts ...CallOption) (*UserState, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "GET", path: u.projectPath("/sdk/me"), template: "/sdk/me",
	}, opts)
	if err != nil {
		return nil, err
	}
	// Decoding without UnmarshalJSON saves it a second validation of the
	// body and a copy for Raw: the body is ours to keep.
	st := new(UserState)
	if len(resp.Body) == 0 || !fastUserState(resp.Body, st) {
		if err := decodeJSON(resp, "GetUser", (*userStateJSON)(st)); err != nil {
			return nil, err
		}
	}
	st.Raw = bytes.TrimSpace(resp.Body)
	if st.Authenticated {
		u.c.states.put(u.id, st.Raw, time.Now())
	}
	return st, nil
}

// maxMetadataBytes bounds the encoded metadata of SetUserMetadata.
const maxMetadataBytes = 256 << 10

// SetUserMetadata stores metadata on the user (PATCH /sdk/me with
// {"meta": …}). Needs the "user-metadata" plan feature.
//
// Keys are normalised as Paragon's browser SDK 2.4.0 does before sending:
// every key is trimmed of surrounding space, and a key that reads "name" or
// "email" in any case ("name", " EMAIL ") becomes "Name" or "Email", the
// case-sensitive keys Paragon's dashboard shows. Two keys that normalise to
// the same key (e.g. "name" and "Name"), and a key that is empty once
// trimmed, fail with [ErrInvalidInput] before anything is sent.
func (u *User) SetUserMetadata(ctx context.Context, meta map[string]any, opts ...CallOption) error {
	if err := u.usable(); err != nil {
		return err
	}
	if meta == nil {
		return invalid("nil metadata")
	}
	norm, err := normalizeMetadata(meta)
	if err != nil {
		return err
	}
	body, err := marshalBody(map[string]any{"meta": norm})
	if err != nil {
		return err
	}
	if len(body) > maxMetadataBytes {
		return invalid("metadata is %d bytes encoded (max %d)", len(body), maxMetadataBytes)
	}
	_, err = u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "PATCH", path: u.projectPath("/sdk/me"), template: "/sdk/me",
		rawBody: body, ctype: "application/json",
	}, opts)
	u.forget()
	return err
}

// normalizeMetadata trims the keys of meta and maps name/email (any case)
// to Name/Email.
func normalizeMetadata(meta map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(meta))
	from := make(map[string]string, len(meta))
	for k, v := range meta {
		nk := strings.TrimSpace(k)
		switch strings.ToLower(nk) {
		case "":
			return nil, invalid("metadata key %q is empty once trimmed", k)
		case "name":
			nk = "Name"
		case "email":
			nk = "Email"
		}
		if prev, dup := from[nk]; dup {
			a, b := prev, k
			if b < a {
				a, b = b, a
			}
			return nil, invalid("metadata keys %q and %q both become %q", a, b, nk)
		}
		from[nk] = k
		out[nk] = v
	}
	return out, nil
}
