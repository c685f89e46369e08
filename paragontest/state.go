package paragontest

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Credential statuses, as Paragon reports them.
const (
	statusValid = "VALID"
)

// user is one Connected User's state. Guarded by Server.mu.
type user struct {
	id        string
	personaID string
	meta      map[string]any
	creds     []*credential   // oldest first; the first of a type is its default
	workflows map[string]bool // enablement of workflows that belong to no integration
}

// credential is one connected account. Guarded by Server.mu.
type credential struct {
	id          string
	integ       *Integration
	externalID  string
	providerID  string
	status      string
	created     time.Time
	updated     time.Time
	configs     []*configuration // the first is the default one
	accountAuth map[string]any
}

// configuration is one configuration of a credential: where workflow
// enablement and user settings live (spec §4.9). Guarded by Server.mu.
type configuration struct {
	id         string
	externalID string
	shared     map[string]any     // sharedSettings
	workflows  map[string]wfState // workflowSettings
	meta       map[string]any     // configMeta
	created    time.Time
	updated    time.Time
}

// wfState is one workflow's state in a configuration.
type wfState struct {
	Enabled  bool           `json:"enabled"`
	Settings map[string]any `json:"settings"`
}

// defaultConfig returns c's default configuration.
func (c *credential) defaultConfig() *configuration { return c.configs[0] }

// config returns c's configuration id, or nil.
func (c *credential) config(id string) *configuration {
	for _, cfg := range c.configs {
		if cfg.id == id {
			return cfg
		}
	}
	return nil
}

// newConfigLocked makes a configuration of c with every workflow of its
// integration in workflowSettings, the DefaultEnabled ones on.
func newConfig(integ *Integration, now time.Time) *configuration {
	cfg := &configuration{
		id: newUUID(), shared: map[string]any{}, workflows: map[string]wfState{}, meta: map[string]any{},
		created: now, updated: now,
	}
	for _, wf := range integ.Workflows {
		cfg.workflows[wf.ID] = wfState{Enabled: wf.DefaultEnabled, Settings: map[string]any{}}
	}
	return cfg
}

// AddUser creates a Connected User, as [WithUser] does when the server
// starts. It fails if the user exists or the seed names an unknown
// integration or workflow.
func (s *Server) AddUser(seed UserSeed) error {
	if seed.ID == "" {
		return fmt.Errorf("paragontest: AddUser: empty user ID")
	}
	meta, err := normalizeMap(seed.Meta)
	if err != nil {
		return fmt.Errorf("paragontest: AddUser %q: meta: %w", seed.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range seed.Connected {
		if s.byType[t] == nil {
			return fmt.Errorf("paragontest: AddUser %q: the project has no integration %q", seed.ID, t)
		}
	}
	for _, wf := range seed.EnabledWorkflows {
		if owner := s.wfOwner[wf]; owner != nil && !slices.Contains(seed.Connected, owner.Type) {
			return fmt.Errorf("paragontest: AddUser %q: workflow %q needs %q in Connected", seed.ID, wf, owner.Type)
		}
	}
	if _, ok := s.users[seed.ID]; ok {
		return fmt.Errorf("paragontest: AddUser: user %q exists", seed.ID)
	}
	u := s.newUserLocked(seed.ID)
	if meta != nil {
		u.meta = meta
	}
	for _, t := range seed.Connected {
		s.connectLocked(u, s.byType[t], nil)
	}
	for _, wf := range seed.EnabledWorkflows {
		if owner := s.wfOwner[wf]; owner != nil {
			for _, c := range u.credsOf(owner) {
				for _, cfg := range c.configs {
					st := cfg.workflows[wf]
					st.Enabled = true
					cfg.workflows[wf] = orSettings(st)
				}
			}
		} else {
			u.workflows[wf] = true
		}
	}
	return nil
}

// userLocked returns the user id, creating it as Paragon does on the first
// valid token. s.mu must be held.
func (s *Server) userLocked(id string) *user {
	if u, ok := s.users[id]; ok {
		return u
	}
	return s.newUserLocked(id)
}

func (s *Server) newUserLocked(id string) *user {
	u := &user{id: id, personaID: newUUID(), meta: map[string]any{}, workflows: map[string]bool{}}
	s.users[id] = u
	return u
}

// connectLocked adds a VALID credential of integ to u, with a default
// configuration in which the integration's DefaultEnabled workflows are on.
// s.mu must be held.
func (s *Server) connectLocked(u *user, integ *Integration, auth map[string]any) *credential {
	now := time.Now()
	c := &credential{
		id:         newUUID(),
		integ:      integ,
		providerID: "paragontest-" + integ.Type + "-" + u.id,
		status:     statusValid,
		created:    now,
		updated:    now,
		configs:    []*configuration{newConfig(integ, now)},
	}
	if auth == nil {
		auth = map[string]any{"OAUTH_ACCESS_TOKEN": "paragontest-token-" + c.id}
	}
	c.accountAuth = auth
	u.creds = append(u.creds, c)
	return c
}

// orSettings gives st an empty settings map when it has none.
func orSettings(st wfState) wfState {
	if st.Settings == nil {
		st.Settings = map[string]any{}
	}
	return st
}

// credsOf returns u's credentials of integ, oldest first.
func (u *user) credsOf(integ *Integration) []*credential {
	var out []*credential
	for _, c := range u.creds {
		if c.integ == integ {
			out = append(out, c)
		}
	}
	return out
}

// cred returns u's credential id, or nil.
func (u *user) cred(id string) *credential {
	for _, c := range u.creds {
		if c.id == id {
			return c
		}
	}
	return nil
}

// removeCred deletes the credential c from u.
func (u *user) removeCred(c *credential) {
	u.creds = slices.DeleteFunc(u.creds, func(x *credential) bool { return x == c })
}

// The JSON shapes of Paragon's answers (spec §5).

type userStateJSON struct {
	Authenticated bool                       `json:"authenticated"`
	UserID        string                     `json:"userId"`
	Meta          map[string]any             `json:"meta"`
	Integrations  map[string]integrationJSON `json:"integrations"`
	Resources     []any                      `json:"resources"`
	Project       map[string]any             `json:"project"`
}

// integrationJSON is /sdk/me integrations.<type>: allCredentials and
// configuredWorkflows are on every integration, connected or not, because
// the browser SDK fails to authenticate without them.
type integrationJSON struct {
	Enabled             bool               `json:"enabled"`
	CredentialStatus    string             `json:"credentialStatus,omitempty"`
	CredentialID        string             `json:"credentialId,omitempty"`
	ProviderID          string             `json:"providerId,omitempty"`
	ProviderData        map[string]any     `json:"providerData,omitempty"`
	ConfiguredWorkflows map[string]wfState `json:"configuredWorkflows"`
	AllCredentials      []credentialJSON   `json:"allCredentials"`
}

type credentialJSON struct {
	ID                  string              `json:"id"`
	DateCreated         string              `json:"dateCreated"`
	DateUpdated         string              `json:"dateUpdated"`
	DateDeleted         *string             `json:"dateDeleted"`
	ProjectID           string              `json:"projectId"`
	IntegrationID       string              `json:"integrationId"`
	IntegrationType     string              `json:"integrationType"`
	PersonaID           string              `json:"personaId"`
	Config              credentialConfig    `json:"config"`
	IsPreviewCredential bool                `json:"isPreviewCredential"`
	ProviderID          string              `json:"providerId"`
	ProviderData        map[string]any      `json:"providerData"`
	Status              string              `json:"status"`
	DateRefreshed       *string             `json:"dateRefreshed"`
	DateValidUntil      *string             `json:"dateValidUntil"`
	RefreshFailureCount int                 `json:"refreshFailureCount"`
	IsRefreshing        bool                `json:"isRefreshing"`
	ExternalID          string              `json:"externalId,omitempty"`
	Configurations      []configurationJSON `json:"configurations"`
	AccountAuth         map[string]any      `json:"accountAuth,omitempty"`
}

// credentialConfig is the deprecated credential-level config: the default
// configuration's state.
type credentialConfig struct {
	ConfiguredWorkflows map[string]wfState `json:"configuredWorkflows"`
	SharedSettings      map[string]any     `json:"sharedSettings"`
	WorkflowSettings    map[string]wfState `json:"workflowSettings"`
}

type configurationJSON struct {
	ID                  string             `json:"id"`
	ConnectCredentialID string             `json:"connectCredentialId"`
	IsDefault           bool               `json:"isDefault"`
	ExternalID          string             `json:"externalId,omitempty"`
	ConfigMeta          map[string]any     `json:"configMeta"`
	SharedSettings      map[string]any     `json:"sharedSettings"`
	WorkflowSettings    map[string]wfState `json:"workflowSettings"`
	DateCreated         string             `json:"dateCreated"`
	DateUpdated         string             `json:"dateUpdated"`
}

// stateLocked renders u as GET /sdk/me does. s.mu must be held.
func (s *Server) stateLocked(u *user) userStateJSON {
	st := userStateJSON{
		Authenticated: true,
		UserID:        u.id,
		Meta:          orEmpty(copyMap(u.meta)),
		Integrations:  make(map[string]integrationJSON, len(s.integrations)),
		Resources:     s.resourcesJSONLocked(u),
		Project: map[string]any{
			"id": s.projectID, "billingPlan": "pro",
			"accessibleFeatures": []string{"headless-cp", "user-metadata"},
		},
	}
	for _, in := range s.integrations {
		creds := u.credsOf(in)
		if len(creds) == 0 {
			st.Integrations[in.Type] = integrationJSON{
				Enabled: false, ConfiguredWorkflows: map[string]wfState{}, AllCredentials: []credentialJSON{},
			}
			continue
		}
		def := creds[0]
		ij := integrationJSON{
			Enabled:             def.status == statusValid,
			CredentialStatus:    def.status,
			CredentialID:        def.id,
			ProviderID:          def.providerID,
			ProviderData:        map[string]any{},
			ConfiguredWorkflows: copyWorkflows(def.defaultConfig().workflows),
			AllCredentials:      []credentialJSON{},
		}
		for _, c := range creds {
			ij.AllCredentials = append(ij.AllCredentials, s.credJSONLocked(u, c, false))
		}
		st.Integrations[in.Type] = ij
	}
	return st
}

// credJSONLocked renders c as GET /sdk/credentials does. s.mu must be held.
func (s *Server) credJSONLocked(u *user, c *credential, withAuth bool) credentialJSON {
	def := c.defaultConfig()
	out := credentialJSON{
		ID:              c.id,
		DateCreated:     isoTime(c.created),
		DateUpdated:     isoTime(c.updated),
		ProjectID:       s.projectID,
		IntegrationID:   c.integ.ID,
		IntegrationType: c.integ.Type,
		PersonaID:       u.personaID,
		Config: credentialConfig{
			ConfiguredWorkflows: copyWorkflows(def.workflows),
			SharedSettings:      orEmpty(copyMap(def.shared)),
			WorkflowSettings:    copyWorkflows(def.workflows),
		},
		ProviderID:     c.providerID,
		ProviderData:   map[string]any{},
		Status:         c.status,
		DateRefreshed:  ptr(isoTime(c.created)),
		ExternalID:     c.externalID,
		Configurations: make([]configurationJSON, 0, len(c.configs)),
	}
	for i, cfg := range c.configs {
		out.Configurations = append(out.Configurations, configurationJSON{
			ID:                  cfg.id,
			ConnectCredentialID: c.id,
			IsDefault:           i == 0,
			ExternalID:          cfg.externalID,
			ConfigMeta:          orEmpty(copyMap(cfg.meta)),
			SharedSettings:      orEmpty(copyMap(cfg.shared)),
			WorkflowSettings:    copyWorkflows(cfg.workflows),
			DateCreated:         isoTime(cfg.created),
			DateUpdated:         isoTime(cfg.updated),
		})
	}
	if withAuth {
		out.AccountAuth = orEmpty(copyMap(c.accountAuth))
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func copyWorkflows(m map[string]wfState) map[string]wfState {
	out := make(map[string]wfState, len(m))
	for k, v := range m {
		out[k] = wfState{Enabled: v.Enabled, Settings: orEmpty(copyMap(v.Settings))}
	}
	return out
}

// normalizeMap turns a Go map into plain JSON values (maps, []any,
// json.Number, strings, bools, nil) by a JSON round trip, so stored state
// shares nothing with the caller.
func normalizeMap(m map[string]any) (map[string]any, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return decodeObject(b)
}
