package paragon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/paragon-go/paragon/internal/jsonx"
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
	// RefreshFailureCount is a count; a bool or null decodes as 0.
	RefreshFailureCount int             `json:"-"`
	IsRefreshing        bool            `json:"isRefreshing,omitzero"`
	ExternalID          string          `json:"externalId,omitzero"`
	Configurations      []Configuration `json:"configurations,omitzero"`
	// AccountAuth holds the account's raw provider secrets (access tokens);
	// present only with ListCredentialsParams.IncludeAccountAuth. It prints
	// redacted.
	AccountAuth AccountAuth `json:"accountAuth,omitzero"`
	// Errors lists problems Paragon reported with an update, if any.
	Errors json.RawMessage `json:"errors,omitzero"`
}

// UnmarshalJSON decodes a credential, tolerating a counter sent as a bool
// or null.
func (c *Credential) UnmarshalJSON(b []byte) error {
	w := credentialWire{credentialFields: (*credentialFields)(c)}
	if err := jsonx.Unmarshal(b, &w); err != nil {
		return err
	}
	w.finish(c)
	return nil
}

// ownRules are the rules the UnmarshalJSONFrom methods decode by, whatever
// the caller's decoder has (encoding/json's case-insensitive names, say):
// jsonv2's own, as UnmarshalJSON decodes with jsonx.
var ownRules = jsonv2.DefaultOptionsV2()

// UnmarshalJSONFrom decodes a credential from a jsonv2 token stream, as
// UnmarshalJSON does. jsonv2 (how the SDK decodes Paragon's answers, see
// internal/jsonx) would otherwise cut the credential out and decode it
// twice: a third of GetUser's decoding time.
func (c *Credential) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	w := credentialWire{credentialFields: (*credentialFields)(c)}
	if err := jsonv2.UnmarshalDecode(dec, &w, ownRules); err != nil {
		return err
	}
	w.finish(c)
	return nil
}

// credentialFields is Credential without its JSON methods.
type credentialFields Credential

// credentialWire is how both decoders read a credential: its fields, and
// the counter as it came.
type credentialWire struct {
	*credentialFields
	RefreshFailureCount jsontext.Value `json:"refreshFailureCount"`
}

// finish sets what the fields alone don't give. It writes to c, not through
// the embedded pointer, which a JSON null leaves nil.
func (w *credentialWire) finish(c *Credential) {
	c.RefreshFailureCount = flexCount(json.RawMessage(w.RefreshFailureCount))
}

// MarshalJSON encodes the credential (AccountAuth redacted).
func (c Credential) MarshalJSON() ([]byte, error) {
	type plain Credential
	return json.Marshal(struct {
		plain
		RefreshFailureCount int `json:"refreshFailureCount,omitzero"`
	}{plain(c), c.RefreshFailureCount})
}

// CredentialConfig holds a credential's own settings. Paragon deprecated
// them: configurations ([Credential].Configurations) hold the live state.
type CredentialConfig struct {
	ConfiguredWorkflows map[string]WorkflowState `json:"configuredWorkflows,omitzero"`
	SharedSettings      map[string]any           `json:"sharedSettings,omitzero"`
	WorkflowSettings    map[string]WorkflowState `json:"workflowSettings,omitzero"`
}

// Configuration is one configuration of a credential: a set of user
// settings and workflow enablements. Every credential has exactly one
// default configuration; more are made with [User.CreateConfiguration].
type Configuration struct {
	// ID is the configuration's UUID, the value of [WithConfiguration].
	ID                  string `json:"id"`
	ConnectCredentialID string `json:"connectCredentialId,omitzero"`
	// IsDefault marks the configuration calls use unless one is pinned.
	IsDefault bool `json:"isDefault,omitzero"`
	// ExternalID is the caller's label for the configuration.
	ExternalID string `json:"externalId,omitzero"`
	// ConfigMeta is Paragon's bookkeeping, or the meta set with
	// [User.UpdateConfiguration].
	ConfigMeta map[string]any `json:"configMeta,omitzero"`
	// SharedSettings are the integration-level user settings.
	SharedSettings map[string]any `json:"sharedSettings,omitzero"`
	// WorkflowSettings maps a workflow ID to its enablement and settings:
	// the state EnableWorkflow and DisableWorkflow change.
	WorkflowSettings map[string]WorkflowState `json:"workflowSettings,omitzero"`
	DateCreated      time.Time                `json:"dateCreated,omitzero"`
	DateUpdated      time.Time                `json:"dateUpdated,omitzero"`
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
	// (Credential.AccountAuth). Leave it off unless you need them; see
	// [User.GetIntegrationAccount].
	IncludeAccountAuth bool
}

// ListCredentials returns the user's connected accounts (GET
// /sdk/credentials, an array). With an Integration filter it sends GET
// /sdk/credentials?integration=<type>, which Paragon answers with one
// object (the integration record with the chosen account's providerData and
// accountAuth, spec §5.3.2), not an array: that answer comes back as one
// credential, completed from the user's state (GET /sdk/me, briefly cached)
// with its ID, status and configurations; pin the account with
// [WithCredential] when the user has several. An array answer is accepted
// too.
func (u *User) ListCredentials(ctx context.Context, p *ListCredentialsParams, opts ...CallOption) ([]Credential, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	r := &apiRequest{svc: ServiceAPI, method: "GET", path: u.projectPath("/sdk/credentials"), template: "/sdk/credentials"}
	integration := ""
	if p != nil {
		q := url.Values{}
		if p.Integration != "" {
			if err := pathutil.Integration(p.Integration); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
			}
			integration = p.Integration
			q.Set("integration", p.Integration)
		}
		if p.IncludeAccountAuth {
			q.Set("includeAccountAuth", "true")
		}
		if len(q) > 0 {
			r.query = q
		}
	}
	cc, err := applyCallOptions(opts)
	if err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, r, opts)
	if err != nil {
		return nil, err
	}
	body := bytes.TrimSpace(resp.Body)
	if len(body) == 0 || body[0] != '{' {
		var list []Credential
		if err := decodeJSON(resp, "ListCredentials", &list); err != nil {
			return nil, err
		}
		return list, nil
	}
	acct := new(IntegrationAccount)
	if err := decodeJSON(resp, "ListCredentials", acct); err != nil {
		return nil, err
	}
	if len(acct.Credentials) > 0 {
		if !acct.AccountAuth.IsZero() {
			// The secrets are the chosen account's: give them to it.
			chosen := cc.credential
			if chosen == "" {
				chosen = acct.CredentialID
			}
			for i := range acct.Credentials {
				if acct.Credentials[i].ID == chosen || len(acct.Credentials) == 1 {
					acct.Credentials[i].AccountAuth = acct.AccountAuth
					break
				}
			}
		}
		return acct.Credentials, nil
	}
	if acct.looksLikeCredential() {
		// A credential-shaped object (some deployments): decode it as one.
		var c Credential
		if err := decodeJSON(resp, "ListCredentials", &c); err != nil {
			return nil, err
		}
		return []Credential{c}, nil
	}
	if !acct.HasCredential && acct.AccountAuth.IsZero() {
		return []Credential{}, nil
	}
	cred := Credential{IntegrationID: acct.ID, ProviderData: acct.ProviderData, AccountAuth: acct.AccountAuth}
	if integration != "" {
		if a, ok := u.filteredAccount(ctx, integration, cc, opts); ok {
			cred = a
			if acct.ProviderData != nil {
				cred.ProviderData = acct.ProviderData
			}
			cred.AccountAuth = acct.AccountAuth
		} else if cc.credential != "" {
			cred.ID = cc.credential
		}
	}
	return []Credential{cred}, nil
}

// filteredAccount finds the credential a filtered GET /sdk/credentials
// answered for: the pinned one, the only one, or (with several) the one
// /sdk/me names as the integration's current credential, as Paragon picks
// it when no X-Paragon-Credential is sent.
func (u *User) filteredAccount(ctx context.Context, integration string, cc callConfig, opts []CallOption) (Credential, bool) {
	a, err := u.resolveAccount(ctx, integration, cc, false, opts)
	if err == nil {
		return a.cred, true
	}
	if cc.credential != "" {
		return Credential{}, false
	}
	st, err := u.state(ctx, false, opts)
	if err != nil {
		return Credential{}, false
	}
	is := st.Integrations[integration]
	return is.Credential(is.CredentialID)
}

// GetCredential returns one of the user's credentials by its UUID (GET
// /sdk/credentials/{id}), e.g. to check its status after an install.
func (u *User) GetCredential(ctx context.Context, credentialID string, opts ...CallOption) (*Credential, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	seg, err := pathutil.Segment("credential ID", credentialID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "GET", path: u.projectPath("/sdk/credentials/" + seg),
		template: "/sdk/credentials/{credential}",
	}, opts)
	if err != nil {
		return nil, err
	}
	out := new(Credential)
	if err := decodeJSON(resp, "GetCredential", out); err != nil {
		return nil, err
	}
	return out, nil
}

// IntegrationAccount is the answer of GET
// /sdk/credentials?integration=<type>: the integration record with the
// chosen account's provider data and, when asked for, its provider secrets
// (spec §5.3.2). It mirrors the browser SDK's getIntegrationAccount().
type IntegrationAccount struct {
	// ID is the integration's UUID (not a credential ID).
	ID         string `json:"id"`
	Type       string `json:"type,omitzero"`
	Name       string `json:"name,omitzero"`
	BrandColor string `json:"brandColor,omitzero"`
	// HasCredential reports whether the user connected the integration.
	HasCredential bool `json:"hasCredential,omitzero"`
	// ConnectedUserLimitOnDevCred is a count; a bool or null from older
	// servers decodes as 0.
	ConnectedUserLimitOnDevCred int  `json:"-"`
	ConnectedUserLimitReached   bool `json:"connectedUserLimitReached,omitzero"`
	NeedPreOAuthInputs          bool `json:"needPreOauthInputs,omitzero"`
	// ProviderData is the account's provider-specific data (e.g. an email
	// or, for SharePoint, webUrl).
	ProviderData map[string]any `json:"providerData,omitzero"`
	// AccountAuth holds the account's live provider secrets (e.g.
	// OAUTH_ACCESS_TOKEN, DOMAIN), present only when asked for and only for
	// some integrations. It prints, logs and encodes redacted; read values
	// with its Get method.
	AccountAuth AccountAuth `json:"accountAuth,omitzero"`
	// Credentials lists accounts when the server sends them with the
	// record (some deployments do).
	Credentials []Credential `json:"credentials,omitzero"`
	// CredentialID names the chosen account, when the server says which.
	CredentialID string `json:"credentialId,omitzero"`

	credentialShaped bool
}

// UnmarshalJSON decodes the record, tolerating a bool or null counter.
func (a *IntegrationAccount) UnmarshalJSON(b []byte) error {
	w := accountWire{accountFields: (*accountFields)(a)}
	if err := jsonx.Unmarshal(b, &w); err != nil {
		return err
	}
	w.finish(a)
	return nil
}

// UnmarshalJSONFrom decodes the record from a jsonv2 token stream, as
// UnmarshalJSON does.
func (a *IntegrationAccount) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	w := accountWire{accountFields: (*accountFields)(a)}
	if err := jsonv2.UnmarshalDecode(dec, &w, ownRules); err != nil {
		return err
	}
	w.finish(a)
	return nil
}

// accountFields is IntegrationAccount without its JSON methods.
type accountFields IntegrationAccount

// accountWire is how both decoders read the record: its fields, the
// counter as it came, and whether it is shaped like a credential.
type accountWire struct {
	*accountFields
	Limit         jsontext.Value `json:"connectedUserLimitOnDevCred"`
	Status        jsontext.Value `json:"status"`
	IntegrationID jsontext.Value `json:"integrationId"`
}

// finish sets what the fields alone don't give, writing to a (see
// credentialWire.finish).
func (w *accountWire) finish(a *IntegrationAccount) {
	a.ConnectedUserLimitOnDevCred = flexCount(json.RawMessage(w.Limit))
	a.credentialShaped = len(w.Status) > 0 && len(w.IntegrationID) > 0
}

// MarshalJSON encodes the record with AccountAuth redacted.
func (a IntegrationAccount) MarshalJSON() ([]byte, error) {
	type plain IntegrationAccount
	return json.Marshal(struct {
		plain
		Limit int `json:"connectedUserLimitOnDevCred"`
	}{plain(a), a.ConnectedUserLimitOnDevCred})
}

func (a *IntegrationAccount) looksLikeCredential() bool { return a.credentialShaped }

// IntegrationAccountParams adjusts [User.GetIntegrationAccount].
type IntegrationAccountParams struct {
	// IncludeAccountAuth asks Paragon for the account's live provider
	// secrets (IntegrationAccount.AccountAuth).
	IncludeAccountAuth bool
}

// GetIntegrationAccount returns the user's account of integrationType (GET
// /sdk/credentials?integration=<type>&includeAccountAuth=<bool>), pinned to
// one account with [WithCredential]; like the browser SDK's
// getIntegrationAccount(). With IncludeAccountAuth it vends the account's
// provider token, e.g. for a file picker in the browser: those are live
// third-party secrets. AccountAuth never appears in %v, logs, JSON or
// errors; hand a value on only to the user it belongs to.
func (u *User) GetIntegrationAccount(ctx context.Context, integrationType string, p *IntegrationAccountParams, opts ...CallOption) (*IntegrationAccount, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if err := pathutil.Integration(integrationType); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	q := url.Values{"integration": {integrationType}}
	if p != nil && p.IncludeAccountAuth {
		q.Set("includeAccountAuth", "true")
	} else {
		q.Set("includeAccountAuth", "false")
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "GET", path: u.projectPath("/sdk/credentials"), template: "/sdk/credentials",
		query: q,
	}, opts)
	if err != nil {
		return nil, err
	}
	body := bytes.TrimSpace(resp.Body)
	if len(body) > 0 && body[0] == '[' {
		// An array of credentials: take the (only, or pinned) one.
		var list []IntegrationAccount
		if err := decodeJSON(resp, "GetIntegrationAccount", &list); err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, notConnected(integrationType)
		}
		return &list[0], nil
	}
	out := new(IntegrationAccount)
	if err := decodeJSON(resp, "GetIntegrationAccount", out); err != nil {
		return nil, err
	}
	return out, nil
}

// flexCount reads a JSON number; a bool, null, string or garbage gives 0.
func flexCount(raw json.RawMessage) int {
	if n, err := strconv.Atoi(string(raw)); err == nil { // the usual 0
		if n >= 0 && n <= math.MaxInt32 {
			return n
		}
		return 0
	}
	var n json.Number
	if len(raw) == 0 || json.Unmarshal(raw, &n) != nil {
		return 0
	}
	if i, err := n.Int64(); err == nil && i >= 0 && i <= math.MaxInt32 {
		return int(i)
	}
	if f, err := n.Float64(); err == nil && f >= 0 && f <= math.MaxInt32 {
		return int(f)
	}
	return 0
}

// UpdateIntegrationUserSettings merges settings into the integration-level
// User Settings of the user's integrationType account and saves them, as
// the browser SDK does: PATCH /sdk/credentials/{credentialId} with
// {"config": {"sharedSettings": …}} and headers X-Paragon-Credential and
// X-Paragon-Configuration-Id. The merge starts from the chosen
// configuration's sharedSettings (the default configuration unless
// [WithConfiguration] pins one; not the deprecated credential-level
// config.sharedSettings), read from GET /sdk/me (briefly cached), so keys
// not in settings keep their values; a nil value clears a key. With several
// accounts choose one with [WithCredential]; otherwise the call fails with
// [ErrInvalidInput] naming them. It returns the updated credential.
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
	acct, err := u.resolveAccount(ctx, integrationType, cc, true, opts)
	if err != nil {
		return nil, err
	}
	merged := map[string]any{}
	maps.Copy(merged, acct.config.SharedSettings)
	maps.Copy(merged, settings)
	return u.patchCredentialConfig(ctx, "UpdateIntegrationUserSettings", acct, cc, map[string]any{"sharedSettings": merged}, opts)
}

// UpdateWorkflowUserSettings merges settings into the settings of workflow
// workflowID in the user's integrationType configuration and saves them, as
// the browser SDK does: PATCH /sdk/credentials/{credentialId} with
// {"config": {"workflowSettings": <the configuration's whole map, this
// workflow's settings merged>}} and headers X-Paragon-Credential and
// X-Paragon-Configuration-Id. Account and configuration are chosen as for
// [User.UpdateIntegrationUserSettings]. A workflow the configuration has no
// entry for fails with [ErrNotFound] before anything is sent (enable it
// first).
func (u *User) UpdateWorkflowUserSettings(ctx context.Context, integrationType, workflowID string, settings map[string]any, opts ...CallOption) (*Credential, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if err := pathutil.Integration(integrationType); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if _, err := pathutil.Segment("workflow ID", workflowID); err != nil {
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
	acct, err := u.resolveAccount(ctx, integrationType, cc, true, opts)
	if err != nil {
		return nil, err
	}
	cur, ok := acct.config.WorkflowSettings[workflowID]
	if !ok {
		return nil, fmt.Errorf("%w: configuration %s of %s has no workflow %q (enable it first)", ErrNotFound, acct.config.ID, integrationType, workflowID)
	}
	all := make(map[string]WorkflowState, len(acct.config.WorkflowSettings))
	maps.Copy(all, acct.config.WorkflowSettings)
	s := map[string]any{}
	maps.Copy(s, cur.Settings)
	maps.Copy(s, settings)
	all[workflowID] = WorkflowState{Enabled: cur.Enabled, Settings: s}
	return u.patchCredentialConfig(ctx, "UpdateWorkflowUserSettings", acct, cc, map[string]any{"workflowSettings": all}, opts)
}

// patchCredentialConfig sends PATCH /sdk/credentials/{id} {"config": cfg}
// with the account's headers.
func (u *User) patchCredentialConfig(ctx context.Context, what string, acct account, cc callConfig, cfg map[string]any, opts []CallOption) (*Credential, error) {
	seg, err := pathutil.Segment("credential ID", acct.cred.ID)
	if err != nil {
		return nil, fmt.Errorf("paragon: Paragon returned an unusable credential ID: %w", err)
	}
	body, err := marshalBody(map[string]any{"config": cfg})
	if err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "PATCH", path: u.projectPath("/sdk/credentials/" + seg),
		template: "/sdk/credentials/{credential}", rawBody: body, ctype: "application/json",
	}, withAccount(opts, cc, acct))
	u.forget()
	if err != nil {
		return nil, err
	}
	out := new(Credential)
	if len(bytes.TrimSpace(resp.Body)) == 0 {
		*out = acct.cred
		return out, nil
	}
	if err := decodeJSON(resp, what, out); err != nil {
		return nil, err
	}
	return out, nil
}
