package paragontest_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
	"github.com/paragon-go/paragon/paragontest"
)

// TestCloseClientThroughProxy drives the fake Close through package close,
// package paragon and the fake proxy.
func TestCloseClientThroughProxy(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	crm := close.New(srv.Client().User("u1"), close.WithPageSize(2))
	ctx := t.Context()

	lead, err := crm.Leads.Create(ctx, &close.Lead{Name: close.Set("Acme"), Contacts: []close.Contact{
		{Name: close.Set("Ada"), Emails: []close.ContactEmail{{Email: "ada@acme.test"}}}, {Name: close.Set("Bob")}, {Name: close.Set("Cy")},
	}, Custom: close.CustomFields{"cf_source": "Inbound"}})
	require.NoError(t, err)
	require.Len(t, lead.Contacts, 3)
	v, ok := lead.Custom.Value("cf_source")
	require.True(t, ok)
	assert.Equal(t, "Inbound", v)

	var names []string
	for c, err := range crm.Contacts.List(ctx, &close.ContactListParams{LeadID: lead.ID}) {
		require.NoError(t, err)
		names = append(names, c.Name.Or(""))
	}
	assert.Equal(t, []string{"Ada", "Bob", "Cy"}, names, "three pages of two")

	opp, err := crm.Opportunities.Create(ctx, &close.Opportunity{LeadID: lead.ID, Value: close.Set[int64](50000), ValuePeriod: close.Monthly, Confidence: 50})
	require.NoError(t, err)
	assert.Equal(t, close.Set[int64](25000), opp.ExpectedValue)
	won, err := crm.Opportunities.Update(ctx, opp.ID, &close.OpportunityUpdate{StatusID: close.Set(paragontest.CloseOpportunityStatusWon)})
	require.NoError(t, err)
	assert.Equal(t, close.StatusWon, won.StatusType)
	assert.False(t, won.DateWon.IsZero())
	page, err := crm.Opportunities.ListPage(ctx, &close.OpportunityListParams{StatusType: close.StatusWon})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.EqualValues(t, 50000, page.TotalValueMonthly)

	// Close's errors come back typed through the proxy's {"output": …}.
	_, err = crm.Opportunities.Create(ctx, &close.Opportunity{LeadID: "lead_missing", Value: close.Set[int64](1)})
	var cerr *close.Error
	require.ErrorAs(t, err, &cerr)
	assert.Equal(t, http.StatusBadRequest, cerr.StatusCode)
	assert.Equal(t, "Object does not exist.", cerr.FieldError("lead"))
	require.ErrorIs(t, err, close.ErrValidation)
	_, err = crm.Leads.Get(ctx, "lead_missing")
	require.ErrorIs(t, err, close.ErrNotFound)

	srv.CloseCRM().SetMaxSkip(1)
	for _, err := range crm.Contacts.List(ctx, &close.ContactListParams{LeadID: lead.ID, Skip: 2}) {
		require.ErrorIs(t, err, close.ErrMaxSkip)
		break
	}
	srv.CloseCRM().SetMaxSkip(paragontest.DefaultCloseMaxSkip)

	n, err := crm.SearchCount(ctx, close.And(close.ObjectType("contact"),
		close.FieldCondition(close.RegularField("contact", "name"), close.TextCondition("ada", close.Phrase))))
	require.NoError(t, err)
	assert.Equal(t, 1, n, "whole words: only Ada")

	other, err := crm.Leads.Create(ctx, &close.Lead{Name: close.Set("Dup"), Contacts: []close.Contact{{Name: close.Set("Dee")}}})
	require.NoError(t, err)
	require.NoError(t, crm.Leads.Merge(ctx, other.ID, lead.ID))
	merged, err := crm.Leads.Get(ctx, lead.ID)
	require.NoError(t, err)
	assert.Len(t, merged.Contacts, 4)
	require.NoError(t, crm.Leads.Delete(ctx, lead.ID))
	assert.Empty(t, srv.CloseCRM().Contacts())

	// Without a Close credential the Paragon error stays a *paragon.Error.
	_, err = close.New(srv.Client().User("u2")).Leads.Get(ctx, "lead_x")
	require.ErrorIs(t, err, paragon.ErrIntegrationNotEnabled)
	assert.False(t, errors.As(err, &cerr))
}
