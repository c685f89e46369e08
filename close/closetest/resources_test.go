package closetest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close/closetest"
)

// send sends a request with a JSON body and extra headers.
func (a *closeAPI) send(t *testing.T, method, path string, body any, header map[string]string) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	hr, err := http.NewRequestWithContext(t.Context(), method, a.ts.URL+path, bytes.NewReader(b))
	require.NoError(t, err)
	for k, v := range header {
		hr.Header.Set(k, v)
	}
	return a.do(t, hr)
}

func TestOpportunityWithoutLeadAndDateWon(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	st, o, _ := a.call(t, "POST", "/opportunity/", map[string]any{"value": 500, "value_period": "monthly"})
	require.Equal(t, 200, st, "body: %v", o)
	l, found := a.crm.Lead(o["lead_id"].(string))
	require.True(t, found, "Close makes an Untitled lead since 2025-02-14")
	assert.Nil(t, l["name"])
	assert.Equal(t, "Untitled", l["display_name"])
	assert.Equal(t, "Untitled", o["lead_name"])
	assert.Nil(t, o["note"], "note is null until set")
	assert.Equal(t, "$5 monthly", o["value_formatted"])

	// With only a contact, the contact's lead is used.
	ct, err := a.crm.CreateContact(map[string]any{"name": "Ann"})
	require.NoError(t, err)
	st, o2, _ := a.call(t, "POST", "/opportunity/", map[string]any{"contact_id": ct["id"]})
	require.Equal(t, 200, st)
	assert.Equal(t, ct["lead_id"], o2["lead_id"])

	// date_won is today in the request's X-Tz-Offset.
	for _, tz := range []string{"14", "-12", ""} {
		st, o, _ := a.call(t, "POST", "/opportunity/", map[string]any{"value": 1})
		require.Equal(t, 200, st)
		st, won := a.send(t, "PUT", "/opportunity/"+o["id"].(string)+"/", map[string]any{"status_id": closetest.OpportunityStatusWon}, map[string]string{"X-Tz-Offset": tz})
		require.Equal(t, 200, st, "body: %v", won)
		offset := map[string]time.Duration{"14": 14 * time.Hour, "-12": -12 * time.Hour}[tz]
		before, after := time.Now().UTC().Add(offset).Add(-time.Minute), time.Now().UTC().Add(offset).Add(time.Minute)
		assert.Contains(t, []string{before.Format("2006-01-02"), after.Format("2006-01-02")}, won["date_won"], tz)
		// Moving back to active keeps it.
		st, back := a.send(t, "PUT", "/opportunity/"+o["id"].(string)+"/", map[string]any{"status": "Active"}, nil)
		require.Equal(t, 200, st)
		assert.Equal(t, won["date_won"], back["date_won"])
	}

	// pipeline_id picks the pipeline's first status; a conflict is refused.
	st, p, _ := a.call(t, "POST", "/pipeline/", map[string]any{"name": "Renewals"})
	require.Equal(t, 200, st)
	st, s, _ := a.call(t, "POST", "/status/opportunity/", map[string]any{"label": "Renewal due", "type": "active", "pipeline_id": p["id"]})
	require.Equal(t, 200, st, "body: %v", s)
	st, o, _ = a.call(t, "POST", "/opportunity/", map[string]any{"pipeline_id": p["id"]})
	require.Equal(t, 200, st, "body: %v", o)
	assert.Equal(t, s["id"], o["status_id"])
	assert.Equal(t, "Renewals", o["pipeline_name"])
	st, body, _ := a.call(t, "POST", "/opportunity/", map[string]any{"pipeline_id": p["id"], "status_id": closetest.OpportunityStatusWon})
	assert.Equal(t, 400, st)
	assert.Contains(t, body["field-errors"], "status")
	st, body, _ = a.call(t, "POST", "/opportunity/", map[string]any{"pipeline_id": "pipe_nope"})
	assert.Equal(t, 400, st)
	assert.Contains(t, body["field-errors"], "pipeline_id")
}

func TestActivities(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	lead, err := a.crm.CreateLead(map[string]any{"name": "Acme", "contacts": []any{map[string]any{"name": "Ada"}}})
	require.NoError(t, err)
	leadID := lead["id"].(string)
	contactID := lead["contacts"].([]any)[0].(map[string]any)["id"].(string)

	st, note, _ := a.call(t, "POST", "/activity/note/", map[string]any{"lead_id": leadID, "contact_id": contactID,
		"note_html": "<p>Asked for a <b>40-seat</b> quote</p>", "activity_at": "2025-10-01T17:50:00+00:00"})
	require.Equal(t, 200, st, "body: %v", note)
	assert.Regexp(t, `^acti_`, note["id"])
	assert.Equal(t, "Note", note["_type"])
	assert.Equal(t, "Asked for a 40-seat quote", note["note"])
	assert.Equal(t, "2025-10-01T17:50:00+00:00", note["activity_at"])
	st, call, _ := a.call(t, "POST", "/activity/call/", map[string]any{"lead_id": leadID, "direction": "inbound", "duration": 125, "phone": "+14155550100"})
	require.Equal(t, 200, st, "body: %v", call)
	callID := call["id"].(string)
	st, upd, _ := a.call(t, "PUT", "/activity/call/"+callID+"/", map[string]any{"note": "Left a voicemail"})
	require.Equal(t, 200, st)
	assert.Equal(t, "Left a voicemail", upd["note"])
	assert.EqualValues(t, 125, upd["duration"])
	st, got, _ := a.call(t, "GET", "/activity/call/"+callID+"/?_fields=id,_type,note", nil)
	require.Equal(t, 200, st)
	assert.Equal(t, map[string]any{"id": callID, "_type": "Call", "note": "Left a voicemail"}, got)
	st, _, _ = a.call(t, "GET", "/activity/note/"+callID+"/", nil)
	assert.Equal(t, 404, st, "a call is not a note")
	st, _, _ = a.call(t, "POST", "/activity/created/", map[string]any{"lead_id": leadID})
	assert.Equal(t, 405, st, "Created is log-like")

	types := func(path string) []string {
		st, page, _ := a.call(t, "GET", path, nil)
		require.Equal(t, 200, st, "%s: %v", path, page)
		out := []string{}
		for _, d := range page["data"].([]any) {
			out = append(out, d.(map[string]any)["_type"].(string))
		}
		return out
	}
	assert.Equal(t, []string{"Call", "Note", "Created"}, types("/activity/?lead_id="+leadID), "newest first")
	assert.Equal(t, []string{"Created", "Note", "Call"}, types("/activity/?lead_id="+leadID+"&_order_by=date_created"))
	assert.Equal(t, []string{"Call"}, types("/activity/call/"))
	assert.Equal(t, []string{"Note"}, types("/activity/?lead_id="+leadID+"&_type=Note"))
	assert.Equal(t, []string{"Call", "Note"}, types("/activity/?lead_id="+leadID+"&_type__in=Note,Call"))
	assert.Equal(t, []string{"Note"}, types("/activity/?lead_id="+leadID+"&contact_id="+contactID))
	assert.Equal(t, []string{"Note"}, types("/activity/?activity_at__lt=2025-10-02"))
	assert.Equal(t, []string{"Call", "Created"}, types("/activity/?activity_at__gte=2025-10-02"))
	assert.Equal(t, []string{}, types("/activity/?date_created__lt=2020-01-01"))
	st, body, _ := a.call(t, "GET", "/activity/?_type=Call", nil)
	assert.Equal(t, 400, st, "_type needs lead_id on /activity/")
	assert.Contains(t, body["error"], "lead_id")

	// A lead status change logs a LeadStatusChange activity.
	_, err = a.crm.Update("lead", leadID, map[string]any{"status": "Customer"})
	require.NoError(t, err)
	st, page, _ := a.call(t, "GET", "/activity/status_change/lead/?lead_id="+leadID, nil)
	require.Equal(t, 200, st)
	require.Len(t, page["data"], 1)
	sc := page["data"].([]any)[0].(map[string]any)
	assert.Equal(t, closetest.LeadStatusPotential, sc["old_status_id"])
	assert.Equal(t, closetest.LeadStatusCustomer, sc["new_status_id"])

	st, _, _ = a.call(t, "DELETE", "/activity/call/"+callID+"/", nil)
	require.Equal(t, 200, st)
	for name, bad := range map[string]map[string]any{
		"no lead":       {"note": "x"},
		"unknown lead":  {"lead_id": "lead_nope"},
		"bad direction": {"lead_id": leadID, "direction": "sideways"},
	} {
		path := "/activity/note/"
		if name == "bad direction" {
			path = "/activity/call/"
		}
		st, body, _ := a.call(t, "POST", path, bad)
		assert.Equal(t, 400, st, name)
		assert.NotEmpty(t, body["field-errors"], name)
	}
}

func TestTasks(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	lead, err := a.crm.CreateLead(map[string]any{"name": "Acme"})
	require.NoError(t, err)
	leadID := lead["id"].(string)
	tomorrow := time.Now().UTC().Add(48 * time.Hour).Format("2006-01-02")
	for _, f := range []map[string]any{
		{"text": "Call back", "date": "2020-01-01"},
		{"text": "Send quote", "date": tomorrow},
		{"text": "Email follow-up", "_type": "email_followup"},
	} {
		f["lead_id"] = leadID
		_, err := a.crm.CreateTask(f)
		require.NoError(t, err)
	}
	texts := func(q string) []string {
		st, page, _ := a.call(t, "GET", "/task/?"+q, nil)
		require.Equal(t, 200, st, "%s: %v", q, page)
		out := []string{}
		for _, d := range page["data"].([]any) {
			out = append(out, d.(map[string]any)["text"].(string))
		}
		return out
	}
	assert.Equal(t, []string{"Call back", "Send quote"}, texts(""), "lead tasks only by default")
	assert.Equal(t, []string{"Email follow-up", "Call back", "Send quote"}, texts("_type=all"))
	assert.Equal(t, []string{"Email follow-up", "Call back"}, texts("_type=all&view=inbox"))
	assert.Equal(t, []string{"Send quote"}, texts("view=future"))
	assert.Equal(t, []string{"Send quote", "Call back"}, texts("_order_by=-date"))

	st, l, _ := a.call(t, "GET", "/lead/"+leadID+"/", nil)
	require.Equal(t, 200, st)
	assert.Len(t, l["tasks"], 3, "the lead embeds its incomplete tasks")
	id := a.crm.Tasks()[0]["id"].(string)
	st, done, _ := a.call(t, "PUT", "/task/"+id+"/", map[string]any{"is_complete": true})
	require.Equal(t, 200, st)
	assert.Equal(t, true, done["is_complete"])
	assert.Equal(t, []string{"Call back"}, texts("view=archive"))
	assert.Equal(t, []string{"Send quote"}, texts("is_complete=false"))
	st, page, _ := a.call(t, "GET", "/activity/task_completed/", nil)
	require.Equal(t, 200, st)
	assert.Len(t, page["data"], 1)

	// Bulk update by filter.
	st, _, _ = a.call(t, "PUT", "/task/?_type=all&is_complete=false", map[string]any{"is_complete": true})
	require.Equal(t, 200, st)
	assert.Empty(t, texts("_type=all&is_complete=false"))
	st, _, _ = a.call(t, "DELETE", "/task/"+id+"/", nil)
	require.Equal(t, 200, st)
	st, _, _ = a.call(t, "GET", "/task/"+id+"/", nil)
	assert.Equal(t, 404, st)
	st, body, _ := a.call(t, "POST", "/task/", map[string]any{"text": "orphan"})
	assert.Equal(t, 400, st)
	assert.Equal(t, "This field is required.", body["field-errors"].(map[string]any)["lead"])
}

func TestUsersOrganizationStatusesAndFields(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	st, me, _ := a.call(t, "GET", "/me/", nil)
	require.Equal(t, 200, st)
	assert.Equal(t, closetest.UserID, me["id"])
	assert.Equal(t, []any{map[string]any{"id": closetest.OrganizationID, "name": closetest.OrganizationName}}, me["organizations"])
	st, users, _ := a.call(t, "GET", "/user/", nil)
	require.Equal(t, 200, st)
	assert.Len(t, users["data"], 1)
	st, _, _ = a.call(t, "GET", "/user/user_nope/", nil)
	assert.Equal(t, 404, st)
	st, org, _ := a.call(t, "GET", "/organization/"+closetest.OrganizationID+"/?_fields=lead_statuses,pipelines", nil)
	require.Equal(t, 200, st)
	assert.Len(t, org["lead_statuses"], 4)
	require.Len(t, org["pipelines"], 1)
	assert.Len(t, org["pipelines"].([]any)[0].(map[string]any)["statuses"], 3)
	assert.NotContains(t, org, "memberships")

	st, s, _ := a.call(t, "POST", "/status/lead/", map[string]any{"label": "Nurture"})
	require.Equal(t, 200, st)
	st, lead, _ := a.call(t, "POST", "/lead/", map[string]any{"status": "Nurture"})
	require.Equal(t, 200, st)
	assert.Equal(t, s["id"], lead["status_id"])
	st, body, _ := a.call(t, "DELETE", "/status/lead/"+s["id"].(string)+"/", nil)
	assert.Equal(t, 400, st, "in use: %v", body)
	st, s2, _ := a.call(t, "PUT", "/status/lead/"+s["id"].(string)+"/", map[string]any{"label": "Nurturing"})
	require.Equal(t, 200, st)
	assert.Equal(t, "Nurturing", s2["label"])
	st, oppSt, _ := a.call(t, "GET", "/status/opportunity/", nil)
	require.Equal(t, 200, st)
	assert.Equal(t, map[string]any{"id": closetest.OpportunityStatusWon, "label": "Won", "type": "won",
		"pipeline_id": closetest.PipelineID, "organization_id": closetest.OrganizationID}, oppSt["data"].([]any)[1])
	st, _, _ = a.call(t, "POST", "/status/opportunity/", map[string]any{"label": "Odd", "type": "weird"})
	assert.Equal(t, 400, st)

	st, p, _ := a.call(t, "POST", "/pipeline/", map[string]any{"name": "Partners"})
	require.Equal(t, 200, st)
	st, _, _ = a.call(t, "PUT", "/pipeline/"+p["id"].(string)+"/", map[string]any{"name": "Channel"})
	require.Equal(t, 200, st)
	st, del, h := a.call(t, "DELETE", "/pipeline/"+p["id"].(string)+"/", nil)
	assert.Equal(t, http.StatusNoContent, st)
	assert.Nil(t, del)
	assert.NotEmpty(t, h.Get("RateLimit"))
	st, _, _ = a.call(t, "DELETE", "/pipeline/"+closetest.PipelineID+"/", nil)
	assert.Equal(t, 400, st, "a pipeline with statuses stays")

	st, cf, _ := a.call(t, "POST", "/custom_field/lead/", map[string]any{"name": "Tier", "type": "choices", "choices": []any{"gold", "silver"}, "accepts_multiple_values": true})
	require.Equal(t, 200, st, "body: %v", cf)
	assert.Regexp(t, `^cf_`, cf["id"])
	st, shared, _ := a.call(t, "POST", "/custom_field/shared/", map[string]any{"name": "Region", "type": "text",
		"associations": []any{map[string]any{"object_type": "lead"}, map[string]any{"object_type": "contact"}}})
	require.Equal(t, 200, st, "body: %v", shared)
	_, err := a.crm.CreateLead(map[string]any{"name": "x"})
	require.NoError(t, err)
	for typ, want := range map[string]int{"lead": 2, "contact": 1, "opportunity": 0} {
		st, schema, _ := a.call(t, "GET", "/custom_field_schema/"+typ+"/", nil)
		require.Equal(t, 200, st)
		assert.Len(t, schema["fields"], want, typ)
	}
	st, page, _ := a.call(t, "GET", "/custom_field/lead/", nil)
	require.Equal(t, 200, st)
	assert.Len(t, page["data"], 1)
	st, one, _ := a.call(t, "GET", "/custom_field/lead/"+cf["id"].(string)+"/", nil)
	require.Equal(t, 200, st)
	assert.Equal(t, "choices", one["type"])
	assert.Equal(t, true, one["accepts_multiple_values"])
	st, _, _ = a.call(t, "GET", "/custom_field/contact/"+cf["id"].(string)+"/", nil)
	assert.Equal(t, 404, st)
	st, _, _ = a.call(t, "POST", "/custom_field/lead/", map[string]any{"name": "Bad", "type": "color"})
	assert.Equal(t, 400, st)
}

func TestExportsAndBulkActions(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	for _, n := range []string{"Acme", "Globex", "Acme Two"} {
		_, err := a.crm.CreateLead(map[string]any{"name": n})
		require.NoError(t, err)
	}
	sq := map[string]any{"type": "and", "queries": []any{
		map[string]any{"type": "object_type", "object_type": "lead"},
		map[string]any{"type": "text", "value": "acme"},
	}}
	st, e, _ := a.call(t, "POST", "/export/lead/", map[string]any{"s_query": sq, "format": "json", "type": "leads"})
	require.Equal(t, 200, st, "body: %v", e)
	assert.Equal(t, "created", e["status"])
	assert.Nil(t, e["download_url"])
	var steps []string
	for range 5 {
		st, e, _ = a.call(t, "GET", "/export/"+e["id"].(string)+"/", nil)
		require.Equal(t, 200, st)
		steps = append(steps, e["status"].(string))
	}
	assert.Equal(t, []string{"started", "in_progress", "done", "done", "done"}, steps)
	url, _ := e["download_url"].(string)
	require.True(t, strings.HasPrefix(url, a.ts.URL+"/"), url)
	assert.EqualValues(t, 2, e["n_docs"])
	resp, err := a.ts.Client().Get(url)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "application/gzip", resp.Header.Get("Content-Type"))
	zr, err := gzip.NewReader(resp.Body)
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	var leads []map[string]any
	require.NoError(t, json.Unmarshal(raw, &leads))
	require.Len(t, leads, 2)
	assert.Equal(t, "Acme", leads[0]["display_name"])
	st, list, _ := a.call(t, "GET", "/export/", nil)
	require.Equal(t, 200, st)
	assert.Len(t, list["data"], 1)
	r404, err := a.ts.Client().Get(a.ts.URL + "/closetest/exports/expo_nope/x/export.json.gz")
	require.NoError(t, err)
	_ = r404.Body.Close()
	assert.Equal(t, 404, r404.StatusCode)
	st, _, _ = a.call(t, "POST", "/export/lead/", map[string]any{"format": "xml"})
	assert.Equal(t, 400, st)

	// Bulk edit: the change happens when the action is done, and its events
	// carry meta.bulk_action_id.
	st, b, _ := a.call(t, "POST", "/bulk_action/edit/", map[string]any{"type": "set_lead_status", "lead_status_id": closetest.LeadStatusBadFit, "s_query": sq})
	require.Equal(t, 200, st, "body: %v", b)
	for range 3 {
		st, b, _ = a.call(t, "GET", "/bulk_action/edit/"+b["id"].(string)+"/", nil)
		require.Equal(t, 200, st)
	}
	assert.Equal(t, "done", b["status"])
	assert.EqualValues(t, 2, b["n_objects"])
	st, page, _ := a.call(t, "GET", "/lead/?query=status:%22Bad+Fit%22", nil)
	require.Equal(t, 200, st)
	assert.EqualValues(t, 2, page["total_results"])
	var bulkEvents int
	for _, ev := range a.crm.Events() {
		if ev["meta"].(map[string]any)["bulk_action_id"] == b["id"] {
			bulkEvents++
		}
	}
	assert.Equal(t, 4, bulkEvents, "two lead.updated and two status_change.lead.created")

	st, b, _ = a.call(t, "POST", "/bulk_action/edit/", map[string]any{"type": "set_custom_field", "custom_field_id": "cf_x", "custom_field_value": "v", "s_query": map[string]any{"type": "object_type", "object_type": "lead"}})
	require.Equal(t, 200, st)
	for range 3 {
		_, b, _ = a.call(t, "GET", "/bulk_action/edit/"+b["id"].(string)+"/", nil)
	}
	for _, l := range a.crm.Leads() {
		assert.Equal(t, "v", l["custom.cf_x"])
	}
	st, d, _ := a.call(t, "POST", "/bulk_action/delete/", map[string]any{"s_query": sq})
	require.Equal(t, 200, st)
	for range 3 {
		_, d, _ = a.call(t, "GET", "/bulk_action/delete/"+d["id"].(string)+"/", nil)
	}
	assert.Equal(t, "done", d["status"])
	assert.Len(t, a.crm.Leads(), 1)
	st, _, _ = a.call(t, "POST", "/bulk_action/edit/", map[string]any{"type": "explode", "s_query": sq})
	assert.Equal(t, 400, st)
}
