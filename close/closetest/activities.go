package closetest

import (
	"net/http"
	"slices"
	"strings"
)

// activityTypes maps the per-type paths under /activity/ to their _type,
// and says whether the type can be created, updated and deleted through
// the API.
var activityTypes = []struct {
	path, typ string
	writable  bool
}{
	{"note", "Note", true},
	{"call", "Call", true},
	{"email", "Email", true},
	{"emailthread", "EmailThread", false},
	{"sms", "SMS", true},
	{"meeting", "Meeting", true},
	{"custom", "Custom", true},
	{"created", "Created", false},
	{"status_change/lead", "LeadStatusChange", true},
	{"status_change/opportunity", "OpportunityStatusChange", true},
	{"task_completed", "TaskCompleted", false},
}

// activityPath is the path (and event object type suffix) of _type typ.
func activityPath(typ string) string {
	for _, t := range activityTypes {
		if t.typ == typ {
			return t.path
		}
	}
	return strings.ToLower(typ)
}

// activityObjectType is the event object type of an activity.
func activityObjectType(typ string) string {
	switch typ {
	case "LeadStatusChange":
		return "status_change.lead"
	case "OpportunityStatusChange":
		return "status_change.opportunity"
	}
	return "activity." + activityPath(typ)
}

// activityFields are the writable fields of each type besides the common
// lead_id, contact_id, user_id and activity_at.
var activityFields = map[string][]string{
	"Note":                    {"note", "note_html", "title"},
	"Call":                    {"direction", "duration", "phone", "status", "recording_url", "outcome_id", "note", "disposition"},
	"Email":                   {"subject", "body_text", "body_html", "status", "direction", "sender", "to", "cc", "bcc", "thread_id", "date_sent", "template_id"},
	"SMS":                     {"text", "status", "direction", "local_phone", "remote_phone"},
	"Meeting":                 {"title", "note", "starts_at", "ends_at", "location", "status", "attendees"},
	"Custom":                  {"custom_activity_type_id", "status"},
	"LeadStatusChange":        {"old_status_id", "new_status_id", "old_status_label", "new_status_label"},
	"OpportunityStatusChange": {"opportunity_id", "old_status_id", "new_status_id", "old_status_label", "new_status_label", "old_status_type", "new_status_type"},
}

// activityRoutesLocked serves /activity/ and the per-type paths.
func (c *Fake) activityRoutesLocked(cl *call, segs []string) reply {
	rest := strings.Join(segs[1:], "/")
	if rest == "" {
		if cl.method != http.MethodGet {
			return notAllowed(cl.method)
		}
		return c.listActivitiesLocked(cl, "")
	}
	for _, t := range activityTypes {
		id, found := strings.CutPrefix(rest, t.path)
		if !found || id != "" && id[0] != '/' {
			continue
		}
		id = strings.Trim(id, "/")
		switch {
		case id == "" && cl.method == http.MethodGet:
			return c.listActivitiesLocked(cl, t.typ)
		case id == "" && cl.method == http.MethodPost && t.writable:
			return project(c.createActivityLocked(cl, t.typ), cl.q)
		case id == "":
			return notAllowed(cl.method)
		}
		a := c.acts.get(id)
		if a == nil || a["_type"] != t.typ {
			return notFound("Activity")
		}
		switch {
		case cl.method == http.MethodGet:
			return project(ok(copyMap(a)), cl.q)
		case cl.method == http.MethodPut && t.writable:
			return project(c.updateActivityLocked(cl, a), cl.q)
		case cl.method == http.MethodDelete:
			prev := copyMap(a)
			c.acts.del(id)
			c.emitLocked(cl, activityObjectType(t.typ), "deleted", id, str(prev["lead_id"]), nil, prev, nil, nil)
			return ok(map[string]any{})
		}
		return notAllowed(cl.method)
	}
	return replyStatus(http.StatusNotFound, map[string]any{"error": "Not found."})
}

// activityInput validates an activity body.
func (c *Fake) activityInput(in map[string]any, typ string, create bool, fe map[string]any) map[string]any {
	out := map[string]any{}
	if v, has := in["lead_id"]; has || create {
		id, _ := v.(string)
		switch {
		case !has || v == nil:
			fe["lead"] = errRequired
		case c.leads.get(id) == nil:
			fe["lead"] = errNoObject
		default:
			out["lead_id"] = id
		}
	}
	if v, has := in["contact_id"]; has && v != nil {
		if c.contacts.get(str(v)) == nil {
			fe["contact"] = errNoObject
		}
		out["contact_id"] = v
	}
	copyStrings(in, out, fe, "user_id")
	checkTime(in, "activity_at", fe)
	if v, has := in["activity_at"]; has {
		out["activity_at"] = v
	}
	for _, k := range activityFields[typ] {
		if v, has := in[k]; has {
			out[k] = deepCopy(v)
		}
	}
	if typ == "Call" {
		if v, has := out["direction"]; has && v != "inbound" && v != "outbound" {
			fe["direction"] = errNotChoice
		}
		if v, has := out["duration"]; has {
			if _, isInt := toInt(v); !isInt {
				fe["duration"] = errNotInteger
			}
		}
	}
	if typ == "Note" || typ == "Call" {
		if v, has := in["note_html"]; has && typ == "Note" {
			out["note"] = stripTags(str(v))
		}
	}
	return out
}

func (c *Fake) createActivityLocked(cl *call, typ string) reply {
	fe := map[string]any{}
	fields := c.activityInput(cl.body, typ, true, fe)
	if len(fe) > 0 {
		return fieldErrors(fe)
	}
	a := c.newActivityLocked(typ, fields)
	applyCustom(a, cl.body)
	c.acts.put(a)
	c.emitCreatedLocked(cl, activityObjectType(typ), a)
	return ok(copyMap(a))
}

func (c *Fake) newActivityLocked(typ string, fields map[string]any) map[string]any {
	now := nowString()
	a := map[string]any{
		"id": newID("acti_"), "_type": typ, "lead_id": nil, "contact_id": nil, "user_id": UserID, "user_name": userName,
		"users": []any{}, "organization_id": OrganizationID, "date_created": now, "date_updated": now, "activity_at": now,
		"created_by": UserID, "updated_by": UserID, "created_by_name": userName, "updated_by_name": userName,
	}
	switch typ {
	case "Note":
		a["note"], a["note_html"], a["title"] = "", nil, nil
	case "Call":
		a["direction"], a["duration"], a["status"], a["phone"], a["note"], a["recording_url"] = "outbound", num(0), "completed", nil, "", nil
	case "Email":
		a["status"], a["direction"], a["to"], a["cc"], a["bcc"], a["opens"] = "draft", "outgoing", []any{}, []any{}, []any{}, []any{}
	}
	for k, v := range fields {
		a[k] = v
	}
	return a
}

// logActivityLocked records an activity Close logs by itself (Created,
// status changes, TaskCompleted).
func (c *Fake) logActivityLocked(cl *call, typ, lead string, fields map[string]any) {
	f := copyMap(fields)
	f["lead_id"] = lead
	a := c.newActivityLocked(typ, f)
	c.acts.put(a)
	c.emitCreatedLocked(cl, activityObjectType(typ), a)
}

func (c *Fake) updateActivityLocked(cl *call, a map[string]any) reply {
	typ := str(a["_type"])
	fe := map[string]any{}
	fields := c.activityInput(cl.body, typ, false, fe)
	if len(fe) > 0 {
		return fieldErrors(fe)
	}
	prev := copyMap(a)
	if lead, has := fields["lead_id"]; has {
		c.acts.relink(str(a["id"]), str(lead))
		delete(fields, "lead_id")
	}
	for k, v := range fields {
		a[k] = v
	}
	applyCustom(a, cl.body)
	a["date_updated"], a["updated_by"] = nowString(), UserID
	c.emitUpdatedLocked(cl, activityObjectType(typ), prev, copyMap(a))
	return ok(copyMap(a))
}

// listActivitiesLocked answers GET /activity/ (typ "") and the per-type
// lists, newest first by date_created unless _order_by says otherwise.
func (c *Fake) listActivitiesLocked(cl *call, typ string) reply {
	q := cl.q
	lead := q.Get("lead_id")
	if typ == "" && lead == "" {
		for _, k := range []string{"user_id", "user_id__in", "contact_id", "contact_id__in", "_type", "_type__in"} {
			if q.Has(k) {
				return badRequest("%s can only be used together with lead_id; list one type through its own endpoint.", k)
			}
		}
	}
	pool := c.acts.all()
	if lead != "" {
		pool = c.acts.ofLead(lead)
	}
	var matches []map[string]any
	for _, a := range pool {
		if typ != "" && a["_type"] != typ {
			continue
		}
		if !filterMatch(a, q, "user_id", "contact_id", "id") || !rangeMatch(a, q, "date_created", "activity_at", "date_updated") {
			continue
		}
		if v, has := q["_type"]; has && !typeMatch(a, []string{v[0]}) {
			continue
		}
		if v, has := q["_type__in"]; has && !typeMatch(a, strings.Split(v[0], ",")) {
			continue
		}
		matches = append(matches, copyMap(a))
	}
	by := q.Get("_order_by")
	if by == "" {
		by = "-date_created"
	}
	field := strings.TrimPrefix(by, "-")
	if field != "date_created" && field != "activity_at" {
		return badRequest("_order_by must be date_created or activity_at, optionally with a leading -.")
	}
	if by == "-activity_at" && lead == "" {
		return badRequest("_order_by=-activity_at needs lead_id.")
	}
	slices.SortStableFunc(matches, func(a, b map[string]any) int {
		r := compareValues(a[field], b[field])
		if by[0] == '-' {
			r = -r
		}
		return r
	})
	return c.pageOf(q, matches, false)
}

// typeMatch reports whether activity a is of one of types: a _type, or a
// custom activity type ID (actitype_…).
func typeMatch(a map[string]any, types []string) bool {
	for _, t := range types {
		if a["_type"] == t || strings.HasPrefix(t, "actitype_") && a["custom_activity_type_id"] == t {
			return true
		}
	}
	return false
}
