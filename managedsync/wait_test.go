package managedsync_test

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/managedsync"
)

// statusSequence answers GET /api/syncs/{testSync} with bodies in turn
// (the last one repeats) and records when each read happened.
func statusSequence(h *harness, bodies ...string) *[]time.Time {
	var at []time.Time
	i := 0
	h.onFunc(http.MethodGet, syncBase+"/api/syncs/"+testSync, func(*http.Request) (*http.Response, error) {
		at = append(at, time.Now())
		b := bodies[min(i, len(bodies)-1)]
		i++
		r := httpmock.NewStringResponse(200, b)
		r.Header.Set("Content-Type", "application/json")
		return r, nil
	})
	return &at
}

func TestWaitIdleBacksOffUntilIdle(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		at := statusSequence(h,
			`{"status":"INITIALIZING","summary":{"lastSyncedAt":null}}`,
			`{"status":"ACTIVE","summary":{"lastSyncedAt":null}}`,
			`{"status":"ACTIVE","summary":{"lastSyncedAt":null}}`,
			`{"status":"IDLE","summary":{"lastSyncedAt":null}}`, // idle before its first run: keep waiting
			`{"status":"IDLE","summary":{"totalRecords":3,"lastSyncedAt":"2025-07-07T19:00:00.000Z"}}`,
		)
		s, err := h.ms.WaitIdle(t.Context(), testSync, managedsync.WithPollInterval(time.Second, 4*time.Second))
		require.NoError(t, err)
		assert.Equal(t, managedsync.StatusIdle, s.Status)
		assert.Equal(t, int64(3), s.Summary.TotalRecords)
		require.Len(t, *at, 5)
		// Waits of [d/2, d) for d = 1s, 2s, 4s, 4s (capped).
		caps := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}
		for i, c := range caps {
			gap := (*at)[i+1].Sub((*at)[i])
			assert.GreaterOrEqual(t, gap, c/2, "wait %d", i)
			assert.LessOrEqual(t, gap, c, "wait %d", i)
		}
	})
}

func TestWaitIdleIdleWithoutSummary(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	statusSequence(h, `{"status":"IDLE"}`)
	s, err := h.ms.WaitIdle(t.Context(), testSync, nil, managedsync.WithWaitCallOptions(paragon.WithHeader("X-Trace-Id", "t-1")))
	require.NoError(t, err)
	assert.Equal(t, testSync, s.ID)
	req := h.only()
	assert.Equal(t, "t-1", req.Header.Get("X-Trace-Id"))
	assert.Equal(t, http.MethodGet, req.Method)
}

func TestWaitIdleErrored(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	statusSequence(h, `{"status":"ERRORED","error":{"message":"The Google Drive credential was revoked.","code":"7003"}}`)
	_, err := h.ms.WaitIdle(t.Context(), testSync)
	require.ErrorIs(t, err, managedsync.ErrSyncErrored)
	require.NotErrorIs(t, err, managedsync.ErrSyncDisabled)
	var se *managedsync.SyncError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, testSync, se.SyncID)
	assert.Equal(t, managedsync.StatusErrored, se.Status)
	require.NotNil(t, se.Failure)
	assert.Equal(t, "7003", se.Failure.Code)
	assert.Contains(t, err.Error(), "credential was revoked")
}

func TestWaitIdleErrorSpelling(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	statusSequence(h, `{"status":"ERROR","error":"quota exceeded"}`)
	_, err := h.ms.WaitIdle(t.Context(), testSync)
	require.ErrorIs(t, err, managedsync.ErrSyncErrored)
	assert.Contains(t, err.Error(), "quota exceeded")
}

func TestWaitIdleDisabled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	statusSequence(h, `{"status":"DISABLED"}`)
	_, err := h.ms.WaitIdle(t.Context(), testSync)
	require.ErrorIs(t, err, managedsync.ErrSyncDisabled)
}

func TestWaitIdleHonoursContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		at := statusSequence(h, `{"status":"ACTIVE"}`)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		_, err := h.ms.WaitIdle(ctx, testSync, managedsync.WithPollInterval(time.Second, 2*time.Second))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.LessOrEqual(t, len(*at), 12)
		assert.GreaterOrEqual(t, len(*at), 5)
	})
}

func TestWaitIdleReadError(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, syncBase+"/api/syncs/"+testSync, 404, `{"message":"Sync not found.","status":404}`)
	_, err := h.ms.WaitIdle(t.Context(), testSync)
	require.ErrorIs(t, err, paragon.ErrNotFound)
}
