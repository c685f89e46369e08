package closetest

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// taskInput validates a task body.
func (c *Fake) taskInput(in map[string]any, create bool, fe map[string]any) map[string]any {
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
	copyStrings(in, out, fe, "text", "assigned_to")
	if v, has := in["assigned_to"]; has && v != nil && c.users.get(str(v)) == nil {
		fe["assigned_to"] = errNoObject
	}
	if v, has := in["date"]; has {
		if _, isTime := parseTime(str(v)); v != nil && !isTime {
			fe["date"] = errNotDateTime
		}
		out["date"] = v
		out["is_dateless"] = v == nil
	}
	if v, has := in["is_complete"]; has {
		if _, isBool := v.(bool); !isBool {
			fe["is_complete"] = errNotBool
		}
		out["is_complete"] = v
	}
	if v, has := in["_type"]; has && create {
		out["_type"] = str(v)
	}
	return out
}

// taskRoutesLocked serves /task/ and /task/{id}/.
func (c *Fake) taskRoutesLocked(cl *call, id string) reply {
	if id == "" {
		switch cl.method {
		case http.MethodGet:
			return c.pageOf(cl.q, c.matchTasksLocked(cl), false)
		case http.MethodPost:
			fe := map[string]any{}
			fields := c.taskInput(cl.body, true, fe)
			if len(fe) > 0 {
				return fieldErrors(fe)
			}
			now := nowString()
			t := map[string]any{
				"id": newID("task_"), "_type": "lead", "text": "", "date": nil, "is_dateless": true, "is_complete": false,
				"assigned_to": UserID, "organization_id": OrganizationID, "date_created": now, "date_updated": now,
				"created_by": UserID, "updated_by": UserID,
			}
			for k, v := range fields {
				t[k] = v
			}
			t["object_type"], t["object_id"] = "lead", t["lead_id"]
			c.tasks.put(t)
			r := c.renderTaskLocked(t)
			c.emitCreatedLocked(cl, "task."+str(t["_type"]), r)
			return ok(r)
		case http.MethodPut:
			// Bulk update of the tasks the filters select.
			fe := map[string]any{}
			fields := c.taskInput(cl.body, false, fe)
			if len(fe) > 0 {
				return fieldErrors(fe)
			}
			for _, t := range c.matchTasksLocked(cl) {
				c.updateTaskLocked(cl, c.tasks.get(str(t["id"])), fields)
			}
			return ok(map[string]any{})
		}
		return notAllowed(cl.method)
	}
	t := c.tasks.get(id)
	if t == nil {
		return notFound("Task")
	}
	switch cl.method {
	case http.MethodGet:
		return project(ok(c.renderTaskLocked(t)), cl.q)
	case http.MethodPut:
		fe := map[string]any{}
		fields := c.taskInput(cl.body, false, fe)
		if len(fe) > 0 {
			return fieldErrors(fe)
		}
		return project(ok(c.updateTaskLocked(cl, t, fields)), cl.q)
	case http.MethodDelete:
		prev := c.renderTaskLocked(t)
		c.tasks.del(id)
		c.emitDeletedLocked(cl, "task."+str(t["_type"]), prev)
		return ok(map[string]any{})
	}
	return notAllowed(cl.method)
}

func (c *Fake) updateTaskLocked(cl *call, t map[string]any, fields map[string]any) map[string]any {
	prev := c.renderTaskLocked(t)
	if lead, has := fields["lead_id"]; has {
		c.tasks.relink(str(t["id"]), str(lead))
		t["object_id"] = lead
		delete(fields, "lead_id")
	}
	wasComplete := t["is_complete"] == true
	for k, v := range fields {
		t[k] = v
	}
	t["date_updated"], t["updated_by"] = nowString(), UserID
	now := c.renderTaskLocked(t)
	c.emitUpdatedLocked(cl, "task."+str(t["_type"]), prev, now)
	if !wasComplete && t["is_complete"] == true {
		c.logActivityLocked(cl, "TaskCompleted", str(t["lead_id"]), map[string]any{"task_id": t["id"], "task_text": t["text"]})
	}
	return now
}

func (c *Fake) renderTaskLocked(t map[string]any) map[string]any {
	o := copyMap(t)
	o["lead_name"], o["assigned_to_name"] = nil, nil
	if l := c.leads.get(str(t["lead_id"])); l != nil {
		o["lead_name"] = l["display_name"]
	}
	if u := c.users.get(str(t["assigned_to"])); u != nil {
		o["assigned_to_name"] = u["display_name"]
	}
	return o
}

// matchTasksLocked applies GET /task/'s filters and order: without _type
// only lead tasks, _type=all for every kind; view inbox (incomplete, due by
// today or dateless), future (incomplete, due after today) or archive
// (complete).
func (c *Fake) matchTasksLocked(cl *call) []map[string]any {
	q := cl.q
	today := time.Now().UTC().Add(cl.tzOffset()).Format(dateLayout)
	var out []map[string]any
	for _, t := range c.tasks.all() {
		typ := q.Get("_type")
		if typ == "" {
			typ = "lead"
		}
		if typ != "all" && t["_type"] != typ {
			continue
		}
		if v := q.Get("is_complete"); v != "" && str(t["is_complete"]) != strings.ToLower(v) {
			continue
		}
		due := str(t["date"])
		if len(due) > 10 {
			due = due[:10]
		}
		switch q.Get("view") {
		case "inbox":
			if t["is_complete"] == true || due != "" && due > today {
				continue
			}
		case "future":
			if t["is_complete"] == true || due == "" || due <= today {
				continue
			}
		case "archive":
			if t["is_complete"] != true {
				continue
			}
		}
		if !filterMatch(t, q, "assigned_to", "lead_id", "id") || !rangeMatch(t, q, "date", "date_updated", "date_created") {
			continue
		}
		out = append(out, c.renderTaskLocked(t))
	}
	by := q.Get("_order_by")
	if by == "" {
		by = "date"
	}
	field := strings.TrimPrefix(by, "-")
	slices.SortStableFunc(out, func(a, b map[string]any) int {
		r := compareValues(a[field], b[field])
		if by[0] == '-' {
			r = -r
		}
		return r
	})
	return out
}
