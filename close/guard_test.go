package close_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

func stubAnswer(fn func(opts *paragon.RequestOptions) string) (*stub, *close.Client) {
	s := &stub{fn: func(_ string, opts *paragon.RequestOptions) (*paragon.Response, error) {
		return jsonResponse(200, fn(opts)), nil
	}}
	return s, close.New(s)
}

func TestListServerIgnoringSkipEnds(t *testing.T) {
	t.Parallel()
	s, crm := stubAnswer(func(*paragon.RequestOptions) string {
		return `{"data": [{"id": "lead_1"}, {"id": "lead_2"}], "has_more": true}`
	})
	var ids []string
	var last error
	for l, err := range crm.Leads.List(t.Context(), nil) {
		if err != nil {
			last = err
			break
		}
		ids = append(ids, l.ID)
	}
	require.ErrorIs(t, last, close.ErrNoProgress)
	require.ErrorIs(t, last, paragon.ErrInvalidResponse)
	assert.Equal(t, []string{"lead_1", "lead_2"}, ids, "the repeated page is not yielded")
	assert.Len(t, s.calls, 2)
}

func TestListPageMoreThanLimitRefused(t *testing.T) {
	t.Parallel()
	_, crm := stubAnswer(func(opts *paragon.RequestOptions) string {
		return `{"data": [{"id": "a"}, {"id": "b"}, {"id": "c"}], "has_more": false}`
	})
	for _, err := range crm.Contacts.List(t.Context(), &close.ContactListParams{Limit: 2}) {
		require.ErrorIs(t, err, close.ErrPageTooLarge)
	}
	_, err := crm.Opportunities.ListPage(t.Context(), &close.OpportunityListParams{Limit: 2})
	require.ErrorIs(t, err, close.ErrPageTooLarge)
	// The escaped key name the scan does not read is caught after decoding.
	_, crm = stubAnswer(func(*paragon.RequestOptions) string {
		return `{"d\u0061ta": [{"id": "a"}, {"id": "b"}, {"id": "c"}], "has_more": false}`
	})
	_, err = crm.Leads.ListPage(t.Context(), &close.LeadListParams{Limit: 2})
	require.ErrorIs(t, err, close.ErrPageTooLarge)
}

// The adversarial review's page: 1 MiB of {"data":[{},{},…]} must not
// become 350k leads.
//
// Not parallel: it measures the allocations of the whole process.
func TestMegabyteOfEmptyObjectsRefused(t *testing.T) { //nolint:paralleltest // measures process-wide allocations
	big := `{"data": [` + strings.Repeat(`{},`, 349_511) + `{}], "has_more": false}`
	nested := `{"data": [{"contacts": [` + strings.Repeat(`{},`, 349_511) + `{}]}], "has_more": false}`
	for name, body := range map[string]string{"flat": big, "nested": nested} {
		_, crm := stubAnswer(func(*paragon.RequestOptions) string { return body })
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		n := 0
		var last error
		for _, err := range crm.Leads.List(t.Context(), nil) {
			if err != nil {
				last = err
				break
			}
			n++
		}
		runtime.ReadMemStats(&after)
		refused := after.TotalAlloc - before.TotalAlloc
		require.ErrorIs(t, last, close.ErrPageTooLarge, name)
		assert.Zero(t, n, name)
		// Decoding would allocate well over 100 MiB; refusing it allocates
		// about the body's size (the stub's copy and the unwrap).
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), name)
		if testing.Short() {
			continue
		}
		// The baseline (seconds, so not under -short): what decoding the
		// page as it is would allocate.
		runtime.ReadMemStats(&before)
		var pg close.Page[close.Lead]
		require.NoError(t, json.Unmarshal([]byte(body), &pg))
		runtime.ReadMemStats(&after)
		t.Logf("%s: %d-byte page refused after allocating %d bytes; decoding it would allocate %d bytes (%d leads)",
			name, len(body), refused, after.TotalAlloc-before.TotalAlloc, len(pg.Data))
	}
}

func TestSearchGuards(t *testing.T) {
	t.Parallel()
	q := &close.SearchParams{Query: close.ObjectType("lead"), Limit: 2}
	t.Run("empty pages with fresh cursors", func(t *testing.T) {
		t.Parallel()
		n := 0
		s, crm := stubAnswer(func(*paragon.RequestOptions) string {
			n++
			return fmt.Sprintf(`{"data": [], "cursor": "c%d"}`, n)
		})
		var last error
		for _, err := range crm.Search(t.Context(), q) {
			last = err
		}
		require.ErrorIs(t, last, close.ErrNoProgress)
		assert.LessOrEqual(t, len(s.calls), 4)
	})
	t.Run("cursor cycle", func(t *testing.T) {
		t.Parallel()
		n := 0
		_, crm := stubAnswer(func(*paragon.RequestOptions) string {
			n++
			return fmt.Sprintf(`{"data": [{"__object_type": "lead", "id": "lead_%d"}], "cursor": "%s"}`, n, []string{"A", "B"}[n%2])
		})
		var ids []string
		var last error
		for r, err := range crm.Search(t.Context(), q) {
			if err != nil {
				last = err
				break
			}
			ids = append(ids, r.ID)
		}
		require.ErrorIs(t, last, close.ErrNoProgress)
		assert.Equal(t, []string{"lead_1", "lead_2", "lead_3"}, ids)
	})
	t.Run("page over the limit", func(t *testing.T) {
		t.Parallel()
		_, crm := stubAnswer(func(*paragon.RequestOptions) string {
			return `{"data": [{"id": "1"}, {"id": "2"}, {"id": "3"}], "cursor": null}`
		})
		for _, err := range crm.Search(t.Context(), q) {
			require.ErrorIs(t, err, close.ErrPageTooLarge)
		}
		_, err := crm.SearchPage(t.Context(), q)
		require.ErrorIs(t, err, close.ErrPageTooLarge)
	})
}
