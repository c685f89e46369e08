package paragon

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/paragon-go/paragon/internal/pathutil"
)

// CredentialStatus is the last-known state of a user's connected account.
// VALID can be stale: treat a third party's 401 as "reconnect needed".
type CredentialStatus string

// Credential statuses.
const (
	CredentialValid   CredentialStatus = "VALID"
	CredentialInvalid CredentialStatus = "INVALID"
	CredentialPending CredentialStatus = "PENDING"
)

// Credential is one connected account of a user (GET /sdk/credentials).
type Credential struct {
	// ID is the credential's UUID, the value of [WithCredential].
	ID                  string           `json:"id"`
	DateCreated         time.Time        `json:"dateCreated,omitzero"`
	DateUpdated         time.Time        `json:"dateUpdated,omitzero"`
	DateDeleted         *time.Time       `json:"dateDeleted,omitzero"`
	ProjectID           string           `json:"projectId,omitzero"`
	IntegrationID       string           `json:"integrationId,omitzero"`
	PersonaID           string           `json:"personaId,omitzero"`
	Config              CredentialConfig `json:"config,omitzero"`
	IsPreviewCredential bool             `json:"isPreviewCredential,omitzero"`
	ProviderID          string           `json:"providerId,omitzero"`
	ProviderData        map[string]any   `json:"providerData,omitzero"`
	Status              CredentialStatus `json:"status,omitzero"`
	DateRefreshed       *time.Time       `json:"dateRefreshed,omitzero"`
	DateValidUntil      *time.Time       `json:"dateValidUntil,omitzero"`
	RefreshFailureCount int              `json:"refreshFailureCount,omitzero"`
	IsRefreshing        bool             `json:"isRefreshing,omitzero"`
	ExternalID          string           `json:"externalId,omitzero"`
	Configurations      []Configuration  `json:"configurations,omitzero"`
	// AccountAuth holds the account's raw provider secrets (access tokens);
	// present only with ListCredentialsParams.IncludeAccountAuth. It prints
	// redacted.
	AccountAuth AccountAuth `json:"accountAuth,omitzero"`
	// Errors lists problems Paragon reported with an update, if any.
	Errors json.RawMessage `json:"errors,omitzero"`
}

// CredentialConfig holds a credential's settings.
type CredentialConfig struct {
	ConfiguredWorkflows map[string]WorkflowState `json:"configuredWorkflows,omitzero"`
	SharedSettings      map[string]any           `json:"sharedSettings,omitzero"`
	WorkflowSettings    map[string]any           `json:"workflowSettings,omitzero"`
}

// Configuration is one configuration of a credential.
type Configuration struct {
	ID                  string         `json:"id"`
	ConnectCredentialID string         `json:"connectCredentialId,omitzero"`
	IsDefault           bool           `json:"isDefault,omitzero"`
	ExternalID          string         `json:"externalId,omitzero"`
	ConfigMeta          map[string]any `json:"configMeta,omitzero"`
	SharedSettings      map[string]any `json:"sharedSettings,omitzero"`
	WorkflowSettings    map[string]any `json:"workflowSettings,omitzero"`
	DateCreated         time.Time      `json:"dateCreated,omitzero"`
}

// AccountAuth holds a connected account's provider secrets, such as
// OAUTH_ACCESS_TOKEN. Formatting, logging and JSON-encoding it print only its
// keys; read values with Get.
type AccountAuth struct {
	m map[string]any
}

// Get returns the value stored under key.
func (a AccountAuth) Get(key string) (any, bool) {
	v, ok := a.m[key]
	return v, ok
}

// Keys returns the stored keys, sorted.
func (a AccountAuth) Keys() []string { return slices.Sorted(maps.Keys(a.m)) }

// IsZero reports whether no account auth was returned.
func (a AccountAuth) IsZero() bool { return len(a.m) == 0 }

// UnmarshalJSON stores the secrets.
func (a *AccountAuth) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &a.m) }

// MarshalJSON encodes the keys with redacted values.
func (a AccountAuth) MarshalJSON() ([]byte, error) {
	red := make(map[string]string, len(a.m))
	for k := range a.m {
		red[k] = "REDACTED"
	}
	return json.Marshal(red)
}

// String prints the keys only.
func (a AccountAuth) String() string {
	return fmt.Sprintf("AccountAuth{keys: %v, values: REDACTED}", a.Keys())
}

// GoString is like String.
func (a AccountAuth) GoString() string { return a.String() }

// Format prints the redacted form for every verb.
func (a AccountAuth) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// LogValue is the redacted slog form.
func (a AccountAuth) LogValue() slog.Value { return slog.StringValue(a.String()) }

// ListCredentialsParams filters [User.ListCredentials].
type ListCredentialsParams struct {
	// Integration keeps only credentials of this integration type.
	Integration string
	// IncludeAccountAuth asks Paragon for the raw provider secrets
	// (Credential.AccountAuth). Leave it off unless you need them.
	IncludeAccountAuth bool
}

// ListCredentials returns the user's connected accounts (GET /sdk/credentials).
func (u *User) ListCredentials(ctx context.Context, p *ListCredentialsParams, opts ...CallOption) ([]Credential, error) {
	r := &apiRequest{svc: ServiceAPI, method: "GET", path: u.projectPath("/sdk/credentials"), template: "/sdk/credentials"}
	if p != nil {
		q := url.Values{}
		if p.Integration != "" {
			if err := pathutil.Integration(p.Integration); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
			}
			q.Set("integration", p.Integration)
		}
		if p.IncludeAccountAuth {
			q.Set("includeAccountAuth", "true")
		}
		if len(q) > 0 {
			r.query = q
		}
	}
	resp, err := u.do(ctx, r, opts)
	if err != nil {
		return nil, err
	}
	var list []Credential
	if err := decodeJSON(resp, "ListCredentials", &list); err != nil {
		return nil, err
	}
	return list, nil
}

// UpdateIntegrationUserSettings merges settings into the User Settings of the
// user's integrationType account and saves them (PATCH
// /sdk/credentials/{id} with {"config": {"sharedSettings": …}}). It reads the
// current settings first, so keys not in settings keep their values; a nil
// value clears a key. With several accounts choose one with [WithCredential]
// (and [WithConfiguration] for one configuration). It returns the updated
// credential.
func (u *User) UpdateIntegrationUserSettings(ctx context.Context, integrationType string, settings map[string]any, opts ...CallOption) (*Credential, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if err := pathutil.Integration(integrationType); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if len(settings) == 0 {
		return nil, invalid("no settings to update")
	}
	if _, err := marshalBody(settings); err != nil {
		return nil, err
	}
	cc, err := applyCallOptions(opts)
	if err != nil {
		return nil, err
	}
	creds, err := u.ListCredentials(ctx, &ListCredentialsParams{Integration: integrationType}, onlyAccountOptions(opts)...)
	if err != nil {
		return nil, err
	}
	cred, err := pickCredential(creds, integrationType, cc.credential)
	if err != nil {
		return nil, err
	}
	merged := map[string]any{}
	maps.Copy(merged, cred.Config.SharedSettings)
	for _, cfg := range cred.Configurations {
		if cfg.ID == cc.configuration || (cc.configuration == "" && cfg.IsDefault) {
			maps.Copy(merged, cfg.SharedSettings)
		}
	}
	maps.Copy(merged, settings)
	seg, err := pathutil.Segment("credential ID", cred.ID)
	if err != nil {
		return nil, fmt.Errorf("paragon: Paragon returned an unusable credential ID: %w", err)
	}
	body, err := marshalBody(map[string]any{"config": map[string]any{"sharedSettings": merged}})
	if err != nil {
		return nil, err
	}
	if cc.credential == "" {
		opts = append(slices.Clip(opts), WithCredential(cred.ID))
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "PATCH", path: u.projectPath("/sdk/credentials/" + seg),
		template: "/sdk/credentials/{credential}", rawBody: body, ctype: "application/json",
	}, opts)
	if err != nil {
		return nil, err
	}
	out := new(Credential)
	if len(resp.Body) == 0 {
		*out = cred
		out.Config.SharedSettings = merged
		return out, nil
	}
	if err := decodeJSON(resp, "UpdateIntegrationUserSettings", out); err != nil {
		return nil, err
	}
	return out, nil
}

// pickCredential chooses the credential a call acts on.
func pickCredential(creds []Credential, integrationType, want string) (Credential, error) {
	if want != "" {
		for _, c := range creds {
			if c.ID == want {
				return c, nil
			}
		}
		return Credential{}, fmt.Errorf("%w: the user has no %s credential %q", ErrNotFound, integrationType, want)
	}
	switch len(creds) {
	case 0:
		return Credential{}, fmt.Errorf("%w: the user has not connected %s", ErrIntegrationNotEnabled, integrationType)
	case 1:
		return creds[0], nil
	}
	return Credential{}, invalid("the user has %d %s accounts; choose one with WithCredential", len(creds), integrationType)
}
