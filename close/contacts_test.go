package close_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

const contactReply = `{
  "id": "cont_8sLk3J",
  "organization_id": "orga_Wq3Er5",
  "lead_id": "lead_4pT9wQ",
  "name": "Priya Natarajan",
  "title": "Head of Operations",
  "display_name": "Priya Natarajan",
  "emails": [{"email": "priya@harbor-analytics.example", "type": "office", "is_unsubscribed": false}],
  "phones": [{"phone": "+14155550143", "phone_formatted": "+1 415-555-0143", "type": "mobile",
              "country": "US", "tz_ids": ["America/Los_Angeles"], "outbound_sms_blocked": false}],
  "urls": [{"url": "https://harbor-analytics.example/team/priya", "type": "url"}],
  "integration_links": [],
  "recent_calls": [{"id": "call_1", "status": "completed"}],
  "timezone": "America/Los_Angeles",
  "date_created": "2025-09-04T14:22:09.518000+00:00",
  "date_updated": "2025-09-04T14:22:09+00:00",
  "created_by": "user_Mn4Bv6",
  "updated_by": null,
  "custom.cf_Z7mK2p": "Champion",
  "custom.cf_score": 87.5,
  "custom.cf_tags": ["a", "b"],
  "custom.cf_gone": null
}`

func TestContactCreate(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{
		Method: "POST", Path: "/contact/",
		// Only writable fields; no id/display_name/phone_formatted; no zero values.
		Body: `{"lead_id": "lead_4pT9wQ", "name": "Priya Natarajan", "title": "Head of Operations",
			"emails": [{"email": "priya@harbor-analytics.example", "type": "office"}],
			"phones": [{"phone": "+14155550143", "type": "mobile"}],
			"urls": [{"url": "https://harbor-analytics.example/team/priya", "type": "url"}],
			"custom.cf_Z7mK2p": "Champion", "custom.cf_score": 3}`,
		Reply: out(contactReply),
	})
	c, err := w.crm().Contacts.Create(t.Context(), &close.Contact{
		ID:             "cont_ignored",
		DisplayName:    "ignored",
		OrganizationID: "orga_ignored",
		LeadID:         "lead_4pT9wQ",
		Name:           close.Set("Priya Natarajan"),
		Title:          close.Set("Head of Operations"),
		Emails:         []close.ContactEmail{{Email: "priya@harbor-analytics.example", Type: "office"}},
		Phones:         []close.ContactPhone{{Phone: "+14155550143", Type: "mobile", PhoneFormatted: "ignored"}},
		URLs:           []close.ContactURL{{URL: "https://harbor-analytics.example/team/priya", Type: "url"}},
		Custom:         map[string]any{"cf_Z7mK2p": "Champion", "custom.cf_score": 3},
	})
	require.NoError(t, err)
	assert.Equal(t, "cont_8sLk3J", c.ID)
	assert.Equal(t, "lead_4pT9wQ", c.LeadID)
	assert.Equal(t, "orga_Wq3Er5", c.OrganizationID)
	assert.Equal(t, "Priya Natarajan", c.DisplayName)
	assert.Equal(t, "+1 415-555-0143", c.Phones[0].PhoneFormatted)
	assert.Equal(t, []string{"America/Los_Angeles"}, c.Phones[0].TZIDs)
	assert.Equal(t, time.Date(2025, 9, 4, 14, 22, 9, 518000000, time.UTC), c.DateCreated.UTC())
	assert.Equal(t, time.Date(2025, 9, 4, 14, 22, 9, 0, time.UTC), c.DateUpdated.UTC())
	assert.Equal(t, "user_Mn4Bv6", c.CreatedBy)
	assert.Empty(t, c.UpdatedBy)

	s, ok := c.CustomString("cf_Z7mK2p")
	assert.True(t, ok)
	assert.Equal(t, "Champion", s)
	f, ok := c.CustomFloat("custom.cf_score")
	assert.True(t, ok)
	assert.InDelta(t, 87.5, f, 0)
	tags, ok := c.Custom.List("cf_tags")
	assert.True(t, ok)
	assert.Equal(t, []string{"a", "b"}, tags)
	v, ok := c.Custom.Value("cf_gone")
	assert.True(t, ok, "null custom field is present")
	assert.Nil(t, v)
	_, ok = c.Custom.Text("cf_missing")
	assert.False(t, ok)
	assert.Contains(t, string(c.Raw), "recent_calls", "unknown fields survive in Raw")
}

func TestContactGetUpdateDelete(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/contact/cont_8sLk3J/", Query: "_fields=id,name", Reply: out(`{"id": "cont_8sLk3J", "name": "P"}`)},
		exchange{
			Method: "PUT", Path: "/contact/cont_8sLk3J/",
			Body: `{"title": "", "emails": [], "custom.cf_Z7mK2p": null,
				"custom.cf_Tg8Hy6.add": "webinar-2025", "custom.cf_Tg8Hy6.remove": "webinar-2024",
				"custom.cf_n": 0}`,
			Reply: out(contactReply),
		},
		exchange{Method: "DELETE", Path: "/contact/cont_8sLk3J/", Reply: out(`{}`)},
		exchange{Method: "DELETE", Path: "/contact/cont_2/", Status: http.StatusNoContent},
	)
	crm := w.crm()
	c, err := crm.Contacts.Get(t.Context(), "cont_8sLk3J", "id", "name")
	require.NoError(t, err)
	assert.Equal(t, close.Set("P"), c.Name)

	u := &close.ContactUpdate{
		Title:  close.Set(""),                     // an explicit empty title goes on the wire
		Emails: close.Set([]close.ContactEmail{}), // and an explicit empty list
	}
	u.ClearCustom("cf_Z7mK2p")
	u.AddCustom("cf_Tg8Hy6", "webinar-2025")
	u.RemoveCustom("cf_Tg8Hy6", "webinar-2024")
	u.SetCustom("custom.cf_n", 0)
	c, err = crm.Contacts.Update(t.Context(), "cont_8sLk3J", u)
	require.NoError(t, err)
	assert.Equal(t, close.Set("Head of Operations"), c.Title)

	require.NoError(t, crm.Contacts.Delete(t.Context(), "cont_8sLk3J"))
	require.NoError(t, crm.Contacts.Delete(t.Context(), "cont_2"), "204 with no body is fine")
}

func TestContactUpdateSendsOnlySetFields(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "PUT", Path: "/contact/cont_1/", Body: `{}`, Reply: out(`{"id": "cont_1"}`)},
		exchange{Method: "PUT", Path: "/contact/cont_1/", Body: `{"name": null, "lead_id": "lead_2"}`, Reply: out(`{"id": "cont_1"}`)},
	)
	crm := w.crm()
	_, err := crm.Contacts.Update(t.Context(), "cont_1", &close.ContactUpdate{})
	require.NoError(t, err)
	_, err = crm.Contacts.Update(t.Context(), "cont_1", &close.ContactUpdate{Name: close.Null[string](), LeadID: close.Set("lead_2")})
	require.NoError(t, err)
}

// contactPage renders a page of n contacts numbered from start.
func contactPage(start, n int, more bool) string {
	var b strings.Builder
	b.WriteString(`{"data": [`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id": "cont_` + strconv.Itoa(start+i) + `", "lead_id": "lead_1"}`)
	}
	b.WriteString(`], "has_more": `)
	if more {
		b.WriteString("true")
	} else {
		b.WriteString("false")
	}
	b.WriteString("}")
	return out(b.String())
}

func TestContactListPagesLazily(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/contact/", Query: "lead_id=lead_1&_fields=id,lead_id&_skip=0&_limit=2", Reply: contactPage(1, 2, true)},
		exchange{Method: "GET", Path: "/contact/", Query: "lead_id=lead_1&_fields=id,lead_id&_skip=2&_limit=2", Reply: contactPage(3, 2, true)},
		exchange{Method: "GET", Path: "/contact/", Query: "lead_id=lead_1&_fields=id,lead_id&_skip=4&_limit=2", Reply: contactPage(5, 1, false)},
	)
	p := &close.ContactListParams{LeadID: "lead_1", Fields: []string{"id", "lead_id"}}
	before := *p
	var ids []string
	for c, err := range w.crm(close.WithPageSize(2)).Contacts.List(t.Context(), p) {
		require.NoError(t, err)
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []string{"cont_1", "cont_2", "cont_3", "cont_4", "cont_5"}, ids)
	assert.Equal(t, before, *p, "params are not modified")
}

func TestContactListBreakStopsPaging(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "GET", Path: "/contact/", Query: "_skip=0&_limit=100", Reply: contactPage(1, 3, true)})
	n := 0
	for _, err := range w.crm().Contacts.List(t.Context(), nil) {
		require.NoError(t, err)
		n++
		if n == 2 {
			break
		}
	}
	assert.Equal(t, 2, n)
	assert.Len(t, w.requests(), 1, "no request after break")
}

func TestContactListHonoursContext(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "GET", Path: "/contact/", Query: "_skip=10&_limit=5", Reply: contactPage(11, 2, true)})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var errs []error
	n := 0
	for _, err := range w.crm().Contacts.List(ctx, &close.ContactListParams{Skip: 10, Limit: 5}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		cancel() // the next page must not be fetched
	}
	assert.Equal(t, 2, n)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.Len(t, w.requests(), 1)
}

func TestContactListPage(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "GET", Path: "/contact/", Query: "lead_id=lead_1&_skip=4&_limit=2",
		Reply: out(`{"data": [{"id": "cont_5"}], "has_more": false, "total_results": 5}`)})
	pg, err := w.crm().Contacts.ListPage(t.Context(), &close.ContactListParams{LeadID: "lead_1", Skip: 4, Limit: 2})
	require.NoError(t, err)
	require.Len(t, pg.Data, 1)
	assert.False(t, pg.HasMore)
	require.NotNil(t, pg.TotalResults)
	assert.Equal(t, 5, *pg.TotalResults)
}

func TestInvalidInputSendsNothing(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	crm := w.crm()
	ctx := t.Context()
	bad := []string{"", ".", "..", "a/b", "a\\b", "a\nb", "a\x00b", "\xff", strings.Repeat("x", 257)}
	for _, id := range bad {
		_, err := crm.Contacts.Get(ctx, id)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "contact %q", id)
		_, err = crm.Leads.Update(ctx, id, &close.LeadUpdate{})
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "lead %q", id)
		assert.ErrorIs(t, crm.Opportunities.Delete(ctx, id), paragon.ErrInvalidInput, "opportunity %q", id)
		assert.ErrorIs(t, crm.Leads.Merge(ctx, id, "lead_1"), paragon.ErrInvalidInput)
		assert.ErrorIs(t, crm.Leads.Merge(ctx, "lead_1", id), paragon.ErrInvalidInput)
	}
	checks := []error{
		func() error { _, err := crm.Contacts.Create(ctx, nil); return err }(),
		func() error { _, err := crm.Contacts.Update(ctx, "cont_1", nil); return err }(),
		func() error { _, err := crm.Leads.Create(ctx, nil); return err }(),
		func() error { _, err := crm.Opportunities.Create(ctx, nil); return err }(),
		func() error { _, err := crm.Opportunities.Update(ctx, "oppo_1", nil); return err }(),
		crm.Leads.Merge(ctx, "lead_1", "lead_1"),
		func() error {
			_, err := crm.Contacts.ListPage(ctx, &close.ContactListParams{Limit: 101})
			return err
		}(),
		func() error { _, err := crm.Leads.ListPage(ctx, &close.LeadListParams{Skip: -1}); return err }(),
		func() error {
			_, err := crm.Opportunities.ListPage(ctx, &close.OpportunityListParams{Extra: url.Values{"_skip": {"5"}}})
			return err
		}(),
		func() error {
			_, err := crm.Opportunities.ListPage(ctx, &close.OpportunityListParams{Extra: url.Values{"_group_by": {"user_id"}}})
			return err
		}(),
		func() error {
			_, err := crm.Contacts.Update(ctx, "cont_1", &close.ContactUpdate{Custom: map[string]any{"": 1}})
			return err
		}(),
		func() error {
			_, err := crm.Contacts.Update(ctx, "cont_1", &close.ContactUpdate{Custom: map[string]any{"cf_a": 1, "custom.cf_a": 2}})
			return err
		}(),
	}
	for i, err := range checks {
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, "check %d", i)
	}
	for _, err := range crm.Contacts.List(ctx, &close.ContactListParams{Limit: -1}) {
		assert.ErrorIs(t, err, paragon.ErrInvalidInput)
	}
	assert.Empty(t, w.requests())
}

func TestIDsAreEscaped(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "GET", Path: "/lead/lead%20x%3F%25/", Reply: out(`{"id": "lead x?%"}`)})
	l, err := w.crm().Leads.Get(t.Context(), "lead x?%")
	require.NoError(t, err)
	assert.Equal(t, "lead x?%", l.ID)
}
