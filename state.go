package paragon

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// stateTTL is how long a user's GET /sdk/me answer is reused to resolve the
// X-Paragon-Credential and X-Paragon-Configuration-Id headers of later calls.
// Calls that change the user's accounts drop it at once; a pinned ID that the
// cached state does not know makes the call read it again.
const stateTTL = 5 * time.Second

// maxCachedStates bounds the number of users whose state is cached.
const maxCachedStates = 1024

// stateCache holds recent GET /sdk/me answers per user. It keeps its own
// copy of the body and decodes it on first use, so the *UserState a caller
// got from GetUser is never shared with other calls. Its zero value is
// ready to use.
type stateCache struct {
	mu sync.Mutex
	m  map[string]*cachedState
}

type cachedState struct {
	raw  []byte
	at   time.Time
	once sync.Once
	st   *UserState // decoded from raw on first use; read-only
	err  error
}

// decoded returns the entry's state, decoding it once.
func (e *cachedState) decoded() (*UserState, error) {
	e.once.Do(func() {
		st := new(UserState)
		if err := decodeUserState(e.raw, st); err != nil {
			e.err = err
			return
		}
		st.Raw = e.raw
		e.st = st
	})
	return e.st, e.err
}

func (c *stateCache) get(userID string, now time.Time) *UserState {
	c.mu.Lock()
	e, ok := c.m[userID]
	c.mu.Unlock()
	if !ok || now.Sub(e.at) >= stateTTL || now.Before(e.at) {
		return nil
	}
	st, err := e.decoded()
	if err != nil {
		return nil
	}
	return st
}

func (c *stateCache) put(userID string, raw []byte, now time.Time) {
	e := &cachedState{raw: bytes.Clone(raw), at: now}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*cachedState)
	}
	if len(c.m) >= maxCachedStates {
		for k, e := range c.m {
			if now.Sub(e.at) >= stateTTL {
				delete(c.m, k)
			}
		}
		for k := range c.m { // still full: drop any one
			if len(c.m) < maxCachedStates {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[userID] = e
}

func (c *stateCache) drop(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, userID)
}

// state returns the user's state, from the brief cache unless fresh is set.
// The state may be shared with other calls: callers must not modify it.
func (u *User) state(ctx context.Context, fresh bool, opts []CallOption) (*UserState, error) {
	if !fresh {
		if st := u.c.states.get(u.id, time.Now()); st != nil {
			return st, nil
		}
	}
	st, err := u.GetUser(ctx, onlyAccountOptions(opts)...)
	if err != nil {
		return nil, err
	}
	if !st.Authenticated {
		return nil, fmt.Errorf("%w: Paragon answered GET /sdk/me with authenticated: false", ErrUnauthorized)
	}
	return st, nil
}

// forget drops the user's cached state after a call that changed it.
func (u *User) forget() { u.c.states.drop(u.id) }

// account is the credential and configuration a call acts on.
type account struct {
	integration string // type, e.g. "close"
	cred        Credential
	config      Configuration // zero when not resolved
}

// resolveAccount picks the credential (and, with needConfig, the
// configuration) of integrationType a call acts on, from the user's state:
// the pinned ones (WithCredential, WithConfiguration), else the only
// credential and its default configuration. Several credentials and none
// pinned is an ErrInvalidInput naming them. A pinned ID the cached state
// does not know makes it read the state once more.
func (u *User) resolveAccount(ctx context.Context, integrationType string, cc callConfig, needConfig bool, opts []CallOption) (account, error) {
	for fresh := false; ; fresh = true {
		st, err := u.state(ctx, fresh, opts)
		if err != nil {
			return account{}, err
		}
		acct, stale, err := pickAccount(st, integrationType, cc, needConfig)
		if stale && !fresh {
			continue
		}
		return acct, err
	}
}

// pickAccount resolves the account in st. stale reports a failure that a
// newer state might not have (an unknown pinned ID, no credential yet).
func pickAccount(st *UserState, integrationType string, cc callConfig, needConfig bool) (acct account, stale bool, err error) {
	acct.integration = integrationType
	is, ok := st.Integrations[integrationType]
	if !ok {
		return acct, true, fmt.Errorf("%w: %q", ErrIntegrationNotFound, integrationType)
	}
	creds := is.AllCredentials
	if len(creds) == 0 && is.CredentialID != "" {
		// An older answer without allCredentials: the integration-level
		// fields describe the one credential.
		creds = []Credential{{ID: is.CredentialID, Status: is.CredentialStatus, ProviderID: is.ProviderID}}
	}
	switch {
	case cc.credential != "":
		i := slices.IndexFunc(creds, func(c Credential) bool { return c.ID == cc.credential })
		if i < 0 {
			return acct, true, fmt.Errorf("%w: the user has no %s credential %q", ErrNotFound, integrationType, cc.credential)
		}
		acct.cred = creds[i]
	case len(creds) == 0:
		return acct, true, notConnected(integrationType)
	case len(creds) == 1:
		acct.cred = creds[0]
	default:
		return acct, false, invalid("the user has %d %s accounts (%s); choose one with WithCredential",
			len(creds), integrationType, describeCredentials(creds))
	}
	if !needConfig {
		return acct, false, nil
	}
	cfgs := acct.cred.Configurations
	switch {
	case cc.configuration != "":
		i := slices.IndexFunc(cfgs, func(c Configuration) bool { return c.ID == cc.configuration })
		if i < 0 {
			return acct, true, fmt.Errorf("%w: %s credential %s has no configuration %q", ErrNotFound, integrationType, acct.cred.ID, cc.configuration)
		}
		acct.config = cfgs[i]
	default:
		i := slices.IndexFunc(cfgs, func(c Configuration) bool { return c.IsDefault })
		if i < 0 && len(cfgs) == 1 {
			i = 0
		}
		if i < 0 {
			return acct, len(cfgs) == 0, fmt.Errorf("%w: %s credential %s has no default configuration; choose one with WithConfiguration",
				ErrNotFound, integrationType, acct.cred.ID)
		}
		acct.config = cfgs[i]
	}
	return acct, false, nil
}

// describeCredentials names credentials for an error: ID, status, and the
// provider account and external ID when known. None of these is a secret.
func describeCredentials(creds []Credential) string {
	parts := make([]string, 0, len(creds))
	for _, c := range creds {
		var b strings.Builder
		b.WriteString(c.ID)
		var extra []string
		if c.Status != "" {
			extra = append(extra, string(c.Status))
		}
		if c.ProviderID != "" {
			extra = append(extra, "provider account "+c.ProviderID)
		}
		if c.ExternalID != "" {
			extra = append(extra, "externalId "+c.ExternalID)
		}
		if len(extra) > 0 {
			b.WriteString(" (" + strings.Join(extra, ", ") + ")")
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "; ")
}

// withAccount returns opts with the resolved account's headers added where
// the caller did not pin them.
func withAccount(opts []CallOption, cc callConfig, acct account) []CallOption {
	out := slices.Clip(opts)
	if cc.credential == "" && acct.cred.ID != "" {
		out = append(out, WithCredential(acct.cred.ID))
	}
	if cc.configuration == "" && acct.config.ID != "" {
		out = append(out, WithConfiguration(acct.config.ID))
	}
	return out
}

// workflowIntegration finds the integration type a workflow belongs to: in
// the user's state (configuration workflowSettings, configuredWorkflows),
// else in the project's integrations (workflows[], configs[0] workflowMeta).
// It returns "" when no integration lists the workflow.
func (u *User) workflowIntegration(ctx context.Context, workflowID string, opts []CallOption) (string, error) {
	st, err := u.state(ctx, false, opts)
	if err != nil {
		return "", err
	}
	for _, typ := range slices.Sorted(maps.Keys(st.Integrations)) {
		is := st.Integrations[typ]
		if _, ok := is.ConfiguredWorkflows[workflowID]; ok {
			return typ, nil
		}
		for _, c := range is.AllCredentials {
			for _, cfg := range c.Configurations {
				if _, ok := cfg.WorkflowSettings[workflowID]; ok {
					return typ, nil
				}
			}
		}
	}
	list, err := u.ListIntegrations(ctx, onlyAccountOptions(opts)...)
	if err != nil {
		return "", err
	}
	for _, in := range list {
		for _, wf := range in.Workflows {
			if wf.ID == workflowID {
				return in.Type, nil
			}
		}
		if len(in.Configs) > 0 {
			if meta, ok := in.Configs[0].Values["workflowMeta"].(map[string]any); ok {
				if _, ok := meta[workflowID]; ok {
					return in.Type, nil
				}
			}
		}
	}
	return "", nil // a workflow of no integration: Paragon picks
}

// errNotConnected matches ErrIntegrationNotEnabled and, as Paragon's own
// 404 answer for it does, ErrNotFound.
var errNotConnected = fmt.Errorf("%w (%w)", ErrIntegrationNotEnabled, ErrNotFound)

// notConnected reports, before any request, that the user has no account
// of integrationType.
func notConnected(integrationType string) error {
	return fmt.Errorf("%w: the user has not connected %s", errNotConnected, integrationType)
}
