package close_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

func TestChangedSinceOnTheWire(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	body := `{"query": {"type": "and", "queries": [
	    {"type": "object_type", "object_type": "contact"},
	    {"type": "field_condition",
	     "field": {"type": "regular_field", "object_type": "contact", "field_name": "date_updated"},
	     "condition": {"type": "moment_range", "on_or_after": {"type": "fixed_utc", "value": "2025-10-01T11:55:00Z"}}}]},
	  "_fields": {"contact": ["name", "emails", "id", "date_updated"]},
	  "_limit": 2, "cursor": %s, "results_limit": 5000,
	  "sort": [{"direction": "asc", "field": {"type": "regular_field", "object_type": "contact", "field_name": "date_updated"}}]}`
	w.expect(
		exchange{Method: "POST", Path: "/data/search/", Body: sprintf(body, "null"),
			Reply: out(`{"data": [
			  {"__object_type": "contact", "id": "cont_1", "name": "Ada", "date_updated": "2025-10-01T11:58:00.000000+00:00"},
			  {"__object_type": "contact", "id": "cont_2", "name": null, "date_updated": "2025-10-01T12:30:00.000000+00:00"}],
			  "cursor": "eyJza2lwIjoyfQ"}`)},
		exchange{Method: "POST", Path: "/data/search/", Body: sprintf(body, `"eyJza2lwIjoyfQ"`),
			Reply: out(`{"data": [{"__object_type": "contact", "id": "cont_3", "name": "Lin", "date_updated": "2025-10-01T13:00:00.5+00:00"}], "cursor": null}`)},
	)
	crm := w.crm()
	since := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)
	sc := crm.ChangedSince(t.Context(), "contact", since, &close.Changes{Fields: []string{"name", "emails"}, Limit: 2})
	var names []string
	for r, err := range sc.All() {
		require.NoError(t, err)
		c, err := r.Contact()
		require.NoError(t, err)
		names = append(names, c.Name.String())
	}
	assert.Equal(t, []string{"Ada", "", "Lin"}, names)
	assert.Equal(t, time.Date(2025, 10, 1, 13, 0, 0, 500_000_000, time.UTC), sc.Bookmark().UTC())

	for _, err := range crm.ChangedSince(t.Context(), "opportunity", since, nil).All() {
		require.ErrorIs(t, err, paragon.ErrInvalidInput)
	}
}
