package closetest

// updateLocked answers PUT /{contact,lead,opportunity}/{id}/: a partial
// update, with an updated event when a field Close watches changes.
func (c *Fake) updateLocked(cl *call, kind, id string) reply {
	in := cl.body
	fe := map[string]any{}
	var st *store
	var fields map[string]any
	var newSt status
	var hasStatus bool
	switch kind {
	case "contact":
		st = &c.contacts
		fields = contactFields(in, fe)
		if v, has := in["lead_id"]; has {
			if lid, isStr := v.(string); !isStr || c.leads.get(lid) == nil {
				fe["lead"] = errNoObject
			} else {
				fields["lead_id"] = lid
			}
		}
	case "lead":
		st = &c.leads
		fields = leadFields(in, fe)
		if _, has := in["contacts"]; has {
			fe["contacts"] = errNestedWrite
		}
		newSt, hasStatus = resolveStatus(in, c.leadSt, fe)
	default:
		st = &c.opps
		fields = c.oppFields(in, fe)
		newSt, hasStatus = resolveStatus(in, c.oppSt, fe)
	}
	o := st.get(id)
	if o == nil {
		return notFound(kindName(kind))
	}
	if len(fe) > 0 {
		return fieldErrors(fe)
	}
	prev := c.renderLocked(kind, o)
	var leadsBefore map[string]map[string]any
	if lead, isStr := fields["lead_id"].(string); isStr && kind == "contact" {
		old := str(o["lead_id"])
		leadsBefore = map[string]map[string]any{old: c.leadSnapshotLocked(old), lead: c.leadSnapshotLocked(lead)}
		st.relink(id, lead)
		delete(fields, "lead_id")
	}
	oldStatus := str(o["status_id"])
	for k, v := range fields {
		o[k] = v
	}
	applyCustom(o, in)
	o["date_updated"] = nowString()
	o["updated_by"] = UserID
	switch kind {
	case "contact":
		o["display_name"] = str(o["name"])
	case "lead":
		if hasStatus {
			o["status_id"], o["status_label"] = newSt.id, newSt.label
		}
		setLeadDisplayName(o)
	default:
		if hasStatus {
			setOppStatus(cl, o, newSt)
		}
	}
	now := c.renderLocked(kind, o)
	c.emitUpdatedLocked(cl, kind, prev, now)
	for lead, before := range leadsBefore {
		c.emitLeadChangeLocked(cl, lead, before)
	}
	if hasStatus && newSt.id != oldStatus {
		c.logStatusChangeLocked(cl, kind, o, oldStatus, newSt)
	}
	return ok(now)
}

// logStatusChangeLocked logs the status-change activity Close adds when a
// lead's or opportunity's status changes.
func (c *Fake) logStatusChangeLocked(cl *call, kind string, o map[string]any, oldID string, st status) {
	old := status{}
	for _, s := range append(append([]status{}, c.leadSt...), c.oppSt...) {
		if s.id == oldID {
			old = s
		}
	}
	f := map[string]any{
		"old_status_id": oldID, "old_status_label": old.label, "new_status_id": st.id, "new_status_label": st.label,
	}
	typ := "LeadStatusChange"
	if kind == "opportunity" {
		typ = "OpportunityStatusChange"
		f["opportunity_id"] = o["id"]
		f["old_status_type"], f["new_status_type"] = old.typ, st.typ
		f["opportunity_value"], f["opportunity_value_period"] = o["value"], o["value_period"]
	}
	c.logActivityLocked(cl, typ, leadOf(kind, o), f)
}

// deleteLocked answers DELETE /{contact,lead,opportunity}/{id}/; a lead
// takes its contacts, opportunities, tasks and activities with it.
func (c *Fake) deleteLocked(cl *call, kind, id string) reply {
	var st *store
	switch kind {
	case "contact":
		st = &c.contacts
	case "lead":
		st = &c.leads
	default:
		st = &c.opps
	}
	o := st.get(id)
	if o == nil {
		return notFound(kindName(kind))
	}
	if kind == "lead" {
		c.deleteLeadLocked(cl, id)
		return ok(map[string]any{})
	}
	lead := str(o["lead_id"])
	before := c.leadSnapshotLocked(lead)
	prev := c.renderLocked(kind, o)
	st.del(id)
	c.emitDeletedLocked(cl, kind, prev)
	if kind == "contact" {
		c.emitLeadChangeLocked(cl, lead, before)
	}
	return ok(map[string]any{})
}

// renderLocked renders a stored object as GET would return it.
func (c *Fake) renderLocked(kind string, o map[string]any) map[string]any {
	switch kind {
	case "lead":
		return c.renderLeadLocked(o)
	case "opportunity":
		return c.renderOppLocked(o)
	case "task":
		return c.renderTaskLocked(o)
	}
	return copyMap(o)
}

// getLocked renders one object, or returns nil.
func (c *Fake) getLocked(kind, id string) map[string]any {
	var o map[string]any
	switch kind {
	case "contact":
		o = c.contacts.get(id)
	case "lead":
		o = c.leads.get(id)
	case "opportunity":
		o = c.opps.get(id)
	case "task":
		o = c.tasks.get(id)
	case "activity":
		o = c.acts.get(id)
	}
	if o == nil {
		return nil
	}
	return c.renderLocked(kind, o)
}

// renderLeadLocked returns a copy of lead with its contacts, opportunities
// and incomplete tasks embedded.
func (c *Fake) renderLeadLocked(lead map[string]any) map[string]any {
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
	tasks := []any{}
	for _, t := range c.tasks.ofLead(id) {
		if t["is_complete"] != true {
			tasks = append(tasks, c.renderTaskLocked(t))
		}
	}
	o["contacts"], o["contact_ids"], o["opportunities"], o["tasks"] = contacts, ids, opps, tasks
	o["integration_links"] = []any{}
	o["primary_email"], o["primary_phone"] = primaryEmail, primaryPhone
	return o
}

// leadSnapshotLocked renders lead id for event diffs (nil when it is gone).
func (c *Fake) leadSnapshotLocked(id string) map[string]any {
	if l := c.leads.get(id); l != nil {
		return c.renderLeadLocked(l)
	}
	return nil
}

// emitLeadChangeLocked emits lead.updated when the lead's own fields or its
// contact_ids changed since before.
func (c *Fake) emitLeadChangeLocked(cl *call, id string, before map[string]any) {
	if before == nil {
		return
	}
	if now := c.leadSnapshotLocked(id); now != nil {
		c.emitUpdatedLocked(cl, "lead", before, now)
	}
}
