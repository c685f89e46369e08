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
	configID    string
	externalID  string
	providerID  string
	status      string
	created     time.Time
	updated     time.Time
	shared      map[string]any // sharedSettings
	wfSettings  map[string]any // workflowSettings
	configured  map[string]wfState
	accountAuth map[string]any
}

// wfState is one workflow's state on a credential.
type wfState struct {
	Enabled  bool           `json:"enabled"`
	Settings map[string]any `json:"settings"`
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
	s.mu.Lock()
	defer s.mu.Unlock()
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
			for _, c := range u.creds {
				if c.integ == owner {
					st := c.configured[wf]
					st.Enabled = true
					c.configured[wf] = st
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

// connectLocked adds a VALID credential of integ to u and turns on the
// integration's DefaultEnabled workflows. s.mu must be held.
func (s *Server) connectLocked(u *user, integ *Integration, auth map[string]any) *credential {
	now := time.Now()
	c := &credential{
		id:         newUUID(),
		integ:      integ,
		configID:   newUUID(),
		providerID: "paragontest-" + integ.Type + "-" + u.id,
		status:     statusValid,
		created:    now,
		updated:    now,
		shared:     map[string]any{},
		wfSettings: map[string]any{},
		configured: map[string]wfState{},
	}
	for _, wf := range integ.Workflows {
		c.configured[wf.ID] = wfState{Enabled: wf.DefaultEnabled, Settings: map[string]any{}}
	}
	if auth == nil {
		auth = map[string]any{"OAUTH_ACCESS_TOKEN": "paragontest-token-" + c.id}
	}
	c.accountAuth = auth
	u.creds = append(u.creds, c)
	return c
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

type integrationJSON struct {
	Enabled             bool               `json:"enabled"`
	CredentialStatus    string             `json:"credentialStatus,omitempty"`
	CredentialID        string             `json:"credentialId,omitempty"`
	ProviderID          string             `json:"providerId,omitempty"`
	ProviderData        map[string]any     `json:"providerData,omitempty"`
	ConfiguredWorkflows map[string]wfState `json:"configuredWorkflows,omitempty"`
	AllCredentials      []credentialJSON   `json:"allCredentials,omitempty"`
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

type credentialConfig struct {
	ConfiguredWorkflows map[string]wfState `json:"configuredWorkflows"`
	SharedSettings      map[string]any     `json:"sharedSettings"`
	WorkflowSettings    map[string]any     `json:"workflowSettings"`
}

type configurationJSON struct {
	ID                  string         `json:"id"`
	ConnectCredentialID string         `json:"connectCredentialId"`
	IsDefault           bool           `json:"isDefault"`
	ConfigMeta          map[string]any `json:"configMeta"`
	SharedSettings      map[string]any `json:"sharedSettings"`
	WorkflowSettings    map[string]any `json:"workflowSettings"`
	DateCreated         string         `json:"dateCreated"`
}

// stateLocked renders u as GET /sdk/me does. s.mu must be held.
func (s *Server) stateLocked(u *user) userStateJSON {
	st := userStateJSON{
		Authenticated: true,
		UserID:        u.id,
		Meta:          orEmpty(copyMap(u.meta)),
		Integrations:  make(map[string]integrationJSON, len(s.integrations)),
		Resources:     []any{},
		Project:       map[string]any{"accessibleFeatures": []string{"headless-cp", "user-metadata"}},
	}
	for _, in := range s.integrations {
		creds := u.credsOf(in)
		if len(creds) == 0 {
			st.Integrations[in.Type] = integrationJSON{Enabled: false}
			continue
		}
		def := creds[0]
		ij := integrationJSON{
			Enabled:             def.status == statusValid,
			CredentialStatus:    def.status,
			CredentialID:        def.id,
			ProviderID:          def.providerID,
			ProviderData:        map[string]any{},
			ConfiguredWorkflows: copyWorkflows(def.configured),
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
	cfg := credentialConfig{
		ConfiguredWorkflows: copyWorkflows(c.configured),
		SharedSettings:      orEmpty(copyMap(c.shared)),
		WorkflowSettings:    orEmpty(copyMap(c.wfSettings)),
	}
	out := credentialJSON{
		ID:              c.id,
		DateCreated:     isoTime(c.created),
		DateUpdated:     isoTime(c.updated),
		ProjectID:       s.projectID,
		IntegrationID:   c.integ.ID,
		IntegrationType: c.integ.Type,
		PersonaID:       u.personaID,
		Config:          cfg,
		ProviderID:      c.providerID,
		ProviderData:    map[string]any{},
		Status:          c.status,
		ExternalID:      c.externalID,
		Configurations: []configurationJSON{{
			ID:                  c.configID,
			ConnectCredentialID: c.id,
			IsDefault:           true,
			ConfigMeta:          map[string]any{},
			SharedSettings:      orEmpty(copyMap(c.shared)),
			WorkflowSettings:    orEmpty(copyMap(c.wfSettings)),
			DateCreated:         isoTime(c.created),
		}},
	}
	if withAuth {
		out.AccountAuth = orEmpty(copyMap(c.accountAuth))
	}
	return out
}

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
