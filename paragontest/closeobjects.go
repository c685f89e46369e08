package paragontest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	errRequired    = "This field is required."
	errNotString   = "Not a valid string."
	errNotInteger  = "A valid integer is required."
	errNotList     = "Expected a list of items."
	errNoObject    = "Object does not exist."
	errNotChoice   = "Not a valid choice."
	errNotDate     = "Date has wrong format. Use YYYY-MM-DD."
	errNestedWrite = "Nested contacts cannot be changed through a lead; use /contact/{id}/."
)

// ---- field validation ----

// checkString validates an optional string-or-null field.
func checkString(in map[string]any, key string, fe map[string]any) {
	if v, ok := in[key]; ok && v != nil {
		if _, isStr := v.(string); !isStr {
			fe[key] = errNotString
		}
	}
}

// normList validates a list of objects that each need the string field req,
// filling defaults; it returns the normalized list.
func normList(v any, req string, defaults map[string]any) ([]any, any) {
	list, ok := v.([]any)
	if !ok {
		return nil, errNotList
	}
	out := make([]any, 0, len(list))
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, map[string]any{strconv.Itoa(i): "Expected an object."}
		}
		if s, _ := m[req].(string); s == "" {
			return nil, map[string]any{strconv.Itoa(i): map[string]any{req: errRequired}}
		}
		n := copyMap(m)
		for k, d := range defaults {
			if _, ok := n[k]; !ok {
				n[k] = deepCopy(d)
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// contactFields validates the contact fields of in and returns those to
// store (lead_id and custom fields excluded).
func contactFields(in map[string]any, fe map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"name", "title", "timezone"} {
		checkString(in, k, fe)
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	lists := []struct {
		key, req string
		defaults map[string]any
	}{
		{"emails", "email", map[string]any{"type": "office", "is_unsubscribed": false}},
		{"phones", "phone", map[string]any{"type": "office", "country": nil, "tz_ids": []any{}, "outbound_sms_blocked": false}},
		{"urls", "url", map[string]any{"type": "url"}},
	}
	for _, l := range lists {
		v, ok := in[l.key]
		if !ok {
			continue
		}
		list, problem := normList(v, l.req, l.defaults)
		if problem != nil {
			fe[l.key] = problem
			continue
		}
		if l.key == "phones" {
			for _, p := range list {
				pm := p.(map[string]any)
				if _, ok := pm["phone_formatted"]; !ok {
					pm["phone_formatted"] = pm["phone"]
				}
			}
		}
		out[l.key] = list
	}
	return out
}

// newContactLocked builds a contact of lead leadID from validated fields.
func newContactLocked(fields, in map[string]any, leadID string) map[string]any {
	now := closeNow()
	o := map[string]any{
		"id": closeID("cont_"), "organization_id": CloseOrganizationID, "lead_id": leadID,
		"name": "", "title": "", "emails": []any{}, "phones": []any{}, "urls": []any{},
		"integration_links": []any{}, "timezone": nil,
		"date_created": now, "date_updated": now, "created_by": CloseUserID, "updated_by": CloseUserID,
	}
	for k, v := range fields {
		o[k] = v
	}
	applyCustom(o, in)
	o["display_name"] = str(o["name"])
	return o
}

// createContactLocked answers POST /contact/.
func (c *CloseCRM) createContactLocked(in map[string]any) closeReply {
	fe := map[string]any{}
	fields := contactFields(in, fe)
	leadID, hasLead := in["lead_id"]
	if hasLead && leadID != nil {
		id, ok := leadID.(string)
		switch {
		case !ok:
			fe["lead"] = errNotString
		case c.leads.byID[id] == nil:
			fe["lead"] = errNoObject
		}
	}
	if len(fe) > 0 {
		return closeFieldErrors(fe)
	}
	lead, _ := leadID.(string)
	if lead == "" {
		// Since 2025-02-14 Close creates a lead named after the contact.
		l := newLeadLocked(map[string]any{"name": fields["name"]}, map[string]any{}, closeLeadStatuses[0])
		c.leads.put(l)
		lead = l["id"].(string)
	}
	o := newContactLocked(fields, in, lead)
	c.contacts.put(o)
	return reply(http.StatusOK, copyMap(o))
}

// leadFields validates the lead fields of in (not contacts or status).
func leadFields(in map[string]any, fe map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"name", "url", "description", "source"} {
		checkString(in, k, fe)
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	if v, ok := in["addresses"]; ok {
		list, isList := v.([]any)
		if !isList {
			fe["addresses"] = errNotList
		} else {
			addrs := make([]any, 0, len(list))
			for i, a := range list {
				m, ok := a.(map[string]any)
				if !ok {
					fe["addresses"] = map[string]any{strconv.Itoa(i): "Expected an object."}
					break
				}
				n := map[string]any{"label": "business", "address_1": nil, "address_2": nil, "city": nil,
					"state": nil, "zipcode": nil, "country": nil, "tz_ids": []any{}}
				for k, v := range m {
					n[k] = deepCopy(v)
				}
				addrs = append(addrs, n)
			}
			out["addresses"] = addrs
		}
	}
	return out
}

// resolveStatus finds the status named by status_id or status (its label)
// in in. It returns ok=false when neither is set.
func resolveStatus(in map[string]any, statuses []closeStatus, fe map[string]any) (st closeStatus, ok bool) {
	id, hasID := in["status_id"]
	label, hasLabel := in["status"]
	if hasID && hasLabel {
		fe["status"] = "Set status_id or status, not both."
		return st, false
	}
	if !hasID && !hasLabel {
		return st, false
	}
	for _, s := range statuses {
		if hasID && str(id) == s.id || hasLabel && strings.EqualFold(str(label), s.label) {
			return s, true
		}
	}
	fe["status"] = errNotChoice
	return st, false
}

func newLeadLocked(fields, in map[string]any, st closeStatus) map[string]any {
	now := closeNow()
	id := closeID("lead_")
	o := map[string]any{
		"id": id, "name": nil, "url": nil, "description": nil, "source": nil, "addresses": []any{},
		"status_id": st.id, "status_label": st.label, "organization_id": CloseOrganizationID,
		"html_url":     "https://app.close.com/lead/" + id + "/",
		"date_created": now, "date_updated": now, "created_by": CloseUserID, "updated_by": CloseUserID,
		"created_by_name": closeUserName, "updated_by_name": closeUserName,
	}
	for k, v := range fields {
		o[k] = v
	}
	applyCustom(o, in)
	setLeadDisplayName(o)
	return o
}

func setLeadDisplayName(o map[string]any) {
	if n := str(o["name"]); n != "" {
		o["display_name"] = n
	} else {
		o["display_name"] = "Untitled"
	}
}

// createLeadLocked answers POST /lead/, with nested contacts.
func (c *CloseCRM) createLeadLocked(in map[string]any) closeReply {
	fe := map[string]any{}
	fields := leadFields(in, fe)
	st, ok := resolveStatus(in, closeLeadStatuses, fe)
	if !ok {
		st = closeLeadStatuses[0]
	}
	var nested []map[string]any
	var nestedIn []map[string]any
	if v, has := in["contacts"]; has {
		list, isList := v.([]any)
		if !isList {
			fe["contacts"] = errNotList
		}
		cfe := map[string]any{}
		for i, item := range list {
			m, isObj := item.(map[string]any)
			if !isObj {
				cfe[strconv.Itoa(i)] = "Expected an object."
				continue
			}
			one := map[string]any{}
			f := contactFields(m, one)
			if len(one) > 0 {
				cfe[strconv.Itoa(i)] = one
			}
			nested, nestedIn = append(nested, f), append(nestedIn, m)
		}
		if len(cfe) > 0 {
			fe["contacts"] = cfe
		}
	}
	if len(fe) > 0 {
		return closeFieldErrors(fe)
	}
	lead := newLeadLocked(fields, in, st)
	c.leads.put(lead)
	for i, f := range nested {
		c.contacts.put(newContactLocked(f, nestedIn[i], lead["id"].(string)))
	}
	return reply(http.StatusOK, c.renderLeadLocked(lead))
}

// oppFields validates the opportunity fields of in (not lead or status).
func (c *CloseCRM) oppFields(in map[string]any, fe map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"note", "note_html", "user_id"} {
		checkString(in, k, fe)
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	if v, ok := in["value"]; ok {
		if _, isInt := toInt(v); v != nil && !isInt {
			fe["value"] = errNotInteger
		}
		out["value"] = v
	}
	if v, ok := in["value_period"]; ok {
		switch str(v) {
		case "one_time", "monthly", "annual":
			out["value_period"] = v
		default:
			fe["value_period"] = errNotChoice
		}
	}
	if v, ok := in["confidence"]; ok {
		n, isInt := toInt(v)
		switch {
		case !isInt:
			fe["confidence"] = errNotInteger
		case n < 0 || n > 100:
			fe["confidence"] = "Ensure this value is between 0 and 100."
		default:
			out["confidence"] = json.Number(strconv.FormatInt(n, 10))
		}
	}
	if v, ok := in["date_won"]; ok {
		if s, isStr := v.(string); v != nil && (!isStr || !validDate(s)) {
			fe["date_won"] = errNotDate
		}
		out["date_won"] = v
	}
	if v, ok := in["contact_id"]; ok {
		if id, isStr := v.(string); v != nil && (!isStr || c.contacts.byID[id] == nil) {
			fe["contact"] = errNoObject
		}
		out["contact_id"] = v
	}
	return out
}

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// setOppStatus moves o to st, filling date_won and date_lost as Close does.
func setOppStatus(o map[string]any, st closeStatus) {
	o["status_id"] = st.id
	switch st.typ {
	case "won":
		if o["date_won"] == nil {
			o["date_won"] = time.Now().UTC().Format("2006-01-02")
		}
	case "lost":
		if o["date_lost"] == nil {
			o["date_lost"] = closeNow()
		}
	}
}

// createOppLocked answers POST /opportunity/.
func (c *CloseCRM) createOppLocked(in map[string]any) closeReply {
	fe := map[string]any{}
	fields := c.oppFields(in, fe)
	leadID, _ := in["lead_id"].(string)
	switch {
	case in["lead_id"] == nil:
		fe["lead"] = errRequired
	case leadID == "" || c.leads.byID[leadID] == nil:
		fe["lead"] = errNoObject
	}
	st, ok := resolveStatus(in, closeOppStatuses, fe)
	if !ok {
		st = closeOppStatuses[0]
	}
	if len(fe) > 0 {
		return closeFieldErrors(fe)
	}
	now := closeNow()
	o := map[string]any{
		"id": closeID("oppo_"), "lead_id": leadID, "value": nil, "value_period": "one_time",
		"confidence": json.Number("0"), "note": "", "date_won": nil, "date_lost": nil,
		"user_id": CloseUserID, "contact_id": nil,
		"date_created": now, "date_updated": now, "created_by": CloseUserID, "updated_by": CloseUserID,
	}
	for k, v := range fields {
		o[k] = v
	}
	applyCustom(o, in)
	setOppStatus(o, st)
	c.opps.put(o)
	return reply(http.StatusOK, c.renderOppLocked(o))
}

// updateLocked answers PUT /{kind}/{id}/: a partial update.
func (c *CloseCRM) updateLocked(kind, id string, in map[string]any) closeReply {
	fe := map[string]any{}
	var store *closeStore
	var fields map[string]any
	var st closeStatus
	var hasStatus bool
	switch kind {
	case "contact":
		store = &c.contacts
		fields = contactFields(in, fe)
		if v, ok := in["lead_id"]; ok {
			if lid, isStr := v.(string); !isStr || c.leads.byID[lid] == nil {
				fe["lead"] = errNoObject
			} else {
				fields["lead_id"] = lid
			}
		}
	case "lead":
		store = &c.leads
		fields = leadFields(in, fe)
		if _, ok := in["contacts"]; ok {
			fe["contacts"] = errNestedWrite
		}
		st, hasStatus = resolveStatus(in, closeLeadStatuses, fe)
	default:
		store = &c.opps
		fields = c.oppFields(in, fe)
		st, hasStatus = resolveStatus(in, closeOppStatuses, fe)
	}
	o := store.byID[id]
	if o == nil {
		return closeNotFound(kindName(kind))
	}
	if len(fe) > 0 {
		return closeFieldErrors(fe)
	}
	if lead, ok := fields["lead_id"].(string); ok && kind == "contact" {
		store.relink(id, lead)
		delete(fields, "lead_id")
	}
	for k, v := range fields {
		o[k] = v
	}
	applyCustom(o, in)
	o["date_updated"] = closeNow()
	o["updated_by"] = CloseUserID
	switch kind {
	case "contact":
		o["display_name"] = str(o["name"])
		return reply(http.StatusOK, copyMap(o))
	case "lead":
		if hasStatus {
			o["status_id"], o["status_label"] = st.id, st.label
		}
		setLeadDisplayName(o)
		return reply(http.StatusOK, c.renderLeadLocked(o))
	}
	if hasStatus {
		setOppStatus(o, st)
	}
	return reply(http.StatusOK, c.renderOppLocked(o))
}

// deleteLocked answers DELETE /{kind}/{id}/; a lead takes its contacts and
// opportunities with it.
func (c *CloseCRM) deleteLocked(kind, id string) closeReply {
	switch kind {
	case "contact":
		if c.contacts.byID[id] == nil {
			return closeNotFound("Contact")
		}
		c.contacts.del(id)
	case "lead":
		if c.leads.byID[id] == nil {
			return closeNotFound("Lead")
		}
		c.deleteLeadLocked(id)
	default:
		if c.opps.byID[id] == nil {
			return closeNotFound("Opportunity")
		}
		c.opps.del(id)
	}
	return reply(http.StatusOK, map[string]any{})
}

func (c *CloseCRM) deleteLeadLocked(id string) {
	for _, o := range c.contacts.ofLead(id) {
		c.contacts.del(o["id"].(string))
	}
	for _, o := range c.opps.ofLead(id) {
		c.opps.del(o["id"].(string))
	}
	c.leads.del(id)
}

// mergeLocked answers POST /lead/merge/ {"source", "destination"}: the
// source's contacts and opportunities move to the destination, custom
// fields the destination lacks are copied, and the source is deleted.
func (c *CloseCRM) mergeLocked(in map[string]any) closeReply {
	fe := map[string]any{}
	src, _ := in["source"].(string)
	dst, _ := in["destination"].(string)
	if src == "" {
		fe["source"] = errRequired
	}
	if dst == "" {
		fe["destination"] = errRequired
	}
	if len(fe) > 0 {
		return closeFieldErrors(fe)
	}
	switch {
	case c.leads.byID[src] == nil:
		return reply(http.StatusNotFound, map[string]any{"errors": []any{"Source lead does not exist."}})
	case c.leads.byID[dst] == nil:
		return reply(http.StatusNotFound, map[string]any{"errors": []any{"Destination lead does not exist."}})
	case src == dst:
		return reply(http.StatusBadRequest, map[string]any{"errors": []any{"Source and destination must be different leads."}})
	}
	s, d := c.leads.byID[src], c.leads.byID[dst]
	for _, o := range c.contacts.ofLead(src) {
		c.contacts.relink(o["id"].(string), dst)
	}
	for _, o := range c.opps.ofLead(src) {
		c.opps.relink(o["id"].(string), dst)
	}
	for k, v := range s {
		if _, has := d[k]; strings.HasPrefix(k, "custom.") && !has {
			d[k] = v
		}
	}
	d["addresses"] = append(asList(d["addresses"]), asList(s["addresses"])...)
	d["date_updated"] = closeNow()
	c.leads.del(src)
	return reply(http.StatusOK, map[string]any{"status": "ok"})
}

// ---- rendering ----

// renderLeadLocked returns a copy of lead with its contacts and
// opportunities embedded.
func (c *CloseCRM) renderLeadLocked(lead map[string]any) map[string]any {
	o := copyMap(lead)
	id := lead["id"].(string)
	contacts, ids := []any{}, []any{}
	var primaryEmail, primaryPhone any
	for _, ct := range c.contacts.ofLead(id) {
		contacts = append(contacts, copyMap(ct))
		ids = append(ids, ct["id"])
		if emails, _ := ct["emails"].([]any); primaryEmail == nil && len(emails) > 0 {
			primaryEmail = deepCopy(emails[0])
		}
		if phones, _ := ct["phones"].([]any); primaryPhone == nil && len(phones) > 0 {
			primaryPhone = deepCopy(phones[0])
		}
	}
	opps := []any{}
	for _, op := range c.opps.ofLead(id) {
		opps = append(opps, c.renderOppLocked(op))
	}
	o["contacts"], o["contact_ids"], o["opportunities"] = contacts, ids, opps
	o["tasks"], o["integration_links"] = []any{}, []any{}
	o["primary_email"], o["primary_phone"] = primaryEmail, primaryPhone
	return o
}

// renderOppLocked returns a copy of opp with the derived fields Close adds.
func (c *CloseCRM) renderOppLocked(opp map[string]any) map[string]any {
	o := copyMap(opp)
	st := closeOppStatuses[0]
	for _, s := range closeOppStatuses {
		if s.id == opp["status_id"] {
			st = s
		}
	}
	o["status_label"], o["status_display_name"], o["status_type"] = st.label, st.label, st.typ
	o["pipeline_id"], o["pipeline_name"] = ClosePipelineID, "Sales"
	o["value_currency"] = "USD"
	o["organization_id"] = CloseOrganizationID
	o["user_name"], o["created_by_name"], o["updated_by_name"] = closeUserName, closeUserName, closeUserName
	o["attachments"], o["integration_links"] = []any{}, []any{}
	o["lead_name"], o["contact_name"] = nil, nil
	if l := c.leads.byID[str(opp["lead_id"])]; l != nil {
		o["lead_name"] = l["display_name"]
	}
	if ct := c.contacts.byID[str(opp["contact_id"])]; ct != nil {
		o["contact_name"] = ct["display_name"]
	}
	value, hasValue := toInt(opp["value"])
	conf, _ := toInt(opp["confidence"])
	period := str(opp["value_period"])
	if !hasValue {
		o["value_formatted"], o["expected_value"], o["annualized_value"], o["annualized_expected_value"] = nil, nil, nil, nil
		return o
	}
	annual := annualize(value, period)
	o["value_formatted"] = formatValue(value, period)
	o["expected_value"] = value * conf / 100
	o["annualized_value"] = annual
	o["annualized_expected_value"] = annual * conf / 100
	return o
}

func annualize(value int64, period string) int64 {
	if period == "monthly" {
		return value * 12
	}
	return value
}

func formatValue(cents int64, period string) string {
	s := formatMoney(cents)
	switch period {
	case "monthly":
		return s + " monthly"
	case "annual":
		return s + " annually"
	}
	return s
}

// formatMoney formats cents as dollars: 1250000 → "$12,500",
// 119760 → "$1,197.60".
func formatMoney(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	d := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := sign + "$" + b.String()
	if rem := cents % 100; rem != 0 {
		out += fmt.Sprintf(".%02d", rem)
	}
	return out
}

// addAggregates adds the opportunity list aggregates over all matches
// (rendered opportunities) to out.
func addAggregates(out map[string]any, matches []map[string]any) {
	count := map[string]any{}
	total := map[string]int64{}
	expected := map[string]int64{}
	var totalAnnualized, expectedAnnualized int64
	for _, o := range matches {
		p := str(o["value_period"])
		n, _ := toInt(count[p])
		count[p] = n + 1
		v, _ := toInt(o["value"])
		conf, _ := toInt(o["confidence"])
		total[p] += v
		expected[p] += v * conf / 100
		totalAnnualized += annualize(v, p)
		expectedAnnualized += annualize(v, p) * conf / 100
	}
	formatted := func(v int64) any {
		if v == 0 {
			return nil
		}
		return formatMoney(v)
	}
	out["count_by_value_period"] = count
	for _, p := range []string{"one_time", "monthly", "annual"} {
		out["total_value_"+p] = total[p]
		out["total_value_"+p+"_formatted"] = formatted(total[p])
		out["expected_value_"+p] = expected[p]
		out["expected_value_"+p+"_formatted"] = formatted(expected[p])
	}
	out["total_value_annualized"] = totalAnnualized
	out["total_value_annualized_formatted"] = formatted(totalAnnualized)
	out["expected_value_annualized"] = expectedAnnualized
	out["expected_value_annualized_formatted"] = formatted(expectedAnnualized)
}

// ---- Go API for seeding and inspecting ----

// CloseError is a failed [CloseCRM.CreateLead], [CloseCRM.CreateContact] or
// [CloseCRM.CreateOpportunity]: the status and body Close would answer.
type CloseError struct {
	// Status is the HTTP status, e.g. 400.
	Status int
	// Body is the error body, e.g. {"errors": [], "field-errors": {…}}.
	Body map[string]any
}

// Error describes the failure.
func (e *CloseError) Error() string {
	b, _ := json.Marshal(e.Body)
	return fmt.Sprintf("paragontest: Close answered %d: %s", e.Status, b)
}

// CreateLead creates a lead as POST /lead/ does (fields may include nested
// "contacts") and returns it as GET /lead/{id}/ would.
func (c *CloseCRM) CreateLead(fields map[string]any) (map[string]any, error) {
	return c.create(fields, c.createLeadLocked)
}

// CreateContact creates a contact as POST /contact/ does.
func (c *CloseCRM) CreateContact(fields map[string]any) (map[string]any, error) {
	return c.create(fields, c.createContactLocked)
}

// CreateOpportunity creates an opportunity as POST /opportunity/ does.
func (c *CloseCRM) CreateOpportunity(fields map[string]any) (map[string]any, error) {
	return c.create(fields, c.createOppLocked)
}

func (c *CloseCRM) create(fields map[string]any, fn func(map[string]any) closeReply) (map[string]any, error) {
	in, err := normalizeMap(fields)
	if err != nil {
		return nil, fmt.Errorf("paragontest: Close fields: %w", err)
	}
	if in == nil {
		in = map[string]any{}
	}
	c.mu.Lock()
	rep := fn(in)
	c.mu.Unlock()
	body, _ := rep.body.(map[string]any)
	if rep.status != http.StatusOK {
		return nil, &CloseError{Status: rep.status, Body: body}
	}
	return body, nil
}

// Lead returns lead id as GET /lead/{id}/ would, and whether it exists.
func (c *CloseCRM) Lead(id string) (map[string]any, bool) { return c.get("lead", id) }

// Contact returns contact id as GET /contact/{id}/ would, and whether it
// exists.
func (c *CloseCRM) Contact(id string) (map[string]any, bool) { return c.get("contact", id) }

// Opportunity returns opportunity id as GET /opportunity/{id}/ would, and
// whether it exists.
func (c *CloseCRM) Opportunity(id string) (map[string]any, bool) { return c.get("opportunity", id) }

func (c *CloseCRM) get(kind, id string) (map[string]any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.getLocked(kind, id)
	return o, o != nil
}

// Leads returns every lead, oldest first.
func (c *CloseCRM) Leads() []map[string]any { return c.list("lead") }

// Contacts returns every contact, oldest first.
func (c *CloseCRM) Contacts() []map[string]any { return c.list("contact") }

// Opportunities returns every opportunity, oldest first.
func (c *CloseCRM) Opportunities() []map[string]any { return c.list("opportunity") }

func (c *CloseCRM) list(kind string) []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	switch kind {
	case "lead":
		ids = c.leads.order
	case "contact":
		ids = c.contacts.order
	default:
		ids = c.opps.order
	}
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, c.getLocked(kind, id))
	}
	return out
}
