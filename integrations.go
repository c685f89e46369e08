package paragon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/paragon-go/paragon/internal/jsonx"
	"github.com/paragon-go/paragon/internal/pathutil"
)

// ErrIntegrationNotFound is returned when the project has no integration of the type asked
// for. It also matches [ErrNotFound].
var ErrIntegrationNotFound = fmt.Errorf("paragon: integration not found in project (%w)", ErrNotFound)

// Integration is an integration enabled in the project (GET /sdk/integrations).
type Integration struct {
	// ID is the integration's UUID.
	ID string `json:"id"`
	// Type is the integration's short name, e.g. "close", or "custom.<slug>".
	Type                string                `json:"type"`
	Name                string                `json:"name,omitzero"`
	BrandColor          string                `json:"brandColor,omitzero"`
	ProjectID           string                `json:"projectId,omitzero"`
	DateCreated         time.Time             `json:"dateCreated,omitzero"`
	DateUpdated         time.Time             `json:"dateUpdated,omitzero"`
	IsActive            bool                  `json:"isActive,omitzero"`
	CustomIntegrationID string                `json:"customIntegrationId,omitzero"`
	CustomIntegration   *CustomIntegration    `json:"customIntegration,omitzero"`
	Configs             []IntegrationConfig   `json:"configs,omitzero"`
	Workflows           []IntegrationWorkflow `json:"workflows,omitzero"`
	HasCredential       bool                  `json:"hasCredential,omitzero"`
	// ConnectedUserLimitOnDevCred is a count (Paragon sends a number); a
	// bool or null decodes as 0 rather than failing the whole list.
	ConnectedUserLimitOnDevCred int    `json:"-"`
	ConnectedUserLimitReached   bool   `json:"connectedUserLimitReached,omitzero"`
	NeedPreOAuthInputs          bool   `json:"needPreOauthInputs,omitzero"`
	ProviderType                string `json:"providerType,omitzero"`
	// AuthenticationType is e.g. "basic", "oauth" or "oauth_client_credential".
	AuthenticationType string `json:"authenticationType,omitzero"`
	// SDKIntegrationConfig drives headless connect (account types, inputs).
	SDKIntegrationConfig json.RawMessage `json:"sdkIntegrationConfig,omitzero"`
	// NoPermissionWorkflows lists deployed workflows the user's JWT
	// permissions hide.
	NoPermissionWorkflows []string `json:"noPermissionWorkflows,omitzero"`
	// Raw is the element as Paragon sent it.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the integration and keeps the raw JSON.
func (i *Integration) UnmarshalJSON(b []byte) error {
	type plain Integration
	aux := struct {
		*plain
		Limit json.RawMessage `json:"connectedUserLimitOnDevCred"`
	}{plain: (*plain)(i)}
	if err := jsonx.Unmarshal(b, &aux); err != nil {
		return err
	}
	i.ConnectedUserLimitOnDevCred = flexCount(aux.Limit)
	i.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON encodes the integration with its counter.
func (i Integration) MarshalJSON() ([]byte, error) {
	type plain Integration
	return json.Marshal(struct {
		plain
		Limit int `json:"connectedUserLimitOnDevCred"`
	}{plain(i), i.ConnectedUserLimitOnDevCred})
}

// CustomIntegration describes a custom integration.
type CustomIntegration struct {
	Slug string `json:"slug,omitzero"`
	Name string `json:"name,omitzero"`
	Icon string `json:"icon,omitzero"`
}

// IntegrationConfig is an integration's Connect Portal configuration.
type IntegrationConfig struct {
	ID            string         `json:"id"`
	IntegrationID string         `json:"integrationId,omitzero"`
	Values        map[string]any `json:"values,omitzero"`
}

// IntegrationWorkflow is a workflow of an integration.
type IntegrationWorkflow struct {
	ID                     string `json:"id"`
	Description            string `json:"description,omitzero"`
	IntegrationID          string `json:"integrationId,omitzero"`
	CustomWebhookTriggerID string `json:"customWebhookTriggerId,omitzero"`
	ResourceID             string `json:"resourceId,omitzero"`
}

// ListIntegrations returns the integrations enabled in the project, as the
// user sees them (GET /sdk/integrations).
func (u *User) ListIntegrations(ctx context.Context, opts ...CallOption) ([]Integration, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "GET", path: u.projectPath("/sdk/integrations"), template: "/sdk/integrations",
	}, opts)
	if err != nil {
		return nil, err
	}
	var list []Integration
	if err := decodeJSON(resp, "ListIntegrations", &list); err != nil {
		return nil, err
	}
	for _, in := range list {
		if in.Type != "" && in.ID != "" {
			u.c.integrationIDs.Store(in.Type, in.ID)
		}
	}
	return list, nil
}

// integrationID resolves an integration type to its UUID, from the client's
// cache or GET /sdk/integrations. An unknown type fails with
// ErrIntegrationNotFound.
func (u *User) integrationID(ctx context.Context, integrationType string, opts []CallOption) (string, error) {
	if err := pathutil.Integration(integrationType); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if id, ok := u.c.integrationIDs.Load(integrationType); ok {
		return id.(string), nil
	}
	if _, err := u.ListIntegrations(ctx, onlyAccountOptions(opts)...); err != nil {
		return "", err
	}
	if id, ok := u.c.integrationIDs.Load(integrationType); ok {
		return id.(string), nil
	}
	return "", fmt.Errorf("%w: %q", ErrIntegrationNotFound, integrationType)
}

// onlyAccountOptions drops per-call headers that target one account, which
// the lookups made on behalf of a call must not carry.
func onlyAccountOptions(opts []CallOption) []CallOption {
	cc, err := applyCallOptions(opts)
	if err != nil {
		return nil
	}
	if cc.maxRetries >= 0 {
		return []CallOption{WithCallRetries(cc.maxRetries)}
	}
	return nil
}

// UninstallIntegration disconnects the user's account of integrationType
// ("close"): the user's workflows for it stop and its saved settings are
// cleared. Like the browser SDK it sends DELETE
// /sdk/integrations/{integrationId} (the UUID, from GET /sdk/integrations,
// cached) with X-Paragon-Credential naming the account removed: the one
// pinned with [WithCredential], else the user's only account, read from GET
// /sdk/me (briefly cached). When the user has several accounts and none is
// pinned, it fails with [ErrInvalidInput] naming them, and nothing is
// deleted; when the user has none, with [ErrIntegrationNotEnabled]. An
// integration the project doesn't have fails with [ErrIntegrationNotFound]
// and no DELETE is sent. Subscribers of [EventIntegrationUninstall] are
// told.
//
// Docs: https://docs.useparagon.com/apis/api-reference
func (u *User) UninstallIntegration(ctx context.Context, integrationType string, opts ...CallOption) error {
	if err := u.usable(); err != nil {
		return err
	}
	cc, err := applyCallOptions(opts)
	if err != nil {
		return err
	}
	id, err := u.integrationID(ctx, integrationType, opts)
	if err != nil {
		return err
	}
	seg, err := pathutil.Segment("integration ID", id)
	if err != nil {
		return fmt.Errorf("paragon: Paragon returned an unusable integration ID: %w", err)
	}
	acct, err := u.resolveAccount(ctx, integrationType, cc, false, opts)
	if err != nil {
		return err
	}
	_, err = u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "DELETE", path: u.projectPath("/sdk/integrations/" + seg),
		template: "/sdk/integrations/{integration}",
	}, withAccount(opts, cc, acct))
	u.forget()
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			u.c.integrationIDs.Delete(integrationType) // the cached UUID may be stale
		}
		return err
	}
	u.c.subs.publish(SDKEvent{Type: EventIntegrationUninstall, UserID: u.id, IntegrationID: id,
		IntegrationType: integrationType, CredentialID: acct.cred.ID})
	return nil
}
