package closetest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close/closetest"
)

// get sends a GET with extra headers and decodes the JSON answer.
func (a *closeAPI) get(t *testing.T, path string, header map[string]string) (int, map[string]any) {
	t.Helper()
	hr, err := http.NewRequestWithContext(t.Context(), http.MethodGet, a.ts.URL+path, nil)
	require.NoError(t, err)
	for k, v := range header {
		hr.Header.Set(k, v)
	}
	return a.do(t, hr)
}

// names returns the display_name (or name) of each object of a page.
func names(page map[string]any) []string {
	out := []string{}
	for _, d := range page["data"].([]any) {
		m := d.(map[string]any)
		n, _ := m["display_name"].(string)
		if n == "" {
			n, _ = m["name"].(string)
		}
		out = append(out, n)
	}
	return out
}

func TestLeadQuerySyntax(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	st, cf, _ := a.call(t, "POST", "/custom_field/lead/", map[string]any{"name": "Lead Source", "type": "text"})
	require.Equal(t, 200, st, "body: %v", cf)
	cfID := cf["id"].(string)
	acme, err := a.crm.CreateLead(map[string]any{
		"name": "Acme Corp", "status": "Qualified", "date_created": "2024-03-01T10:00:30+00:00",
		"custom." + cfID: "Inbound",
		"contacts": []any{
			map[string]any{"name": "Ada Byrne", "title": "CEO", "emails": []any{map[string]any{"email": "ada@acme.test"}}},
			map[string]any{"name": "Bob Stone", "title": "Co-founder"},
		},
	})
	require.NoError(t, err)
	globex, err := a.crm.CreateLead(map[string]any{
		"name": "Globex Corporation", "date_created": "2024-03-01T02:00:00+00:00",
		"contacts": []any{map[string]any{"name": "Hank Scorpio", "phones": []any{map[string]any{"phone": "+14155550100"}}}},
	})
	require.NoError(t, err)
	_, err = a.crm.CreateLead(map[string]any{"name": "Initech", "status": "Customer", "description": "An acme reseller", "date_created": "2025-01-01T00:00:00+00:00"})
	require.NoError(t, err)
	_, err = a.crm.CreateActivity("Call", map[string]any{"lead_id": globex["id"], "direction": "inbound", "duration": 60})
	require.NoError(t, err)
	_, err = a.crm.CreateOpportunity(map[string]any{"lead_id": acme["id"], "value": 5000})
	require.NoError(t, err)

	tests := []struct {
		query string
		tz    string
		want  []string
	}{
		{"acme", "", []string{"Acme Corp", "Initech"}},
		{"acm", "", []string{}},
		{"ACME corp", "", []string{"Acme Corp"}},
		{`"corp acme"`, "", []string{}},
		{"name:acme", "", []string{"Acme Corp"}},
		{`name:"acme corp"`, "", []string{"Acme Corp"}},
		{`name:"corp acme"`, "", []string{}},
		{`company:"Globex"`, "", []string{"Globex Corporation"}},
		{`status:"Qualified"`, "", []string{"Acme Corp"}},
		{`status:"Potential"`, "", []string{"Globex Corporation"}},
		{"status:qualified OR status:customer", "", []string{"Acme Corp", "Initech"}},
		{"(name:acme OR name:globex) status:potential", "", []string{"Globex Corporation"}},
		{"name:acme AND status:customer", "", []string{}},
		{`email_address:"ada@acme.test"`, "", []string{"Acme Corp"}},
		{`email:"ADA@acme.test"`, "", []string{"Acme Corp"}},
		{`phone:"+14155550100"`, "", []string{"Globex Corporation"}},
		{"contact_name:hank", "", []string{"Globex Corporation"}},
		{"contacts > 1", "", []string{"Acme Corp"}},
		{"contacts >= 1", "", []string{"Acme Corp", "Globex Corporation"}},
		{"contacts = 0", "", []string{"Initech"}},
		{"has:contacts", "", []string{"Acme Corp", "Globex Corporation"}},
		{"NOT has:contacts", "", []string{"Initech"}},
		{"-has:contacts", "", []string{"Initech"}},
		{"has:calls", "", []string{"Globex Corporation"}},
		{"has:opportunities", "", []string{"Acme Corp"}},
		{"call(direction:inbound duration >= 60)", "", []string{"Globex Corporation"}},
		{"call(direction:outbound)", "", []string{}},
		{"contact(title:ceo)", "", []string{"Acme Corp"}},
		{"opportunity(value > 1000)", "", []string{"Acme Corp"}},
		{`"Lead Source":"Inbound"`, "", []string{"Acme Corp"}},
		{`custom.` + cfID + `:"inbound"`, "", []string{"Acme Corp"}},
		{`"Lead Source":*`, "", []string{"Acme Corp"}},
		{"sort:-created", "", []string{"Initech", "Acme Corp", "Globex Corporation"}},
		{"sort:created", "", []string{"Globex Corporation", "Acme Corp", "Initech"}},
		{"sort:name", "", []string{"Acme Corp", "Globex Corporation", "Initech"}},
		{"sort:-display_name", "", []string{"Initech", "Globex Corporation", "Acme Corp"}},
		// Dates: minute precision, in X-Tz-Offset.
		{`date_created>="2024-03-01T10:00"`, "", []string{"Acme Corp", "Initech"}},
		{`date_created>"2024-03-01T10:00"`, "", []string{"Initech"}},
		{`date_created<"2024-03-01T10:01" sort:created`, "", []string{"Globex Corporation", "Acme Corp"}},
		{`created:"2024-03-01"`, "", []string{"Acme Corp", "Globex Corporation"}},
		{`created:"2024-02-29"`, "-5", []string{"Globex Corporation"}},
		{`created >= "2024-03-01" created < "2024-03-02"`, "-5", []string{"Acme Corp"}},
		{`date_updated>="2020-01-01T10:00"`, "", []string{"Acme Corp", "Globex Corporation", "Initech"}},
		{`date_updated<"2020-01-01"`, "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			h := map[string]string{}
			if tt.tz != "" {
				h["X-Tz-Offset"] = tt.tz
			}
			st, page := a.get(t, "/lead/?query="+url.QueryEscape(tt.query), h)
			require.Equal(t, 200, st, "body: %v", page)
			assert.Equal(t, tt.want, names(page))
			assert.EqualValues(t, len(tt.want), page["total_results"])
		})
	}

	// slice:i/n splits the results into disjoint parts that cover them.
	seen := map[string]int{}
	for _, s := range []string{"1/3", "2/3", "3/3"} {
		st, page := a.get(t, "/lead/?query="+url.QueryEscape("(sort:created) slice:"+s), nil)
		require.Equal(t, 200, st, "body: %v", page)
		for _, n := range names(page) {
			seen[n]++
		}
	}
	assert.Equal(t, map[string]int{"Acme Corp": 1, "Globex Corporation": 1, "Initech": 1}, seen)

	// Counting with _limit=0, as Close's scripts do.
	st, page := a.get(t, "/lead/?_limit=0&query="+url.QueryEscape("has:contacts"), nil)
	require.Equal(t, 200, st)
	assert.Empty(t, page["data"])
	assert.EqualValues(t, 2, page["total_results"])

	for _, bad := range []string{`name:"open`, "bogus_field:x", "(name:acme", "sms(", "slice:4/3", "created>=yesterday", "contacts > many", "unknown_rel(x:y)"} {
		st, body := a.get(t, "/lead/?query="+url.QueryEscape(bad), nil)
		assert.Equal(t, 400, st, bad)
		assert.Contains(t, body["error"], "Invalid query", bad)
	}
}

func TestOpportunityQueryAndFilters(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	lead, err := a.crm.CreateLead(map[string]any{"name": "Harbor"})
	require.NoError(t, err)
	for _, f := range []map[string]any{
		{"note": "An important renewal", "value": 100, "confidence": 10},
		{"note": "Not so", "value": 300, "status": "Won", "confidence": 90, "date_won": "2025-01-10"},
		{"value": 200, "status_id": closetest.OpportunityStatusLost},
	} {
		f["lead_id"] = lead["id"]
		_, err := a.crm.CreateOpportunity(f)
		require.NoError(t, err, "%v", f)
	}
	values := func(q string) []float64 {
		st, page := a.get(t, "/opportunity/?"+q, nil)
		require.Equal(t, 200, st, "%s: %v", q, page)
		out := []float64{}
		for _, d := range page["data"].([]any) {
			out = append(out, d.(map[string]any)["value"].(float64))
		}
		return out
	}
	for q, want := range map[string][]float64{
		"query=" + url.QueryEscape("note:important"):               {100},
		"query=" + url.QueryEscape("note:import"):                  {},
		"query=" + url.QueryEscape("status_type:won OR value<150"): {100, 300},
		"query=" + url.QueryEscape("lead:harbor sort:-value"):      {300, 200, 100},
		"status=won":                            {300},
		"status=Won":                            {300},
		"status__in=Active,Lost":                {100, 200},
		"status_type=lost":                      {200},
		"status_type__in=active,won":            {100, 300},
		"status_label=Active":                   {100},
		"is_stalled=false":                      {100, 300, 200},
		"is_stalled=true":                       {},
		"user_id=" + closetest.UserID:           {100, 300, 200},
		"lead_id=" + lead["id"].(string):        {100, 300, 200},
		"pipeline_id=" + closetest.PipelineID:   {100, 300, 200},
		"date_won=2025-01-10":                   {300},
		"date_won__gt=2025-01-10":               {},
		"date_won__lte=2025-01-10":              {300},
		"date_created__gte=2020-01-01":          {100, 300, 200},
		"_order_by=-confidence":                 {300, 100, 200},
		"_order_by=value&value_period=one_time": {100, 200, 300},
	} {
		assert.Equal(t, want, values(q), q)
	}
	for _, q := range []string{"_order_by=note", "_group_by=user_id", "query=" + url.QueryEscape("status_change(old_status:active)")} {
		st, body := a.get(t, "/opportunity/?"+q, nil)
		assert.Equal(t, 400, st, q)
		assert.NotEmpty(t, body["error"], q)
	}
}
