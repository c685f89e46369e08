package paragon

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/paragon-go/paragon/internal/pathutil"
)

// ErrDefaultConfiguration is returned by [User.DeleteConfiguration] for a
// credential's default configuration, which can't be deleted. It matches
// [ErrInvalidInput]; nothing is deleted.
var ErrDefaultConfiguration = fmt.Errorf("%w: the default configuration of a credential can't be deleted", ErrInvalidInput)

// CreateConfigurationParams are the optional inputs of
// [User.CreateConfiguration].
type CreateConfigurationParams struct {
	// ExternalID is your label for the configuration (unique per
	// credential); Paragon's SDK refuses an empty or blank one.
	ExternalID string
}

// maxExternalID bounds external IDs.
const maxExternalID = 1024

// CreateConfiguration adds a configuration to one of the user's
// credentials (POST /sdk/credentials/{credentialId}/configurations with
// {"externalId": …} or {}) and returns it. A configuration is a separate
// set of user settings and workflow enablements on the same connected
// account; pin calls to it with [WithCredential] and [WithConfiguration].
func (u *User) CreateConfiguration(ctx context.Context, credentialID string, p *CreateConfigurationParams, opts ...CallOption) (*Configuration, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	seg, err := pathutil.Segment("credential ID", credentialID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	body := map[string]any{}
	if p != nil && p.ExternalID != "" {
		if strings.TrimSpace(p.ExternalID) == "" {
			return nil, invalid("blank configuration external ID")
		}
		if len(p.ExternalID) > maxExternalID {
			return nil, invalid("configuration external ID is %d bytes long", len(p.ExternalID))
		}
		body["externalId"] = p.ExternalID
	}
	raw, err := marshalBody(body)
	if err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "POST", path: u.projectPath("/sdk/credentials/" + seg + "/configurations"),
		template: "/sdk/credentials/{credential}/configurations", rawBody: raw, ctype: "application/json",
	}, opts)
	u.forget()
	if err != nil {
		return nil, err
	}
	// The answer is the credential with all its configurations (or, from
	// some servers, the new configuration alone).
	var cred Credential
	if err := decodeJSON(resp, "CreateConfiguration", &cred); err != nil {
		return nil, err
	}
	if len(cred.Configurations) == 0 {
		var cfg Configuration
		if err := decodeJSON(resp, "CreateConfiguration", &cfg); err != nil {
			return nil, err
		}
		if cfg.ID == "" || cfg.ID == credentialID {
			return nil, fmt.Errorf("%w: CreateConfiguration: the answer names no configuration", ErrInvalidResponse)
		}
		return &cfg, nil
	}
	return newestConfiguration(cred.Configurations, body["externalId"]), nil
}

// newestConfiguration picks the configuration just created: the one with
// the external ID asked for, else the newest by dateCreated, as the browser
// SDK does.
func newestConfiguration(cfgs []Configuration, externalID any) *Configuration {
	if ext, ok := externalID.(string); ok {
		for i := range cfgs {
			if cfgs[i].ExternalID == ext {
				return &cfgs[i]
			}
		}
	}
	best := 0
	for i := range cfgs {
		if cfgs[i].DateCreated.After(cfgs[best].DateCreated) {
			best = i
		}
	}
	return &cfgs[best]
}

// UpdateConfiguration sets the meta of one configuration (PATCH
// /sdk/credentials/{credentialId}/configurations with {"meta": …}; the
// configuration is named by header X-Paragon-Configuration-Id, with
// X-Paragon-Credential, as the browser SDK sends them) and returns the
// credential with its configurations.
func (u *User) UpdateConfiguration(ctx context.Context, credentialID, configurationID string, meta map[string]any, opts ...CallOption) (*Credential, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	seg, err := configurationTarget(credentialID, configurationID)
	if err != nil {
		return nil, err
	}
	if meta == nil {
		return nil, invalid("nil configuration meta")
	}
	raw, err := marshalBody(map[string]any{"meta": meta})
	if err != nil {
		return nil, err
	}
	opts, err = pinConfiguration(opts, credentialID, configurationID)
	if err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "PATCH", path: u.projectPath("/sdk/credentials/" + seg + "/configurations"),
		template: "/sdk/credentials/{credential}/configurations", rawBody: raw, ctype: "application/json",
	}, opts)
	u.forget()
	if err != nil {
		return nil, err
	}
	out := new(Credential)
	if len(bytes.TrimSpace(resp.Body)) == 0 {
		out.ID = credentialID
		return out, nil
	}
	if err := decodeJSON(resp, "UpdateConfiguration", out); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteConfiguration deletes one configuration of a credential (DELETE
// /sdk/credentials/{credentialId}/configurations, naming it in
// X-Paragon-Configuration-Id with X-Paragon-Credential). The credential's
// default configuration can't be deleted: that fails with
// [ErrDefaultConfiguration] before the DELETE is sent (the configuration is
// looked up in GET /sdk/me, briefly cached); a configuration the user
// doesn't have fails with [ErrNotFound], also before the DELETE.
func (u *User) DeleteConfiguration(ctx context.Context, credentialID, configurationID string, opts ...CallOption) error {
	if err := u.usable(); err != nil {
		return err
	}
	seg, err := configurationTarget(credentialID, configurationID)
	if err != nil {
		return err
	}
	if opts, err = pinConfiguration(opts, credentialID, configurationID); err != nil {
		return err
	}
	cfg, err := u.findConfiguration(ctx, credentialID, configurationID, opts)
	if err != nil {
		return err
	}
	if cfg.IsDefault {
		return fmt.Errorf("%w (configuration %s of credential %s)", ErrDefaultConfiguration, configurationID, credentialID)
	}
	_, err = u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "DELETE", path: u.projectPath("/sdk/credentials/" + seg + "/configurations"),
		template: "/sdk/credentials/{credential}/configurations",
	}, opts)
	u.forget()
	return err
}

// findConfiguration looks a configuration up in the user's state, reading
// it again once when the cached state does not have it.
func (u *User) findConfiguration(ctx context.Context, credentialID, configurationID string, opts []CallOption) (Configuration, error) {
	for fresh := false; ; fresh = true {
		st, err := u.state(ctx, fresh, opts)
		if err != nil {
			return Configuration{}, err
		}
		for _, is := range st.Integrations {
			if c, ok := is.Credential(credentialID); ok {
				if i := slices.IndexFunc(c.Configurations, func(x Configuration) bool { return x.ID == configurationID }); i >= 0 {
					return c.Configurations[i], nil
				}
			}
		}
		if fresh {
			return Configuration{}, fmt.Errorf("%w: the user has no configuration %q on credential %q", ErrNotFound, configurationID, credentialID)
		}
	}
}

// configurationTarget validates the IDs of a configuration call and
// returns the credential's path segment.
func configurationTarget(credentialID, configurationID string) (string, error) {
	seg, err := pathutil.Segment("credential ID", credentialID)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if err := checkHeaderID("configuration ID", configurationID); err != nil {
		return "", err
	}
	return seg, nil
}

// pinConfiguration adds the XC and XCfg headers of a configuration call,
// refusing pinned options that name another credential or configuration.
func pinConfiguration(opts []CallOption, credentialID, configurationID string) ([]CallOption, error) {
	cc, err := applyCallOptions(opts)
	if err != nil {
		return nil, err
	}
	if cc.credential != "" && cc.credential != credentialID {
		return nil, invalid("WithCredential(%q) does not match credential %q", cc.credential, credentialID)
	}
	if cc.configuration != "" && cc.configuration != configurationID {
		return nil, invalid("WithConfiguration(%q) does not match configuration %q", cc.configuration, configurationID)
	}
	return append(slices.Clip(opts), WithCredential(credentialID), WithConfiguration(configurationID)), nil
}
