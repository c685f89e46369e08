package close

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// StatusType is the kind of an opportunity status.
//
// See https://developer.close.com/api/resources/opportunities.
type StatusType string

// Opportunity status types.
const (
	StatusActive StatusType = "active"
	StatusWon    StatusType = "won"
	StatusLost   StatusType = "lost"
)

// ValuePeriod says how often an opportunity's value is paid.
//
// See https://developer.close.com/api/resources/opportunities.
type ValuePeriod string

// Opportunity value periods.
const (
	OneTime ValuePeriod = "one_time"
	Monthly ValuePeriod = "monthly"
	Annual  ValuePeriod = "annual"
)

// Opportunity is a Close opportunity (a deal) on a lead. Money is in cents
// of the organization's currency. Fields that are not modelled stay in Raw,
// and custom fields in Custom. Value, ExpectedValue, AnnualizedValue,
// AnnualizedExpectedValue and Note are "T | null" in Close: an [Optional]
// keeps null ("no value", not $0) apart from a real 0 or "".
//
// See https://developer.close.com/api/resources/opportunities.
type Opportunity struct {
	ID                      string            `json:"id,omitzero"`
	LeadID                  string            `json:"lead_id,omitzero"`
	LeadName                string            `json:"lead_name,omitzero"`
	ContactID               string            `json:"contact_id,omitzero"`
	ContactName             string            `json:"contact_name,omitzero"`
	UserID                  string            `json:"user_id,omitzero"`
	UserName                string            `json:"user_name,omitzero"`
	StatusID                string            `json:"status_id,omitzero"`
	StatusLabel             string            `json:"status_label,omitzero"`
	StatusDisplayName       string            `json:"status_display_name,omitzero"`
	StatusType              StatusType        `json:"status_type,omitzero"`
	PipelineID              string            `json:"pipeline_id,omitzero"`
	PipelineName            string            `json:"pipeline_name,omitzero"`
	Value                   Optional[int64]   `json:"value,omitzero"`
	ValuePeriod             ValuePeriod       `json:"value_period,omitzero"`
	ValueCurrency           string            `json:"value_currency,omitzero"`
	ValueFormatted          string            `json:"value_formatted,omitzero"`
	Confidence              int               `json:"confidence,omitzero"`
	ExpectedValue           Optional[int64]   `json:"expected_value,omitzero"`
	AnnualizedValue         Optional[int64]   `json:"annualized_value,omitzero"`
	AnnualizedExpectedValue Optional[int64]   `json:"annualized_expected_value,omitzero"`
	Note                    Optional[string]  `json:"note,omitzero"`
	NoteHTML                string            `json:"note_html,omitzero"`
	DateWon                 Date              `json:"date_won,omitzero"`
	DateLost                Time              `json:"date_lost,omitzero"`
	DateCreated             Time              `json:"date_created,omitzero"`
	DateUpdated             Time              `json:"date_updated,omitzero"`
	CreatedBy               string            `json:"created_by,omitzero"`
	UpdatedBy               string            `json:"updated_by,omitzero"`
	CreatedByName           string            `json:"created_by_name,omitzero"`
	UpdatedByName           string            `json:"updated_by_name,omitzero"`
	OrganizationID          string            `json:"organization_id,omitzero"`
	IsStalled               bool              `json:"is_stalled,omitzero"`
	Attachments             []Attachment      `json:"attachments,omitzero"`
	IntegrationLinks        []IntegrationLink `json:"integration_links,omitzero"`

	// Custom holds the "custom.cf_…" fields, keyed by "cf_…".
	Custom CustomFields `json:"-"`
	// Raw is the object exactly as Close sent it.
	Raw json.RawMessage `json:"-"`
}

// Attachment is a file attached to an opportunity.
//
// See https://developer.close.com/api/resources/opportunities.
type Attachment struct {
	URL          string `json:"url"`
	Filename     string `json:"filename,omitzero"`
	ContentType  string `json:"content_type,omitzero"`
	Size         int64  `json:"size,omitzero"`
	ThumbnailURL string `json:"thumbnail_url,omitzero"`
}

type opportunityJSON Opportunity

// UnmarshalJSON decodes an opportunity, collecting "custom.…" keys into
// Custom and keeping the payload in Raw.
func (o *Opportunity) UnmarshalJSON(b []byte) error {
	if fastObject(b, o, (*objParser).opportunity) {
		return nil
	}
	return decodeObject(b, (*opportunityJSON)(o), &o.Custom, &o.Raw)
}

// MarshalJSON encodes the non-zero fields, with Custom flattened to
// "custom.cf_…" keys.
func (o Opportunity) MarshalJSON() ([]byte, error) {
	return encodeObject(opportunityJSON(o), o.Custom)
}

// CustomString returns custom field id ("cf_…") as a string.
func (o *Opportunity) CustomString(id string) (string, bool) { return o.Custom.Text(id) }

// CustomFloat returns custom field id ("cf_…") as a number.
func (o *Opportunity) CustomFloat(id string) (float64, bool) { return o.Custom.Float(id) }

// opportunityCreate is the body of POST /opportunity/: writable fields only.
type opportunityCreate struct {
	LeadID      string             `json:"lead_id,omitzero"`
	ContactID   string             `json:"contact_id,omitzero"`
	UserID      string             `json:"user_id,omitzero"`
	StatusID    string             `json:"status_id,omitzero"`
	PipelineID  string             `json:"pipeline_id,omitzero"`
	Value       Optional[int64]    `json:"value,omitzero"`
	ValuePeriod ValuePeriod        `json:"value_period,omitzero"`
	Confidence  int                `json:"confidence,omitzero"`
	Note        Optional[string]   `json:"note,omitzero"`
	NoteHTML    string             `json:"note_html,omitzero"`
	DateWon     Date               `json:"date_won,omitzero"`
	DateCreated Time               `json:"date_created,omitzero"`
	CreatedBy   string             `json:"created_by,omitzero"`
	Attachments []attachmentCreate `json:"attachments,omitzero"`
	Custom      CustomFields       `json:"-"`
}

type attachmentCreate struct {
	URL         string `json:"url"`
	Filename    string `json:"filename,omitzero"`
	ContentType string `json:"content_type,omitzero"`
}

type opportunityCreateJSON opportunityCreate

// MarshalJSON flattens Custom.
func (o opportunityCreate) MarshalJSON() ([]byte, error) {
	return encodeObject(opportunityCreateJSON(o), o.Custom)
}

func newOpportunityCreate(o *Opportunity) opportunityCreate {
	out := opportunityCreate{
		LeadID: o.LeadID, ContactID: o.ContactID, UserID: o.UserID, StatusID: o.StatusID,
		PipelineID: o.PipelineID, Value: o.Value, ValuePeriod: o.ValuePeriod, Confidence: o.Confidence,
		Note: o.Note, NoteHTML: o.NoteHTML, DateWon: o.DateWon, DateCreated: o.DateCreated,
		CreatedBy: o.CreatedBy, Custom: o.Custom,
	}
	out.Attachments = writableAttachments(o.Attachments)
	return out
}

// writableAttachments strips attachments to url, filename and content_type
// (size and thumbnail_url are Close's).
func writableAttachments(in []Attachment) []attachmentCreate {
	if in == nil {
		return nil
	}
	out := make([]attachmentCreate, 0, len(in))
	for _, a := range in {
		out = append(out, attachmentCreate{URL: a.URL, Filename: a.Filename, ContentType: a.ContentType})
	}
	return out
}

// OpportunityUpdate is a partial update of an opportunity: only fields that
// were set (see [Optional]) and Custom entries are sent, so Set(0) sends a
// zero value on purpose. Set the status by StatusID or by its label in
// Status. Moving to a won status fills date_won unless it is already set.
//
// See https://developer.close.com/api/resources/opportunities/update.
type OpportunityUpdate struct {
	StatusID    Optional[string]       `json:"status_id,omitzero"`
	Status      Optional[string]       `json:"status,omitzero"`
	Value       Optional[int64]        `json:"value,omitzero"`
	ValuePeriod Optional[ValuePeriod]  `json:"value_period,omitzero"`
	Confidence  Optional[int]          `json:"confidence,omitzero"`
	Note        Optional[string]       `json:"note,omitzero"`
	NoteHTML    Optional[string]       `json:"note_html,omitzero"`
	ContactID   Optional[string]       `json:"contact_id,omitzero"`
	UserID      Optional[string]       `json:"user_id,omitzero"`
	DateWon     Optional[Date]         `json:"date_won,omitzero"`
	Attachments Optional[[]Attachment] `json:"attachments,omitzero"`

	// Custom sets custom fields; a nil value clears one. See [CustomFields].
	Custom CustomFields `json:"-"`
}

type opportunityUpdateWire struct {
	StatusID    Optional[string]             `json:"status_id,omitzero"`
	Status      Optional[string]             `json:"status,omitzero"`
	Value       Optional[int64]              `json:"value,omitzero"`
	ValuePeriod Optional[ValuePeriod]        `json:"value_period,omitzero"`
	Confidence  Optional[int]                `json:"confidence,omitzero"`
	Note        Optional[string]             `json:"note,omitzero"`
	NoteHTML    Optional[string]             `json:"note_html,omitzero"`
	ContactID   Optional[string]             `json:"contact_id,omitzero"`
	UserID      Optional[string]             `json:"user_id,omitzero"`
	DateWon     Optional[Date]               `json:"date_won,omitzero"`
	Attachments Optional[[]attachmentCreate] `json:"attachments,omitzero"`
}

// MarshalJSON encodes the set fields (attachments stripped to url,
// filename and content_type) and flattens Custom.
func (u OpportunityUpdate) MarshalJSON() ([]byte, error) {
	return encodeObject(opportunityUpdateWire{
		StatusID: u.StatusID, Status: u.Status, Value: u.Value, ValuePeriod: u.ValuePeriod,
		Confidence: u.Confidence, Note: u.Note, NoteHTML: u.NoteHTML, ContactID: u.ContactID,
		UserID: u.UserID, DateWon: u.DateWon, Attachments: mapOptional(u.Attachments, writableAttachments),
	}, u.Custom)
}

// SetCustom sets custom field id ("cf_…") to v.
func (u *OpportunityUpdate) SetCustom(id string, v any) { setCustom(&u.Custom, id, v) }

// ClearCustom clears custom field id (sends null).
func (u *OpportunityUpdate) ClearCustom(id string) { setCustom(&u.Custom, id, nil) }

// AddCustom adds one value to multi-value custom field id ("custom.<id>.add").
func (u *OpportunityUpdate) AddCustom(id string, v any) { setCustom(&u.Custom, id+".add", v) }

// RemoveCustom removes one value from multi-value custom field id
// ("custom.<id>.remove").
func (u *OpportunityUpdate) RemoveCustom(id string, v any) {
	setCustom(&u.Custom, id+".remove", v)
}

// OpportunityListParams filters Opportunities.List and ListPage. Empty
// fields are not sent. A nil *OpportunityListParams lists every opportunity.
//
// See https://developer.close.com/api/resources/opportunities.
type OpportunityListParams struct {
	LeadID      string      // lead_id
	UserID      string      // user_id (the owner)
	StatusID    string      // status_id
	StatusLabel string      // status_label
	StatusType  StatusType  // status_type
	ValuePeriod ValuePeriod // value_period
	// Status is a status label (status).
	Status string
	// UserIDs, StatusIDs and StatusTypes match any of several values
	// (user_id__in, status_id__in, status_type__in).
	UserIDs     []string
	StatusIDs   []string
	StatusTypes []StatusType
	// IsStalled filters on Close's stalled-deal flag when set (is_stalled).
	IsStalled Optional[bool]
	// LeadSavedSearchID restricts to the leads of a Smart View
	// (lead_saved_search_id).
	LeadSavedSearchID string
	// Query is Close's opportunity search string (query), e.g. "note:important".
	Query       string
	DateCreated TimeRange // date_created__gt, __gte, __lt, __lte
	DateUpdated TimeRange // date_updated__…
	DateWon     DateRange // date_won__…
	// OrderBy sorts the list (_order_by): date_won, date_updated,
	// date_created, confidence, user_name, value, annualized_value or
	// annualized_expected_value; prefix "-" for descending.
	OrderBy string
	// Fields trims each opportunity to these fields (_fields).
	Fields []string
	// Skip is where listing starts (_skip); Limit is the page size
	// (_limit; 0 means the client's page size).
	Skip, Limit int
	// Extra holds other query parameters, sent as they are, e.g.
	// "status_type__in": {"active,won"}. _group_by is refused.
	Extra url.Values
}

func (p *OpportunityListParams) query() (listQuery, error) {
	if p == nil {
		p = &OpportunityListParams{}
	}
	l, err := newListQuery(p.Skip, p.Limit, p.Fields, p.Extra)
	if err != nil {
		return l, err
	}
	for k, v := range map[string]string{
		"lead_id": p.LeadID, "user_id": p.UserID, "status_id": p.StatusID, "status_label": p.StatusLabel,
		"status_type": string(p.StatusType), "value_period": string(p.ValuePeriod), "query": p.Query,
		"_order_by": p.OrderBy, "status": p.Status, "lead_saved_search_id": p.LeadSavedSearchID,
	} {
		setIf(l.q, k, v)
	}
	if len(p.UserIDs) > 0 {
		l.q.Set("user_id__in", strings.Join(p.UserIDs, ","))
	}
	if len(p.StatusIDs) > 0 {
		l.q.Set("status_id__in", strings.Join(p.StatusIDs, ","))
	}
	if len(p.StatusTypes) > 0 {
		ts := make([]string, len(p.StatusTypes))
		for i, t := range p.StatusTypes {
			ts[i] = string(t)
		}
		l.q.Set("status_type__in", strings.Join(ts, ","))
	}
	if v, ok := p.IsStalled.Get(); ok {
		l.q.Set("is_stalled", strconv.FormatBool(v))
	}
	p.DateCreated.addTo(l.q, "date_created")
	p.DateUpdated.addTo(l.q, "date_updated")
	p.DateWon.addTo(l.q, "date_won")
	return l, nil
}

// OpportunityPage is one page of opportunities plus the aggregates Close
// computes over all matches, whatever the page: sums in cents per value
// period, their confidence-weighted ("expected") sums, Close's formatted
// strings for each ("" when Close sends null, which it does for 0), and the
// count per value period.
//
// See https://developer.close.com/api/resources/opportunities.
type OpportunityPage struct {
	Page[Opportunity]

	CountByValuePeriod map[ValuePeriod]int `json:"count_by_value_period"`

	TotalValueOneTime    int64 `json:"total_value_one_time"`
	TotalValueMonthly    int64 `json:"total_value_monthly"`
	TotalValueAnnual     int64 `json:"total_value_annual"`
	TotalValueAnnualized int64 `json:"total_value_annualized"`

	ExpectedValueOneTime    int64 `json:"expected_value_one_time"`
	ExpectedValueMonthly    int64 `json:"expected_value_monthly"`
	ExpectedValueAnnual     int64 `json:"expected_value_annual"`
	ExpectedValueAnnualized int64 `json:"expected_value_annualized"`

	TotalValueOneTimeFormatted       string `json:"total_value_one_time_formatted"`
	TotalValueMonthlyFormatted       string `json:"total_value_monthly_formatted"`
	TotalValueAnnualFormatted        string `json:"total_value_annual_formatted"`
	TotalValueAnnualizedFormatted    string `json:"total_value_annualized_formatted"`
	ExpectedValueOneTimeFormatted    string `json:"expected_value_one_time_formatted"`
	ExpectedValueMonthlyFormatted    string `json:"expected_value_monthly_formatted"`
	ExpectedValueAnnualFormatted     string `json:"expected_value_annual_formatted"`
	ExpectedValueAnnualizedFormatted string `json:"expected_value_annualized_formatted"`
}

// OpportunitiesService manages opportunities. Get it from
// [Client].Opportunities.
//
// See https://developer.close.com/api/resources/opportunities.
type OpportunitiesService struct {
	c *Client
}

// Create creates an opportunity (POST /opportunity/). Only the writable
// fields of o are sent: LeadID (optional since 2025), ContactID, UserID,
// StatusID, PipelineID, Value (cents), ValuePeriod, Confidence, Note,
// NoteHTML, DateWon, DateCreated, CreatedBy, Attachments (URL, file name and
// type) and Custom. An unset Value or Note is left out; Set(0) sends 0. A
// zero Confidence is left out, so Close's default applies.
//
// See https://developer.close.com/api/resources/opportunities/create.
func (s *OpportunitiesService) Create(ctx context.Context, o *Opportunity) (*Opportunity, error) {
	if o == nil {
		return nil, invalid("nil opportunity")
	}
	return doObject[Opportunity](ctx, s.c, call{method: http.MethodPost, path: "/opportunity/", body: newOpportunityCreate(o)})
}

// Get returns opportunity id (GET /opportunity/{id}/), trimmed to fields if
// given.
//
// See https://developer.close.com/api/resources/opportunities.
func (s *OpportunitiesService) Get(ctx context.Context, id string, fields ...string) (*Opportunity, error) {
	p, err := objectPath("opportunity", "opportunity", id)
	if err != nil {
		return nil, err
	}
	return doObject[Opportunity](ctx, s.c, call{method: http.MethodGet, path: p, query: fieldsQuery(fields)})
}

// Update changes the fields set in u (PUT /opportunity/{id}/) and returns
// the updated opportunity.
//
// See https://developer.close.com/api/resources/opportunities/update.
func (s *OpportunitiesService) Update(ctx context.Context, id string, u *OpportunityUpdate) (*Opportunity, error) {
	p, err := objectPath("opportunity", "opportunity", id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, invalid("nil opportunity update")
	}
	return doObject[Opportunity](ctx, s.c, call{method: http.MethodPut, path: p, body: *u})
}

// Delete deletes opportunity id (DELETE /opportunity/{id}/).
//
// See https://developer.close.com/api/resources/opportunities.
func (s *OpportunitiesService) Delete(ctx context.Context, id string) error {
	p, err := objectPath("opportunity", "opportunity", id)
	if err != nil {
		return err
	}
	return s.c.do(ctx, call{method: http.MethodDelete, path: p}, nil)
}

// ListPage returns one page of opportunities (GET /opportunity/) at p.Skip,
// with the aggregates over all matches.
//
// See https://developer.close.com/api/resources/opportunities.
func (s *OpportunitiesService) ListPage(ctx context.Context, p *OpportunityListParams) (*OpportunityPage, error) {
	l, err := p.query()
	if err != nil {
		return nil, err
	}
	return listPage[OpportunityPage](ctx, s.c, "/opportunity/", l, func(p *OpportunityPage) int { return len(p.Data) })
}

// List returns every matching opportunity, fetching pages lazily as the
// loop advances. Breaking out of the loop stops paging; the first error is
// yielded once and ends the sequence. p is never modified. Past Close's
// max_skip the error matches [ErrMaxSkip]: narrow the query with a date
// range.
//
// See https://developer.close.com/api/resources/opportunities.
func (s *OpportunitiesService) List(ctx context.Context, p *OpportunityListParams) iter.Seq2[Opportunity, error] {
	l, qerr := p.query()
	return listAll[Opportunity](ctx, s.c, "opportunities", "/opportunity/", l, qerr)
}
