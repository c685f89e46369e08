package close_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close"
)

func TestNullIsNotZero(t *testing.T) {
	t.Parallel()
	var o close.Opportunity
	require.NoError(t, json.Unmarshal([]byte(`{"id": "oppo_1", "value": null, "expected_value": 0,
	  "annualized_value": null, "annualized_expected_value": 0, "note": ""}`), &o))
	assert.True(t, o.Value.IsNull())
	assert.False(t, o.Value.Valid())
	assert.True(t, o.ExpectedValue.Valid())
	assert.Equal(t, int64(0), o.ExpectedValue.Or(-1))
	assert.True(t, o.AnnualizedValue.IsNull())
	n, ok := o.Note.Get()
	assert.True(t, ok)
	assert.Empty(t, n)
	assert.True(t, o.NoteHTML == "", "absent")

	b, err := json.Marshal(o)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id": "oppo_1", "value": null, "expected_value": 0, "annualized_value": null,
	  "annualized_expected_value": 0, "note": ""}`, string(b), "null and 0 both round-trip; absent stays absent")

	var l close.Lead
	require.NoError(t, json.Unmarshal([]byte(`{"name": "", "url": null}`), &l))
	assert.True(t, l.Name.Valid())
	assert.True(t, l.URL.IsNull())
	assert.True(t, l.Description.IsZero(), "absent")
	var c close.Contact
	require.NoError(t, json.Unmarshal([]byte(`{"name": null, "title": ""}`), &c))
	assert.True(t, c.Name.IsNull())
	assert.Equal(t, close.Set(""), c.Title)
}

func TestOptionalFormats(t *testing.T) {
	t.Parallel()
	v := close.Set[int64](1250000)
	assert.Equal(t, "1250000 cents", fmt.Sprintf("%d cents", v))
	assert.Equal(t, `"Acme"`, fmt.Sprintf("%q", close.Set("Acme")))
	assert.Equal(t, "Acme", fmt.Sprint(close.Set("Acme")))
	assert.Empty(t, fmt.Sprint(close.Null[string]()))
	assert.Equal(t, "Acme", close.Set("Acme").String())
	assert.Empty(t, close.Optional[string]{}.String())
}

// A contact read from Close, passed back in an update, never sends the
// sub-fields Close computes.
func TestUpdateStripsReadOnlySubfields(t *testing.T) {
	t.Parallel()
	var read close.Contact
	require.NoError(t, json.Unmarshal([]byte(`{
	  "id": "cont_8sLk3J", "name": "Priya Natarajan", "title": null,
	  "emails": [{"email": "priya@harbor-analytics.example", "type": "office", "is_unsubscribed": true}],
	  "phones": [{"phone": "+14155550143", "phone_formatted": "+1 415-555-0143", "type": "mobile",
	              "country": "US", "tz_ids": ["America/Los_Angeles"], "outbound_sms_blocked": true}],
	  "urls": [{"url": "https://harbor-analytics.example/team/priya", "type": "url"}]}`), &read))

	w := newWire(t)
	w.expect(exchange{Method: "PUT", Path: "/contact/cont_8sLk3J/",
		Body: `{"name": "Priya Natarajan", "title": null,
		  "emails": [{"email": "priya@harbor-analytics.example", "type": "office"}],
		  "phones": [{"phone": "+14155550143", "type": "mobile"}],
		  "urls": [{"url": "https://harbor-analytics.example/team/priya", "type": "url"}]}`,
		Reply: out(`{"id": "cont_8sLk3J"}`)})
	_, err := w.crm().Contacts.Update(t.Context(), read.ID, &close.ContactUpdate{
		Name: read.Name, Title: read.Title,
		Emails: close.Set(read.Emails), Phones: close.Set(read.Phones), URLs: close.Set(read.URLs),
	})
	require.NoError(t, err)

	// Creates strip them too, and a lead's address loses its tz_ids.
	w.expect(exchange{Method: "POST", Path: "/contact/",
		Body: `{"name": "Priya Natarajan", "title": null,
		  "emails": [{"email": "priya@harbor-analytics.example", "type": "office"}],
		  "phones": [{"phone": "+14155550143", "type": "mobile"}],
		  "urls": [{"url": "https://harbor-analytics.example/team/priya", "type": "url"}]}`,
		Reply: out(`{"id": "cont_2"}`)})
	read.ID = ""
	_, err = w.crm().Contacts.Create(t.Context(), &read)
	require.NoError(t, err)

	w.expect(exchange{Method: "PUT", Path: "/lead/lead_1/",
		Body:  `{"addresses": [{"label": "business", "city": "Oakland"}], "description": ""}`,
		Reply: out(`{"id": "lead_1"}`)})
	_, err = w.crm().Leads.Update(t.Context(), "lead_1", &close.LeadUpdate{
		Description: close.Set(""),
		Addresses:   close.Set([]close.Address{{Label: "business", City: "Oakland", TZIDs: []string{"America/Los_Angeles"}}}),
	})
	require.NoError(t, err)

	w.expect(exchange{Method: "PUT", Path: "/opportunity/oppo_1/",
		Body:  `{"value": 0, "note": null, "attachments": [{"url": "https://f.example/a.pdf", "filename": "a.pdf"}]}`,
		Reply: out(`{"id": "oppo_1", "value": 0}`)})
	opp, err := w.crm().Opportunities.Update(t.Context(), "oppo_1", &close.OpportunityUpdate{
		Value: close.Set[int64](0), Note: close.Null[string](),
		Attachments: close.Set([]close.Attachment{{URL: "https://f.example/a.pdf", Filename: "a.pdf", Size: 5, ThumbnailURL: "x"}}),
	})
	require.NoError(t, err)
	assert.Equal(t, close.Set[int64](0), opp.Value)
}
