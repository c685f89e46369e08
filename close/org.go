package close

import (
	"context"
	"encoding/json"
	"net/http"
)

// OrganizationRef names an organization a user belongs to.
//
// See https://developer.close.com/api/resources/me.
type OrganizationRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// User is a Close user. The organization ID of [UsersService.Me]
// (Organizations[0].ID) is the natural tenant key of a backend serving many
// Close accounts.
//
// See https://developer.close.com/api/resources/users.
type User struct {
	ID            string            `json:"id"`
	Email         string            `json:"email,omitzero"`
	FirstName     string            `json:"first_name,omitzero"`
	LastName      string            `json:"last_name,omitzero"`
	DisplayName   string            `json:"display_name,omitzero"`
	Image         string            `json:"image,omitzero"`
	Organizations []OrganizationRef `json:"organizations,omitzero"`
	DateCreated   Time              `json:"date_created,omitzero"`
	DateUpdated   Time              `json:"date_updated,omitzero"`
	Raw           json.RawMessage   `json:"-"`
}

type userJSON User

// UnmarshalJSON decodes a user and keeps it in Raw.
func (u *User) UnmarshalJSON(b []byte) error { return keepRaw(b, (*userJSON)(u), &u.Raw) }

// UsersService reads users. Get it from [Client].Users.
//
// See https://developer.close.com/api/resources/users.
type UsersService struct{ svc }

// Me returns the user whose API key the connected account uses, with
// their organizations (GET /me/).
//
// See https://developer.close.com/api/resources/me.
func (s *UsersService) Me(ctx context.Context) (*User, error) {
	return getObject[User](ctx, &s.svc, "/me/", nil)
}

// List returns the organization's users (GET /user/).
//
// See https://developer.close.com/api/resources/users.
func (s *UsersService) List(ctx context.Context) iter2[User] {
	l, err := simpleQuery(0, 0)
	return list[User](ctx, &s.svc, "users", "/user/", l, err)
}

// Get returns user id (GET /user/{id}/).
//
// See https://developer.close.com/api/resources/users.
func (s *UsersService) Get(ctx context.Context, id string) (*User, error) {
	p, err := objectPath("user", "user", id)
	if err != nil {
		return nil, err
	}
	return getObject[User](ctx, &s.svc, p, nil)
}

// Membership is a user's membership of an organization.
//
// See https://developer.close.com/api/resources/organizations.
type Membership struct {
	UserID       string `json:"user_id"`
	UserFullName string `json:"user_full_name,omitzero"`
	RoleID       string `json:"role_id,omitzero"`
}

// Organization is a Close organization with, when asked for through
// fields, its statuses, pipelines and memberships.
//
// See https://developer.close.com/api/resources/organizations.
type Organization struct {
	ID                  string              `json:"id"`
	Name                string              `json:"name,omitzero"`
	LeadStatuses        []LeadStatus        `json:"lead_statuses,omitzero"`
	OpportunityStatuses []OpportunityStatus `json:"opportunity_statuses,omitzero"`
	Pipelines           []Pipeline          `json:"pipelines,omitzero"`
	Memberships         []Membership        `json:"memberships,omitzero"`
	Raw                 json.RawMessage     `json:"-"`
}

type orgJSON Organization

// UnmarshalJSON decodes an organization and keeps it in Raw.
func (o *Organization) UnmarshalJSON(b []byte) error { return keepRaw(b, (*orgJSON)(o), &o.Raw) }

// OrganizationsService reads organizations. Get it from
// [Client].Organizations.
//
// See https://developer.close.com/api/resources/organizations.
type OrganizationsService struct{ svc }

// Get returns organization id (GET /organization/{id}/), trimmed to fields
// if given, e.g. "lead_statuses", "pipelines": both lists in one call.
//
// See https://developer.close.com/api/resources/organizations.
func (s *OrganizationsService) Get(ctx context.Context, id string, fields ...string) (*Organization, error) {
	p, err := objectPath("organization", "organization", id)
	if err != nil {
		return nil, err
	}
	return getObject[Organization](ctx, &s.svc, p, fieldsQuery(fields))
}

// LeadStatus is a lead status. Set a lead's status by ID (it survives
// renames) or label.
//
// See https://developer.close.com/api/resources/lead-statuses.
type LeadStatus struct {
	ID    string `json:"id,omitzero"`
	Label string `json:"label"`
}

// OpportunityStatus is an opportunity status of one pipeline. Type is
// "active", "won" or "lost" (status_type on the opportunity).
//
// See https://developer.close.com/api/resources/opportunity-statuses.
type OpportunityStatus struct {
	ID         string     `json:"id,omitzero"`
	Label      string     `json:"label"`
	Type       StatusType `json:"type"`
	PipelineID string     `json:"pipeline_id,omitzero"`
}

// Pipeline is an opportunity pipeline with its statuses.
//
// See https://developer.close.com/api/resources/pipelines.
type Pipeline struct {
	ID       string              `json:"id,omitzero"`
	Name     string              `json:"name"`
	Statuses []OpportunityStatus `json:"statuses,omitzero"`
}

// LeadStatusesService manages lead statuses. Get it from
// [Client].LeadStatuses.
//
// See https://developer.close.com/api/resources/lead-statuses.
type LeadStatusesService struct{ svc }

// List returns the lead statuses (GET /status/lead/).
//
// See https://developer.close.com/api/resources/lead-statuses.
func (s *LeadStatusesService) List(ctx context.Context) iter2[LeadStatus] {
	l, err := simpleQuery(0, 0)
	return list[LeadStatus](ctx, &s.svc, "lead statuses", "/status/lead/", l, err)
}

// Create adds a lead status (POST /status/lead/).
//
// See https://developer.close.com/api/resources/lead-statuses.
func (s *LeadStatusesService) Create(ctx context.Context, label string) (*LeadStatus, error) {
	if label == "" {
		return nil, invalid("empty status label")
	}
	return sendObject[LeadStatus](ctx, &s.svc, http.MethodPost, "/status/lead/", LeadStatus{Label: label})
}

// Rename changes lead status id's label (PUT /status/lead/{id}/).
//
// See https://developer.close.com/api/resources/lead-statuses.
func (s *LeadStatusesService) Rename(ctx context.Context, id, label string) (*LeadStatus, error) {
	p, err := objectPath("status/lead", "lead status", id)
	if err != nil {
		return nil, err
	}
	if label == "" {
		return nil, invalid("empty status label")
	}
	return sendObject[LeadStatus](ctx, &s.svc, http.MethodPut, p, map[string]string{"label": label})
}

// Delete deletes lead status id (DELETE /status/lead/{id}/).
//
// See https://developer.close.com/api/resources/lead-statuses.
func (s *LeadStatusesService) Delete(ctx context.Context, id string) error {
	p, err := objectPath("status/lead", "lead status", id)
	if err != nil {
		return err
	}
	return s.remove(ctx, p)
}

// OpportunityStatusesService manages opportunity statuses. Get it from
// [Client].OpportunityStatuses.
//
// See https://developer.close.com/api/resources/opportunity-statuses.
type OpportunityStatusesService struct{ svc }

// List returns the opportunity statuses of every pipeline (GET
// /status/opportunity/).
//
// See https://developer.close.com/api/resources/opportunity-statuses.
func (s *OpportunityStatusesService) List(ctx context.Context) iter2[OpportunityStatus] {
	l, err := simpleQuery(0, 0)
	return list[OpportunityStatus](ctx, &s.svc, "opportunity statuses", "/status/opportunity/", l, err)
}

// Create adds an opportunity status (POST /status/opportunity/): Label and
// Type are required, PipelineID picks the pipeline.
//
// See https://developer.close.com/api/resources/opportunity-statuses.
func (s *OpportunityStatusesService) Create(ctx context.Context, st *OpportunityStatus) (*OpportunityStatus, error) {
	if st == nil || st.Label == "" || st.Type == "" {
		return nil, invalid("an opportunity status needs a label and a type")
	}
	body := *st
	body.ID = ""
	return sendObject[OpportunityStatus](ctx, &s.svc, http.MethodPost, "/status/opportunity/", body)
}

// Rename changes opportunity status id's label (PUT
// /status/opportunity/{id}/).
//
// See https://developer.close.com/api/resources/opportunity-statuses.
func (s *OpportunityStatusesService) Rename(ctx context.Context, id, label string) (*OpportunityStatus, error) {
	p, err := objectPath("status/opportunity", "opportunity status", id)
	if err != nil {
		return nil, err
	}
	if label == "" {
		return nil, invalid("empty status label")
	}
	return sendObject[OpportunityStatus](ctx, &s.svc, http.MethodPut, p, map[string]string{"label": label})
}

// Delete deletes opportunity status id (DELETE /status/opportunity/{id}/).
//
// See https://developer.close.com/api/resources/opportunity-statuses.
func (s *OpportunityStatusesService) Delete(ctx context.Context, id string) error {
	p, err := objectPath("status/opportunity", "opportunity status", id)
	if err != nil {
		return err
	}
	return s.remove(ctx, p)
}

// PipelinesService manages pipelines. Get it from [Client].Pipelines.
//
// See https://developer.close.com/api/resources/pipelines.
type PipelinesService struct{ svc }

// List returns the pipelines with their statuses (GET /pipeline/).
//
// See https://developer.close.com/api/resources/pipelines.
func (s *PipelinesService) List(ctx context.Context) iter2[Pipeline] {
	l, err := simpleQuery(0, 0)
	return list[Pipeline](ctx, &s.svc, "pipelines", "/pipeline/", l, err)
}

// Get returns pipeline id (GET /pipeline/{id}/).
//
// See https://developer.close.com/api/resources/pipelines.
func (s *PipelinesService) Get(ctx context.Context, id string) (*Pipeline, error) {
	p, err := objectPath("pipeline", "pipeline", id)
	if err != nil {
		return nil, err
	}
	return getObject[Pipeline](ctx, &s.svc, p, nil)
}

// Create adds a pipeline named name (POST /pipeline/).
//
// See https://developer.close.com/api/resources/pipelines.
func (s *PipelinesService) Create(ctx context.Context, name string) (*Pipeline, error) {
	if name == "" {
		return nil, invalid("empty pipeline name")
	}
	return sendObject[Pipeline](ctx, &s.svc, http.MethodPost, "/pipeline/", map[string]string{"name": name})
}

// Rename renames pipeline id (PUT /pipeline/{id}/).
//
// See https://developer.close.com/api/resources/pipelines.
func (s *PipelinesService) Rename(ctx context.Context, id, name string) (*Pipeline, error) {
	p, err := objectPath("pipeline", "pipeline", id)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, invalid("empty pipeline name")
	}
	return sendObject[Pipeline](ctx, &s.svc, http.MethodPut, p, map[string]string{"name": name})
}

// Delete deletes pipeline id (DELETE /pipeline/{id}/; Close may answer 204).
//
// See https://developer.close.com/api/resources/pipelines.
func (s *PipelinesService) Delete(ctx context.Context, id string) error {
	p, err := objectPath("pipeline", "pipeline", id)
	if err != nil {
		return err
	}
	return s.remove(ctx, p)
}
