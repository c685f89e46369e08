package closetest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close/closetest"
)

// typedLead stands for a typed Go value such as a close.Lead: seeding
// encodes it with encoding/json and leaves out null and empty-ID fields.
type typedLead struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	StatusID    string         `json:"status_id"`
	Description *string        `json:"description"`
	Contacts    []typedContact `json:"contacts"`
	DateCreated time.Time      `json:"date_created"`
}

type typedContact struct {
	ID     string `json:"id"`
	LeadID string `json:"lead_id"`
	Name   string `json:"name"`
}

func TestSeedTypedValues(t *testing.T) {
	t.Parallel()
	a := newCloseAPI(t)
	l, err := a.crm.CreateLead(typedLead{Name: "Typed", Contacts: []typedContact{{Name: "Ada"}}})
	require.NoError(t, err)
	assert.Equal(t, "Typed", l["name"])
	assert.Nil(t, l["description"])
	assert.Equal(t, closetest.LeadStatusPotential, l["status_id"])
	require.Len(t, l["contacts"], 1)
	_, err = a.crm.CreateLead(func() {})
	require.Error(t, err)
	_, err = a.crm.CreateLead([]int{1})
	require.Error(t, err)
	_, err = a.crm.Update("widget", "x", nil)
	require.Error(t, err)
}
