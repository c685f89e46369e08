package closetest

import (
	"net/http"
	"slices"
	"strings"
)

func (c *Fake) pipeline(id string) *pipeline {
	for i := range c.pipes {
		if c.pipes[i].id == id {
			return &c.pipes[i]
		}
	}
	return nil
}

func (c *Fake) statusJSON(s status) map[string]any {
	if s.typ == "" {
		return map[string]any{"id": s.id, "label": s.label, "organization_id": OrganizationID}
	}
	return map[string]any{"id": s.id, "label": s.label, "type": s.typ, "pipeline_id": s.pipeline, "organization_id": OrganizationID}
}

func (c *Fake) pipelineJSON(p pipeline) map[string]any {
	sts := []any{}
	for _, s := range c.oppSt {
		if s.pipeline == p.id {
			sts = append(sts, c.statusJSON(s))
		}
	}
	return map[string]any{"id": p.id, "name": p.name, "organization_id": OrganizationID, "statuses": sts}
}

// statusRoutesLocked serves /status/{lead,opportunity}/[{id}/].
func (c *Fake) statusRoutesLocked(cl *call, kind, id string) reply {
	list := &c.leadSt
	if kind == "opportunity" {
		list = &c.oppSt
	}
	if id == "" {
		switch cl.method {
		case http.MethodGet:
			data := []any{}
			for _, s := range *list {
				data = append(data, c.statusJSON(s))
			}
			return ok(map[string]any{"data": data, "has_more": false})
		case http.MethodPost:
			s, fe := c.statusInput(cl.body, kind, status{}, true)
			if len(fe) > 0 {
				return fieldErrors(fe)
			}
			s.id = newID("stat_")
			*list = append(*list, s)
			return ok(c.statusJSON(s))
		}
		return notAllowed(cl.method)
	}
	i := slices.IndexFunc(*list, func(s status) bool { return s.id == id })
	if i < 0 {
		return notFound("Status")
	}
	switch cl.method {
	case http.MethodGet:
		return ok(c.statusJSON((*list)[i]))
	case http.MethodPut:
		s, fe := c.statusInput(cl.body, kind, (*list)[i], false)
		if len(fe) > 0 {
			return fieldErrors(fe)
		}
		(*list)[i] = s
		return ok(c.statusJSON(s))
	case http.MethodDelete:
		st := &c.leads
		if kind == "opportunity" {
			st = &c.opps
		}
		for _, o := range st.all() {
			if o["status_id"] == id {
				return replyStatus(http.StatusBadRequest, map[string]any{"errors": []any{"This status is in use and cannot be deleted."}})
			}
		}
		if len(*list) == 1 {
			return replyStatus(http.StatusBadRequest, map[string]any{"errors": []any{"The last status cannot be deleted."}})
		}
		*list = slices.Delete(*list, i, i+1)
		return ok(map[string]any{})
	}
	return notAllowed(cl.method)
}

func (c *Fake) statusInput(in map[string]any, kind string, s status, create bool) (status, map[string]any) {
	fe := map[string]any{}
	if v, has := in["label"]; has || create {
		if l, _ := v.(string); l == "" {
			fe["label"] = errRequired
		} else {
			s.label = l
		}
	}
	if kind != "opportunity" {
		return s, fe
	}
	if v, has := in["type"]; has || create {
		switch t := str(v); t {
		case "active", "won", "lost":
			s.typ = t
		default:
			fe["type"] = errNotChoice
		}
	}
	if v, has := in["pipeline_id"]; has {
		if c.pipeline(str(v)) == nil {
			fe["pipeline_id"] = errNoObject
		}
		s.pipeline = str(v)
	} else if create {
		s.pipeline = c.pipes[0].id
	}
	return s, fe
}

// pipelineRoutesLocked serves /pipeline/[{id}/]; DELETE answers 204.
func (c *Fake) pipelineRoutesLocked(cl *call, id string) reply {
	if id == "" {
		switch cl.method {
		case http.MethodGet:
			data := []any{}
			for _, p := range c.pipes {
				data = append(data, c.pipelineJSON(p))
			}
			return ok(map[string]any{"data": data, "has_more": false})
		case http.MethodPost:
			name, _ := cl.body["name"].(string)
			if name == "" {
				return fieldErrors(map[string]any{"name": errRequired})
			}
			p := pipeline{newID("pipe_"), name}
			c.pipes = append(c.pipes, p)
			return ok(c.pipelineJSON(p))
		}
		return notAllowed(cl.method)
	}
	p := c.pipeline(id)
	if p == nil {
		return notFound("Pipeline")
	}
	switch cl.method {
	case http.MethodGet:
		return ok(c.pipelineJSON(*p))
	case http.MethodPut:
		if v, has := cl.body["name"]; has {
			name, _ := v.(string)
			if name == "" {
				return fieldErrors(map[string]any{"name": errNotString})
			}
			p.name = name
		}
		return ok(c.pipelineJSON(*p))
	case http.MethodDelete:
		for _, s := range c.oppSt {
			if s.pipeline == id {
				return replyStatus(http.StatusBadRequest, map[string]any{"errors": []any{"Move or delete the pipeline's statuses first."}})
			}
		}
		c.pipes = slices.DeleteFunc(c.pipes, func(x pipeline) bool { return x.id == id })
		return reply{status: http.StatusNoContent}
	}
	return notAllowed(cl.method)
}

// userRoutesLocked serves /me/, /user/[{id}/] and /organization/{id}/.
func (c *Fake) userRoutesLocked(cl *call, segs []string) reply {
	if cl.method != http.MethodGet {
		return notAllowed(cl.method)
	}
	switch {
	case segs[0] == "me":
		return project(ok(copyMap(c.users.get(UserID))), cl.q)
	case segs[0] == "user" && len(segs) == 1:
		data := []any{}
		for _, u := range c.users.all() {
			data = append(data, copyMap(u))
		}
		return c.pageOf(cl.q, toMaps(data), false)
	case segs[0] == "user":
		if u := c.users.get(segs[1]); u != nil {
			return project(ok(copyMap(u)), cl.q)
		}
		return notFound("User")
	}
	if len(segs) != 2 || segs[1] != OrganizationID {
		return notFound("Organization")
	}
	leadSt, oppSt, pipes, members := []any{}, []any{}, []any{}, []any{}
	for _, s := range c.leadSt {
		leadSt = append(leadSt, c.statusJSON(s))
	}
	for _, s := range c.oppSt {
		oppSt = append(oppSt, c.statusJSON(s))
	}
	for _, p := range c.pipes {
		pipes = append(pipes, c.pipelineJSON(p))
	}
	for _, u := range c.users.all() {
		members = append(members, map[string]any{"user_id": u["id"], "user_full_name": u["display_name"], "role_id": "admin"})
	}
	o := map[string]any{
		"id": OrganizationID, "name": OrganizationName, "currency": "USD", "lead_statuses": leadSt,
		"opportunity_statuses": oppSt, "pipelines": pipes, "memberships": members,
	}
	return project(ok(o), cl.q)
}

func toMaps(list []any) []map[string]any {
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i] = x.(map[string]any)
	}
	return out
}

var customObjectTypes = []string{"lead", "contact", "opportunity", "activity", "shared"}

// customFieldRoutesLocked serves /custom_field/{type}/[{id}/] and
// /custom_field_schema/{type}/.
func (c *Fake) customFieldRoutesLocked(cl *call, segs []string) reply {
	if len(segs) < 2 || !slices.Contains(customObjectTypes, segs[1]) {
		return replyStatus(http.StatusNotFound, map[string]any{"error": "Not found."})
	}
	typ := segs[1]
	if segs[0] == "custom_field_schema" {
		if cl.method != http.MethodGet || len(segs) != 2 {
			return notAllowed(cl.method)
		}
		fields := []any{}
		for _, f := range c.fields.all() {
			if f["_object_type"] == typ || f["_object_type"] == "shared" && slices.Contains(asList(f["_associations"]), any(typ)) {
				fields = append(fields, publicField(f))
			}
		}
		return ok(map[string]any{"fields": fields})
	}
	if len(segs) == 2 {
		switch cl.method {
		case http.MethodGet:
			var list []map[string]any
			for _, f := range c.fields.all() {
				if f["_object_type"] == typ {
					list = append(list, publicField(f))
				}
			}
			return c.pageOf(cl.q, list, false)
		case http.MethodPost:
			return c.createFieldLocked(cl, typ)
		}
		return notAllowed(cl.method)
	}
	f := c.fields.get(segs[2])
	if f == nil || f["_object_type"] != typ {
		return notFound("CustomField")
	}
	switch cl.method {
	case http.MethodGet:
		return ok(publicField(f))
	case http.MethodPut:
		for _, k := range []string{"name", "description", "choices", "editable_with_roles"} {
			if v, has := cl.body[k]; has {
				f[k] = deepCopy(v)
			}
		}
		f["date_updated"] = nowString()
		return ok(publicField(f))
	case http.MethodDelete:
		c.fields.del(segs[2])
		return ok(map[string]any{})
	}
	return notAllowed(cl.method)
}

var fieldTypes = []string{"text", "textarea", "number", "date", "datetime", "choices", "user", "contact", "hidden"}

func (c *Fake) createFieldLocked(cl *call, typ string) reply {
	in := cl.body
	fe := map[string]any{}
	name, _ := in["name"].(string)
	if name == "" {
		fe["name"] = errRequired
	}
	ft, _ := in["type"].(string)
	if !slices.Contains(fieldTypes, ft) {
		fe["type"] = errNotChoice
	}
	if ft == "choices" && len(asList(in["choices"])) == 0 {
		fe["choices"] = "A choices field needs choices."
	}
	if len(fe) > 0 {
		return fieldErrors(fe)
	}
	now := nowString()
	multi, _ := in["accepts_multiple_values"].(bool)
	f := map[string]any{
		"id": newID("cf_"), "name": name, "type": ft, "description": in["description"], "choices": deepCopy(asListNonNil(in["choices"])),
		"accepts_multiple_values": multi, "editable_with_roles": deepCopy(asList(in["editable_with_roles"])),
		"organization_id": OrganizationID, "date_created": now, "date_updated": now, "created_by": UserID, "updated_by": UserID,
		"_object_type": typ,
	}
	if typ == "shared" {
		var assoc []any
		for _, a := range asList(in["associations"]) {
			if m, isMap := a.(map[string]any); isMap {
				assoc = append(assoc, str(m["object_type"]))
			}
		}
		f["_associations"] = assoc
		f["associations"] = deepCopy(asList(in["associations"]))
	}
	if ft == "choices" && f["choices"] == nil {
		f["choices"] = []any{}
	}
	c.fields.put(f)
	return ok(publicField(f))
}

// publicField drops the fake's own bookkeeping keys from a definition.
func publicField(f map[string]any) map[string]any {
	out := copyMap(f)
	for k := range out {
		if strings.HasPrefix(k, "_") {
			delete(out, k)
		}
	}
	return out
}
