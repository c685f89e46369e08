package close

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// searchFake answers /data/search/ from a sorted list of (id, date)
// results, honouring on_or_after and results_limit, ignoring _limit.
type searchFake struct {
	rows  [][2]string
	calls []string
}

func (f *searchFake) Request(_ context.Context, _, _ string, opts *paragon.RequestOptions, _ ...paragon.CallOption) (*paragon.Response, error) {
	b, _ := json.Marshal(opts.Body)
	var body struct {
		Query struct {
			Queries []struct {
				Condition struct {
					OnOrAfter struct{ Value string } `json:"on_or_after"`
				} `json:"condition"`
			} `json:"queries"`
		} `json:"query"`
		ResultsLimit int `json:"results_limit"`
	}
	_ = json.Unmarshal(b, &body)
	from := ""
	if len(body.Query.Queries) > 1 {
		from = body.Query.Queries[1].Condition.OnOrAfter.Value
	}
	f.calls = append(f.calls, from)
	var data []map[string]string
	for _, r := range f.rows {
		if from != "" && r[1] < from {
			continue
		}
		if len(data) == body.ResultsLimit {
			break
		}
		data = append(data, map[string]string{"__object_type": "lead", "id": r[0], "date_updated": r[1]})
	}
	out, _ := json.Marshal(map[string]any{"data": data, "cursor": nil})
	return &paragon.Response{StatusCode: 200, Output: out}, nil
}

func TestChangedSinceRestartsAtTheLastDate(t *testing.T) {
	t.Parallel()
	f := &searchFake{}
	for i := range 7 {
		// Two changes share each of the first timestamps.
		f.rows = append(f.rows, [2]string{fmt.Sprintf("lead_%d", i), fmt.Sprintf("2025-10-01T12:0%d:00Z", i/2)})
	}
	c := New(f, WithPageSize(100))
	sc := c.ChangedSince(t.Context(), "lead", timeOf(t, "2025-10-01T12:02:00Z"), nil)
	sc.perSeq = 3
	var ids []string
	for r, err := range sc.All() {
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"lead_0", "lead_1", "lead_2", "lead_3", "lead_4", "lead_5", "lead_6"}, ids, "each once, in order")
	assert.Equal(t, timeOf(t, "2025-10-01T12:03:00Z"), sc.Bookmark())
	assert.Equal(t, "2025-10-01T11:57:00Z", f.calls[0], "since minus the 5-minute overlap")

	// More objects at one timestamp than a sequence holds: ErrNoProgress.
	f = &searchFake{}
	for i := range 5 {
		f.rows = append(f.rows, [2]string{fmt.Sprintf("lead_%d", i), "2025-10-01T12:00:00Z"})
	}
	sc = New(f).ChangedSince(t.Context(), "lead", timeOf(t, "2025-10-01T12:01:00Z"), nil)
	sc.perSeq = 2
	var last error
	n := 0
	for _, err := range sc.All() {
		if err != nil {
			last = err
			break
		}
		n++
	}
	require.ErrorIs(t, last, ErrNoProgress)
	assert.Equal(t, 2, n)
}

func timeOf(t *testing.T, s string) time.Time {
	t.Helper()
	p, err := ParseTime(s)
	require.NoError(t, err)
	return p.Time
}
