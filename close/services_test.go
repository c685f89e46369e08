package close_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

const sigKey = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0b"

func TestWebhookSubscriptions(t *testing.T) {
	t.Parallel()
	sub := `{"id": "whsub_7Gf5Dd", "url": "https://hooks.acme.example/close", "status": "active", "verify_ssl": true,
	  "events": [{"object_type": "lead", "action": "created"}]}`
	w := newWire(t)
	w.expect(
		exchange{Method: "POST", Path: "/webhook/", Status: 201,
			Body: `{"url": "https://hooks.acme.example/close", "events": [
			  {"object_type": "lead", "action": "created"},
			  {"object_type": "lead", "action": "updated", "extra_filter": {"type": "field_accessor", "field": "changed_fields",
			   "filter": {"type": "contains", "value": "status_id"}}},
			  {"object_type": "opportunity", "action": "updated"}], "verify_ssl": true}`,
			Reply: out(`{"id": "whsub_7Gf5Dd", "url": "https://hooks.acme.example/close", "status": "active", "verify_ssl": true,
			  "events": [{"object_type": "lead", "action": "created"}], "signature_key": "` + sigKey + `"}`)},
		exchange{Method: "GET", Path: "/webhook/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [` + sub + `], "has_more": false}`)},
		exchange{Method: "GET", Path: "/webhook/whsub_7Gf5Dd/", Reply: out(sub)},
		exchange{Method: "PUT", Path: "/webhook/whsub_7Gf5Dd/", Body: `{"status": "paused"}`, Reply: out(strings.Replace(sub, `"active"`, `"paused"`, 1))},
		exchange{Method: "PUT", Path: "/webhook/whsub_7Gf5Dd/", Body: `{"status": "active"}`, Reply: out(sub)},
		exchange{Method: "PUT", Path: "/webhook/whsub_7Gf5Dd/", Body: `{"url": "https://hooks.acme.example/v2", "verify_ssl": false}`, Reply: out(sub)},
		exchange{Method: "DELETE", Path: "/webhook/whsub_7Gf5Dd/", Reply: out(`{}`)},
	)
	crm := w.crm()
	created, err := crm.Webhooks.Create(t.Context(), &close.WebhookParams{
		URL: "https://hooks.acme.example/close",
		Events: []close.WebhookEventSpec{
			{ObjectType: "lead", Action: "created"},
			{ObjectType: "lead", Action: "updated", ExtraFilter: json.RawMessage(`{"type": "field_accessor", "field": "changed_fields",
			  "filter": {"type": "contains", "value": "status_id"}}`)},
			{ObjectType: "opportunity", Action: "updated"},
		},
		VerifySSL: close.Set(true),
	})
	require.NoError(t, err)
	assert.Equal(t, sigKey, created.SignatureKey.Reveal())
	// The key never shows itself, and is not left in Raw.
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("created", "key", created.SignatureKey, "sub", created)
	for _, s := range []string{fmt.Sprint(created), fmt.Sprintf("%+v %#v %s %q %x", created, created.SignatureKey, created.SignatureKey, created.SignatureKey, created.SignatureKey), string(must(json.Marshal(created))), logged.String(), string(created.Raw)} {
		assert.NotContains(t, s, sigKey[:16])
	}
	assert.Equal(t, "whsub_7Gf5Dd", created.ID)

	n := 0
	for s, err := range crm.Webhooks.List(t.Context()) {
		require.NoError(t, err)
		assert.Equal(t, close.WebhookActive, s.Status)
		n++
	}
	assert.Equal(t, 1, n)
	got, err := crm.Webhooks.Get(t.Context(), "whsub_7Gf5Dd")
	require.NoError(t, err)
	assert.True(t, got.VerifySSL)
	paused, err := crm.Webhooks.Pause(t.Context(), "whsub_7Gf5Dd")
	require.NoError(t, err)
	assert.Equal(t, close.WebhookPaused, paused.Status)
	_, err = crm.Webhooks.Resume(t.Context(), "whsub_7Gf5Dd")
	require.NoError(t, err)
	_, err = crm.Webhooks.Update(t.Context(), "whsub_7Gf5Dd", &close.WebhookUpdate{URL: close.Set("https://hooks.acme.example/v2"), VerifySSL: close.Set(false)})
	require.NoError(t, err)
	require.NoError(t, crm.Webhooks.Delete(t.Context(), "whsub_7Gf5Dd"))

	_, err = crm.Webhooks.Create(t.Context(), &close.WebhookParams{URL: "https://x.example"})
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = close.ParseSignatureKey("not hex " + sigKey)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.NotContains(t, err.Error(), sigKey)
}

func TestUsersOrganizationsStatusesPipelines(t *testing.T) {
	t.Parallel()
	me := `{"id": "user_Mn4Bv6", "email": "sam@acme.example", "first_name": "Sam", "last_name": "Lee",
	  "organizations": [{"id": "orga_Wq3Er5", "name": "Acme"}], "date_created": "2024-01-01T00:00:00+00:00"}`
	won := `{"id": "stat_Wn1", "label": "Won", "type": "won", "pipeline_id": "pipe_Zz1"}`
	pipe := `{"id": "pipe_Zz1", "name": "Sales", "statuses": [` + won + `]}`
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/me/", Reply: out(me)},
		exchange{Method: "GET", Path: "/user/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [` + me + `], "has_more": false}`)},
		exchange{Method: "GET", Path: "/user/user_Mn4Bv6/", Reply: out(me)},
		exchange{Method: "GET", Path: "/organization/orga_Wq3Er5/", Query: "_fields=lead_statuses,pipelines",
			Reply: out(`{"id": "orga_Wq3Er5", "lead_statuses": [{"id": "stat_Qa1", "label": "Qualified"}], "pipelines": [` + pipe + `]}`)},
		exchange{Method: "GET", Path: "/status/lead/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [{"id": "stat_Qa1", "label": "Qualified"}], "has_more": false}`)},
		exchange{Method: "POST", Path: "/status/lead/", Body: `{"label": "Churned"}`, Reply: out(`{"id": "stat_Ch1", "label": "Churned"}`)},
		exchange{Method: "PUT", Path: "/status/lead/stat_Ch1/", Body: `{"label": "Lost"}`, Reply: out(`{"id": "stat_Ch1", "label": "Lost"}`)},
		exchange{Method: "DELETE", Path: "/status/lead/stat_Ch1/", Reply: out(`{}`)},
		exchange{Method: "GET", Path: "/status/opportunity/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [` + won + `], "has_more": false}`)},
		exchange{Method: "POST", Path: "/status/opportunity/", Body: `{"label": "Won big", "type": "won", "pipeline_id": "pipe_Zz1"}`, Reply: out(won)},
		exchange{Method: "PUT", Path: "/status/opportunity/stat_Wn1/", Body: `{"label": "Won!"}`, Reply: out(won)},
		exchange{Method: "DELETE", Path: "/status/opportunity/stat_Wn1/", Reply: out(`{}`)},
		exchange{Method: "GET", Path: "/pipeline/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [` + pipe + `], "has_more": false}`)},
		exchange{Method: "GET", Path: "/pipeline/pipe_Zz1/", Reply: out(pipe)},
		exchange{Method: "POST", Path: "/pipeline/", Body: `{"name": "Renewals"}`, Reply: out(`{"id": "pipe_R", "name": "Renewals"}`)},
		exchange{Method: "PUT", Path: "/pipeline/pipe_R/", Body: `{"name": "Upsell"}`, Reply: out(`{"id": "pipe_R", "name": "Upsell"}`)},
		exchange{Method: "DELETE", Path: "/pipeline/pipe_R/", Status: 204},
	)
	crm := w.crm()
	u, err := crm.Users.Me(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "orga_Wq3Er5", u.Organizations[0].ID)
	for u, err := range crm.Users.List(t.Context()) {
		require.NoError(t, err)
		assert.Equal(t, "Sam", u.FirstName)
	}
	_, err = crm.Users.Get(t.Context(), "user_Mn4Bv6")
	require.NoError(t, err)
	org, err := crm.Organizations.Get(t.Context(), "orga_Wq3Er5", "lead_statuses", "pipelines")
	require.NoError(t, err)
	assert.Equal(t, close.StatusWon, org.Pipelines[0].Statuses[0].Type)
	assert.Equal(t, "Qualified", org.LeadStatuses[0].Label)
	for st, err := range crm.LeadStatuses.List(t.Context()) {
		require.NoError(t, err)
		assert.Equal(t, "stat_Qa1", st.ID)
	}
	st, err := crm.LeadStatuses.Create(t.Context(), "Churned")
	require.NoError(t, err)
	_, err = crm.LeadStatuses.Rename(t.Context(), st.ID, "Lost")
	require.NoError(t, err)
	require.NoError(t, crm.LeadStatuses.Delete(t.Context(), st.ID))
	for os, err := range crm.OpportunityStatuses.List(t.Context()) {
		require.NoError(t, err)
		assert.Equal(t, "pipe_Zz1", os.PipelineID)
	}
	_, err = crm.OpportunityStatuses.Create(t.Context(), &close.OpportunityStatus{ID: "ignored", Label: "Won big", Type: close.StatusWon, PipelineID: "pipe_Zz1"})
	require.NoError(t, err)
	_, err = crm.OpportunityStatuses.Rename(t.Context(), "stat_Wn1", "Won!")
	require.NoError(t, err)
	require.NoError(t, crm.OpportunityStatuses.Delete(t.Context(), "stat_Wn1"))
	for p, err := range crm.Pipelines.List(t.Context()) {
		require.NoError(t, err)
		assert.Equal(t, "Sales", p.Name)
	}
	_, err = crm.Pipelines.Get(t.Context(), "pipe_Zz1")
	require.NoError(t, err)
	p, err := crm.Pipelines.Create(t.Context(), "Renewals")
	require.NoError(t, err)
	_, err = crm.Pipelines.Rename(t.Context(), p.ID, "Upsell")
	require.NoError(t, err)
	require.NoError(t, crm.Pipelines.Delete(t.Context(), p.ID), "204 with no body")

	_, err = crm.LeadStatuses.Create(t.Context(), "")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
}

func TestCustomFieldSchemaTypesValues(t *testing.T) {
	t.Parallel()
	schema := `{"fields": [
	  {"id": "cf_src", "name": "Source", "type": "choices", "choices": ["Inbound", "Outbound"], "accepts_multiple_values": false},
	  {"id": "cf_seats", "name": "Seats", "type": "number"},
	  {"id": "cf_renew", "name": "Renewal", "type": "date"},
	  {"id": "cf_seen", "name": "Last seen", "type": "datetime"},
	  {"id": "cf_tags", "name": "Tags", "type": "text", "accepts_multiple_values": true},
	  {"id": "cf_owner", "name": "Owner", "type": "user", "editable_with_roles": ["admin"]}]}`
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/custom_field_schema/lead/", Reply: out(schema)},
		exchange{Method: "GET", Path: "/lead/lead_1/", Reply: out(`{"id": "lead_1", "custom.cf_src": "Inbound", "custom.cf_seats": 40,
		  "custom.cf_renew": "2026-03-01", "custom.cf_seen": "2025-10-01T17:50:00.000000+00:00", "custom.cf_tags": ["a", "b"],
		  "custom.cf_owner": "user_Mn4Bv6", "custom.cf_unknown": true}`)},
		exchange{Method: "GET", Path: "/custom_field/contact/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [{"id": "cf_role", "name": "Role", "type": "text"}], "has_more": false}`)},
		exchange{Method: "GET", Path: "/custom_field/shared/cf_x/", Reply: out(`{"id": "cf_x", "name": "X", "type": "number"}`)},
	)
	crm := w.crm()
	s, err := crm.CustomFields.Schema(t.Context(), close.CustomFieldLead)
	require.NoError(t, err)
	l, err := crm.Leads.Get(t.Context(), "lead_1")
	require.NoError(t, err)
	typed, err := s.Typed(l.Custom)
	require.NoError(t, err)
	assert.Equal(t, "Inbound", typed["cf_src"])
	assert.InDelta(t, 40.0, typed["cf_seats"], 0)
	assert.Equal(t, close.NewDate(2026, 3, 1), typed["cf_renew"])
	assert.Equal(t, time.Date(2025, 10, 1, 17, 50, 0, 0, time.UTC), typed["cf_seen"].(close.Time).UTC())
	assert.Equal(t, []string{"a", "b"}, typed["cf_tags"])
	assert.Equal(t, "user_Mn4Bv6", typed["cf_owner"])
	assert.Equal(t, true, typed["cf_unknown"], "unknown fields keep their raw value")
	d, ok := s.Field("custom.cf_owner")
	require.True(t, ok)
	assert.Equal(t, []string{"admin"}, d.EditableWithRoles)
	_, err = d.Value(5.0)
	require.Error(t, err, "a number in a user field")

	for d, err := range crm.CustomFields.List(t.Context(), close.CustomFieldContact) {
		require.NoError(t, err)
		assert.Equal(t, "cf_role", d.ID)
	}
	_, err = crm.CustomFields.Get(t.Context(), close.CustomFieldShared, "custom.cf_x")
	require.NoError(t, err)
	_, err = crm.CustomFields.Schema(t.Context(), close.CustomFieldShared)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
}

func TestTasks(t *testing.T) {
	t.Parallel()
	task := `{"id": "task_1", "_type": "outgoing_call", "lead_id": "lead_1", "text": "Call back", "date": "2025-10-03",
	  "is_complete": false, "is_dateless": false, "assigned_to": "user_Mn4Bv6", "date_updated": "2025-10-01T17:00:00+00:00"}`
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/task/", Query: "_type=all&view=inbox&is_complete=false&assigned_to=user_Mn4Bv6&date_updated__gte=2025-10-01T00:00:00Z&_order_by=-date&_skip=0&_limit=100",
			Reply: out(`{"data": [` + task + `], "has_more": false}`)},
		exchange{Method: "GET", Path: "/task/", Query: "_type=lead&_skip=0&_limit=100", Reply: out(`{"data": [], "has_more": false}`)},
		exchange{Method: "POST", Path: "/task/", Body: `{"lead_id": "lead_1", "text": "Call back", "date": "2025-10-03", "assigned_to": "user_Mn4Bv6"}`, Reply: out(task)},
		exchange{Method: "PUT", Path: "/task/task_1/", Body: `{"is_complete": true}`, Reply: out(strings.Replace(task, `"is_complete": false`, `"is_complete": true`, 1))},
		exchange{Method: "GET", Path: "/task/task_1/", Reply: out(task)},
		exchange{Method: "DELETE", Path: "/task/task_1/", Reply: out(`{}`)},
		exchange{Method: "PUT", Path: "/task/", Query: "_type=all&assigned_to=user_old&is_complete=false", Body: `{"assigned_to": "user_new"}`, Reply: out(`{}`)},
	)
	crm := w.crm()
	for tk, err := range crm.Tasks.List(t.Context(), &close.TaskListParams{
		View: close.TaskInbox, IsComplete: close.Set(false), AssignedTo: "user_Mn4Bv6", OrderBy: "-date",
		DateUpdated: close.TimeRange{Gte: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)},
	}) {
		require.NoError(t, err)
		assert.Equal(t, "outgoing_call", tk.Type)
		assert.Equal(t, "2025-10-03", tk.Date)
	}
	for _, err := range crm.Tasks.List(t.Context(), &close.TaskListParams{Type: "lead"}) {
		require.NoError(t, err)
	}
	tk, err := crm.Tasks.Create(t.Context(), &close.TaskParams{LeadID: "lead_1", Text: "Call back", Date: "2025-10-03", AssignedTo: "user_Mn4Bv6"})
	require.NoError(t, err)
	done, err := crm.Tasks.Update(t.Context(), tk.ID, &close.TaskUpdate{IsComplete: close.Set(true)})
	require.NoError(t, err)
	assert.True(t, done.IsComplete)
	_, err = crm.Tasks.Get(t.Context(), tk.ID)
	require.NoError(t, err)
	require.NoError(t, crm.Tasks.Delete(t.Context(), tk.ID))
	require.NoError(t, crm.Tasks.UpdateMatching(t.Context(), &close.TaskListParams{AssignedTo: "user_old", IsComplete: close.Set(false), OrderBy: "date"},
		&close.TaskUpdate{AssignedTo: close.Set("user_new")}))
	err = crm.Tasks.UpdateMatching(t.Context(), &close.TaskListParams{}, &close.TaskUpdate{IsComplete: close.Set(true)})
	require.ErrorIs(t, err, paragon.ErrInvalidInput, "no filter, no request")
}

func TestExportWaitAndStreamedDownload(t *testing.T) {
	t.Parallel()
	// The file server stands in for the download URL: plain HTTP on
	// loopback, gzip body, and it records what the request carried.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(strings.Repeat(`{"id": "lead_1", "name": "Acme"}`+"\n", 1000)))
	require.NoError(t, zw.Close())
	var gotAuth []string
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = append(gotAuth, r.Header.Get("Authorization"))
		if r.URL.Path != "/exports/exp_1.json.gz" {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		_, _ = w.Write(gz.Bytes())
	}))
	t.Cleanup(files.Close)

	w := newWire(t)
	w.expect(
		exchange{Method: "POST", Path: "/export/lead/",
			Body:  `{"s_query": {"type": "object_type", "object_type": "lead"}, "format": "json", "type": "leads", "send_done_email": false}`,
			Reply: out(`{"id": "exp_1", "status": "created", "format": "json"}`)},
		exchange{Method: "GET", Path: "/export/exp_1/", Reply: out(`{"id": "exp_1", "status": "started"}`)},
		exchange{Method: "GET", Path: "/export/exp_1/", Reply: out(`{"id": "exp_1", "status": "in_progress"}`)},
		exchange{Method: "GET", Path: "/export/exp_1/", Reply: out(`{"id": "exp_1", "status": "done", "download_url": "` + files.URL + `/exports/exp_1.json.gz?sig=s3cr3t"}`)},
		exchange{Method: "GET", Path: "/export/exp_2/", Reply: out(`{"id": "exp_2", "status": "error"}`)},
		exchange{Method: "POST", Path: "/export/opportunity/", Body: `{"format": "csv"}`, Reply: out(`{"id": "exp_3", "status": "created"}`)},
		exchange{Method: "GET", Path: "/export/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [{"id": "exp_1", "status": "done"}], "has_more": false}`)},
	)
	crm := w.crm(close.WithDownloadClient(files.Client()))
	e, err := crm.Exports.StartLeads(t.Context(), &close.LeadExportParams{
		Query: close.ObjectType("lead"), Format: "json", Type: "leads", SendDoneEmail: close.Set(false),
	})
	require.NoError(t, err)
	e, err = crm.Exports.Wait(t.Context(), e.ID, &close.PollOptions{Interval: time.Millisecond, MaxInterval: 2 * time.Millisecond})
	require.NoError(t, err)
	rc, err := crm.Exports.Download(t.Context(), e)
	require.NoError(t, err)
	lines := 0
	buf := make([]byte, 4096)
	var rest []byte
	for {
		n, err := rc.Read(buf)
		rest = append(rest[:0], buf[:n]...)
		lines += bytes.Count(rest, []byte("\n"))
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	require.NoError(t, rc.Close())
	assert.Equal(t, 1000, lines)
	assert.Equal(t, []string{""}, gotAuth, "no credential goes to the download host")

	_, err = crm.Exports.Wait(t.Context(), "exp_2", &close.PollOptions{Interval: time.Millisecond})
	require.ErrorIs(t, err, close.ErrJobFailed)
	_, err = crm.Exports.StartOpportunities(t.Context(), &close.OpportunityExportParams{Format: "csv"})
	require.NoError(t, err)
	for x, err := range crm.Exports.List(t.Context()) {
		require.NoError(t, err)
		assert.Equal(t, close.JobDone, x.Status)
	}

	// Refused before any request: non-https off loopback, credentials in the URL.
	for _, u := range []string{"http://files.example/x", "https://user:pw@files.example/x", "ftp://x/y", "/relative"} {
		_, err := crm.Exports.Download(t.Context(), &close.Export{ID: "e", DownloadURL: u})
		require.ErrorIs(t, err, paragon.ErrInvalidInput, u)
	}
	_, err = crm.Exports.Download(t.Context(), &close.Export{ID: "e", DownloadURL: files.URL + "/other?sig=s3cr3t"})
	require.ErrorIs(t, err, close.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "s3cr3t", "the signed query stays out of errors")
}

func TestExportWaitHonoursContext(t *testing.T) {
	t.Parallel()
	s := &stub{fn: func(string, *paragon.RequestOptions) (*paragon.Response, error) {
		return jsonResponse(200, `{"id": "exp_1", "status": "in_progress"}`), nil
	}}
	ctx, cancel := contextWithCancelAfter(t, 1, s)
	defer cancel()
	e, err := close.New(s).Exports.Wait(ctx, "exp_1", &close.PollOptions{Interval: time.Hour})
	require.ErrorIs(t, err, errCanceled)
	assert.Equal(t, "in_progress", e.Status)
}

func TestBulkActions(t *testing.T) {
	t.Parallel()
	q := `{"type": "and", "queries": [{"type": "object_type", "object_type": "lead"}, {"type": "id", "value": "lead_1"}]}`
	w := newWire(t)
	w.expect(
		exchange{Method: "POST", Path: "/bulk_action/edit/", Body: `{"type": "set_lead_status", "s_query": ` + q + `, "lead_status_id": "stat_Qa1", "send_done_email": false}`,
			Reply: out(`{"id": "bulk_1", "type": "set_lead_status", "status": "created"}`)},
		exchange{Method: "GET", Path: "/bulk_action/edit/bulk_1/", Reply: out(`{"id": "bulk_1", "status": "done"}`)},
		exchange{Method: "POST", Path: "/bulk_action/delete/", Body: `{"s_query": ` + q + `}`, Reply: out(`{"id": "bulk_2", "status": "created"}`)},
		exchange{Method: "GET", Path: "/bulk_action/delete/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [{"id": "bulk_2", "status": "created"}], "has_more": false}`)},
	)
	crm := w.crm()
	query := close.And(close.ObjectType("lead"), close.ID("lead_1"))
	b, err := crm.BulkActions.Edit(t.Context(), &close.BulkEditParams{Type: "set_lead_status", Query: query, LeadStatusID: "stat_Qa1", SendDoneEmail: close.Set(false)})
	require.NoError(t, err)
	b, err = crm.BulkActions.Wait(t.Context(), close.BulkEdit, b.ID, &close.PollOptions{Interval: time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, close.JobDone, b.Status)
	_, err = crm.BulkActions.Delete(t.Context(), &close.BulkDeleteParams{Query: query})
	require.NoError(t, err)
	for b, err := range crm.BulkActions.List(t.Context(), close.BulkDelete) {
		require.NoError(t, err)
		assert.Equal(t, "bulk_2", b.ID)
	}
	_, err = crm.BulkActions.Edit(t.Context(), &close.BulkEditParams{Type: "set_lead_status", Query: query})
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = crm.BulkActions.Delete(t.Context(), &close.BulkDeleteParams{})
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = crm.BulkActions.Get(t.Context(), "nope", "bulk_1")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
}
