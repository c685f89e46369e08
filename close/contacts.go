package close

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// Contact is a Close contact: a person who belongs to one lead. Fields that
// are not modelled (recent_calls, subscriptions, …) stay in Raw, and custom
// fields in Custom. Name and Title are "string | null" in Close: an
// [Optional] keeps null (never set) apart from "" (set empty).
//
// See https://developer.close.com/api/resources/contacts.
type Contact struct {
	ID               string            `json:"id,omitzero"`
	LeadID           string            `json:"lead_id,omitzero"`
	OrganizationID   string            `json:"organization_id,omitzero"`
	Name             Optional[string]  `json:"name,omitzero"`
	Title            Optional[string]  `json:"title,omitzero"`
	DisplayName      string            `json:"display_name,omitzero"`
	Emails           []ContactEmail    `json:"emails,omitzero"`
	Phones           []ContactPhone    `json:"phones,omitzero"`
	URLs             []ContactURL      `json:"urls,omitzero"`
	Timezone         string            `json:"timezone,omitzero"`
	TimezoneSource   string            `json:"timezone_source,omitzero"`
	IntegrationLinks []IntegrationLink `json:"integration_links,omitzero"`
	DateCreated      Time              `json:"date_created,omitzero"`
	DateUpdated      Time              `json:"date_updated,omitzero"`
	CreatedBy        string            `json:"created_by,omitzero"`
	UpdatedBy        string            `json:"updated_by,omitzero"`

	// Custom holds the "custom.cf_…" fields, keyed by "cf_…".
	Custom CustomFields `json:"-"`
	// Raw is the object exactly as Close sent it.
	Raw json.RawMessage `json:"-"`
}

// ContactEmail is one of a contact's email addresses. Type is free text
// ("office", "home", …).
//
// See https://developer.close.com/api/resources/contacts.
type ContactEmail struct {
	Email          string `json:"email"`
	Type           string `json:"type,omitzero"`
	IsUnsubscribed bool   `json:"is_unsubscribed,omitzero"`
}

// ContactPhone is one of a contact's phone numbers. Send Phone in E.164;
// Close normalises others with the organization's default country.
//
// See https://developer.close.com/api/resources/contacts.
type ContactPhone struct {
	Phone              string   `json:"phone"`
	Type               string   `json:"type,omitzero"`
	PhoneFormatted     string   `json:"phone_formatted,omitzero"`
	Country            string   `json:"country,omitzero"`
	TZIDs              []string `json:"tz_ids,omitzero"`
	OutboundSMSBlocked bool     `json:"outbound_sms_blocked,omitzero"`
}

// ContactURL is one of a contact's web addresses.
//
// See https://developer.close.com/api/resources/contacts.
type ContactURL struct {
	URL  string `json:"url"`
	Type string `json:"type,omitzero"`
}

// IntegrationLink is a link Close shows to another system.
//
// See https://developer.close.com/api/resources/leads.
type IntegrationLink struct {
	Name string `json:"name,omitzero"`
	URL  string `json:"url,omitzero"`
}

type contactJSON Contact

// UnmarshalJSON decodes a contact, collecting "custom.…" keys into Custom
// and keeping the payload in Raw.
func (c *Contact) UnmarshalJSON(b []byte) error {
	if fastObject(b, c, (*objParser).contact) {
		return nil
	}
	return decodeObject(b, (*contactJSON)(c), &c.Custom, &c.Raw)
}

// MarshalJSON encodes the non-zero fields, with Custom flattened to
// "custom.cf_…" keys.
func (c Contact) MarshalJSON() ([]byte, error) {
	return encodeObject(contactJSON(c), c.Custom)
}

// CustomString returns custom field id ("cf_…") as a string.
func (c *Contact) CustomString(id string) (string, bool) { return c.Custom.Text(id) }

// CustomFloat returns custom field id ("cf_…") as a number.
func (c *Contact) CustomFloat(id string) (float64, bool) { return c.Custom.Float(id) }

// contactCreate is the body of POST /contact/ (and of a lead's nested
// contacts): the writable fields only.
type contactCreate struct {
	LeadID      string           `json:"lead_id,omitzero"`
	Name        Optional[string] `json:"name,omitzero"`
	Title       Optional[string] `json:"title,omitzero"`
	Emails      []emailCreate    `json:"emails,omitzero"`
	Phones      []phoneCreate    `json:"phones,omitzero"`
	URLs        []ContactURL     `json:"urls,omitzero"`
	Timezone    string           `json:"timezone,omitzero"`
	DateCreated Time             `json:"date_created,omitzero"`
	CreatedBy   string           `json:"created_by,omitzero"`
	Custom      CustomFields     `json:"-"`
}

type emailCreate struct {
	Email string `json:"email"`
	Type  string `json:"type,omitzero"`
}

type phoneCreate struct {
	Phone string `json:"phone"`
	Type  string `json:"type,omitzero"`
}

type contactCreateJSON contactCreate

// MarshalJSON flattens Custom.
func (c contactCreate) MarshalJSON() ([]byte, error) {
	return encodeObject(contactCreateJSON(c), c.Custom)
}

// newContactCreate keeps the writable fields of c.
func newContactCreate(c *Contact) contactCreate {
	out := contactCreate{
		LeadID: c.LeadID, Name: c.Name, Title: c.Title, URLs: writableURLs(c.URLs), Timezone: c.Timezone,
		DateCreated: c.DateCreated, CreatedBy: c.CreatedBy, Custom: c.Custom,
	}
	out.Emails = writableEmails(c.Emails)
	out.Phones = writablePhones(c.Phones)
	return out
}

// writableEmails strips emails to what Close accepts (email, type):
// is_unsubscribed is computed by Close.
func writableEmails(in []ContactEmail) []emailCreate {
	if in == nil {
		return nil
	}
	out := make([]emailCreate, 0, len(in))
	for _, e := range in {
		out = append(out, emailCreate{Email: e.Email, Type: e.Type})
	}
	return out
}

// writablePhones strips phones to what Close accepts (phone, type):
// phone_formatted, country, tz_ids and outbound_sms_blocked are computed.
func writablePhones(in []ContactPhone) []phoneCreate {
	if in == nil {
		return nil
	}
	out := make([]phoneCreate, 0, len(in))
	for _, p := range in {
		out = append(out, phoneCreate{Phone: p.Phone, Type: p.Type})
	}
	return out
}

// writableURLs strips URLs to url and type.
func writableURLs(in []ContactURL) []ContactURL {
	if in == nil {
		return nil
	}
	out := make([]ContactURL, 0, len(in))
	for _, u := range in {
		out = append(out, ContactURL{URL: u.URL, Type: u.Type})
	}
	return out
}

// ContactUpdate is a partial update of a contact: only fields that were set
// (see [Optional]) and Custom entries are sent. Emails, Phones and URLs
// replace the contact's whole list, and are always sent stripped to their
// writable fields (address or number, and type), so a list read from Close
// can be passed back as it is: phone_formatted, country, tz_ids,
// outbound_sms_blocked and is_unsubscribed never go on the wire.
//
// See https://developer.close.com/api/resources/contacts.
type ContactUpdate struct {
	LeadID   Optional[string]         `json:"lead_id,omitzero"`
	Name     Optional[string]         `json:"name,omitzero"`
	Title    Optional[string]         `json:"title,omitzero"`
	Emails   Optional[[]ContactEmail] `json:"emails,omitzero"`
	Phones   Optional[[]ContactPhone] `json:"phones,omitzero"`
	URLs     Optional[[]ContactURL]   `json:"urls,omitzero"`
	Timezone Optional[string]         `json:"timezone,omitzero"`

	// Custom sets custom fields; a nil value clears one. See [CustomFields].
	Custom CustomFields `json:"-"`
}

// contactUpdateWire is ContactUpdate as sent: list items writable only.
type contactUpdateWire struct {
	LeadID   Optional[string]        `json:"lead_id,omitzero"`
	Name     Optional[string]        `json:"name,omitzero"`
	Title    Optional[string]        `json:"title,omitzero"`
	Emails   Optional[[]emailCreate] `json:"emails,omitzero"`
	Phones   Optional[[]phoneCreate] `json:"phones,omitzero"`
	URLs     Optional[[]ContactURL]  `json:"urls,omitzero"`
	Timezone Optional[string]        `json:"timezone,omitzero"`
}

// MarshalJSON encodes the set fields, list items stripped to their writable
// fields, and flattens Custom.
func (u ContactUpdate) MarshalJSON() ([]byte, error) {
	return encodeObject(contactUpdateWire{
		LeadID: u.LeadID, Name: u.Name, Title: u.Title, Timezone: u.Timezone,
		Emails: mapOptional(u.Emails, writableEmails),
		Phones: mapOptional(u.Phones, writablePhones),
		URLs:   mapOptional(u.URLs, writableURLs),
	}, u.Custom)
}

// SetCustom sets custom field id ("cf_…") to v.
func (u *ContactUpdate) SetCustom(id string, v any) { setCustom(&u.Custom, id, v) }

// ClearCustom clears custom field id (sends null).
func (u *ContactUpdate) ClearCustom(id string) { setCustom(&u.Custom, id, nil) }

// AddCustom adds one value to multi-value custom field id ("custom.<id>.add").
func (u *ContactUpdate) AddCustom(id string, v any) { setCustom(&u.Custom, id+".add", v) }

// RemoveCustom removes one value from multi-value custom field id
// ("custom.<id>.remove").
func (u *ContactUpdate) RemoveCustom(id string, v any) { setCustom(&u.Custom, id+".remove", v) }

// ContactListParams filters Contacts.List and Contacts.ListPage. A nil
// *ContactListParams lists every contact.
//
// See https://developer.close.com/api/resources/contacts.
type ContactListParams struct {
	// LeadID lists the contacts of one lead (lead_id).
	LeadID string
	// Fields trims each contact to these fields (_fields).
	Fields []string
	// Skip is where listing starts (_skip); Limit is the page size
	// (_limit; 0 means the client's page size).
	Skip, Limit int
	// Extra holds other query parameters, sent as they are.
	Extra url.Values
}

func (p *ContactListParams) query() (listQuery, error) {
	if p == nil {
		p = &ContactListParams{}
	}
	l, err := newListQuery(p.Skip, p.Limit, p.Fields, p.Extra)
	if err == nil {
		setIf(l.q, "lead_id", p.LeadID)
	}
	return l, err
}

// ContactsService manages contacts. Get it from [Client].Contacts.
//
// See https://developer.close.com/api/resources/contacts.
type ContactsService struct {
	c *Client
}

// Create creates a contact (POST /contact/). Only the writable fields of c
// are sent: LeadID (optional since 2025: without it Close creates a lead
// named after the contact), Name, Title, Emails, Phones and URLs (address
// and type only), Timezone, DateCreated, CreatedBy and Custom.
//
// See https://developer.close.com/api/resources/contacts/create.
func (s *ContactsService) Create(ctx context.Context, c *Contact) (*Contact, error) {
	if c == nil {
		return nil, invalid("nil contact")
	}
	return doObject[Contact](ctx, s.c, call{method: http.MethodPost, path: "/contact/", body: newContactCreate(c)})
}

// Get returns contact id (GET /contact/{id}/), trimmed to fields if given.
//
// See https://developer.close.com/api/resources/contacts.
func (s *ContactsService) Get(ctx context.Context, id string, fields ...string) (*Contact, error) {
	p, err := objectPath("contact", "contact", id)
	if err != nil {
		return nil, err
	}
	return doObject[Contact](ctx, s.c, call{method: http.MethodGet, path: p, query: fieldsQuery(fields)})
}

// Update changes the fields set in u (PUT /contact/{id}/) and returns the
// updated contact.
//
// See https://developer.close.com/api/resources/contacts/update.
func (s *ContactsService) Update(ctx context.Context, id string, u *ContactUpdate) (*Contact, error) {
	p, err := objectPath("contact", "contact", id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, invalid("nil contact update")
	}
	return doObject[Contact](ctx, s.c, call{method: http.MethodPut, path: p, body: *u})
}

// Delete deletes contact id (DELETE /contact/{id}/).
//
// See https://developer.close.com/api/resources/contacts.
func (s *ContactsService) Delete(ctx context.Context, id string) error {
	p, err := objectPath("contact", "contact", id)
	if err != nil {
		return err
	}
	return s.c.do(ctx, call{method: http.MethodDelete, path: p}, nil)
}

// ListPage returns one page of contacts (GET /contact/) at p.Skip.
//
// See https://developer.close.com/api/resources/contacts.
func (s *ContactsService) ListPage(ctx context.Context, p *ContactListParams) (*Page[Contact], error) {
	l, err := p.query()
	if err != nil {
		return nil, err
	}
	return listPage[Page[Contact]](ctx, s.c, "/contact/", l, func(p *Page[Contact]) int { return len(p.Data) })
}

// List returns every matching contact, fetching pages lazily as the loop
// advances. Breaking out of the loop stops paging; the first error is
// yielded once and ends the sequence. p is never modified.
//
// See https://developer.close.com/api/resources/contacts.
func (s *ContactsService) List(ctx context.Context, p *ContactListParams) iter.Seq2[Contact, error] {
	l, qerr := p.query()
	return listAll[Contact](ctx, s.c, "contacts", "/contact/", l, qerr)
}

// fieldsQuery returns a _fields query, or nil.
func fieldsQuery(fields []string) url.Values {
	if len(fields) == 0 {
		return nil
	}
	return url.Values{"_fields": {strings.Join(fields, ",")}}
}
