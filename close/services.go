package close

import (
	"context"
	"net/http"
	"net/url"
)

// initServices builds the services added next to Contacts, Leads and
// Opportunities.
func (c *Client) initServices() {
	s := svc{c: c}
	c.Events = &EventsService{c: c}
	c.Activities = &ActivitiesService{s}
	c.Webhooks = &WebhooksService{s}
	c.Users = &UsersService{s}
	c.Organizations = &OrganizationsService{s}
	c.LeadStatuses = &LeadStatusesService{s}
	c.OpportunityStatuses = &OpportunityStatusesService{s}
	c.Pipelines = &PipelinesService{s}
	c.CustomFields = &CustomFieldsService{s}
	c.Tasks = &TasksService{s}
	c.Exports = &ExportsService{s}
	c.BulkActions = &BulkActionsService{s}
}

// svc is what every service holds: its client. Its methods are safe on a
// nil service (they fail with ErrInvalidInput).
type svc struct {
	c *Client
}

func (s *svc) cl() *Client {
	if s == nil {
		return nil
	}
	return s.c
}

func (s *svc) get(ctx context.Context, path string, q url.Values, out any) error {
	return s.cl().do(ctx, call{method: http.MethodGet, path: path, query: q}, out)
}

func (s *svc) send(ctx context.Context, method, path string, body, out any) error {
	return s.cl().do(ctx, call{method: method, path: path, body: body}, out)
}

func (s *svc) remove(ctx context.Context, path string) error {
	return s.cl().do(ctx, call{method: http.MethodDelete, path: path}, nil)
}

// list pages an offset list; see listAll.
func list[T any](ctx context.Context, s *svc, what, path string, l listQuery, qerr error) iter2[T] {
	return listAll[T](ctx, s.cl(), what, path, l, qerr)
}

// simpleQuery is the listQuery of a list without filters.
func simpleQuery(skip, limit int) (listQuery, error) {
	return newListQuery(skip, limit, nil, nil)
}

// sendObject sends method path with body and decodes a new T.
func sendObject[T any](ctx context.Context, s *svc, method, path string, body any) (*T, error) {
	var out T
	if err := s.send(ctx, method, path, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// getObject gets path and decodes a new T.
func getObject[T any](ctx context.Context, s *svc, path string, q url.Values) (*T, error) {
	var out T
	if err := s.get(ctx, path, q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
