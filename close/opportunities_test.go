package close_test

import (
	"encoding/json"
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close"
)

const opportunityReply = `{
  "id": "oppo_Ee2Rr4",
  "lead_id": "lead_4pT9wQ",
  "lead_name": "Harbor Analytics",
  "contact_id": "cont_Ui7Yt5",
  "contact_name": "Tomás Ruiz",
  "status_id": "stat_Lk9Jh7",
  "status_label": "Proposal",
  "status_type": "won",
  "pipeline_id": "pipe_Zz1Xx3",
  "pipeline_name": "Sales",
  "value": 1250000,
  "value_period": "annual",
  "value_currency": "USD",
  "value_formatted": "$12,500 annually",
  "confidence": 40,
  "expected_value": 500000,
  "annualized_value": 1250000,
  "annualized_expected_value": 500000,
  "note": "Annual plan, 40 seats",
  "date_won": "2025-10-01",
  "date_lost": null,
  "user_id": "user_Mn4Bv6",
  "user_name": "Sam Lee",
  "organization_id": "orga_Wq3Er5",
  "date_created": "2025-09-05T09:01:12.300000+00:00",
  "date_updated": "2025-09-05T09:01:12.300000+00:00",
  "is_stalled": false,
  "stall_status": null,
  "custom.cf_Po9Iu7": "2026-Q1"
}`

func TestOpportunityCreate(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{
		Method: "POST", Path: "/opportunity/",
		Body: `{"lead_id": "lead_4pT9wQ", "contact_id": "cont_Ui7Yt5", "status_id": "stat_Lk9Jh7",
			"value": 1250000, "value_period": "annual", "confidence": 40, "note": "Annual plan, 40 seats",
			"date_won": "2025-10-01", "custom.cf_Po9Iu7": "2026-Q1"}`,
		Reply: out(opportunityReply),
	})
	o, err := w.crm().Opportunities.Create(t.Context(), &close.Opportunity{
		LeadID: "lead_4pT9wQ", ContactID: "cont_Ui7Yt5", StatusID: "stat_Lk9Jh7",
		Value: close.Set[int64](1250000), ValuePeriod: close.Annual, Confidence: 40, Note: close.Set("Annual plan, 40 seats"),
		DateWon:       close.NewDate(2025, time.October, 1),
		ExpectedValue: close.Set[int64](999), ValueFormatted: "ignored", StatusType: close.StatusWon, // read-only: not sent
		Custom: map[string]any{"cf_Po9Iu7": "2026-Q1"},
	})
	require.NoError(t, err)
	assert.Equal(t, "oppo_Ee2Rr4", o.ID)
	assert.Equal(t, close.Set[int64](1250000), o.Value)
	assert.Equal(t, close.Annual, o.ValuePeriod)
	assert.Equal(t, "USD", o.ValueCurrency)
	assert.Equal(t, "$12,500 annually", o.ValueFormatted)
	assert.Equal(t, 40, o.Confidence)
	assert.Equal(t, close.Set[int64](500000), o.ExpectedValue)
	assert.Equal(t, close.Set[int64](1250000), o.AnnualizedValue)
	assert.Equal(t, close.Set[int64](500000), o.AnnualizedExpectedValue)
	assert.Equal(t, close.StatusWon, o.StatusType)
	assert.Equal(t, close.Date{Year: 2025, Month: time.October, Day: 1}, o.DateWon)
	assert.True(t, o.DateLost.IsZero())
	assert.Equal(t, "Sam Lee", o.UserName)
	assert.Equal(t, "pipe_Zz1Xx3", o.PipelineID)
	q, _ := o.CustomString("cf_Po9Iu7")
	assert.Equal(t, "2026-Q1", q)
}

func TestOpportunityUpdateSendsZeroOnlyWhenSet(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "PUT", Path: "/opportunity/oppo_1/", Body: `{"status_id": "stat_Won", "confidence": 100}`, Reply: out(`{"id": "oppo_1"}`)},
		exchange{Method: "PUT", Path: "/opportunity/oppo_1/", Body: `{"value": 0, "confidence": 0, "note": "", "date_won": null}`, Reply: out(`{"id": "oppo_1"}`)},
		exchange{Method: "PUT", Path: "/opportunity/oppo_1/", Body: `{"date_won": "2025-12-31", "value_period": "monthly", "custom.cf_x.add": "y"}`, Reply: out(`{"id": "oppo_1"}`)},
	)
	crm := w.crm()
	_, err := crm.Opportunities.Update(t.Context(), "oppo_1", &close.OpportunityUpdate{StatusID: close.Set("stat_Won"), Confidence: close.Set(100)})
	require.NoError(t, err)
	_, err = crm.Opportunities.Update(t.Context(), "oppo_1", &close.OpportunityUpdate{
		Value: close.Set[int64](0), Confidence: close.Set(0), Note: close.Set(""), DateWon: close.Null[close.Date](),
	})
	require.NoError(t, err)
	u := &close.OpportunityUpdate{DateWon: close.Set(close.NewDate(2025, 12, 31)), ValuePeriod: close.Set(close.Monthly)}
	u.AddCustom("cf_x", "y")
	_, err = crm.Opportunities.Update(t.Context(), "oppo_1", u)
	require.NoError(t, err)
}

func TestOpportunityListFilters(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	q := url.Values{
		"lead_id":              {"lead_1"},
		"user_id":              {"user_1"},
		"status_id":            {"stat_1"},
		"status_label":         {"Won"},
		"status_type":          {"won"},
		"value_period":         {"monthly"},
		"query":                {"note:important"},
		"date_created__gte":    {"2025-07-01T00:00:00Z"},
		"date_created__lt":     {"2025-10-01T00:00:00.5-04:00"},
		"date_updated__gt":     {"2025-01-01T00:00:00Z"},
		"date_won__gte":        {"2025-07-01"},
		"date_won__lte":        {"2025-09-30"},
		"_order_by":            {"-date_won"},
		"_fields":              {"id,value"},
		"status_type__in":      {"active,won"},
		"_skip":                {"0"},
		"_limit":               {"3"},
		"is_stalled":           {"false"},
		"lead_saved_search_id": {"save_1"},
	}
	page2 := url.Values{}
	for k, v := range q {
		page2[k] = v
	}
	page2.Set("_skip", "3")
	page3 := url.Values{}
	for k, v := range q {
		page3[k] = v
	}
	page3.Set("_skip", "6")
	w.expect(
		exchange{Method: "GET", Path: "/opportunity/", Query: q.Encode(),
			Reply: out(`{"data": [{"id": "oppo_1"}, {"id": "oppo_2"}, {"id": "oppo_3"}], "has_more": true, "total_results": 7}`)},
		exchange{Method: "GET", Path: "/opportunity/", Query: page2.Encode(),
			Reply: out(`{"data": [{"id": "oppo_4"}, {"id": "oppo_5"}, {"id": "oppo_6"}], "has_more": true, "total_results": 7}`)},
		exchange{Method: "GET", Path: "/opportunity/", Query: page3.Encode(),
			Reply: out(`{"data": [{"id": "oppo_7", "value": 500}], "has_more": false, "total_results": 7}`)},
	)
	ny := time.FixedZone("EDT", -4*3600)
	p := &close.OpportunityListParams{
		LeadID: "lead_1", UserID: "user_1", StatusID: "stat_1", StatusLabel: "Won",
		StatusType: close.StatusWon, ValuePeriod: close.Monthly, Query: "note:important",
		DateCreated: close.TimeRange{Gte: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), Lt: time.Date(2025, 10, 1, 0, 0, 0, 5e8, ny)},
		DateUpdated: close.TimeRange{Gt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		DateWon:     close.DateRange{Gte: close.NewDate(2025, 7, 1), Lte: close.NewDate(2025, 9, 30)},
		OrderBy:     "-date_won",
		Fields:      []string{"id", "value"},
		Limit:       3,
		Extra:       url.Values{"status_type__in": {"active,won"}, "is_stalled": {"false"}, "lead_saved_search_id": {"save_1"}},
	}
	var ids []string
	var total int64
	for o, err := range w.crm().Opportunities.List(t.Context(), p) {
		require.NoError(t, err)
		ids = append(ids, o.ID)
		total += o.Value.Or(0)
	}
	assert.Equal(t, []string{"oppo_1", "oppo_2", "oppo_3", "oppo_4", "oppo_5", "oppo_6", "oppo_7"}, ids)
	assert.Equal(t, int64(500), total)
	assert.Equal(t, url.Values{"status_type__in": {"active,won"}, "is_stalled": {"false"}, "lead_saved_search_id": {"save_1"}}, p.Extra, "Extra untouched")
}

func TestOpportunityListPageAggregates(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "GET", Path: "/opportunity/", Query: "status_type=active&_skip=0&_limit=2", Reply: out(`{
	  "data": [
	    {"id": "oppo_Ee2Rr4", "value": 1250000, "value_period": "annual", "confidence": 40},
	    {"id": "oppo_Gg3Hh5", "value": 49900, "value_period": "monthly", "confidence": 60}
	  ],
	  "has_more": true,
	  "total_results": 7,
	  "count_by_value_period": {"annual": 1, "monthly": 4, "one_time": 2},
	  "total_value_annual": 1250000,
	  "total_value_annual_formatted": "$12,500",
	  "total_value_monthly": 199600,
	  "total_value_monthly_formatted": "$1,996",
	  "total_value_one_time": 300000,
	  "total_value_one_time_formatted": "$3,000",
	  "total_value_annualized": 3945200,
	  "total_value_annualized_formatted": "$39,452",
	  "expected_value_annual": 500000,
	  "expected_value_annual_formatted": "$5,000",
	  "expected_value_monthly": 119760,
	  "expected_value_monthly_formatted": "$1,197.60",
	  "expected_value_one_time": 0,
	  "expected_value_one_time_formatted": null,
	  "expected_value_annualized": 1937120,
	  "expected_value_annualized_formatted": "$19,371.20"
	}`)})
	pg, err := w.crm().Opportunities.ListPage(t.Context(), &close.OpportunityListParams{StatusType: close.StatusActive, Limit: 2})
	require.NoError(t, err)
	require.Len(t, pg.Data, 2)
	assert.True(t, pg.HasMore)
	require.NotNil(t, pg.TotalResults)
	assert.Equal(t, 7, *pg.TotalResults)
	assert.Equal(t, map[close.ValuePeriod]int{close.Annual: 1, close.Monthly: 4, close.OneTime: 2}, pg.CountByValuePeriod)
	assert.Equal(t, int64(1250000), pg.TotalValueAnnual)
	assert.Equal(t, int64(199600), pg.TotalValueMonthly)
	assert.Equal(t, int64(300000), pg.TotalValueOneTime)
	assert.Equal(t, int64(3945200), pg.TotalValueAnnualized)
	assert.Equal(t, int64(500000), pg.ExpectedValueAnnual)
	assert.Equal(t, int64(119760), pg.ExpectedValueMonthly)
	assert.Equal(t, int64(0), pg.ExpectedValueOneTime)
	assert.Equal(t, int64(1937120), pg.ExpectedValueAnnualized)
	assert.Equal(t, "$12,500", pg.TotalValueAnnualFormatted)
	assert.Equal(t, "$1,996", pg.TotalValueMonthlyFormatted)
	assert.Equal(t, "$3,000", pg.TotalValueOneTimeFormatted)
	assert.Equal(t, "$39,452", pg.TotalValueAnnualizedFormatted)
	assert.Equal(t, "$1,197.60", pg.ExpectedValueMonthlyFormatted)
	assert.Empty(t, pg.ExpectedValueOneTimeFormatted)
	assert.Equal(t, "$19,371.20", pg.ExpectedValueAnnualizedFormatted)
	assert.Equal(t, "$5,000", pg.ExpectedValueAnnualFormatted)
}

func TestOpportunityListMaxSkip(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/opportunity/", Query: "_skip=0&_limit=2", Reply: out(`{"data": [{"id": "oppo_1"}, {"id": "oppo_2"}], "has_more": true}`)},
		exchange{Method: "GET", Path: "/opportunity/", Query: "_skip=2&_limit=2", Status: 400,
			Reply: `{"error": "The skip value is too large (max_skip = 2). Narrow the query with a date range."}`},
	)
	var got []string
	var errs []error
	for o, err := range w.crm(close.WithPageSize(2)).Opportunities.List(t.Context(), nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, o.ID)
	}
	assert.Equal(t, []string{"oppo_1", "oppo_2"}, got)
	require.Len(t, errs, 1)
	err := errs[0]
	assert.ErrorIs(t, err, close.ErrMaxSkip)
	assert.NotErrorIs(t, err, close.ErrValidation)
	assert.Contains(t, err.Error(), "_skip=2")
	assert.Contains(t, err.Error(), "date range")
	var ce *close.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 400, ce.StatusCode)
}

func TestOpportunityGetDelete(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/opportunity/oppo_Ee2Rr4/", Reply: out(opportunityReply)},
		exchange{Method: "DELETE", Path: "/opportunity/oppo_Ee2Rr4/", Reply: out(`{}`)},
	)
	crm := w.crm()
	o, err := crm.Opportunities.Get(t.Context(), "oppo_Ee2Rr4")
	require.NoError(t, err)
	assert.Equal(t, "Harbor Analytics", o.LeadName)
	require.NoError(t, crm.Opportunities.Delete(t.Context(), "oppo_Ee2Rr4"))
}

func TestUpdateHelpersFlattenCustom(t *testing.T) {
	t.Parallel()
	var lu close.LeadUpdate
	lu.SetCustom("cf_a", "x")
	lu.AddCustom("cf_m", "1")
	lu.RemoveCustom("custom.cf_m", "2")
	lu.ClearCustom("cf_z")
	b, err := json.Marshal(lu)
	require.NoError(t, err)
	assert.JSONEq(t, `{"custom.cf_a": "x", "custom.cf_m.add": "1", "custom.cf_m.remove": "2", "custom.cf_z": null}`, string(b))

	var ou close.OpportunityUpdate
	ou.SetCustom("cf_a", 1.5)
	ou.ClearCustom("cf_b")
	ou.RemoveCustom("cf_c", "v")
	ou.Attachments = close.Set([]close.Attachment{{URL: "https://files.example/a.pdf", Filename: "a.pdf"}})
	b, err = json.Marshal(ou)
	require.NoError(t, err)
	assert.JSONEq(t, `{"attachments": [{"url": "https://files.example/a.pdf", "filename": "a.pdf"}],
		"custom.cf_a": 1.5, "custom.cf_b": null, "custom.cf_c.remove": "v"}`, string(b))

	_, err = json.Marshal(close.OpportunityUpdate{Custom: map[string]any{"cf_bad": math.NaN()}})
	assert.Error(t, err)
}

func TestOpportunityCreateAttachments(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "POST", Path: "/opportunity/",
		Body:  `{"lead_id": "lead_1", "attachments": [{"url": "https://files.example/a.pdf", "filename": "a.pdf", "content_type": "application/pdf"}]}`,
		Reply: out(`{"id": "oppo_1", "attachments": [{"url": "https://files.example/a.pdf", "size": 10}], "custom.cf_n": 2.5}`)})
	o, err := w.crm().Opportunities.Create(t.Context(), &close.Opportunity{LeadID: "lead_1", Attachments: []close.Attachment{
		{URL: "https://files.example/a.pdf", Filename: "a.pdf", ContentType: "application/pdf", Size: 99, ThumbnailURL: "ignored"},
	}})
	require.NoError(t, err)
	assert.Equal(t, int64(10), o.Attachments[0].Size)
	f, ok := o.CustomFloat("cf_n")
	assert.True(t, ok)
	assert.InDelta(t, 2.5, f, 0)
}

func TestOpportunityListMoreFilters(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "GET", Path: "/opportunity/",
		Query: "status=Won&status_type__in=active,won&status_id__in=stat_1,stat_2&user_id__in=user_1&is_stalled=true&lead_saved_search_id=save_1&_skip=0&_limit=100",
		Reply: out(`{"data": [], "has_more": false, "total_results": 0}`)})
	for _, err := range w.crm().Opportunities.List(t.Context(), &close.OpportunityListParams{
		Status: "Won", StatusTypes: []close.StatusType{close.StatusActive, close.StatusWon}, StatusIDs: []string{"stat_1", "stat_2"},
		UserIDs: []string{"user_1"}, IsStalled: close.Set(true), LeadSavedSearchID: "save_1",
	}) {
		require.NoError(t, err)
	}
}
