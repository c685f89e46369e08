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
	// IntegrationOptions are post-install options (e.g. account type).
	IntegrationOptions map[string]any
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
// project's "headless-cp" plan feature. Subscribers of
// [EventIntegrationInstall] are told.
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
	body := map[string]any{"integrationId": integrationID}
	if hasInputs {
		body["config"] = map[string]any{}
		body["payload"] = p.Inputs
		if p.IntegrationOptions != nil {
			body["installOptions"] = p.IntegrationOptions
		}
	} else {
		body["code"] = p.AuthorizationCode
		if p.RedirectURL != "" {
			body["redirectUrl"] = p.RedirectURL
		}
		opts := p.IntegrationOptions
		if opts == nil {
			opts = map[string]any{}
		}
		body["integrationOptions"] = opts
	}
	raw, err := marshalBody(body)
	if err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "POST", path: u.projectPath("/sdk/credentials"),
		template: "/sdk/credentials", rawBody: raw, ctype: "application/json",
	}, opts)
	if err != nil {
		return nil, err
	}
	cred := new(Credential)
	if err := decodeJSON(resp, "Connect", cred); err != nil {
		return nil, fmt.Errorf("%w (the install may have succeeded; check ListCredentials)", err)
	}
	u.c.subs.publish(SDKEvent{Type: EventIntegrationInstall, UserID: u.id, IntegrationID: integrationID,
		IntegrationType: integrationType, CredentialID: cred.ID})
	return cred, nil
}
