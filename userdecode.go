package paragon

import (
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/paragon-go/paragon/internal/jsonfast"
	"github.com/paragon-go/paragon/internal/jsonx"
)

// GET /sdk/me is the SDK's most frequent answer, and decoding it through
// reflection was most of GetUser's own time. userParser decodes it in one
// pass that also checks the JSON grammar (jsonfast with Validate), its
// strings sharing one copy of the body. It handles what Paragon sends; on
// anything else it gives up and the body is decoded with jsonx, which
// decides. FuzzUserDecode checks that both agree.

type userParser struct{ jsonfast.Parser }

// decodeUserState decodes body into st, a zero UserState, without Raw. It
// decodes with jsonx when userParser gives up, and returns jsonx's error.
func decodeUserState(body []byte, st *UserState) error {
	if fastUserState(body, st) {
		return nil
	}
	return jsonx.Unmarshal(body, (*userStateJSON)(st))
}

// fastUserState decodes body into st with userParser; false (and st zero)
// when it gave up.
func fastUserState(body []byte, st *UserState) bool {
	p := &userParser{jsonfast.Parser{B: body, S: string(body), Validate: true}}
	end, err := p.userState(st, p.Space(0))
	if err == nil {
		err = p.End(end)
	}
	if err != nil {
		*st = UserState{}
		return false
	}
	return true
}

func (p *userParser) userState(s *UserState, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "authenticated":
			m.At(p.SetBool(&s.Authenticated, i))
		case "userId":
			m.At(jsonfast.SetString(&p.Parser, &s.UserID, i))
		case "meta":
			m.At(p.anyMap(&s.Meta, i))
		case "integrations":
			m.At(setMap(p, &s.Integrations, i, (*userParser).integration))
		case "resources":
			m.At(jsonfast.SetSlice(p, &p.Parser, &s.Resources, i, (*userParser).resource))
		case "project":
			m.At(p.project(&s.Project, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *userParser) integration(s *IntegrationState, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "enabled":
			m.At(p.SetBool(&s.Enabled, i))
		case "credentialStatus":
			m.At(jsonfast.SetString(&p.Parser, &s.CredentialStatus, i))
		case "credentialId":
			m.At(jsonfast.SetString(&p.Parser, &s.CredentialID, i))
		case "providerId":
			m.At(jsonfast.SetString(&p.Parser, &s.ProviderID, i))
		case "providerData":
			m.At(p.anyMap(&s.ProviderData, i))
		case "configuredWorkflows":
			m.At(setMap(p, &s.ConfiguredWorkflows, i, (*userParser).workflow))
		case "allCredentials":
			m.At(jsonfast.SetSlice(p, &p.Parser, &s.AllCredentials, i, (*userParser).credential))
		case "sharedSettings":
			m.At(p.anyMap(&s.SharedSettings, i))
		case "workflowSettings":
			m.At(setMap(p, &s.WorkflowSettings, i, (*userParser).workflow))
		case "configMeta":
			m.At(p.anyMap(&s.ConfigMeta, i))
		case "externalId":
			m.At(jsonfast.SetString(&p.Parser, &s.ExternalID, i))
		case "credentialConfigId":
			m.At(jsonfast.SetString(&p.Parser, &s.CredentialConfigID, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *userParser) credential(c *Credential, i int) (int, error) {
	c.RefreshFailureCount = 0 // as UnmarshalJSONFrom sets it
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "id":
			m.At(jsonfast.SetString(&p.Parser, &c.ID, i))
		case "dateCreated":
			m.At(p.setTime(&c.DateCreated, i))
		case "dateUpdated":
			m.At(p.setTime(&c.DateUpdated, i))
		case "dateDeleted":
			m.At(jsonfast.SetPtr(p, &p.Parser, &c.DateDeleted, i, (*userParser).setTime))
		case "projectId":
			m.At(jsonfast.SetString(&p.Parser, &c.ProjectID, i))
		case "integrationId":
			m.At(jsonfast.SetString(&p.Parser, &c.IntegrationID, i))
		case "personaId":
			m.At(jsonfast.SetString(&p.Parser, &c.PersonaID, i))
		case "config":
			m.At(p.credentialConfig(&c.Config, i))
		case "isPreviewCredential":
			m.At(p.SetBool(&c.IsPreviewCredential, i))
		case "providerId":
			m.At(jsonfast.SetString(&p.Parser, &c.ProviderID, i))
		case "providerData":
			m.At(p.anyMap(&c.ProviderData, i))
		case "status":
			m.At(jsonfast.SetString(&p.Parser, &c.Status, i))
		case "dateRefreshed":
			m.At(jsonfast.SetPtr(p, &p.Parser, &c.DateRefreshed, i, (*userParser).setTime))
		case "dateValidUntil":
			m.At(jsonfast.SetPtr(p, &p.Parser, &c.DateValidUntil, i, (*userParser).setTime))
		case "refreshFailureCount":
			end, err := p.Skip(i)
			if err == nil {
				c.RefreshFailureCount = flexCount(p.B[i:end])
			}
			m.At(end, err)
		case "isRefreshing":
			m.At(p.SetBool(&c.IsRefreshing, i))
		case "externalId":
			m.At(jsonfast.SetString(&p.Parser, &c.ExternalID, i))
		case "configurations":
			m.At(jsonfast.SetSlice(p, &p.Parser, &c.Configurations, i, (*userParser).configuration))
		case "accountAuth", "errors":
			m.At(0, jsonfast.ErrSlow) // secrets and raw errors: the general decoder
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *userParser) credentialConfig(c *CredentialConfig, i int) (int, error) {
	if p.IsNull(i) {
		*c = CredentialConfig{}
		return i + len("null"), nil
	}
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "configuredWorkflows":
			m.At(setMap(p, &c.ConfiguredWorkflows, i, (*userParser).workflow))
		case "sharedSettings":
			m.At(p.anyMap(&c.SharedSettings, i))
		case "workflowSettings":
			m.At(setMap(p, &c.WorkflowSettings, i, (*userParser).workflow))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *userParser) configuration(c *Configuration, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "id":
			m.At(jsonfast.SetString(&p.Parser, &c.ID, i))
		case "connectCredentialId":
			m.At(jsonfast.SetString(&p.Parser, &c.ConnectCredentialID, i))
		case "isDefault":
			m.At(p.SetBool(&c.IsDefault, i))
		case "externalId":
			m.At(jsonfast.SetString(&p.Parser, &c.ExternalID, i))
		case "configMeta":
			m.At(p.anyMap(&c.ConfigMeta, i))
		case "sharedSettings":
			m.At(p.anyMap(&c.SharedSettings, i))
		case "workflowSettings":
			m.At(setMap(p, &c.WorkflowSettings, i, (*userParser).workflow))
		case "dateCreated":
			m.At(p.setTime(&c.DateCreated, i))
		case "dateUpdated":
			m.At(p.setTime(&c.DateUpdated, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *userParser) workflow(w *WorkflowState, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "enabled":
			m.At(p.SetBool(&w.Enabled, i))
		case "settings":
			m.At(p.anyMap(&w.Settings, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *userParser) resource(r *Resource, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "id":
			m.At(jsonfast.SetString(&p.Parser, &r.ID, i))
		case "slug":
			m.At(jsonfast.SetString(&p.Parser, &r.Slug, i))
		case "integrationId":
			m.At(jsonfast.SetString(&p.Parser, &r.IntegrationID, i))
		case "credentialId":
			m.At(jsonfast.SetString(&p.Parser, &r.CredentialID, i))
		case "credentialStatus":
			m.At(jsonfast.SetString(&p.Parser, &r.CredentialStatus, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *userParser) project(pi *ProjectInfo, i int) (int, error) {
	if p.IsNull(i) {
		*pi = ProjectInfo{}
		return i + len("null"), nil
	}
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "id":
			m.At(jsonfast.SetString(&p.Parser, &pi.ID, i))
		case "billingPlan":
			m.At(jsonfast.SetString(&p.Parser, &pi.BillingPlan, i))
		case "accessibleFeatures":
			m.At(p.SetStrings(&pi.AccessibleFeatures, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

// anyMap decodes null (nil), {} or an object of any values into *dst; the
// values of a non-empty object are decoded by jsonv2, as jsonx would.
func (p *userParser) anyMap(dst *map[string]any, i int) (int, error) {
	if p.IsNull(i) {
		*dst = nil
		return i + len("null"), nil
	}
	if i < len(p.B) && p.B[i] == '{' {
		if j := p.Space(i + 1); j < len(p.B) && p.B[j] == '}' {
			if *dst == nil {
				*dst = map[string]any{}
			}
			return j + 1, nil
		}
	}
	end, err := p.Skip(i)
	if err != nil {
		return 0, err
	}
	if err := jsonv2.Unmarshal(p.B[i:end], dst, jsonx.Tolerant); err != nil {
		return 0, jsonfast.ErrSlow
	}
	return end, nil
}

// setMap decodes null (nil) or an object into *dst, each value with dec. A
// map that already has entries (a repeated member) takes the general
// decoder, which merges them.
func setMap[V any](p *userParser, dst *map[string]V, i int, dec func(*userParser, *V, int) (int, error)) (int, error) {
	if p.IsNull(i) {
		*dst = nil
		return i + len("null"), nil
	}
	if len(*dst) > 0 {
		return 0, jsonfast.ErrSlow
	}
	if *dst == nil {
		*dst = map[string]V{}
	}
	m := p.Members(i)
	for m.Next() {
		if _, dup := (*dst)[m.Key]; dup {
			m.At(0, jsonfast.ErrSlow)
			continue
		}
		var v V
		end, err := dec(p, &v, m.I)
		(*dst)[m.Key] = v
		m.At(end, err)
	}
	return m.End()
}

// setTime decodes null (the zero time) or a timestamp as Paragon writes it
// ("2025-05-11T08:02:44.310Z") into *dst; other forms take the general
// decoder, which is stricter than time.Parse about RFC 3339.
func (p *userParser) setTime(dst *time.Time, i int) (int, error) {
	s, end, null, err := p.Str(i)
	if err != nil {
		return 0, err
	}
	if null {
		*dst = time.Time{}
		return end, nil
	}
	if len(s) < len("2006-01-02T15:04:05Z") || s[len(s)-1] != 'Z' || s[10] != 'T' || s[13] != ':' ||
		len(s) > len("2006-01-02T15:04:05Z") && s[19] != '.' {
		return 0, jsonfast.ErrSlow
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, jsonfast.ErrSlow
	}
	*dst = t
	return end, nil
}
