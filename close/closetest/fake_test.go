package closetest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close/closetest"
)

// closeAPI is a fake Close on its own loopback server.
type closeAPI struct {
	crm *closetest.Server
	ts  *closetest.Server
}

func newCloseAPI(t *testing.T) *closeAPI {
	t.Helper()
	srv := closetest.NewServer()
	t.Cleanup(srv.Close)
	return &closeAPI{crm: srv, ts: srv}
}

// call sends a request without following redirects and decodes the JSON answer.
func (a *closeAPI) call(t *testing.T, method, path string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	hr, err := http.NewRequestWithContext(t.Context(), method, a.ts.URL+path, rd)
	require.NoError(t, err)
	hc := *a.ts.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(hr)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &m), "body: %s", raw)
	}
	return resp.StatusCode, m, resp.Header
}

var closeTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$`)

func TestCloseContactCRUD(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	st, lead, _ := a.call(t, "POST", "/lead/", map[string]any{"name": "Acme"})
	require.Equal(t, 200, st)
	leadID := lead["id"].(string)

	st, c, h := a.call(t, "POST", "/contact/", map[string]any{
		"lead_id": leadID, "name": "Priya", "title": "Ops",
		"emails":              []any{map[string]any{"email": "p@acme.test", "type": "office"}},
		"phones":              []any{map[string]any{"phone": "+14155550143", "type": "mobile"}},
		"custom.cf_champion":  "yes",
		"unknown_field_drops": 1,
	})
	require.Equal(t, 200, st, "body: %v", c)
	assert.Regexp(t, `^limit=\d+, remaining=\d+, reset=\d+$`, h.Get("RateLimit"))
	id := c["id"].(string)
	assert.Regexp(t, `^cont_[0-9A-Za-z]{32}$`, id)
	assert.Equal(t, leadID, c["lead_id"])
	assert.Equal(t, "Priya", c["display_name"])
	assert.Equal(t, closetest.OrganizationID, c["organization_id"])
	assert.Regexp(t, closeTimestamp, c["date_created"])
	assert.Equal(t, "yes", c["custom.cf_champion"])
	assert.NotContains(t, c, "unknown_field_drops")
	assert.Equal(t, false, c["emails"].([]any)[0].(map[string]any)["is_unsubscribed"])

	// PUT is partial; arrays replace; custom null clears; .add appends.
	st, c, _ = a.call(t, "PUT", "/contact/"+id+"/", map[string]any{
		"title": "COO", "emails": []any{map[string]any{"email": "new@acme.test"}},
		"custom.cf_champion": nil, "custom.cf_tags.add": "webinar",
	})
	require.Equal(t, 200, st, "body: %v", c)
	assert.Equal(t, "Priya", c["name"])
	assert.Equal(t, "COO", c["title"])
	require.Len(t, c["emails"], 1)
	assert.Equal(t, "new@acme.test", c["emails"].([]any)[0].(map[string]any)["email"])
	assert.Len(t, c["phones"], 1, "untouched")
	assert.NotContains(t, c, "custom.cf_champion")
	assert.Equal(t, []any{"webinar"}, c["custom.cf_tags"])

	st, c, _ = a.call(t, "GET", "/contact/"+id+"/?_fields=id,name", nil)
	require.Equal(t, 200, st)
	assert.Equal(t, map[string]any{"id": id, "name": "Priya"}, c)

	st, c, _ = a.call(t, "DELETE", "/contact/"+id+"/", nil)
	require.Equal(t, 200, st)
	assert.Empty(t, c)
	st, c, _ = a.call(t, "GET", "/contact/"+id+"/", nil)
	assert.Equal(t, 404, st)
	assert.Equal(t, map[string]any{"error": "Empty query: Contact matching query does not exist."}, c)
	st, _, _ = a.call(t, "DELETE", "/contact/"+id+"/", nil)
	assert.Equal(t, 404, st)

	// Without lead_id Close makes a lead named after the contact.
	st, c, _ = a.call(t, "POST", "/contact/", map[string]any{"name": "Solo"})
	require.Equal(t, 200, st)
	l, ok := a.crm.Lead(c["lead_id"].(string))
	require.True(t, ok)
	assert.Equal(t, "Solo", l["display_name"])
}

func TestCloseValidation(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	_, lead, _ := a.call(t, "POST", "/lead/", map[string]any{"name": "Acme"})
	leadID := lead["id"].(string)
	tests := []struct {
		name, path string
		body       any
		want       map[string]any
	}{
		{"opportunity unknown lead", "/opportunity/", map[string]any{"lead_id": "lead_nope"},
			map[string]any{"lead": "Object does not exist."}},
		{"contact unknown lead", "/contact/", map[string]any{"lead_id": "lead_nope", "name": "x"},
			map[string]any{"lead": "Object does not exist."}},
		{"bad period and confidence", "/opportunity/", map[string]any{"lead_id": leadID, "value_period": "weekly", "confidence": 150},
			map[string]any{"value_period": "Not a valid choice.", "confidence": "Ensure this value is between 0 and 100."}},
		{"fractional value", "/opportunity/", map[string]any{"lead_id": leadID, "value": 1.5},
			map[string]any{"value": "A valid integer is required."}},
		{"unknown status", "/lead/", map[string]any{"status_id": "stat_nope"},
			map[string]any{"status": "Not a valid choice."}},
		{"status and status_id", "/lead/", map[string]any{"status_id": closetest.LeadStatusQualified, "status": "Qualified"},
			map[string]any{"status": "Set status_id or status, not both."}},
		{"email without address", "/contact/", map[string]any{"lead_id": leadID, "emails": []any{map[string]any{"type": "office"}}},
			map[string]any{"emails": map[string]any{"0": map[string]any{"email": "This field is required."}}}},
		{"name not a string", "/lead/", map[string]any{"name": 5},
			map[string]any{"name": "Not a valid string."}},
		{"nested contact invalid", "/lead/", map[string]any{"name": "L", "contacts": []any{map[string]any{"urls": []any{map[string]any{}}}}},
			map[string]any{"contacts": map[string]any{"0": map[string]any{"urls": map[string]any{"0": map[string]any{"url": "This field is required."}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, body, _ := a.call(t, "POST", tt.path, tt.body)
			assert.Equal(t, http.StatusBadRequest, st)
			assert.Equal(t, map[string]any{"errors": []any{}, "field-errors": tt.want}, body)
		})
	}
	assert.Len(t, a.crm.Leads(), 1, "failed creates store nothing")

	st, body, _ := a.call(t, "PUT", "/lead/"+leadID+"/", map[string]any{"contacts": []any{}})
	assert.Equal(t, http.StatusBadRequest, st)
	assert.Contains(t, body["field-errors"], "contacts")
	st, body, _ = a.call(t, "PUT", "/lead/lead_nope/", map[string]any{"name": "x"})
	assert.Equal(t, http.StatusNotFound, st)
	assert.Equal(t, "Empty query: Lead matching query does not exist.", body["error"])

	hr, err := http.NewRequestWithContext(t.Context(), "POST", a.ts.URL+"/lead/", strings.NewReader("{bad"))
	require.NoError(t, err)
	resp, err := a.ts.Client().Do(hr)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	st, _, _ = a.call(t, "PATCH", "/lead/", map[string]any{})
	assert.Equal(t, http.StatusMethodNotAllowed, st)
	st, _, _ = a.call(t, "GET", "/nothing/here/", nil)
	assert.Equal(t, http.StatusNotFound, st)
}

func TestCloseLeadWithNestedContactsAndCascade(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	st, lead, _ := a.call(t, "POST", "/lead/", map[string]any{
		"name": "Harbor", "status": "qualified", "url": "https://harbor.test",
		"addresses": []any{map[string]any{"city": "Oakland"}},
		"contacts": []any{
			map[string]any{"name": "A", "emails": []any{map[string]any{"email": "a@h.test"}}},
			map[string]any{"name": "B"},
		},
		"custom.cf_source": "Inbound",
	})
	require.Equal(t, 200, st, "body: %v", lead)
	id := lead["id"].(string)
	assert.Equal(t, closetest.LeadStatusQualified, lead["status_id"])
	assert.Equal(t, "Qualified", lead["status_label"])
	assert.Equal(t, "https://app.close.com/lead/"+id+"/", lead["html_url"])
	require.Len(t, lead["contacts"], 2)
	assert.Len(t, lead["contact_ids"], 2)
	assert.Equal(t, "a@h.test", lead["primary_email"].(map[string]any)["email"])
	assert.Equal(t, "Oakland", lead["addresses"].([]any)[0].(map[string]any)["city"])
	assert.Equal(t, "Inbound", lead["custom.cf_source"])

	st, opp, _ := a.call(t, "POST", "/opportunity/", map[string]any{"lead_id": id, "value": 50000, "value_period": "monthly", "confidence": 75})
	require.Equal(t, 200, st)
	st, lead, _ = a.call(t, "GET", "/lead/"+id+"/", nil)
	require.Equal(t, 200, st)
	require.Len(t, lead["opportunities"], 1)
	assert.Equal(t, opp["id"], lead["opportunities"].([]any)[0].(map[string]any)["id"])

	st, lead, _ = a.call(t, "PUT", "/lead/"+id+"/", map[string]any{"status_id": closetest.LeadStatusCustomer, "description": "Signed"})
	require.Equal(t, 200, st)
	assert.Equal(t, "Customer", lead["status_label"])
	assert.Equal(t, "Harbor", lead["name"])

	st, _, _ = a.call(t, "DELETE", "/lead/"+id+"/", nil)
	require.Equal(t, 200, st)
	assert.Empty(t, a.crm.Contacts(), "contacts go with their lead")
	assert.Empty(t, a.crm.Opportunities())
}

func TestCloseOpportunities(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	l1, err := a.crm.CreateLead(map[string]any{"name": "One"})
	require.NoError(t, err)
	l2, err := a.crm.CreateLead(map[string]any{"name": "Two"})
	require.NoError(t, err)
	ct, err := a.crm.CreateContact(map[string]any{"lead_id": l1["id"], "name": "Ann"})
	require.NoError(t, err)

	st, o, _ := a.call(t, "POST", "/opportunity/", map[string]any{
		"lead_id": l1["id"], "contact_id": ct["id"], "value": 1250000, "value_period": "annual", "confidence": 40,
		"note": "Annual", "custom.cf_q": "2026-Q1",
	})
	require.Equal(t, 200, st, "body: %v", o)
	assert.Regexp(t, `^oppo_`, o["id"])
	assert.Equal(t, "active", o["status_type"])
	assert.Equal(t, closetest.OpportunityStatusActive, o["status_id"])
	assert.EqualValues(t, 1250000, o["value"])
	assert.EqualValues(t, 500000, o["expected_value"])
	assert.EqualValues(t, 1250000, o["annualized_value"])
	assert.Equal(t, "$12,500 annually", o["value_formatted"])
	assert.Equal(t, "One", o["lead_name"])
	assert.Equal(t, "Ann", o["contact_name"])
	assert.Nil(t, o["date_won"])
	wonID := o["id"].(string)

	st, o, _ = a.call(t, "PUT", "/opportunity/"+wonID+"/", map[string]any{"status": "Won", "confidence": 100})
	require.Equal(t, 200, st)
	assert.Equal(t, "won", o["status_type"])
	assert.Equal(t, time.Now().UTC().Format("2006-01-02"), o["date_won"])

	for _, f := range []map[string]any{
		{"lead_id": l1["id"], "value": 49900, "value_period": "monthly", "confidence": 60},
		{"lead_id": l2["id"], "value": 300000, "confidence": 0},
		{"lead_id": l2["id"], "status_id": closetest.OpportunityStatusLost},
	} {
		_, err := a.crm.CreateOpportunity(f)
		require.NoError(t, err)
	}
	_, err = a.crm.CreateOpportunity(map[string]any{"lead_id": "lead_nope"})
	var cerr *closetest.Error
	require.ErrorAs(t, err, &cerr)
	assert.Equal(t, 400, cerr.Status)
	assert.Contains(t, err.Error(), "Object does not exist.")

	st, page, _ := a.call(t, "GET", "/opportunity/?status_type=active&_limit=1", nil)
	require.Equal(t, 200, st)
	assert.Len(t, page["data"], 1)
	assert.Equal(t, true, page["has_more"])
	assert.EqualValues(t, 2, page["total_results"])
	assert.Equal(t, map[string]any{"monthly": float64(1), "one_time": float64(1)}, page["count_by_value_period"])
	assert.EqualValues(t, 49900, page["total_value_monthly"])
	assert.Equal(t, "$499", page["total_value_monthly_formatted"])
	assert.EqualValues(t, 29940, page["expected_value_monthly"])
	assert.Equal(t, "$299.40", page["expected_value_monthly_formatted"])
	assert.EqualValues(t, 300000+49900*12, page["total_value_annualized"])
	assert.Nil(t, page["expected_value_one_time_formatted"], "zero sums format as null")

	for q, want := range map[string]int{
		"lead_id=" + l2["id"].(string):                2,
		"status_type__in=won,lost":                    2,
		"status_id=" + closetest.OpportunityStatusWon: 1,
		"user_id=" + closetest.UserID:                 4,
		"user_id=user_other":                          0,
	} {
		st, page, _ := a.call(t, "GET", "/opportunity/?"+q, nil)
		require.Equal(t, 200, st)
		assert.EqualValues(t, want, page["total_results"], q)
	}
}

// do sends hr without following redirects and decodes the JSON answer.
func (a *closeAPI) do(t *testing.T, hr *http.Request) (int, map[string]any) {
	t.Helper()
	hc := *a.ts.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(hr)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &m), "body: %s", raw)
	}
	return resp.StatusCode, m
}
