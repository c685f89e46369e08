package close_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

const leadReply = `{
  "id": "lead_4pT9wQ",
  "name": "Harbor Analytics",
  "display_name": "Harbor Analytics",
  "url": "https://harbor-analytics.example",
  "description": null,
  "status_id": "stat_Qa1Ws2",
  "status_label": "Qualified",
  "html_url": "https://app.close.com/lead/lead_4pT9wQ/",
  "organization_id": "orga_Wq3Er5",
  "contact_ids": ["cont_8sLk3J", "cont_Ui7Yt5"],
  "contacts": [
    {"id": "cont_8sLk3J", "name": "Priya Natarajan", "title": "Head of Operations", "lead_id": "lead_4pT9wQ",
     "emails": [{"email": "priya@harbor-analytics.example", "type": "office", "is_unsubscribed": false}],
     "phones": [], "urls": [], "custom.cf_role": "Champion"},
    {"id": "cont_Ui7Yt5", "name": "Tomás Ruiz", "title": "CFO", "lead_id": "lead_4pT9wQ", "emails": [],
     "phones": [{"phone": "+14155550188", "phone_formatted": "+1 415-555-0188", "type": "office"}], "urls": []}
  ],
  "opportunities": [{"id": "oppo_1", "value": 1250000, "value_period": "annual", "date_won": null}],
  "tasks": [],
  "addresses": [{"label": "business", "address_1": "12 Pier Rd", "address_2": null, "city": "Oakland",
                 "state": "CA", "zipcode": "94607", "country": "US", "tz_ids": ["America/Los_Angeles"]}],
  "primary_email": {"email": "priya@harbor-analytics.example", "type": "office"},
  "primary_phone": null,
  "date_created": "2025-09-04T14:20:51.004000+00:00",
  "date_updated": "2025-09-04T14:20:51.004000+00:00",
  "created_by": "user_Mn4Bv6",
  "updated_by": "user_Mn4Bv6",
  "custom": {"Source": "Inbound"},
  "custom.cf_Ab3Cd5": "Inbound"
}`

func TestLeadCreateWithContacts(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{
		Method: "POST", Path: "/lead/",
		Body: `{
		  "name": "Harbor Analytics",
		  "url": "https://harbor-analytics.example",
		  "description": "Logistics data platform, 40 seats",
		  "status": "Qualified",
		  "addresses": [{"label": "business", "address_1": "12 Pier Rd", "city": "Oakland",
		                 "state": "CA", "zipcode": "94607", "country": "US"}],
		  "contacts": [
		    {"name": "Priya Natarajan", "title": "Head of Operations",
		     "emails": [{"email": "priya@harbor-analytics.example", "type": "office"}],
		     "custom.cf_role": "Champion"},
		    {"name": "Tomás Ruiz", "title": "CFO", "phones": [{"phone": "+14155550188", "type": "office"}]}
		  ],
		  "custom.cf_Ab3Cd5": "Inbound"
		}`,
		Reply: out(leadReply),
	})
	lead, err := w.crm().Leads.Create(t.Context(), &close.Lead{
		Name:        close.Set("Harbor Analytics"),
		URL:         close.Set("https://harbor-analytics.example"),
		Description: close.Set("Logistics data platform, 40 seats"),
		StatusLabel: "Qualified", // sent as "status" because StatusID is empty
		HTMLURL:     "ignored",
		Addresses: []close.Address{{Label: "business", Address1: "12 Pier Rd", City: "Oakland",
			State: "CA", Zipcode: "94607", Country: "US", TZIDs: []string{"ignored"}}},
		Contacts: []close.Contact{
			{
				LeadID: "lead_ignored", Name: close.Set("Priya Natarajan"), Title: close.Set("Head of Operations"),
				Emails: []close.ContactEmail{{Email: "priya@harbor-analytics.example", Type: "office"}},
				Custom: map[string]any{"cf_role": "Champion"},
			},
			{Name: close.Set("Tomás Ruiz"), Title: close.Set("CFO"), Phones: []close.ContactPhone{{Phone: "+14155550188", Type: "office"}}},
		},
		Custom: map[string]any{"cf_Ab3Cd5": "Inbound"},
	})
	require.NoError(t, err)
	assert.Equal(t, "lead_4pT9wQ", lead.ID)
	assert.Equal(t, "Qualified", lead.StatusLabel)
	assert.True(t, lead.Description.IsNull(), "null description stays null, apart from \"\"")
	assert.Equal(t, "https://app.close.com/lead/lead_4pT9wQ/", lead.HTMLURL)
	assert.Equal(t, []string{"cont_8sLk3J", "cont_Ui7Yt5"}, lead.ContactIDs)
	require.Len(t, lead.Contacts, 2)
	assert.Equal(t, close.Set("Tomás Ruiz"), lead.Contacts[1].Name)
	role, _ := lead.Contacts[0].CustomString("cf_role")
	assert.Equal(t, "Champion", role, "nested contacts collect their own custom fields")
	require.Len(t, lead.Opportunities, 1)
	assert.Equal(t, close.Set[int64](1250000), lead.Opportunities[0].Value)
	assert.True(t, lead.Opportunities[0].DateWon.IsZero())
	require.Len(t, lead.Addresses, 1)
	assert.Equal(t, "12 Pier Rd", lead.Addresses[0].Address1)
	assert.Empty(t, lead.Addresses[0].Address2)
	require.NotNil(t, lead.PrimaryEmail)
	assert.Nil(t, lead.PrimaryPhone)
	assert.Equal(t, time.Date(2025, 9, 4, 14, 20, 51, 4000000, time.UTC), lead.DateCreated.UTC())
	src, _ := lead.CustomString("cf_Ab3Cd5")
	assert.Equal(t, "Inbound", src)
	assert.Len(t, lead.Custom, 1, "the deprecated name-keyed custom object stays in Raw only")
	var raw map[string]any
	require.NoError(t, json.Unmarshal(lead.Raw, &raw))
	assert.Contains(t, raw, "tasks")
	assert.Contains(t, raw, "custom")
}

func TestLeadCreatePrefersStatusID(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "POST", Path: "/lead/", Body: `{"name": "Acme", "status_id": "stat_1"}`, Reply: out(`{"id": "lead_1"}`)})
	_, err := w.crm().Leads.Create(t.Context(), &close.Lead{Name: close.Set("Acme"), StatusID: "stat_1", StatusLabel: "Lead"})
	require.NoError(t, err)
}

func TestLeadGetUpdateDelete(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/lead/lead_4pT9wQ/", Query: "_fields=custom", Reply: out(`{"id": "lead_4pT9wQ", "custom.cf_a": 1}`)},
		exchange{
			Method: "PUT", Path: "/lead/lead_4pT9wQ/",
			Body:  `{"status": "Customer", "description": "Signed annual plan", "url": null, "custom.cf_Ab3Cd5": null}`,
			Reply: out(leadReply),
		},
		exchange{Method: "DELETE", Path: "/lead/lead_4pT9wQ/", Reply: out(`{}`)},
	)
	crm := w.crm()
	l, err := crm.Leads.Get(t.Context(), "lead_4pT9wQ", "custom")
	require.NoError(t, err)
	n, ok := l.Custom.Int("cf_a")
	assert.True(t, ok)
	assert.Equal(t, int64(1), n)

	u := &close.LeadUpdate{Status: close.Set("Customer"), Description: close.Set("Signed annual plan"), URL: close.Null[string]()}
	u.ClearCustom("cf_Ab3Cd5")
	_, err = crm.Leads.Update(t.Context(), "lead_4pT9wQ", u)
	require.NoError(t, err)
	require.NoError(t, crm.Leads.Delete(t.Context(), "lead_4pT9wQ"))
}

func TestLeadMerge(t *testing.T) {
	t.Parallel()
	body := `{"source": "lead_Dup1", "destination": "lead_4pT9wQ"}`
	w := newWire(t)
	w.expect(
		exchange{Method: "POST", Path: "/lead/merge/", Body: body, Reply: out(`{"status": "ok"}`)},
		exchange{Method: "POST", Path: "/lead/merge/", Body: body, Reply: out(`{}`)},
		exchange{Method: "POST", Path: "/lead/merge/", Body: body, Reply: ``},
		exchange{Method: "POST", Path: "/lead/merge/", Body: body, Status: http.StatusNotFound,
			Reply: `{"errors": ["Source lead does not exist."]}`},
	)
	crm := w.crm()
	for range 3 {
		require.NoError(t, crm.Leads.Merge(t.Context(), "lead_Dup1", "lead_4pT9wQ"))
	}
	err := crm.Leads.Merge(t.Context(), "lead_Dup1", "lead_4pT9wQ")
	require.ErrorIs(t, err, close.ErrNotFound)
	require.ErrorIs(t, err, paragon.ErrNotFound)
	var ce *close.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{"Source lead does not exist."}, ce.Messages)
	assert.Equal(t, "close: POST /lead/merge/: 404 Not Found: Source lead does not exist.", err.Error())
}

func TestLeadListQuery(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/lead/", Query: `query=status:"Potential" sort:-created&_fields=id,name&_skip=0&_limit=100`,
			Reply: out(`{"data": [{"id": "lead_1"}, {"id": "lead_2"}], "has_more": true, "total_results": 3}`)},
		exchange{Method: "GET", Path: "/lead/", Query: `query=status:"Potential" sort:-created&_fields=id,name&_skip=2&_limit=100`,
			Reply: out(`{"data": [{"id": "lead_3"}], "has_more": false, "total_results": 3}`)},
	)
	var ids []string
	for l, err := range w.crm().Leads.List(t.Context(), &close.LeadListParams{Query: `status:"Potential" sort:-created`, Fields: []string{"id", "name"}}) {
		require.NoError(t, err)
		ids = append(ids, l.ID)
	}
	assert.Equal(t, []string{"lead_1", "lead_2", "lead_3"}, ids)
}

func TestLeadRoundTripsJSON(t *testing.T) {
	t.Parallel()
	var l close.Lead
	require.NoError(t, json.Unmarshal([]byte(leadReply), &l))
	b, err := json.Marshal(l)
	require.NoError(t, err)
	var again close.Lead
	require.NoError(t, json.Unmarshal(b, &again))
	assert.Equal(t, l.ID, again.ID)
	assert.Equal(t, l.Custom, again.Custom)
	assert.True(t, l.DateCreated.Equal(again.DateCreated.Time))
	assert.Equal(t, l.Contacts[0].Custom, again.Contacts[0].Custom)
	assert.Contains(t, string(b), `"custom.cf_Ab3Cd5":"Inbound"`)
	assert.Contains(t, string(b), `"description":null`, "null round-trips as null")
	assert.NotContains(t, string(b), `"source"`, "absent fields stay absent")
	assert.Equal(t, l.Description, again.Description)
}
