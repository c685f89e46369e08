package closetest

import (
	"net/http"
	"strconv"
)

// contactFields validates the contact fields of in and returns those to
// store (lead_id and custom fields excluded). List items keep only their
// writable keys: read-only ones such as phone_formatted are computed.
func contactFields(in map[string]any, fe map[string]any) map[string]any {
	out := map[string]any{}
	copyStrings(in, out, fe, "name", "title", "timezone")
	lists := []struct {
		key, req string
		writable []string
		defaults map[string]any
	}{
		{"emails", "email", []string{"email", "type"}, map[string]any{"type": "office", "is_unsubscribed": false}},
		{"phones", "phone", []string{"phone", "type"}, map[string]any{"type": "office", "country": nil, "tz_ids": []any{}, "outbound_sms_blocked": false}},
		{"urls", "url", []string{"url", "type"}, map[string]any{"type": "url"}},
	}
	for _, l := range lists {
		v, has := in[l.key]
		if !has {
			continue
		}
		list, problem := normList(v, l.req, l.writable, l.defaults)
		if problem != nil {
			fe[l.key] = problem
			continue
		}
		if l.key == "phones" {
			for _, p := range list {
				pm := p.(map[string]any)
				pm["phone_formatted"] = pm["phone"]
			}
		}
		out[l.key] = list
	}
	return out
}

// newContact builds a contact of lead leadID from validated fields.
func newContact(fields, in map[string]any, leadID string) map[string]any {
	now := nowString()
	o := map[string]any{
		"id": newID("cont_"), "organization_id": OrganizationID, "lead_id": leadID,
		"name": nil, "title": nil, "emails": []any{}, "phones": []any{}, "urls": []any{},
		"integration_links": []any{}, "timezone": nil,
		"date_created": now, "date_updated": now, "created_by": UserID, "updated_by": UserID,
	}
	for k, v := range fields {
		o[k] = v
	}
	applyCustom(o, in)
	o["display_name"] = str(o["name"])
	return o
}

// createContactLocked answers POST /contact/. Without lead_id it makes a
// lead named after the contact, as Close does since 2025-02-14.
func (c *Fake) createContactLocked(cl *call) reply {
	in := cl.body
	fe := map[string]any{}
	fields := contactFields(in, fe)
	checkTime(in, "date_created", fe)
	leadID, hasLead := in["lead_id"]
	if hasLead && leadID != nil {
		id, isStr := leadID.(string)
		switch {
		case !isStr:
			fe["lead"] = errNotString
		case c.leads.get(id) == nil:
			fe["lead"] = errNoObject
		}
	}
	if len(fe) > 0 {
		return fieldErrors(fe)
	}
	lead, _ := leadID.(string)
	if lead == "" {
		l := c.newLeadLocked(map[string]any{"name": fields["name"]}, map[string]any{}, c.leadSt[0])
		c.leads.put(l)
		c.emitCreatedLocked(cl, "lead", l)
		lead = l["id"].(string)
	}
	before := c.leadSnapshotLocked(lead)
	o := newContact(fields, in, lead)
	importedDate(in, o, fe)
	if len(fe) > 0 {
		return fieldErrors(fe)
	}
	c.contacts.put(o)
	c.emitCreatedLocked(cl, "contact", o)
	c.emitLeadChangeLocked(cl, lead, before)
	return ok(copyMap(o))
}

// leadFields validates the lead fields of in (not contacts or status).
func leadFields(in map[string]any, fe map[string]any) map[string]any {
	out := map[string]any{}
	copyStrings(in, out, fe, "name", "url", "description", "source")
	if v, has := in["addresses"]; has {
		list, isList := v.([]any)
		if !isList {
			fe["addresses"] = errNotList
			return out
		}
		addrs := make([]any, 0, len(list))
		for i, a := range list {
			m, isObj := a.(map[string]any)
			if !isObj {
				fe["addresses"] = map[string]any{strconv.Itoa(i): "Expected an object."}
				break
			}
			n := map[string]any{"label": "business", "address_1": nil, "address_2": nil, "city": nil,
				"state": nil, "zipcode": nil, "country": nil, "tz_ids": []any{}}
			for _, k := range []string{"label", "address_1", "address_2", "city", "state", "zipcode", "country"} {
				if x, has := m[k]; has {
					n[k] = x
				}
			}
			addrs = append(addrs, n)
		}
		out["addresses"] = addrs
	}
	return out
}

func (c *Fake) newLeadLocked(fields, in map[string]any, st status) map[string]any {
	now := nowString()
	id := newID("lead_")
	o := map[string]any{
		"id": id, "name": nil, "url": nil, "description": nil, "source": nil, "addresses": []any{},
		"status_id": st.id, "status_label": st.label, "organization_id": OrganizationID,
		"html_url":     "https://app.close.com/lead/" + id + "/",
		"date_created": now, "date_updated": now, "created_by": UserID, "updated_by": UserID,
		"created_by_name": userName, "updated_by_name": userName,
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
func (c *Fake) createLeadLocked(cl *call) reply {
	in := cl.body
	fe := map[string]any{}
	fields := leadFields(in, fe)
	st, found := resolveStatus(in, c.leadSt, fe)
	if !found {
		st = c.leadSt[0]
	}
	var nested, nestedIn []map[string]any
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
		return fieldErrors(fe)
	}
	lead := c.newLeadLocked(fields, in, st)
	if importedDate(in, lead, fe); len(fe) > 0 {
		return fieldErrors(fe)
	}
	c.leads.put(lead)
	var made []map[string]any
	for i, f := range nested {
		ct := newContact(f, nestedIn[i], lead["id"].(string))
		c.contacts.put(ct)
		made = append(made, ct)
	}
	c.emitCreatedLocked(cl, "lead", c.renderLeadLocked(lead))
	for _, ct := range made {
		c.emitCreatedLocked(cl, "contact", ct)
	}
	c.logActivityLocked(cl, "Created", lead["id"].(string), map[string]any{"contact_id": nil, "source": "API"})
	return ok(c.renderLeadLocked(lead))
}

// deleteLeadLocked deletes a lead and everything on it, with a deleted
// event for each.
func (c *Fake) deleteLeadLocked(cl *call, id string) {
	for _, kind := range []struct {
		s    *store
		kind string
	}{{&c.contacts, "contact"}, {&c.opps, "opportunity"}, {&c.tasks, "task"}, {&c.acts, "activity"}} {
		for _, o := range kind.s.ofLead(id) {
			prev := c.renderLocked(kind.kind, o)
			kind.s.del(o["id"].(string))
			c.emitDeletedLocked(cl, eventObjectType(kind.kind, o), prev)
		}
	}
	prev := c.renderLeadLocked(c.leads.get(id))
	c.leads.del(id)
	c.emitDeletedLocked(cl, "lead", prev)
}

// mergeLocked answers POST /lead/merge/ {"source", "destination"}: the
// source's contacts, opportunities, tasks and activities move to the
// destination, custom fields the destination lacks are copied, and the
// source is deleted.
func (c *Fake) mergeLocked(cl *call) reply {
	in := cl.body
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
		return fieldErrors(fe)
	}
	switch {
	case c.leads.get(src) == nil:
		return replyStatus(http.StatusNotFound, map[string]any{"errors": []any{"Source lead does not exist."}})
	case c.leads.get(dst) == nil:
		return replyStatus(http.StatusNotFound, map[string]any{"errors": []any{"Destination lead does not exist."}})
	case src == dst:
		return replyStatus(http.StatusBadRequest, map[string]any{"errors": []any{"Source and destination must be different leads."}})
	}
	before := c.leadSnapshotLocked(dst)
	s, d := c.leads.get(src), c.leads.get(dst)
	for _, st := range []*store{&c.contacts, &c.opps, &c.tasks, &c.acts} {
		for _, o := range st.ofLead(src) {
			st.relink(o["id"].(string), dst)
		}
	}
	for k, v := range s {
		if _, has := d[k]; len(k) > 7 && k[:7] == "custom." && !has {
			d[k] = v
		}
	}
	d["addresses"] = append(asList(d["addresses"]), asList(s["addresses"])...)
	d["date_updated"] = nowString()
	prev := c.renderLeadLocked(s)
	c.leads.del(src)
	meta := map[string]any{"merge_source_lead_id": src, "merge_destination_lead_id": dst}
	c.emitLocked(cl, "lead", "merged", dst, dst, c.renderLeadLocked(d), nil, nil, meta)
	c.emitLeadChangeLocked(cl, dst, before)
	c.emitLocked(cl, "lead", "deleted", src, src, nil, prev, nil, meta)
	return ok(map[string]any{"status": "ok"})
}
