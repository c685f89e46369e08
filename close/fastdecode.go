package close

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/paragon-go/paragon/internal/jsonscan"
	"github.com/paragon-go/paragon/internal/jsonx"
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

// errSlow means the object needs the reflection-based decoder.
var errSlow = errors.New("close: object needs the general decoder")

// objParser reads values out of b, a validated JSON text.
type objParser struct {
	b []byte // the bytes, and the Raw of the objects decoded from them
	s string // the same bytes as a string: decoded strings are substrings
}

func newObjParser(raw []byte) *objParser { return &objParser{b: raw, s: string(raw)} }

func (p *objParser) space(i int) int { return jsonscan.SkipSpace(p.b, i) }

// isNull reports whether a null literal starts at b[i].
func (p *objParser) isNull(i int) bool { return i < len(p.b) && p.b[i] == 'n' }

// members iterates over the members of the object at b[i]:
//
//	m := p.members(i)
//	for m.next() {
//		m.at(decodeValue(m.key, m.i)) // the index after the value, or an error
//	}
//	end, err := m.end()
type members struct {
	p       *objParser
	i       int    // the value's start, then the index after it
	key     string // the member's name
	err     error
	started bool
	done    bool
}

func (p *objParser) members(i int) members {
	m := members{p: p, i: i}
	if i >= len(p.b) || p.b[i] != '{' {
		m.err = errSlow
	}
	return m
}

// next moves to the next member; false at the end of the object or on error.
func (m *members) next() bool {
	if m.err != nil || m.done {
		return false
	}
	p := m.p
	i := p.space(m.i + 1) // after '{' or the previous value
	if m.started {
		i = p.space(m.i)
		switch {
		case i < len(p.b) && p.b[i] == ',':
			i = p.space(i + 1)
		case i < len(p.b) && p.b[i] == '}':
			m.i, m.done = i+1, true
			return false
		default:
			m.err = errSlow
			return false
		}
	} else if m.started = true; i < len(p.b) && p.b[i] == '}' {
		m.i, m.done = i+1, true
		return false
	}
	end, escaped, err := jsonscan.StringEnd(p.b, i)
	if err != nil || escaped {
		m.err = errSlow
		return false
	}
	m.key = p.s[i+1 : end-1]
	i = p.space(end)
	if i >= len(p.b) || p.b[i] != ':' {
		m.err = errSlow
		return false
	}
	m.i = p.space(i + 1)
	return true
}

// at records what decoding the member's value returned.
func (m *members) at(end int, err error) { m.i, m.err = end, err }

// end returns the index after the object.
func (m *members) end() (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	return m.i, nil
}

// elements iterates over the elements of the array at b[i], as members does.
type elements struct {
	p       *objParser
	i       int
	err     error
	started bool
	done    bool
}

func (p *objParser) elements(i int) elements {
	e := elements{p: p, i: i}
	if i >= len(p.b) || p.b[i] != '[' {
		e.err = errSlow
	}
	return e
}

func (e *elements) next() bool {
	if e.err != nil || e.done {
		return false
	}
	p := e.p
	var i int
	if e.started {
		i = p.space(e.i)
		switch {
		case i < len(p.b) && p.b[i] == ',':
			e.i = p.space(i + 1)
			return true
		case i < len(p.b) && p.b[i] == ']':
			e.i, e.done = i+1, true
		default:
			e.err = errSlow
		}
		return false
	}
	e.started = true
	if i = p.space(e.i + 1); i < len(p.b) && p.b[i] == ']' {
		e.i, e.done = i+1, true
		return false
	}
	e.i = i
	return true
}

func (e *elements) at(end int, err error) { e.i, e.err = end, err }

func (e *elements) end() (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return e.i, nil
}

// skip returns the index after the value at b[i].
func (p *objParser) skip(i int) (int, error) {
	end, err := jsonscan.ValueEnd(p.b, i)
	if err != nil {
		return 0, errSlow
	}
	return end, nil
}

// str decodes the string at b[i]; null is "" (null reports it). Escapes and
// invalid UTF-8 (replaced by U+FFFD, as jsonx.Tolerant does) take the
// general decoder.
func (p *objParser) str(i int) (s string, end int, null bool, err error) {
	if p.isNull(i) {
		return "", i + len("null"), true, nil
	}
	end, escaped, err := jsonscan.StringEnd(p.b, i)
	if err != nil {
		return "", 0, false, errSlow
	}
	s = p.s[i+1 : end-1]
	if escaped || !utf8.ValidString(s) {
		return p.slowString(i, end)
	}
	return s, end, false, nil
}

// slowString decodes the string b[i:end] with jsonv2.
func (p *objParser) slowString(i, end int) (string, int, bool, error) {
	var s string
	if err := jsonv2.Unmarshal(p.b[i:end], &s, jsonx.Tolerant); err != nil {
		return "", 0, false, errSlow
	}
	return s, end, false, nil
}

// setString decodes a string (null is "") into *dst.
func setString[S ~string](p *objParser, dst *S, i int) (int, error) {
	s, end, _, err := p.str(i)
	*dst = S(s)
	return end, err
}

// setOptString decodes null or a string into *dst.
func (p *objParser) setOptString(dst *Optional[string], i int) (int, error) {
	s, end, null, err := p.str(i)
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

// number returns the number (or null: "") at b[i] and the index after it.
func (p *objParser) number(i int) (string, int, error) {
	if p.isNull(i) {
		return "", i + len("null"), nil
	}
	j := i
	for j < len(p.b) {
		c := p.b[j]
		if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			j++
			continue
		}
		break
	}
	if j == i {
		return "", 0, errSlow
	}
	return p.s[i:j], j, nil
}

// setInt decodes an integer (null is 0) into *dst.
func setInt[N int | int64](p *objParser, dst *N, i int) (int, error) {
	s, end, err := p.number(i)
	if err != nil || s == "" {
		*dst = 0
		return end, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || int64(N(n)) != n {
		return 0, errSlow
	}
	*dst = N(n)
	return end, nil
}

// setOptInt decodes null or an integer into *dst.
func (p *objParser) setOptInt(dst *Optional[int64], i int) (int, error) {
	s, end, err := p.number(i)
	if err != nil {
		return 0, err
	}
	if s == "" {
		*dst = Null[int64]()
		return end, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errSlow
	}
	*dst = Set(n)
	return end, nil
}

// setBool decodes a boolean (null is false) into *dst.
func (p *objParser) setBool(dst *bool, i int) (int, error) {
	switch {
	case bytes.HasPrefix(p.b[i:], []byte("true")):
		*dst = true
		return i + len("true"), nil
	case bytes.HasPrefix(p.b[i:], []byte("false")):
		*dst = false
		return i + len("false"), nil
	case p.isNull(i):
		*dst = false
		return i + len("null"), nil
	}
	return 0, errSlow
}

// setTime decodes a Close timestamp, null or "" into *dst.
func (p *objParser) setTime(dst *Time, i int) (int, error) {
	s, end, _, err := p.str(i)
	if err != nil {
		return 0, err
	}
	*dst = Time{}
	if s != "" {
		if *dst, err = ParseTime(s); err != nil {
			return 0, errSlow
		}
	}
	return end, nil
}

// setDate decodes "2006-01-02", null or "" into *dst.
func (p *objParser) setDate(dst *Date, i int) (int, error) {
	s, end, _, err := p.str(i)
	if err != nil {
		return 0, err
	}
	*dst = Date{}
	if s != "" {
		if *dst, err = ParseDate(s); err != nil {
			return 0, errSlow
		}
	}
	return end, nil
}

// setSlice decodes null (nil) or an array into *dst, each element with elem.
func setSlice[E any](p *objParser, dst *[]E, i int, elem func(*objParser, *E, int) (int, error)) (int, error) {
	if p.isNull(i) {
		*dst = nil
		return i + len("null"), nil
	}
	out := []E{} // [] is an empty slice, not nil
	if j := p.space(i + 1); j < len(p.b) && p.b[j] != ']' {
		out = make([]E, 0, 1)
	}
	e := p.elements(i)
	for e.next() {
		var zero E
		out = append(out, zero)
		if p.isNull(e.i) { // a zero element, as jsonv2 decodes it
			e.at(e.i+len("null"), nil)
			continue
		}
		e.at(elem(p, &out[len(out)-1], e.i))
	}
	*dst = out
	return e.end()
}

// setStrings decodes null or an array of strings into *dst.
func (p *objParser) setStrings(dst *[]string, i int) (int, error) {
	return setSlice(p, dst, i, setString[string])
}

// setPtr decodes null (nil) or an object into *dst, with dec.
func setPtr[E any](p *objParser, dst **E, i int, dec func(*objParser, *E, int) (int, error)) (int, error) {
	if p.isNull(i) {
		*dst = nil
		return i + len("null"), nil
	}
	if *dst == nil { // a repeated member merges, as jsonv2 does
		*dst = new(E)
	}
	return dec(p, *dst, i)
}

// custom collects the member key (a "custom.…" key) into *dst, as
// scanCustom does, and returns the index after its value.
func (p *objParser) custom(dst *CustomFields, key string, i int) (int, error) {
	end, err := p.skip(i)
	if err != nil {
		return 0, err
	}
	id := key[len(customPrefix):]
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

// customValue is customValue for the value b[i:end], its strings
// substrings of s.
func (p *objParser) customValue(i, end int) (any, error) {
	switch c := p.b[i]; {
	case c == '"':
		if _, escaped, _ := jsonscan.StringEnd(p.b, i); !escaped {
			return p.s[i+1 : end-1], nil
		}
	case c == '-' || c >= '0' && c <= '9':
		return json.Number(p.s[i:end]), nil
	case c == '[':
		if l, ok := stringList(p.b[i:end], p.s[i:end]); ok {
			return l, nil
		}
	}
	return customValue(p.b[i:end])
}

// raw returns b[i:end] as the Raw of a nested object.
func (p *objParser) raw(i, end int) json.RawMessage { return json.RawMessage(p.b[i:end:end]) }

// lead decodes the lead at b[i].
func (p *objParser) lead(l *Lead, i int) (int, error) {
	start := i
	m := p.members(i)
	for m.next() {
		switch key, i := m.key, m.i; key {
		case "id":
			m.at(setString(p, &l.ID, i))
		case "name":
			m.at(p.setOptString(&l.Name, i))
		case "display_name":
			m.at(setString(p, &l.DisplayName, i))
		case "url":
			m.at(p.setOptString(&l.URL, i))
		case "description":
			m.at(p.setOptString(&l.Description, i))
		case "status_id":
			m.at(setString(p, &l.StatusID, i))
		case "status_label":
			m.at(setString(p, &l.StatusLabel, i))
		case "contacts":
			m.at(setSlice(p, &l.Contacts, i, (*objParser).contact))
		case "contact_ids":
			m.at(p.setStrings(&l.ContactIDs, i))
		case "opportunities":
			m.at(setSlice(p, &l.Opportunities, i, (*objParser).opportunity))
		case "addresses":
			m.at(setSlice(p, &l.Addresses, i, (*objParser).address))
		case "html_url":
			m.at(setString(p, &l.HTMLURL, i))
		case "organization_id":
			m.at(setString(p, &l.OrganizationID, i))
		case "source":
			m.at(setString(p, &l.Source, i))
		case "primary_email":
			m.at(setPtr(p, &l.PrimaryEmail, i, (*objParser).email))
		case "primary_phone":
			m.at(setPtr(p, &l.PrimaryPhone, i, (*objParser).phone))
		case "integration_links":
			m.at(setSlice(p, &l.IntegrationLinks, i, (*objParser).integrationLink))
		case "date_created":
			m.at(p.setTime(&l.DateCreated, i))
		case "date_updated":
			m.at(p.setTime(&l.DateUpdated, i))
		case "created_by":
			m.at(setString(p, &l.CreatedBy, i))
		case "updated_by":
			m.at(setString(p, &l.UpdatedBy, i))
		case "created_by_name":
			m.at(setString(p, &l.CreatedByName, i))
		case "updated_by_name":
			m.at(setString(p, &l.UpdatedByName, i))
		default:
			if strings.HasPrefix(key, customPrefix) {
				m.at(p.custom(&l.Custom, key, i))
			} else {
				m.at(p.skip(i))
			}
		}
	}
	end, err := m.end()
	if err != nil {
		return 0, err
	}
	l.Raw = p.raw(start, end)
	return end, nil
}

// contact decodes the contact at b[i].
func (p *objParser) contact(c *Contact, i int) (int, error) {
	start := i
	m := p.members(i)
	for m.next() {
		switch key, i := m.key, m.i; key {
		case "id":
			m.at(setString(p, &c.ID, i))
		case "lead_id":
			m.at(setString(p, &c.LeadID, i))
		case "organization_id":
			m.at(setString(p, &c.OrganizationID, i))
		case "name":
			m.at(p.setOptString(&c.Name, i))
		case "title":
			m.at(p.setOptString(&c.Title, i))
		case "display_name":
			m.at(setString(p, &c.DisplayName, i))
		case "emails":
			m.at(setSlice(p, &c.Emails, i, (*objParser).email))
		case "phones":
			m.at(setSlice(p, &c.Phones, i, (*objParser).phone))
		case "urls":
			m.at(setSlice(p, &c.URLs, i, (*objParser).contactURL))
		case "timezone":
			m.at(setString(p, &c.Timezone, i))
		case "timezone_source":
			m.at(setString(p, &c.TimezoneSource, i))
		case "integration_links":
			m.at(setSlice(p, &c.IntegrationLinks, i, (*objParser).integrationLink))
		case "date_created":
			m.at(p.setTime(&c.DateCreated, i))
		case "date_updated":
			m.at(p.setTime(&c.DateUpdated, i))
		case "created_by":
			m.at(setString(p, &c.CreatedBy, i))
		case "updated_by":
			m.at(setString(p, &c.UpdatedBy, i))
		default:
			if strings.HasPrefix(key, customPrefix) {
				m.at(p.custom(&c.Custom, key, i))
			} else {
				m.at(p.skip(i))
			}
		}
	}
	end, err := m.end()
	if err != nil {
		return 0, err
	}
	c.Raw = p.raw(start, end)
	return end, nil
}

// opportunity decodes the opportunity at b[i].
func (p *objParser) opportunity(o *Opportunity, i int) (int, error) {
	start := i
	m := p.members(i)
	for m.next() {
		switch key, i := m.key, m.i; key {
		case "id":
			m.at(setString(p, &o.ID, i))
		case "lead_id":
			m.at(setString(p, &o.LeadID, i))
		case "lead_name":
			m.at(setString(p, &o.LeadName, i))
		case "contact_id":
			m.at(setString(p, &o.ContactID, i))
		case "contact_name":
			m.at(setString(p, &o.ContactName, i))
		case "user_id":
			m.at(setString(p, &o.UserID, i))
		case "user_name":
			m.at(setString(p, &o.UserName, i))
		case "status_id":
			m.at(setString(p, &o.StatusID, i))
		case "status_label":
			m.at(setString(p, &o.StatusLabel, i))
		case "status_display_name":
			m.at(setString(p, &o.StatusDisplayName, i))
		case "status_type":
			m.at(setString(p, &o.StatusType, i))
		case "pipeline_id":
			m.at(setString(p, &o.PipelineID, i))
		case "pipeline_name":
			m.at(setString(p, &o.PipelineName, i))
		case "value":
			m.at(p.setOptInt(&o.Value, i))
		case "value_period":
			m.at(setString(p, &o.ValuePeriod, i))
		case "value_currency":
			m.at(setString(p, &o.ValueCurrency, i))
		case "value_formatted":
			m.at(setString(p, &o.ValueFormatted, i))
		case "confidence":
			m.at(setInt(p, &o.Confidence, i))
		case "expected_value":
			m.at(p.setOptInt(&o.ExpectedValue, i))
		case "annualized_value":
			m.at(p.setOptInt(&o.AnnualizedValue, i))
		case "annualized_expected_value":
			m.at(p.setOptInt(&o.AnnualizedExpectedValue, i))
		case "note":
			m.at(p.setOptString(&o.Note, i))
		case "note_html":
			m.at(setString(p, &o.NoteHTML, i))
		case "date_won":
			m.at(p.setDate(&o.DateWon, i))
		case "date_lost":
			m.at(p.setTime(&o.DateLost, i))
		case "date_created":
			m.at(p.setTime(&o.DateCreated, i))
		case "date_updated":
			m.at(p.setTime(&o.DateUpdated, i))
		case "created_by":
			m.at(setString(p, &o.CreatedBy, i))
		case "updated_by":
			m.at(setString(p, &o.UpdatedBy, i))
		case "created_by_name":
			m.at(setString(p, &o.CreatedByName, i))
		case "updated_by_name":
			m.at(setString(p, &o.UpdatedByName, i))
		case "organization_id":
			m.at(setString(p, &o.OrganizationID, i))
		case "is_stalled":
			m.at(p.setBool(&o.IsStalled, i))
		case "attachments":
			m.at(setSlice(p, &o.Attachments, i, (*objParser).attachment))
		case "integration_links":
			m.at(setSlice(p, &o.IntegrationLinks, i, (*objParser).integrationLink))
		default:
			if strings.HasPrefix(key, customPrefix) {
				m.at(p.custom(&o.Custom, key, i))
			} else {
				m.at(p.skip(i))
			}
		}
	}
	end, err := m.end()
	if err != nil {
		return 0, err
	}
	o.Raw = p.raw(start, end)
	return end, nil
}

func (p *objParser) address(a *Address, i int) (int, error) {
	m := p.members(i)
	for m.next() {
		switch key, i := m.key, m.i; key {
		case "label":
			m.at(setString(p, &a.Label, i))
		case "address_1":
			m.at(setString(p, &a.Address1, i))
		case "address_2":
			m.at(setString(p, &a.Address2, i))
		case "city":
			m.at(setString(p, &a.City, i))
		case "state":
			m.at(setString(p, &a.State, i))
		case "zipcode":
			m.at(setString(p, &a.Zipcode, i))
		case "country":
			m.at(setString(p, &a.Country, i))
		case "tz_ids":
			m.at(p.setStrings(&a.TZIDs, i))
		default:
			m.at(p.skip(i))
		}
	}
	return m.end()
}

func (p *objParser) email(e *ContactEmail, i int) (int, error) {
	m := p.members(i)
	for m.next() {
		switch key, i := m.key, m.i; key {
		case "email":
			m.at(setString(p, &e.Email, i))
		case "type":
			m.at(setString(p, &e.Type, i))
		case "is_unsubscribed":
			m.at(p.setBool(&e.IsUnsubscribed, i))
		default:
			m.at(p.skip(i))
		}
	}
	return m.end()
}

func (p *objParser) phone(ph *ContactPhone, i int) (int, error) {
	m := p.members(i)
	for m.next() {
		switch key, i := m.key, m.i; key {
		case "phone":
			m.at(setString(p, &ph.Phone, i))
		case "type":
			m.at(setString(p, &ph.Type, i))
		case "phone_formatted":
			m.at(setString(p, &ph.PhoneFormatted, i))
		case "country":
			m.at(setString(p, &ph.Country, i))
		case "tz_ids":
			m.at(p.setStrings(&ph.TZIDs, i))
		case "outbound_sms_blocked":
			m.at(p.setBool(&ph.OutboundSMSBlocked, i))
		default:
			m.at(p.skip(i))
		}
	}
	return m.end()
}

func (p *objParser) contactURL(u *ContactURL, i int) (int, error) {
	m := p.members(i)
	for m.next() {
		switch key, i := m.key, m.i; key {
		case "url":
			m.at(setString(p, &u.URL, i))
		case "type":
			m.at(setString(p, &u.Type, i))
		default:
			m.at(p.skip(i))
		}
	}
	return m.end()
}

func (p *objParser) integrationLink(l *IntegrationLink, i int) (int, error) {
	m := p.members(i)
	for m.next() {
		switch key, i := m.key, m.i; key {
		case "name":
			m.at(setString(p, &l.Name, i))
		case "url":
			m.at(setString(p, &l.URL, i))
		default:
			m.at(p.skip(i))
		}
	}
	return m.end()
}

func (p *objParser) attachment(a *Attachment, i int) (int, error) {
	m := p.members(i)
	for m.next() {
		switch key, i := m.key, m.i; key {
		case "url":
			m.at(setString(p, &a.URL, i))
		case "filename":
			m.at(setString(p, &a.Filename, i))
		case "content_type":
			m.at(setString(p, &a.ContentType, i))
		case "size":
			m.at(setInt(p, &a.Size, i))
		case "thumbnail_url":
			m.at(setString(p, &a.ThumbnailURL, i))
		default:
			m.at(p.skip(i))
		}
	}
	return m.end()
}
