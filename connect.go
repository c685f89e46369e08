package paragon

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/paragon-go/paragon/internal/pathutil"
)

// ConnectParams are the inputs of a headless install (see [User.Connect]).
// Set Inputs for an integration that asks for API keys or other values, or
// AuthorizationCode to finish an OAuth install whose consent step you ran
// yourself.
type ConnectParams struct {
	// Inputs are the values the user entered, keyed by the integration's
	// input IDs (e.g. {"apiKey": "…"}). They are secrets: never logged.
	Inputs map[string]any
	// AuthorizationCode is the OAuth code the provider returned to your
	// redirect URL.
	AuthorizationCode string
	// RedirectURL is the redirect URL used to obtain AuthorizationCode, when
	// it is not Paragon's default.
	RedirectURL string
	// IntegrationOptions are further install options Paragon accepts (e.g.
	// an account type). Its "installOptions" key, if any, is replaced by
	// InstallOptions.
	IntegrationOptions map[string]any
	// InstallOptions are Paragon's install options (allowMultipleCredentials,
	// selectedCredentialId, externalId, overrideRedirectUrl).
	InstallOptions InstallOptions
}

// InstallOptions are the install options Paragon's headless install flow
// sends (the browser SDK's InstallOptions).
type InstallOptions struct {
	// AllowMultipleCredentials allows a further account of an integration
	// the user already connected. Without it (and without
	// SelectedCredentialID), Connect refuses an integration that is
	// already connected, as the browser SDK does.
	AllowMultipleCredentials bool
	// SelectedCredentialID re-authenticates and replaces an existing
	// credential (its UUID, or "ext:<externalId>").
	SelectedCredentialID string
	// ExternalID is your label for the new credential, unique per user
	// and integration; it can't be combined with SelectedCredentialID.
	// Later calls can name the credential as "ext:<ExternalID>" in
	// SelectedCredentialID.
	ExternalID string
	// OverrideRedirectURL replaces Paragon's redirect URL in an OAuth
	// flow.
	OverrideRedirectURL string
}

// wire returns the installOptions object as Paragon reads it:
// allowMultipleCredentials always, the others when set.
func (o InstallOptions) wire() map[string]any {
	m := map[string]any{"allowMultipleCredentials": o.AllowMultipleCredentials}
	if o.SelectedCredentialID != "" {
		m["selectedCredentialId"] = o.SelectedCredentialID
	}
	if o.ExternalID != "" {
		m["externalId"] = o.ExternalID
	}
	if o.OverrideRedirectURL != "" {
		m["overrideRedirectUrl"] = o.OverrideRedirectURL
	}
	return m
}

func (o InstallOptions) check() error {
	if o.ExternalID != "" && o.SelectedCredentialID != "" {
		return invalid("InstallOptions: set ExternalID or SelectedCredentialID, not both")
	}
	if o.ExternalID != "" && strings.TrimSpace(o.ExternalID) == "" {
		return invalid("InstallOptions: blank ExternalID")
	}
	if len(o.ExternalID) > maxExternalID || len(o.SelectedCredentialID) > maxExternalID {
		return invalid("InstallOptions: ID over %d bytes", maxExternalID)
	}
	if o.OverrideRedirectURL != "" {
		if ru, err := url.Parse(o.OverrideRedirectURL); err != nil || (ru.Scheme != "https" && ru.Scheme != "http") || ru.Host == "" {
			return invalid("InstallOptions: OverrideRedirectURL must be an absolute http(s) URL")
		}
	}
	return nil
}

// String describes the params with the input values and the authorization
// code redacted: only the input and option names are shown.
func (p ConnectParams) String() string {
	var parts []string
	if len(p.Inputs) > 0 {
		parts = append(parts, fmt.Sprintf("Inputs: %v (values REDACTED)", slices.Sorted(maps.Keys(p.Inputs))))
	}
	if p.AuthorizationCode != "" {
		parts = append(parts, "AuthorizationCode: REDACTED")
	}
	if len(p.IntegrationOptions) > 0 {
		parts = append(parts, fmt.Sprintf("IntegrationOptions: %v", slices.Sorted(maps.Keys(p.IntegrationOptions))))
	}
	return "paragon.ConnectParams{" + strings.Join(parts, ", ") + "}"
}

// GoString is like String, for %#v.
func (p ConnectParams) GoString() string { return p.String() }

// Format prints the redacted description for every verb.
func (p ConnectParams) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue is the redacted slog representation.
func (p ConnectParams) LogValue() slog.Value { return slog.StringValue(p.String()) }

// MarshalJSON encodes the redacted description: ConnectParams is never sent
// as it is, and its inputs must not end up in a JSON log.
func (p ConnectParams) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// Connect installs integrationType for the user without the Connect Portal
// (POST /sdk/credentials) and returns the new credential. It needs the
// project's "headless-cp" plan feature.
//
// With Inputs the body is {"integrationId", "config": {}, "payload":
// Inputs, "installOptions": …}; with AuthorizationCode it is {"code",
// "integrationId", "redirectUrl"?, "integrationOptions": {…,
// "installOptions": …}}, as the browser SDK's installIntegration and
// completeInstall send them. Like the browser SDK, Connect first reads the
// user's state (GET /sdk/me, briefly cached) and refuses, with
// [ErrInvalidInput] and before anything is sent, an integration the user
// already connected unless InstallOptions.AllowMultipleCredentials or
// SelectedCredentialID is set, and an ExternalID another credential of the
// integration already has.
//
// Subscribers of [EventIntegrationInstall] are told only when the new
// credential's status is VALID; a PENDING one (an integration with
// post-OAuth inputs) is finished with [User.CompleteSetup].
//
// The interactive Connect Portal and OAuth pop-ups stay in the browser: sign a
// token with [Client.SignUserToken] and hand it to the browser SDK's
// paragon.authenticate(), then call paragon.connect() there.
//
// Docs: https://docs.useparagon.com/apis/api-reference
func (u *User) Connect(ctx context.Context, integrationType string, p *ConnectParams, opts ...CallOption) (*Credential, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, invalid("nil ConnectParams")
	}
	hasInputs, hasCode := len(p.Inputs) > 0, p.AuthorizationCode != ""
	switch {
	case hasInputs && hasCode:
		return nil, invalid("set either Inputs or AuthorizationCode, not both")
	case !hasInputs && !hasCode:
		return nil, invalid("set Inputs (API-key install) or AuthorizationCode (OAuth install)")
	}
	if p.RedirectURL != "" {
		if ru, err := url.Parse(p.RedirectURL); err != nil || (ru.Scheme != "https" && ru.Scheme != "http") || ru.Host == "" {
			return nil, invalid("redirect URL must be an absolute http(s) URL")
		}
	}
	if err := p.InstallOptions.check(); err != nil {
		return nil, err
	}
	if _, err := applyCallOptions(opts); err != nil {
		return nil, err
	}
	// Refuse inputs that can't be encoded before the integration lookup
	// sends anything.
	if _, err := marshalBody([]any{p.Inputs, p.IntegrationOptions}); err != nil {
		return nil, err
	}
	integrationID, err := u.integrationID(ctx, integrationType, opts)
	if err != nil {
		return nil, err
	}
	if err := u.checkInstall(ctx, integrationType, p.InstallOptions, opts); err != nil {
		return nil, err
	}
	body := map[string]any{"integrationId": integrationID}
	install := p.InstallOptions.wire()
	if hasInputs {
		body["config"] = map[string]any{}
		body["payload"] = p.Inputs
		body["installOptions"] = install
	} else {
		body["code"] = p.AuthorizationCode
		if p.RedirectURL != "" {
			body["redirectUrl"] = p.RedirectURL
		}
		intOpts := make(map[string]any, len(p.IntegrationOptions)+1)
		maps.Copy(intOpts, p.IntegrationOptions)
		intOpts["installOptions"] = install
		body["integrationOptions"] = intOpts
	}
	return u.postCredential(ctx, "/sdk/credentials", "/sdk/credentials", "Connect", integrationID, integrationType, body, opts)
}

// checkInstall refuses, as the browser SDK does, a second account without
// AllowMultipleCredentials and a duplicate external ID.
func (u *User) checkInstall(ctx context.Context, integrationType string, o InstallOptions, opts []CallOption) error {
	if o.AllowMultipleCredentials && o.ExternalID == "" || o.SelectedCredentialID != "" {
		return nil
	}
	st, err := u.state(ctx, false, opts)
	if err != nil {
		return err
	}
	is := st.Integrations[integrationType]
	if len(is.AllCredentials) == 0 && is.CredentialID == "" {
		return nil
	}
	if o.ExternalID != "" {
		for _, c := range is.AllCredentials {
			if c.ExternalID == o.ExternalID {
				return invalid("the user's %s credential %s already has external ID %q; to re-authenticate it set SelectedCredentialID to %q",
					integrationType, c.ID, o.ExternalID, "ext:"+o.ExternalID)
			}
		}
	}
	if !o.AllowMultipleCredentials {
		return invalid("the user already connected %s; set InstallOptions.AllowMultipleCredentials to add an account, or SelectedCredentialID to replace one", integrationType)
	}
	return nil
}

// CompleteSetup saves the post-OAuth inputs of a credential that an OAuth
// install left waiting for them (POST
// /sdk/credentials/{credentialId}/complete-setup with {"integrationId",
// "config": {}, "payload": Inputs, "installOptions": …}) and returns the
// updated credential. Only Inputs and InstallOptions of p are used.
// Subscribers of [EventIntegrationInstall] are told when the credential
// comes back VALID.
func (u *User) CompleteSetup(ctx context.Context, integrationType, credentialID string, p *ConnectParams, opts ...CallOption) (*Credential, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	seg, err := pathutil.Segment("credential ID", credentialID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if p == nil {
		return nil, invalid("nil ConnectParams")
	}
	if p.AuthorizationCode != "" || p.RedirectURL != "" {
		return nil, invalid("CompleteSetup takes Inputs, not an authorization code")
	}
	if err := p.InstallOptions.check(); err != nil {
		return nil, err
	}
	if _, err := applyCallOptions(opts); err != nil {
		return nil, err
	}
	inputs := p.Inputs
	if inputs == nil {
		inputs = map[string]any{}
	}
	if _, err := marshalBody(inputs); err != nil {
		return nil, err
	}
	integrationID, err := u.integrationID(ctx, integrationType, opts)
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"integrationId": integrationID, "config": map[string]any{}, "payload": inputs,
		"installOptions": p.InstallOptions.wire(),
	}
	return u.postCredential(ctx, "/sdk/credentials/"+seg+"/complete-setup", "/sdk/credentials/{credential}/complete-setup",
		"CompleteSetup", integrationID, integrationType, body, opts)
}

// postCredential sends an install body and publishes the install event
// when the credential is VALID.
func (u *User) postCredential(ctx context.Context, path, template, what, integrationID, integrationType string, body map[string]any, opts []CallOption) (*Credential, error) {
	raw, err := marshalBody(body)
	if err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "POST", path: u.projectPath(path),
		template: template, rawBody: raw, ctype: "application/json",
	}, opts)
	u.forget()
	if err != nil {
		return nil, err
	}
	cred := new(Credential)
	if err := decodeJSON(resp, what, cred); err != nil {
		return nil, fmt.Errorf("%w (the install may have succeeded; check ListCredentials)", err)
	}
	if cred.Status == CredentialValid {
		u.c.subs.publish(SDKEvent{Type: EventIntegrationInstall, UserID: u.id, IntegrationID: integrationID,
			IntegrationType: integrationType, CredentialID: cred.ID})
	}
	return cred, nil
}
