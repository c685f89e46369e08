package close_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/paragon-go/paragon"
	closecrm "github.com/paragon-go/paragon/close"
)

// cannedClose is an offline stand-in for a Connected User: it answers
// each Close path with canned JSON (a Requester, as *paragon.User is). The
// fake Close in paragontest does not serve these endpoints yet.
type cannedClose map[string][]string

func (c cannedClose) Request(_ context.Context, _, path string, _ *paragon.RequestOptions, _ ...paragon.CallOption) (*paragon.Response, error) {
	answers := c[path]
	if len(answers) == 0 {
		return nil, &paragon.Error{StatusCode: 404, Upstream: true, Body: []byte(`{"error": "not found"}`)}
	}
	c[path] = answers[1:]
	return &paragon.Response{StatusCode: 200, Output: json.RawMessage(answers[0])}, nil
}

func ExampleOptional() {
	var opp closecrm.Opportunity
	_ = json.Unmarshal([]byte(`{"id": "oppo_1", "value": null, "expected_value": 0, "note": ""}`), &opp)

	fmt.Println(opp.Value.IsNull(), opp.ExpectedValue.Valid(), opp.Note.Valid())
	fmt.Printf("value %d, or %d\n", opp.Value, opp.Value.Or(-1))

	// Passing a read field back sends exactly what Close had: null stays null.
	b, _ := json.Marshal(closecrm.OpportunityUpdate{Value: opp.Value, Confidence: closecrm.Set(0)})
	fmt.Println(string(b))
	// Output:
	// true true true
	// value , or -1
	// {"value":null,"confidence":0}
}

func ExampleEventsService_Resume() {
	user := cannedClose{"/event/": {
		`{"data": [{"id": "ev_2", "object_type": "activity.call", "action": "created", "object_id": "acti_1",
		   "date_updated": "2025-10-01T17:50:11.004000", "data": {"id": "acti_1", "_type": "Call", "duration": 60}},
		  {"id": "ev_1", "object_type": "lead", "action": "deleted", "object_id": "lead_9",
		   "date_updated": "2025-10-01T17:41:00", "data": null, "previous_data": {"id": "lead_9", "name": "Old Co"}}],
		 "cursor_next": null}`,
	}}
	crm := closecrm.New(user)
	ctx := context.Background()

	// The bookmark from the last run, e.g. loaded from your database.
	saved := closecrm.EventBookmark{Since: time.Date(2025, 10, 1, 17, 40, 0, 0, time.UTC)}
	scan := crm.Events.Resume(ctx, saved, nil, 0) // re-reads the 5 minutes before Since
	for ev, err := range scan.All() {
		if err != nil {
			log.Fatal(err) // store scan.Bookmark() anyway: it resumes where this stopped
		}
		fmt.Println(ev.ObjectType, ev.Action, ev.ObjectID)
	}
	next, _ := json.Marshal(scan.Bookmark())
	fmt.Println(string(next))
	// Output:
	// activity.call created acti_1
	// lead deleted lead_9
	// {"since":"2025-10-01T17:50:11.004Z"}
}

func ExampleVerifyWebhook() {
	// Keys saved from WebhooksService.Create, one per Close organization.
	store := map[string]string{"whsub_acme": "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0b"}
	lookup := func(_ context.Context, subscriptionID string) (closecrm.SignatureKey, error) {
		k, ok := store[subscriptionID]
		if !ok {
			return closecrm.SignatureKey{}, closecrm.ErrUnknownSubscription
		}
		return closecrm.ParseSignatureKey(k)
	}

	body := []byte(`{"subscription_id": "whsub_acme", "event": {"id": "ev_7", "object_type": "activity.note",
		"action": "created", "object_id": "acti_1", "date_updated": "2025-10-01T17:50:11",
		"data": {"id": "acti_1", "_type": "Note", "note": "Asked for a quote"}, "meta": {"request_method": "POST"}}}`)
	header := signedLikeClose(store["whsub_acme"], body)

	ev, err := closecrm.VerifyWebhook(context.Background(), header, body, lookup, nil)
	if errors.Is(err, closecrm.ErrInvalidSignature) || errors.Is(err, closecrm.ErrUnknownSubscription) {
		fmt.Println("answer 401")
		return
	} else if err != nil {
		log.Fatal(err)
	}
	obj, err := ev.Decode()
	if err != nil {
		log.Fatal(err)
	}
	switch v := obj.(type) {
	case *closecrm.Note:
		fmt.Println(ev.SubscriptionID, ev.ObjectType, v.Note)
	case *closecrm.Lead:
		fmt.Println("lead", v.Name)
	}
	// Output:
	// whsub_acme activity.note Asked for a quote
}

// signedLikeClose signs body the way Close does, for the example.
func signedLikeClose(hexKey string, body []byte) http.Header {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	k, _ := hex.DecodeString(hexKey)
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte(ts))
	mac.Write(body)
	h := http.Header{}
	h.Set(closecrm.HeaderSigTimestamp, ts)
	h.Set(closecrm.HeaderSigHash, hex.EncodeToString(mac.Sum(nil)))
	return h
}

func ExampleWebhooksService_Create() {
	user := cannedClose{"/webhook/": {`{"id": "whsub_7Gf5Dd", "url": "https://hooks.acme.example/close", "status": "active",
		"verify_ssl": true, "events": [{"object_type": "lead", "action": "updated"}],
		"signature_key": "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0b"}`}}
	crm := closecrm.New(user)

	sub, err := crm.Webhooks.Create(context.Background(), &closecrm.WebhookParams{
		URL: "https://hooks.acme.example/close",
		Events: []closecrm.WebhookEventSpec{
			{ObjectType: "lead", Action: "updated"},
			{ObjectType: "activity.call", Action: "created"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Close shows the key once: store sub.SignatureKey.Reveal() by sub.ID now.
	fmt.Println(sub.ID, sub.Status, sub.SignatureKey)
	// Output: whsub_7Gf5Dd active [REDACTED]
}

func ExampleClient_ChangedSince() {
	user := cannedClose{"/data/search/": {`{"data": [
		{"__object_type": "lead", "id": "lead_1", "display_name": "Acme", "date_updated": "2025-10-01T12:01:00+00:00"},
		{"__object_type": "lead", "id": "lead_2", "display_name": "Globex", "date_updated": "2025-10-01T12:07:30+00:00"}],
		"cursor": null}`}}
	crm := closecrm.New(user)

	// Leads changed since the last run (oldest first); contacts work alike.
	bookmark := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)
	scan := crm.ChangedSince(context.Background(), "lead", bookmark, &closecrm.Changes{Fields: []string{"display_name"}})
	for r, err := range scan.All() {
		if err != nil {
			log.Fatal(err)
		}
		lead, err := r.Lead()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(lead.ID, lead.DisplayName)
	}
	fmt.Println("next bookmark:", scan.Bookmark().Format(time.RFC3339))
	// Output:
	// lead_1 Acme
	// lead_2 Globex
	// next bookmark: 2025-10-01T12:07:30Z
}

func ExampleActivitiesService_List() {
	user := cannedClose{"/activity/": {`{"data": [
		{"id": "acti_1", "_type": "Call", "lead_id": "lead_1", "direction": "outbound", "duration": 312},
		{"id": "acti_2", "_type": "Note", "lead_id": "lead_1", "note": "Sent the quote"}], "has_more": false}`}}
	crm := closecrm.New(user)

	for a, err := range crm.Activities.List(context.Background(), &closecrm.ActivityListParams{LeadID: "lead_1"}) {
		if err != nil {
			log.Fatal(err)
		}
		switch a.Type {
		case closecrm.ActivityCall:
			c, _ := a.Call()
			fmt.Printf("call, %s, %d s\n", c.Direction, c.Duration)
		case closecrm.ActivityNote:
			n, _ := a.Note()
			fmt.Println("note:", n.Note)
		}
	}
	// Output:
	// call, outbound, 312 s
	// note: Sent the quote
}

func ExampleCustomFieldSchema_Typed() {
	user := cannedClose{
		"/custom_field_schema/lead/": {`{"fields": [{"id": "cf_seats", "name": "Seats", "type": "number"},
			{"id": "cf_renewal", "name": "Renewal", "type": "date"},
			{"id": "cf_tags", "name": "Tags", "type": "text", "accepts_multiple_values": true}]}`},
		"/lead/lead_1/": {`{"id": "lead_1", "custom.cf_seats": 40, "custom.cf_renewal": "2026-03-01", "custom.cf_tags": ["eu", "smb"]}`},
	}
	crm := closecrm.New(user)
	ctx := context.Background()

	schema, err := crm.CustomFields.Schema(ctx, closecrm.CustomFieldLead)
	if err != nil {
		log.Fatal(err)
	}
	lead, err := crm.Leads.Get(ctx, "lead_1")
	if err != nil {
		log.Fatal(err)
	}
	typed, err := schema.Typed(lead.Custom)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T %v\n%T %v\n%T %v\n", typed["cf_seats"], typed["cf_seats"], typed["cf_renewal"], typed["cf_renewal"], typed["cf_tags"], typed["cf_tags"])
	// Output:
	// float64 40
	// close.Date 2026-03-01
	// []string [eu smb]
}

func ExampleUsersService_Me() {
	user := cannedClose{"/me/": {`{"id": "user_1", "email": "sam@acme.example", "organizations": [{"id": "orga_1", "name": "Acme"}]}`}}
	crm := closecrm.New(user)

	me, err := crm.Users.Me(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	// The organization ID is a natural tenant key for a multi-account backend.
	fmt.Println(me.Email, me.Organizations[0].ID)
	// Output: sam@acme.example orga_1
}

// Exports need a download host, so this example only compiles.
func ExampleExportsService_Download() {
	var user *paragon.User // from paragon.Client.User
	crm := closecrm.New(user)
	ctx := context.Background()

	exp, err := crm.Exports.StartLeads(ctx, &closecrm.LeadExportParams{Format: "json", Type: "leads"})
	if err != nil {
		log.Fatal(err)
	}
	exp, err = crm.Exports.Wait(ctx, exp.ID, nil) // polls with a growing interval
	if err != nil {
		log.Fatal(err)
	}
	file, err := crm.Exports.Download(ctx, exp) // streamed and decompressed, not buffered
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = file.Close() }()
	dec := json.NewDecoder(file)
	for dec.More() {
		var lead closecrm.Lead
		if err := dec.Decode(&lead); err != nil {
			log.Fatal(err)
		}
		fmt.Println(lead.ID)
	}
}

func ExampleNew_nilUser() {
	var u *paragon.User // e.g. left nil by a failed Authenticate
	crm := closecrm.New(u)
	_, err := crm.Leads.Get(context.Background(), "lead_1")
	fmt.Println(errors.Is(err, paragon.ErrInvalidInput), errors.Is(crm.Err(), paragon.ErrInvalidInput))
	// Output: true true
}

func ExampleTasksService_List() {
	user := cannedClose{"/task/": {`{"data": [
		{"id": "task_1", "_type": "outgoing_call", "lead_id": "lead_1", "text": "Call back", "date": "2025-10-03", "is_complete": false},
		{"id": "task_2", "_type": "lead", "lead_id": "lead_1", "text": "Send contract", "is_dateless": true}], "has_more": false}`}}
	crm := closecrm.New(user)

	// Every kind of task (the client sends _type=all), open ones in the inbox.
	for task, err := range crm.Tasks.List(context.Background(), &closecrm.TaskListParams{
		View: closecrm.TaskInbox, IsComplete: closecrm.Set(false),
	}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(task.Type, task.Text, task.Date)
	}
	// Output:
	// outgoing_call Call back 2025-10-03
	// lead Send contract
}

func ExamplePipelinesService_List() {
	user := cannedClose{"/pipeline/": {`{"data": [{"id": "pipe_1", "name": "Sales", "statuses": [
		{"id": "stat_a", "label": "Demo", "type": "active", "pipeline_id": "pipe_1"},
		{"id": "stat_w", "label": "Won", "type": "won", "pipeline_id": "pipe_1"}]}], "has_more": false}`}}
	crm := closecrm.New(user)

	// Map status IDs to their meaning once, then read opportunities by ID.
	for p, err := range crm.Pipelines.List(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		for _, s := range p.Statuses {
			fmt.Printf("%s: %s / %s (%s)\n", s.ID, p.Name, s.Label, s.Type)
		}
	}
	// Output:
	// stat_a: Sales / Demo (active)
	// stat_w: Sales / Won (won)
}

func ExampleBulkActionsService_Edit() {
	user := cannedClose{
		"/bulk_action/edit/":        {`{"id": "bulk_1", "type": "set_lead_status", "status": "created"}`},
		"/bulk_action/edit/bulk_1/": {`{"id": "bulk_1", "status": "in_progress"}`, `{"id": "bulk_1", "status": "done"}`},
	}
	crm := closecrm.New(user)
	ctx := context.Background()

	job, err := crm.BulkActions.Edit(ctx, &closecrm.BulkEditParams{
		Type:         "set_lead_status",
		Query:        closecrm.And(closecrm.ObjectType("lead"), closecrm.TextMatch("churned", closecrm.FullWords)),
		LeadStatusID: "stat_lost",
	})
	if err != nil {
		log.Fatal(err)
	}
	job, err = crm.BulkActions.Wait(ctx, closecrm.BulkEdit, job.ID, &closecrm.PollOptions{Interval: time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.ID, job.Status)
	// Output: bulk_1 done
}

func ExampleOrganizationsService_Get() {
	user := cannedClose{"/organization/orga_1/": {`{"id": "orga_1", "name": "Acme",
		"lead_statuses": [{"id": "stat_q", "label": "Qualified"}],
		"pipelines": [{"id": "pipe_1", "name": "Sales", "statuses": [{"id": "stat_w", "label": "Won", "type": "won"}]}]}`}}
	crm := closecrm.New(user)

	// Both status lists in one call.
	org, err := crm.Organizations.Get(context.Background(), "orga_1", "lead_statuses", "pipelines")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(org.Name, org.LeadStatuses[0].Label, org.Pipelines[0].Statuses[0].Label)
	// Output: Acme Qualified Won
}
