package closetest_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close/closetest"
)

var eventTime = `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$`

func TestEventLog(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	start := time.Now().UTC()
	st, lead, _ := a.call(t, "POST", "/lead/", map[string]any{"name": "Acme", "contacts": []any{map[string]any{"name": "Ada"}}})
	require.Equal(t, 200, st)
	leadID := lead["id"].(string)
	contactID := lead["contacts"].([]any)[0].(map[string]any)["id"].(string)
	st, _, _ = a.call(t, "PUT", "/lead/"+leadID+"/", map[string]any{"description": "Big", "status": "Customer"})
	require.Equal(t, 200, st)
	st, _, _ = a.call(t, "PUT", "/contact/"+contactID+"/", map[string]any{"title": "CEO"})
	require.Equal(t, 200, st)
	st, opp, _ := a.call(t, "POST", "/opportunity/", map[string]any{"lead_id": leadID, "value": 100})
	require.Equal(t, 200, st)
	st, _, _ = a.call(t, "PUT", "/opportunity/"+opp["id"].(string)+"/", map[string]any{"note": "only a note"})
	require.Equal(t, 200, st)
	st, _, _ = a.call(t, "DELETE", "/lead/"+leadID+"/", nil)
	require.Equal(t, 200, st)

	kinds := func(page map[string]any) []string {
		out := []string{}
		for _, d := range page["data"].([]any) {
			m := d.(map[string]any)
			out = append(out, m["object_type"].(string)+"."+m["action"].(string))
		}
		return out
	}
	st, page := a.get(t, "/event/", nil)
	require.Equal(t, 200, st, "body: %v", page)
	// Newest first; the note-only change fires no opportunity.updated, as
	// Close documents; the contact edit fires no lead.updated.
	assert.Equal(t, []string{
		"lead.deleted", "status_change.lead.deleted", "activity.created.deleted", "opportunity.deleted", "contact.deleted",
		"opportunity.created",
		"contact.updated",
		"status_change.lead.created", "lead.updated",
		"activity.created.created", "contact.created", "lead.created",
	}, kinds(page))
	assert.Nil(t, page["cursor_next"])
	assert.Nil(t, page["cursor_previous"])

	ev := page["data"].([]any)[8].(map[string]any) // lead.updated
	assert.Regexp(t, `^ev_`, ev["id"])
	assert.Equal(t, leadID, ev["object_id"])
	assert.Equal(t, leadID, ev["lead_id"])
	assert.Equal(t, closetest.OrganizationID, ev["organization_id"])
	assert.Equal(t, closetest.UserID, ev["user_id"])
	assert.Equal(t, closetest.APIKeyID, ev["api_key_id"])
	assert.Regexp(t, `^req_`, ev["request_id"])
	assert.Regexp(t, eventTime, ev["date_created"])
	assert.Regexp(t, eventTime, ev["date_updated"])
	assert.Equal(t, []any{"date_updated", "description", "status_id", "status_label"}, ev["changed_fields"])
	assert.Equal(t, map[string]any{"description": nil, "status_id": closetest.LeadStatusPotential, "status_label": "Potential",
		"date_updated": lead["date_updated"]}, ev["previous_data"])
	assert.Equal(t, "Big", ev["data"].(map[string]any)["description"])
	assert.Equal(t, map[string]any{"request_method": "PUT", "request_path": "/api/v1/lead/" + leadID + "/"}, ev["meta"])
	del := page["data"].([]any)[0].(map[string]any)
	assert.Nil(t, del["data"], "data is null on delete")
	assert.Equal(t, "Acme", del["previous_data"].(map[string]any)["name"])

	// GET /event/{id}/.
	st, one := a.get(t, "/event/"+ev["id"].(string)+"/", nil)
	require.Equal(t, 200, st)
	assert.Equal(t, ev, one)
	st, one = a.get(t, "/event/ev_nope/", nil)
	assert.Equal(t, 404, st)
	assert.Equal(t, "Empty query: Event matching query does not exist.", one["error"])

	// Filters.
	for q, want := range map[string][]string{
		"object_type=lead&action=updated":            {"lead.updated"},
		"object_type=contact&object_id=" + contactID: {"contact.deleted", "contact.updated", "contact.created"},
		"lead_id=" + leadID + "&object_type=contact": {"contact.deleted", "contact.updated", "contact.created"},
		"action=created&object_type=opportunity":     {"opportunity.created"},
		"user_id=user_nobody":                        {},
		"date_updated__gte=" + url.QueryEscape(start.Add(-time.Minute).Format(time.RFC3339)) + "&object_type=lead&action=created":   {"lead.created"},
		"date_updated__lt=" + url.QueryEscape(start.Add(-time.Minute).Format("2006-01-02T15:04:05.000000")):                         {},
		"date_updated__lte=" + url.QueryEscape(time.Now().Add(time.Minute).UTC().Format("2006-01-02T15:04:05")) + "&action=deleted": {"lead.deleted", "status_change.lead.deleted", "activity.created.deleted", "opportunity.deleted", "contact.deleted"},
	} {
		st, page := a.get(t, "/event/?"+q, nil)
		require.Equal(t, 200, st, "%s: %v", q, page)
		assert.Equal(t, want, kinds(page), q)
	}
	st, page = a.get(t, "/event/?request_id="+ev["request_id"].(string), nil)
	require.Equal(t, 200, st)
	assert.Equal(t, []string{"status_change.lead.created", "lead.updated"}, kinds(page))

	// Cursor paging, 3 at a time, repeating the filters.
	var all []string
	q := "/event/?_limit=3"
	pages := 0
	for {
		st, page := a.get(t, q, nil)
		require.Equal(t, 200, st, "body: %v", page)
		pages++
		all = append(all, kinds(page)...)
		if pages > 1 {
			assert.NotNil(t, page["cursor_previous"])
		}
		next, _ := page["cursor_next"].(string)
		if next == "" {
			break
		}
		q = "/event/?_limit=3&_cursor=" + url.QueryEscape(next)
	}
	assert.Equal(t, 4, pages)
	assert.Len(t, all, 12)
	assert.Equal(t, "lead.created", all[11])

	for _, bad := range []string{"_limit=51", "_limit=0", "_skip=10", "_cursor=!!", "date_updated__gt=yesterday"} {
		st, body := a.get(t, "/event/?"+bad, nil)
		assert.Equal(t, 400, st, bad)
		assert.NotEmpty(t, body["error"], bad)
	}
	assert.Len(t, a.crm.Events(), 12)
}

func TestEventConsolidation(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	a.crm.SetConsolidation(time.Hour)
	lead, err := a.crm.CreateLead(map[string]any{"name": "Acme"})
	require.NoError(t, err)
	id := lead["id"].(string)
	other, err := a.crm.CreateLead(map[string]any{"name": "Other"})
	require.NoError(t, err)
	_, err = a.crm.Update("lead", id, map[string]any{"description": "one"})
	require.NoError(t, err)
	first := a.crm.Events()[0]
	_, err = a.crm.Update("lead", other["id"].(string), map[string]any{"description": "other"})
	require.NoError(t, err)
	_, err = a.crm.Update("lead", id, map[string]any{"url": "https://acme.test", "description": "two"})
	require.NoError(t, err)

	evs := a.crm.Events()
	require.Equal(t, 6, len(evs), "two lead.created, two Created activities, one update per lead")
	got := evs[0]
	assert.Equal(t, first["id"], got["id"], "the event keeps its ID")
	assert.Equal(t, first["date_created"], got["date_created"])
	assert.NotEqual(t, first["date_updated"], got["date_updated"], "and moves its date_updated")
	assert.Equal(t, []any{"date_updated", "description", "url"}, got["changed_fields"])
	assert.Nil(t, got["previous_data"].(map[string]any)["description"], "previous_data keeps the oldest value")
	assert.Equal(t, "two", got["data"].(map[string]any)["description"])
	assert.Equal(t, other["id"], evs[1]["object_id"])
}
