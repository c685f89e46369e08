package closetest

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"net/http"
	"strings"
)

// downloadPrefix is where the fake serves export files, outside /api/v1
// and without authentication, as a presigned download URL would be.
const downloadPrefix = "/closetest/exports/"

// jobSteps is the order export and bulk-action statuses move in: one step
// each time the job is read; the work happens on the step to done.
var jobSteps = []string{"created", "started", "in_progress", "done"}

func nextStep(s string) string {
	for i, x := range jobSteps[:len(jobSteps)-1] {
		if x == s {
			return jobSteps[i+1]
		}
	}
	return s
}

// leadsOfQueryLocked returns the leads (or contacts) an s_query selects: an
// Advanced Filtering tree (all leads when absent) or a text query string.
func (c *Fake) leadsOfQueryLocked(cl *call, sq any, kind string) ([]map[string]any, error) {
	switch q := sq.(type) {
	case nil:
		return c.poolLocked(kind), nil
	case string:
		pq, err := c.parseQuery(cl, kind, q)
		if err != nil {
			return nil, err
		}
		return applyQuery(pq, c.poolLocked(kind))
	case map[string]any:
		if k := findObjectType(q); k != "" {
			kind = k
		}
		return c.queryObjectsLocked(cl, kind, q)
	}
	return nil, errBadQuery
}

type constError string

func (e constError) Error() string { return string(e) }

const errBadQuery = constError("s_query must be a query object or a query string")

// exportRoutesLocked serves /export/ (list), /export/{lead,opportunity}/
// (start) and /export/{id}/ (status; each read moves it one step).
func (c *Fake) exportRoutesLocked(cl *call, segs []string) reply {
	switch {
	case len(segs) == 1 && cl.method == http.MethodGet:
		var list []map[string]any
		for _, e := range c.exports.all() {
			list = append(list, publicField(e))
		}
		return c.pageOf(cl.q, list, false)
	case len(segs) == 2 && (segs[1] == "lead" || segs[1] == "opportunity") && cl.method == http.MethodPost:
		in := cl.body
		format := str(in["format"])
		if format == "" {
			format = "json"
		}
		typ := str(in["type"])
		if typ == "" {
			typ = "leads"
		}
		fe := map[string]any{}
		if format != "json" && format != "csv" {
			fe["format"] = errNotChoice
		}
		if segs[1] == "lead" && typ != "leads" && typ != "contacts" && typ != "lead_opps" {
			fe["type"] = errNotChoice
		}
		if len(fe) > 0 {
			return fieldErrors(fe)
		}
		now := nowString()
		e := map[string]any{
			"id": newID("expo_"), "object_type": segs[1], "format": format, "type": typ, "status": "created",
			"download_url": nil, "n_docs": nil, "date_created": now, "date_updated": now, "created_by": UserID,
			"organization_id": OrganizationID, "_body": copyMap(in), "_base": cl.base,
		}
		c.exports.put(e)
		return ok(publicField(e))
	case len(segs) == 2 && cl.method == http.MethodGet:
		e := c.exports.get(segs[1])
		if e == nil {
			return notFound("Export")
		}
		if e["status"] != "done" && e["status"] != "error" {
			e["status"], e["date_updated"] = nextStep(str(e["status"])), nowString()
			if e["status"] == "done" {
				c.finishExportLocked(cl, e)
			}
		}
		return ok(publicField(e))
	}
	return notAllowed(cl.method)
}

// finishExportLocked writes the export's gzip file.
func (c *Fake) finishExportLocked(cl *call, e map[string]any) {
	in, _ := e["_body"].(map[string]any)
	kind := "lead"
	if e["object_type"] == "opportunity" {
		kind = "opportunity"
	} else if e["type"] == "contacts" {
		kind = "contact"
	}
	var objs []map[string]any
	var err error
	if kind == "opportunity" {
		objs = c.poolLocked("opportunity")
	} else {
		objs, err = c.leadsOfQueryLocked(cl, in["s_query"], kind)
	}
	if err != nil {
		e["status"], e["error"] = "error", err.Error()
		return
	}
	if n, isInt := toInt(in["results_limit"]); isInt && n >= 0 && int(n) < len(objs) {
		objs = objs[:n]
	}
	var raw []byte
	if e["format"] == "csv" {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write([]string{"id", "display_name", "date_created", "date_updated"})
		for _, o := range objs {
			_ = w.Write([]string{str(o["id"]), str(firstNonNil(o["display_name"], o["lead_name"])), str(o["date_created"]), str(o["date_updated"])})
		}
		w.Flush()
		raw = b.Bytes()
	} else {
		list := make([]any, len(objs))
		for i, o := range objs {
			list[i] = o
		}
		raw = encodeJSON(list)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	token := newID("")
	c.files[str(e["id"])+"/"+token] = gz.Bytes()
	e["n_docs"] = num(int64(len(objs)))
	e["download_url"] = str(e["_base"]) + downloadPrefix + str(e["id"]) + "/" + token + "/export." + str(e["format"]) + ".gz"
}

// serveDownload serves an export file: GET <downloadPrefix>{id}/{token}/….
func (c *Fake) serveDownload(w http.ResponseWriter, r *http.Request, path string) {
	parts := strings.Split(strings.TrimPrefix(path, downloadPrefix), "/")
	c.mu.Lock()
	var file []byte
	if len(parts) >= 2 {
		file = c.files[parts[0]+"/"+parts[1]]
	}
	c.mu.Unlock()
	if r.Method != http.MethodGet || file == nil {
		http.Error(w, "no such export file", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/gzip")
	_, _ = w.Write(file)
}

// bulkRoutesLocked serves /bulk_action/{edit,delete}/[{id}/].
func (c *Fake) bulkRoutesLocked(cl *call, segs []string) reply {
	if len(segs) < 2 || (segs[1] != "edit" && segs[1] != "delete") {
		return replyStatus(http.StatusNotFound, map[string]any{"error": "Not found."})
	}
	action := segs[1]
	switch {
	case len(segs) == 2 && cl.method == http.MethodGet:
		var list []map[string]any
		for _, b := range c.bulks.all() {
			if b["_action"] == action {
				list = append(list, publicField(b))
			}
		}
		return c.pageOf(cl.q, list, false)
	case len(segs) == 2 && cl.method == http.MethodPost:
		in := cl.body
		fe := map[string]any{}
		if _, has := in["s_query"]; !has {
			fe["s_query"] = errRequired
		}
		if action == "edit" {
			switch str(in["type"]) {
			case "set_lead_status":
				if !c.hasLeadStatus(str(in["lead_status_id"])) {
					fe["lead_status_id"] = errNoObject
				}
			case "set_custom_field", "clear_custom_field":
				if str(in["custom_field_id"]) == "" && str(in["custom_field_name"]) == "" {
					fe["custom_field_id"] = errRequired
				}
			default:
				fe["type"] = errNotChoice
			}
		}
		if len(fe) > 0 {
			return fieldErrors(fe)
		}
		now := nowString()
		b := map[string]any{
			"id": newID("bulk_"), "status": "created", "date_created": now, "date_updated": now, "created_by": UserID,
			"organization_id": OrganizationID, "n_objects": nil, "_action": action, "_body": copyMap(in),
		}
		for _, k := range []string{"type", "s_query", "lead_status_id", "custom_field_id", "custom_field_name", "custom_field_value", "custom_field_values", "custom_field_operation", "send_done_email"} {
			if v, has := in[k]; has {
				b[k] = deepCopy(v)
			}
		}
		c.bulks.put(b)
		return ok(publicField(b))
	case len(segs) == 3 && cl.method == http.MethodGet:
		b := c.bulks.get(segs[2])
		if b == nil || b["_action"] != action {
			return notFound("BulkAction")
		}
		if b["status"] != "done" && b["status"] != "error" {
			b["status"], b["date_updated"] = nextStep(str(b["status"])), nowString()
			if b["status"] == "done" {
				c.runBulkLocked(cl, b)
			}
		}
		return ok(publicField(b))
	}
	return notAllowed(cl.method)
}

func (c *Fake) hasLeadStatus(id string) bool {
	for _, s := range c.leadSt {
		if s.id == id {
			return true
		}
	}
	return false
}

// runBulkLocked applies a bulk action to the leads its s_query selects;
// every change's event carries meta.bulk_action_id.
func (c *Fake) runBulkLocked(cl *call, b map[string]any) {
	in, _ := b["_body"].(map[string]any)
	leads, err := c.leadsOfQueryLocked(cl, in["s_query"], "lead")
	if err != nil {
		b["status"], b["error"] = "error", err.Error()
		return
	}
	bc := *cl
	bc.bulkID, bc.method, bc.path = str(b["id"]), http.MethodPost, "/bulk_action/"+str(b["_action"])+"/"
	for _, l := range leads {
		id := str(l["id"])
		if b["_action"] == "delete" {
			c.deleteLeadLocked(&bc, id)
			continue
		}
		body := map[string]any{}
		field := "custom." + str(in["custom_field_id"])
		if str(in["custom_field_id"]) == "" {
			for _, f := range c.fields.all() {
				if f["name"] == in["custom_field_name"] {
					field = "custom." + str(f["id"])
				}
			}
		}
		switch str(in["type"]) {
		case "set_lead_status":
			body["status_id"] = in["lead_status_id"]
		case "clear_custom_field":
			body[field] = nil
		default:
			v := in["custom_field_value"]
			if vs, has := in["custom_field_values"]; has {
				v = vs
			}
			switch str(in["custom_field_operation"]) {
			case "add":
				field += ".add"
			case "remove":
				field += ".remove"
			}
			body[field] = v
		}
		bc.body = body
		c.updateLocked(&bc, "lead", id)
	}
	b["n_objects"] = num(int64(len(leads)))
}
