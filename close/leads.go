package close

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
)

// Lead is a Close lead: the company or account that contacts,
// opportunities, tasks and activities belong to. Fields that are not
// modelled (tasks, summaries, …) stay in Raw, and custom fields in Custom.
// Name, URL and Description are "string | null" in Close: an [Optional]
// keeps null (never set) apart from "" (set empty).
//
// See https://developer.close.com/api/resources/leads.
type Lead struct {
	ID               string            `json:"id,omitzero"`
	Name             Optional[string]  `json:"name,omitzero"`
	DisplayName      string            `json:"display_name,omitzero"`
	URL              Optional[string]  `json:"url,omitzero"`
	Description      Optional[string]  `json:"description,omitzero"`
	StatusID         string            `json:"status_id,omitzero"`
	StatusLabel      string            `json:"status_label,omitzero"`
	Contacts         []Contact         `json:"contacts,omitzero"`
	ContactIDs       []string          `json:"contact_ids,omitzero"`
	Opportunities    []Opportunity     `json:"opportunities,omitzero"`
	Addresses        []Address         `json:"addresses,omitzero"`
	HTMLURL          string            `json:"html_url,omitzero"`
	OrganizationID   string            `json:"organization_id,omitzero"`
	Source           string            `json:"source,omitzero"`
	PrimaryEmail     *ContactEmail     `json:"primary_email,omitzero"`
	PrimaryPhone     *ContactPhone     `json:"primary_phone,omitzero"`
	IntegrationLinks []IntegrationLink `json:"integration_links,omitzero"`
	DateCreated      Time              `json:"date_created,omitzero"`
	DateUpdated      Time              `json:"date_updated,omitzero"`
	CreatedBy        string            `json:"created_by,omitzero"`
	UpdatedBy        string            `json:"updated_by,omitzero"`
	CreatedByName    string            `json:"created_by_name,omitzero"`
	UpdatedByName    string            `json:"updated_by_name,omitzero"`

	// Custom holds the "custom.cf_…" fields, keyed by "cf_…".
	Custom CustomFields `json:"-"`
	// Raw is the object exactly as Close sent it.
	Raw json.RawMessage `json:"-"`
}

// Address is a lead's postal address. Label is e.g. "business".
//
// See https://developer.close.com/api/resources/leads.
type Address struct {
	Label    string   `json:"label,omitzero"`
	Address1 string   `json:"address_1,omitzero"`
	Address2 string   `json:"address_2,omitzero"`
	City     string   `json:"city,omitzero"`
	State    string   `json:"state,omitzero"`
	Zipcode  string   `json:"zipcode,omitzero"`
	Country  string   `json:"country,omitzero"`
	TZIDs    []string `json:"tz_ids,omitzero"`
}

type leadJSON Lead

// UnmarshalJSON decodes a lead, collecting "custom.…" keys into Custom and
// keeping the payload in Raw.
func (l *Lead) UnmarshalJSON(b []byte) error {
	if fastObject(b, l, (*objParser).lead) {
		return nil
	}
	return decodeObject(b, (*leadJSON)(l), &l.Custom, &l.Raw)
}

// MarshalJSON encodes the non-zero fields, with Custom flattened to
// "custom.cf_…" keys.
func (l Lead) MarshalJSON() ([]byte, error) {
	return encodeObject(leadJSON(l), l.Custom)
}

// CustomString returns custom field id ("cf_…") as a string.
func (l *Lead) CustomString(id string) (string, bool) { return l.Custom.Text(id) }

// CustomFloat returns custom field id ("cf_…") as a number.
func (l *Lead) CustomFloat(id string) (float64, bool) { return l.Custom.Float(id) }

// leadCreate is the body of POST /lead/: the writable fields only.
type leadCreate struct {
	Name        Optional[string] `json:"name,omitzero"`
	URL         Optional[string] `json:"url,omitzero"`
	Description Optional[string] `json:"description,omitzero"`
	StatusID    string           `json:"status_id,omitzero"`
	Status      string           `json:"status,omitzero"`
	Contacts    []contactCreate  `json:"contacts,omitzero"`
	Addresses   []Address        `json:"addresses,omitzero"`
	Custom      CustomFields     `json:"-"`
}

type leadCreateJSON leadCreate

// MarshalJSON flattens Custom.
func (l leadCreate) MarshalJSON() ([]byte, error) {
	return encodeObject(leadCreateJSON(l), l.Custom)
}

func newLeadCreate(l *Lead) leadCreate {
	out := leadCreate{Name: l.Name, URL: l.URL, Description: l.Description, StatusID: l.StatusID, Custom: l.Custom}
	if out.StatusID == "" {
		out.Status = l.StatusLabel
	}
	for i := range l.Contacts {
		cc := newContactCreate(&l.Contacts[i])
		cc.LeadID = ""
		out.Contacts = append(out.Contacts, cc)
	}
	out.Addresses = writableAddresses(l.Addresses)
	return out
}

// writableAddresses drops the tz_ids Close computes.
func writableAddresses(in []Address) []Address {
	if in == nil {
		return nil
	}
	out := make([]Address, 0, len(in))
	for _, a := range in {
		a.TZIDs = nil
		out = append(out, a)
	}
	return out
}

// LeadUpdate is a partial update of a lead: only fields that were set (see
// [Optional]) and Custom entries are sent. Set the status by StatusID or by
// its label in Status, not both. Contacts can't be changed through a lead;
// use [ContactsService.Update]. Close does not document Addresses on update.
//
// See https://developer.close.com/api/resources/leads/update.
type LeadUpdate struct {
	Name        Optional[string]    `json:"name,omitzero"`
	URL         Optional[string]    `json:"url,omitzero"`
	Description Optional[string]    `json:"description,omitzero"`
	StatusID    Optional[string]    `json:"status_id,omitzero"`
	Status      Optional[string]    `json:"status,omitzero"`
	Addresses   Optional[[]Address] `json:"addresses,omitzero"`

	// Custom sets custom fields; a nil value clears one. See [CustomFields].
	Custom CustomFields `json:"-"`
}

type leadUpdateJSON LeadUpdate

// MarshalJSON encodes the set fields (addresses without the tz_ids Close
// computes) and flattens Custom.
func (u LeadUpdate) MarshalJSON() ([]byte, error) {
	u.Addresses = mapOptional(u.Addresses, writableAddresses)
	return encodeObject(leadUpdateJSON(u), u.Custom)
}

// SetCustom sets custom field id ("cf_…") to v.
func (u *LeadUpdate) SetCustom(id string, v any) { setCustom(&u.Custom, id, v) }

// ClearCustom clears custom field id (sends null).
func (u *LeadUpdate) ClearCustom(id string) { setCustom(&u.Custom, id, nil) }

// AddCustom adds one value to multi-value custom field id ("custom.<id>.add").
func (u *LeadUpdate) AddCustom(id string, v any) { setCustom(&u.Custom, id+".add", v) }

// RemoveCustom removes one value from multi-value custom field id
// ("custom.<id>.remove").
func (u *LeadUpdate) RemoveCustom(id string, v any) { setCustom(&u.Custom, id+".remove", v) }

// LeadListParams filters Leads.List and Leads.ListPage. A nil
// *LeadListParams lists every lead.
//
// See https://developer.close.com/api/resources/leads.
type LeadListParams struct {
	// Query is Close's lead search string (query), e.g. `status:"Potential"`
	// or `sort:-created`. Close deprecated it in favour of [Client.Search] but
	// still serves it.
	Query string
	// Fields trims each lead to these fields (_fields); "custom" and "_all"
	// are accepted too.
	Fields []string
	// Skip is where listing starts (_skip); Limit is the page size
	// (_limit; 0 means the client's page size).
	Skip, Limit int
	// Extra holds other query parameters, sent as they are.
	Extra url.Values
}

func (p *LeadListParams) query() (listQuery, error) {
	if p == nil {
		p = &LeadListParams{}
	}
	l, err := newListQuery(p.Skip, p.Limit, p.Fields, p.Extra)
	if err == nil {
		setIf(l.q, "query", p.Query)
	}
	return l, err
}

// LeadsService manages leads. Get it from [Client].Leads.
//
// See https://developer.close.com/api/resources/leads.
type LeadsService struct {
	c *Client
}

// Create creates a lead (POST /lead/), with its nested contacts and
// addresses in one call. Only the writable fields are sent: Name, URL,
// Description, StatusID (or, when StatusID is empty, StatusLabel as
// "status"), Contacts (their writable fields, without LeadID), Addresses and
// Custom. Opportunities must be created separately.
//
// See https://developer.close.com/api/resources/leads/create.
func (s *LeadsService) Create(ctx context.Context, l *Lead) (*Lead, error) {
	if l == nil {
		return nil, invalid("nil lead")
	}
	return doObject[Lead](ctx, s.c, call{method: http.MethodPost, path: "/lead/", body: newLeadCreate(l)})
}

// Get returns lead id (GET /lead/{id}/), trimmed to fields if given.
//
// See https://developer.close.com/api/resources/leads.
func (s *LeadsService) Get(ctx context.Context, id string, fields ...string) (*Lead, error) {
	p, err := objectPath("lead", "lead", id)
	if err != nil {
		return nil, err
	}
	return doObject[Lead](ctx, s.c, call{method: http.MethodGet, path: p, query: fieldsQuery(fields)})
}

// Update changes the fields set in u (PUT /lead/{id}/) and returns the
// updated lead.
//
// See https://developer.close.com/api/resources/leads/update.
func (s *LeadsService) Update(ctx context.Context, id string, u *LeadUpdate) (*Lead, error) {
	p, err := objectPath("lead", "lead", id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, invalid("nil lead update")
	}
	return doObject[Lead](ctx, s.c, call{method: http.MethodPut, path: p, body: *u})
}

// Delete deletes lead id with its contacts, opportunities, tasks and
// activities (DELETE /lead/{id}/).
//
// See https://developer.close.com/api/resources/leads.
func (s *LeadsService) Delete(ctx context.Context, id string) error {
	p, err := objectPath("lead", "lead", id)
	if err != nil {
		return err
	}
	return s.c.do(ctx, call{method: http.MethodDelete, path: p}, nil)
}

// Merge merges lead source into lead destination (POST /lead/merge/); the
// source lead stops existing. An unknown lead is a *Error matching
// [ErrNotFound].
//
// See https://developer.close.com/api/resources/leads/merge.
func (s *LeadsService) Merge(ctx context.Context, source, destination string) error {
	if err := checkID("source lead", source); err != nil {
		return err
	}
	if err := checkID("destination lead", destination); err != nil {
		return err
	}
	if source == destination {
		return invalid("a lead can't be merged into itself")
	}
	body := map[string]string{"source": source, "destination": destination}
	return s.c.do(ctx, call{method: http.MethodPost, path: "/lead/merge/", body: body}, nil)
}

// ListPage returns one page of leads (GET /lead/) at p.Skip.
//
// See https://developer.close.com/api/resources/leads.
func (s *LeadsService) ListPage(ctx context.Context, p *LeadListParams) (*Page[Lead], error) {
	l, err := p.query()
	if err != nil {
		return nil, err
	}
	return listPage[Page[Lead]](ctx, s.c, "/lead/", l, func(p *Page[Lead]) int { return len(p.Data) })
}

// List returns every matching lead, fetching pages lazily as the loop
// advances. Breaking out of the loop stops paging; the first error is
// yielded once and ends the sequence. p is never modified.
//
// See https://developer.close.com/api/resources/leads.
func (s *LeadsService) List(ctx context.Context, p *LeadListParams) iter.Seq2[Lead, error] {
	l, qerr := p.query()
	return listAll[Lead](ctx, s.c, "leads", "/lead/", l, qerr)
}
