package paragontest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close"
	"github.com/paragon-go/paragon/paragontest"
)

// TestCloseEveryCall drives the close calls TestCloseThroughSDK does not,
// so that every close call is shown to work against the fake.
func TestCloseEveryCall(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	crm := close.New(srv.Client().User("u1"), close.WithPageSize(2))
	ctx := t.Context()

	// Leads: create several, list them across pages, update, list one page.
	var ids []string
	for _, name := range []string{"L1", "L2", "L3"} {
		l, err := crm.Leads.Create(ctx, &close.Lead{Name: close.Set(name)})
		require.NoError(t, err)
		ids = append(ids, l.ID)
	}
	var names []string
	for l, err := range crm.Leads.List(ctx, nil) {
		require.NoError(t, err)
		names = append(names, l.Name.Or(""))
	}
	assert.Equal(t, []string{"L1", "L2", "L3"}, names, "three leads over two pages")
	updated, err := crm.Leads.Update(ctx, ids[0], &close.LeadUpdate{Description: close.Set("updated")})
	require.NoError(t, err)
	assert.Equal(t, close.Set("updated"), updated.Description)
	assert.Equal(t, close.Set("L1"), updated.Name, "fields not set are kept")
	page, err := crm.Leads.ListPage(ctx, &close.LeadListParams{Limit: 2})
	require.NoError(t, err)
	assert.Len(t, page.Data, 2)
	assert.True(t, page.HasMore)

	// Contacts: full CRUD and a page.
	c, err := crm.Contacts.Create(ctx, &close.Contact{LeadID: ids[1], Name: close.Set("Ada"), Title: close.Set("CTO"),
		Emails: []close.ContactEmail{{Email: "ada@example.org", Type: "office"}}})
	require.NoError(t, err)
	got, err := crm.Contacts.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, close.Set("Ada"), got.Name)
	assert.Equal(t, ids[1], got.LeadID)
	got, err = crm.Contacts.Update(ctx, c.ID, &close.ContactUpdate{Title: close.Set("CEO"), Name: close.Null[string]()})
	require.NoError(t, err)
	assert.Equal(t, close.Set("CEO"), got.Title)
	assert.True(t, got.Name.IsNull(), "Null clears the field")
	cpage, err := crm.Contacts.ListPage(ctx, &close.ContactListParams{LeadID: ids[1]})
	require.NoError(t, err)
	require.Len(t, cpage.Data, 1)
	require.NoError(t, crm.Contacts.Delete(ctx, c.ID))
	_, err = crm.Contacts.Get(ctx, c.ID)
	require.ErrorIs(t, err, close.ErrNotFound)

	// Opportunities: get, list with a filter, delete.
	o, err := crm.Opportunities.Create(ctx, &close.Opportunity{LeadID: ids[2], Value: close.Set[int64](12345), ValuePeriod: close.OneTime})
	require.NoError(t, err)
	og, err := crm.Opportunities.Get(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, close.Set[int64](12345), og.Value)
	var n int
	for opp, err := range crm.Opportunities.List(ctx, &close.OpportunityListParams{LeadID: ids[2]}) {
		require.NoError(t, err)
		assert.Equal(t, o.ID, opp.ID)
		n++
	}
	assert.Equal(t, 1, n)
	require.NoError(t, crm.Opportunities.Delete(ctx, o.ID))
	_, err = crm.Opportunities.Get(ctx, o.ID)
	require.ErrorIs(t, err, close.ErrNotFound)

	// Search: iterate leads across cursor pages.
	var found int
	for r, err := range crm.Search(ctx, &close.SearchParams{Query: close.ObjectType("lead"), Limit: 2}) {
		require.NoError(t, err)
		assert.NotEmpty(t, r.ID)
		found++
	}
	assert.Equal(t, 3, found)
}
