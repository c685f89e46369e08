package close

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/paragon-go/paragon/internal/jsonfast"
	"github.com/paragon-go/paragon/internal/jsonscan"
)

// Leads, contacts and opportunities are most of what a Close listing
// decodes, and decoding them field by field through reflection was most of
// a listing's time. objParser decodes them in one forward pass over JSON
// that a decoder has already validated:
//
//   - every unescaped string is a substring of one string holding the
//     object's bytes (one allocation instead of one per field);
//   - the "custom.…" members are collected in the same pass;
//   - nested contacts and opportunities take their Raw from the parent's
//     copy.
//
// It handles what Close sends. Anything else (an escaped member name, a
// value of an unexpected kind, a timestamp it can't parse) makes it give up
// with errSlow, and the object is decoded again by reflection (see
// objectUnmarshaler), which decides: the results are the same either way,
// and FuzzFastDecode checks that they are.

// fastObject decodes the JSON object b (not validated) into v with fast,
// for the types' UnmarshalJSON methods; false, and v as it was, when fast
// gives up.
func fastObject[S any](b []byte, v *S, fast func(*objParser, *S, int) (int, error)) bool {
	if len(b) == 0 || b[0] != '{' {
		return false // null, space around (which Raw keeps) and errors: decodeObject
	}
	saved := *v
	if whole(checkedParser(b), v, fast) {
		return true
	}
	*v = saved
	return false
}

// checkedParser returns an objParser of a copy of b (not validated) that
// checks what it skips too.
func checkedParser(b []byte) *objParser {
	p := newObjParser(bytes.Clone(b))
	p.Validate = true
	return p
}

// whole decodes all of p.B, one object, into v with fast.
func whole[S any](p *objParser, v *S, fast func(*objParser, *S, int) (int, error)) bool {
	end, err := fast(p, v, 0)
	return err == nil && end == len(p.B)
}

// fastPage decodes a page of leads, contacts or opportunities into out in
// one checked pass, each object with its own copy of its bytes (its Raw,
// and its strings); false for other pages and when it gives up, with out as
// it was but for the room of its Data, which may have been written to.
func fastPage(body []byte, out any) bool {
	switch pg := out.(type) {
	case *Page[Lead]:
		return fastPageOf(body, &pg.Data, &pg.HasMore, &pg.TotalResults, (*objParser).lead)
	case *Page[Contact]:
		return fastPageOf(body, &pg.Data, &pg.HasMore, &pg.TotalResults, (*objParser).contact)
	case *Page[Opportunity]:
		return fastPageOf(body, &pg.Data, &pg.HasMore, &pg.TotalResults, (*objParser).opportunity)
	case *offsetPage[Lead]:
		return fastPageOf(body, &pg.Data, &pg.HasMore, nil, (*objParser).lead)
	case *offsetPage[Contact]:
		return fastPageOf(body, &pg.Data, &pg.HasMore, nil, (*objParser).contact)
	case *offsetPage[Opportunity]:
		return fastPageOf(body, &pg.Data, &pg.HasMore, nil, (*objParser).opportunity)
	}
	return false
}

// fastPageOf decodes a page's data, has_more and (when total is not nil)
// total_results. The items are appended to (*data)[:0], which may have room
// for them.
func fastPageOf[S any](body []byte, data *[]S, hasMore *bool, total **int, fast func(*objParser, *S, int) (int, error)) bool {
	items := (*data)[:0]
	more := *hasMore
	var count *int
	if total != nil && *total != nil {
		count = new(int) // not *total: nothing of out is written before the end
		*count = **total
	}
	// The page's own members need no strings: no copy of the body for S.
	p := &jsonfast.Parser{B: body, Validate: true}
	m := p.Members(p.Space(0))
	seen := false
	for m.Next() {
		switch key, i := m.Key, m.I; {
		case key == "data" && !seen:
			seen = true
			m.At(jsonfast.SetSlice(&pageItems[S]{p, fast}, p, &items, i, (*pageItems[S]).item))
		case key == "data": // repeated: jsonv2 decides how it merges
			m.At(0, errSlow)
		case key == "has_more":
			m.At(p.SetBool(&more, i))
		case key == "total_results" && total != nil:
			m.At(jsonfast.SetPtr(p, p, &count, i, jsonfast.SetInt[int]))
		default:
			m.At(p.Skip(i))
		}
	}
	end, err := m.End()
	if err != nil || p.End(end) != nil {
		return false
	}
	if seen {
		*data = items
	}
	*hasMore = more
	if total != nil {
		*total = count
	}
	return true
}

// pageItems decode the items of a page with fast, each from its own copy.
type pageItems[S any] struct {
	p    *jsonfast.Parser
	fast func(*objParser, *S, int) (int, error)
}

func (d *pageItems[S]) item(v *S, i int) (int, error) {
	p, fast := d.p, d.fast
	end, err := jsonscan.ValueEnd(p.B, i)
	if err != nil || !whole(checkedParser(p.B[i:end]), v, fast) {
		return 0, errSlow
	}
	return end, nil
}

// errSlow means the object needs the reflection-based decoder.
var errSlow = jsonfast.ErrSlow

// objParser decodes Close's objects with jsonfast.
type objParser struct{ jsonfast.Parser }

func newObjParser(raw []byte) *objParser { return &objParser{*jsonfast.New(raw)} }

func setString[S ~string](p *objParser, dst *S, i int) (int, error) {
	return jsonfast.SetString(&p.Parser, dst, i)
}

func setInt[N int | int64](p *objParser, dst *N, i int) (int, error) {
	return jsonfast.SetInt(&p.Parser, dst, i)
}

func setSlice[E any](p *objParser, dst *[]E, i int, elem func(*objParser, *E, int) (int, error)) (int, error) {
	return jsonfast.SetSlice(p, &p.Parser, dst, i, elem)
}

func setPtr[E any](p *objParser, dst **E, i int, dec func(*objParser, *E, int) (int, error)) (int, error) {
	return jsonfast.SetPtr(p, &p.Parser, dst, i, dec)
}

// setOptString decodes null or a string into *dst.
func (p *objParser) setOptString(dst *Optional[string], i int) (int, error) {
	s, end, null, err := p.Str(i)
	if err != nil {
		return 0, err
	}
	if null {
		*dst = Null[string]()
	} else {
		*dst = Set(s)
	}
	return end, nil
}

// setOptInt decodes null or an integer into *dst.
func (p *objParser) setOptInt(dst *Optional[int64], i int) (int, error) {
	if p.IsNull(i) {
		*dst = Null[int64]()
		return i + len("null"), nil
	}
	var n int64
	end, err := setInt(p, &n, i)
	if err != nil {
		return 0, err
	}
	*dst = Set(n)
	return end, nil
}

// setTime decodes a Close timestamp, null or "" into *dst.
func (p *objParser) setTime(dst *Time, i int) (int, error) { return setParsed(p, dst, i, ParseTime) }

// setDate decodes "2006-01-02", null or "" into *dst.
func (p *objParser) setDate(dst *Date, i int) (int, error) { return setParsed(p, dst, i, ParseDate) }

// setParsed decodes null or "" (the zero T) or a string parse takes into
// *dst, as Time's and Date's UnmarshalJSONFrom do.
func setParsed[T any](p *objParser, dst *T, i int, parse func(string) (T, error)) (int, error) {
	s, end, _, err := p.Str(i)
	if err != nil {
		return 0, err
	}
	var v T
	if s != "" {
		if v, err = parse(s); err != nil {
			return 0, errSlow
		}
	}
	*dst = v
	return end, nil
}

// other takes a member of an object with custom fields that its type does
// not model: a "custom.…" key goes into *dst, as scanCustom does, anything
// else is skipped. It returns the index after the value.
func (p *objParser) other(dst *CustomFields, key string, i int) (int, error) {
	end, err := p.Skip(i)
	if err != nil {
		return 0, err
	}
	id, ok := strings.CutPrefix(key, customPrefix)
	if !ok {
		return end, nil
	}
	if id == "" || strings.HasPrefix(id, customPrefix) {
		return end, nil // in Raw only, as scanCustom leaves them
	}
	v, err := p.customValue(i, end)
	if err != nil {
		return 0, errSlow
	}
	if *dst == nil {
		*dst = make(CustomFields, 4)
	}
	(*dst)[id] = v
	return end, nil
}

// customValue decodes the custom-field value B[i:end] as the function
// customValue does, its strings substrings of S.
func (p *objParser) customValue(i, end int) (any, error) {
	switch c := p.B[i]; {
	case c == '"':
		if _, escaped, _ := jsonscan.StringEnd(p.B, i); !escaped {
			return p.S[i+1 : end-1], nil
		}
	case c == '-' || c >= '0' && c <= '9':
		return json.Number(p.S[i:end]), nil
	case c == '[':
		if l, ok := stringList(p.B[i:end], p.S[i:end]); ok {
			return l, nil
		}
	}
	return customValue(p.B[i:end])
}

// done ends an object that started at B[start]: its Raw is its bytes.
func (p *objParser) done(m *jsonfast.Members, raw *json.RawMessage, start int) (int, error) {
	end, err := m.End()
	if err != nil {
		return 0, err
	}
	*raw = json.RawMessage(p.B[start:end:end])
	return end, nil
}

// lead decodes the lead at b[i].
func (p *objParser) lead(l *Lead, i int) (int, error) {
	start := i
	l.Custom = nil // a new map, as scanCustom makes: never merged into one a copy may share
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "id":
			m.At(setString(p, &l.ID, i))
		case "name":
			m.At(p.setOptString(&l.Name, i))
		case "display_name":
			m.At(setString(p, &l.DisplayName, i))
		case "url":
			m.At(p.setOptString(&l.URL, i))
		case "description":
			m.At(p.setOptString(&l.Description, i))
		case "status_id":
			m.At(setString(p, &l.StatusID, i))
		case "status_label":
			m.At(setString(p, &l.StatusLabel, i))
		case "contacts":
			m.At(setSlice(p, &l.Contacts, i, (*objParser).contact))
		case "contact_ids":
			m.At(p.SetStrings(&l.ContactIDs, i))
		case "opportunities":
			m.At(setSlice(p, &l.Opportunities, i, (*objParser).opportunity))
		case "addresses":
			m.At(setSlice(p, &l.Addresses, i, (*objParser).address))
		case "html_url":
			m.At(setString(p, &l.HTMLURL, i))
		case "organization_id":
			m.At(setString(p, &l.OrganizationID, i))
		case "source":
			m.At(setString(p, &l.Source, i))
		case "primary_email":
			m.At(setPtr(p, &l.PrimaryEmail, i, (*objParser).email))
		case "primary_phone":
			m.At(setPtr(p, &l.PrimaryPhone, i, (*objParser).phone))
		case "integration_links":
			m.At(setSlice(p, &l.IntegrationLinks, i, (*objParser).integrationLink))
		case "date_created":
			m.At(p.setTime(&l.DateCreated, i))
		case "date_updated":
			m.At(p.setTime(&l.DateUpdated, i))
		case "created_by":
			m.At(setString(p, &l.CreatedBy, i))
		case "updated_by":
			m.At(setString(p, &l.UpdatedBy, i))
		case "created_by_name":
			m.At(setString(p, &l.CreatedByName, i))
		case "updated_by_name":
			m.At(setString(p, &l.UpdatedByName, i))
		default:
			m.At(p.other(&l.Custom, key, i))
		}
	}
	return p.done(&m, &l.Raw, start)
}

// contact decodes the contact at b[i].
func (p *objParser) contact(c *Contact, i int) (int, error) {
	start := i
	c.Custom = nil // a new map, as scanCustom makes: never merged into one a copy may share
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "id":
			m.At(setString(p, &c.ID, i))
		case "lead_id":
			m.At(setString(p, &c.LeadID, i))
		case "organization_id":
			m.At(setString(p, &c.OrganizationID, i))
		case "name":
			m.At(p.setOptString(&c.Name, i))
		case "title":
			m.At(p.setOptString(&c.Title, i))
		case "display_name":
			m.At(setString(p, &c.DisplayName, i))
		case "emails":
			m.At(setSlice(p, &c.Emails, i, (*objParser).email))
		case "phones":
			m.At(setSlice(p, &c.Phones, i, (*objParser).phone))
		case "urls":
			m.At(setSlice(p, &c.URLs, i, (*objParser).contactURL))
		case "timezone":
			m.At(setString(p, &c.Timezone, i))
		case "timezone_source":
			m.At(setString(p, &c.TimezoneSource, i))
		case "integration_links":
			m.At(setSlice(p, &c.IntegrationLinks, i, (*objParser).integrationLink))
		case "date_created":
			m.At(p.setTime(&c.DateCreated, i))
		case "date_updated":
			m.At(p.setTime(&c.DateUpdated, i))
		case "created_by":
			m.At(setString(p, &c.CreatedBy, i))
		case "updated_by":
			m.At(setString(p, &c.UpdatedBy, i))
		default:
			m.At(p.other(&c.Custom, key, i))
		}
	}
	return p.done(&m, &c.Raw, start)
}

// opportunity decodes the opportunity at b[i].
func (p *objParser) opportunity(o *Opportunity, i int) (int, error) {
	start := i
	o.Custom = nil // a new map, as scanCustom makes: never merged into one a copy may share
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "id":
			m.At(setString(p, &o.ID, i))
		case "lead_id":
			m.At(setString(p, &o.LeadID, i))
		case "lead_name":
			m.At(setString(p, &o.LeadName, i))
		case "contact_id":
			m.At(setString(p, &o.ContactID, i))
		case "contact_name":
			m.At(setString(p, &o.ContactName, i))
		case "user_id":
			m.At(setString(p, &o.UserID, i))
		case "user_name":
			m.At(setString(p, &o.UserName, i))
		case "status_id":
			m.At(setString(p, &o.StatusID, i))
		case "status_label":
			m.At(setString(p, &o.StatusLabel, i))
		case "status_display_name":
			m.At(setString(p, &o.StatusDisplayName, i))
		case "status_type":
			m.At(setString(p, &o.StatusType, i))
		case "pipeline_id":
			m.At(setString(p, &o.PipelineID, i))
		case "pipeline_name":
			m.At(setString(p, &o.PipelineName, i))
		case "value":
			m.At(p.setOptInt(&o.Value, i))
		case "value_period":
			m.At(setString(p, &o.ValuePeriod, i))
		case "value_currency":
			m.At(setString(p, &o.ValueCurrency, i))
		case "value_formatted":
			m.At(setString(p, &o.ValueFormatted, i))
		case "confidence":
			m.At(setInt(p, &o.Confidence, i))
		case "expected_value":
			m.At(p.setOptInt(&o.ExpectedValue, i))
		case "annualized_value":
			m.At(p.setOptInt(&o.AnnualizedValue, i))
		case "annualized_expected_value":
			m.At(p.setOptInt(&o.AnnualizedExpectedValue, i))
		case "note":
			m.At(p.setOptString(&o.Note, i))
		case "note_html":
			m.At(setString(p, &o.NoteHTML, i))
		case "date_won":
			m.At(p.setDate(&o.DateWon, i))
		case "date_lost":
			m.At(p.setTime(&o.DateLost, i))
		case "date_created":
			m.At(p.setTime(&o.DateCreated, i))
		case "date_updated":
			m.At(p.setTime(&o.DateUpdated, i))
		case "created_by":
			m.At(setString(p, &o.CreatedBy, i))
		case "updated_by":
			m.At(setString(p, &o.UpdatedBy, i))
		case "created_by_name":
			m.At(setString(p, &o.CreatedByName, i))
		case "updated_by_name":
			m.At(setString(p, &o.UpdatedByName, i))
		case "organization_id":
			m.At(setString(p, &o.OrganizationID, i))
		case "is_stalled":
			m.At(p.SetBool(&o.IsStalled, i))
		case "attachments":
			m.At(setSlice(p, &o.Attachments, i, (*objParser).attachment))
		case "integration_links":
			m.At(setSlice(p, &o.IntegrationLinks, i, (*objParser).integrationLink))
		default:
			m.At(p.other(&o.Custom, key, i))
		}
	}
	return p.done(&m, &o.Raw, start)
}

func (p *objParser) address(a *Address, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "label":
			m.At(setString(p, &a.Label, i))
		case "address_1":
			m.At(setString(p, &a.Address1, i))
		case "address_2":
			m.At(setString(p, &a.Address2, i))
		case "city":
			m.At(setString(p, &a.City, i))
		case "state":
			m.At(setString(p, &a.State, i))
		case "zipcode":
			m.At(setString(p, &a.Zipcode, i))
		case "country":
			m.At(setString(p, &a.Country, i))
		case "tz_ids":
			m.At(p.SetStrings(&a.TZIDs, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *objParser) email(e *ContactEmail, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "email":
			m.At(setString(p, &e.Email, i))
		case "type":
			m.At(setString(p, &e.Type, i))
		case "is_unsubscribed":
			m.At(p.SetBool(&e.IsUnsubscribed, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *objParser) phone(ph *ContactPhone, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "phone":
			m.At(setString(p, &ph.Phone, i))
		case "type":
			m.At(setString(p, &ph.Type, i))
		case "phone_formatted":
			m.At(setString(p, &ph.PhoneFormatted, i))
		case "country":
			m.At(setString(p, &ph.Country, i))
		case "tz_ids":
			m.At(p.SetStrings(&ph.TZIDs, i))
		case "outbound_sms_blocked":
			m.At(p.SetBool(&ph.OutboundSMSBlocked, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *objParser) contactURL(u *ContactURL, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "url":
			m.At(setString(p, &u.URL, i))
		case "type":
			m.At(setString(p, &u.Type, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *objParser) integrationLink(l *IntegrationLink, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "name":
			m.At(setString(p, &l.Name, i))
		case "url":
			m.At(setString(p, &l.URL, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}

func (p *objParser) attachment(a *Attachment, i int) (int, error) {
	m := p.Members(i)
	for m.Next() {
		switch key, i := m.Key, m.I; key {
		case "url":
			m.At(setString(p, &a.URL, i))
		case "filename":
			m.At(setString(p, &a.Filename, i))
		case "content_type":
			m.At(setString(p, &a.ContentType, i))
		case "size":
			m.At(setInt(p, &a.Size, i))
		case "thumbnail_url":
			m.At(setString(p, &a.ThumbnailURL, i))
		default:
			m.At(p.Skip(i))
		}
	}
	return m.End()
}
