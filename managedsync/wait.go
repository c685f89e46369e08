package managedsync

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"time"

	"github.com/paragon-go/paragon"
)

// Polling defaults of [Client.WaitIdle].
const (
	// DefaultPollInterval is the first wait between two status reads.
	DefaultPollInterval = time.Second
	// DefaultMaxPollInterval caps the wait between two status reads.
	DefaultMaxPollInterval = 30 * time.Second
)

// statusError is the ERROR status of Paragon's own sample code; WaitIdle
// treats it as ERRORED rather than waiting for ever.
const statusError Status = "ERROR"

// SyncError reports a sync that can't become idle: ERRORED (or ERROR, as
// Paragon's sample code spells it; matching [ErrSyncErrored]) or DISABLED
// (matching [ErrSyncDisabled]).
type SyncError struct {
	// SyncID is the sync.
	SyncID string
	// Status is the sync's status.
	Status Status
	// Failure is Paragon's description of the failure, when its answer
	// carried one (nil otherwise; the sync_errored webhook has the details).
	Failure *SyncFailure
	// Sync is the last status read.
	Sync *Sync
}

// Error describes the failure.
func (e *SyncError) Error() string {
	msg := "managedsync: sync " + e.SyncID + " is " + string(e.Status)
	if e.Failure != nil && e.Failure.Message != "" {
		msg += ": " + e.Failure.Message
		if e.Failure.Code != "" {
			msg += " (code " + e.Failure.Code + ")"
		}
	}
	return msg
}

// Is matches [ErrSyncErrored] or [ErrSyncDisabled], by status.
func (e *SyncError) Is(target error) bool {
	switch target {
	case ErrSyncErrored:
		return e.Status == StatusErrored || e.Status == statusError
	case ErrSyncDisabled:
		return e.Status == StatusDisabled
	}
	return false
}

// WaitOption adjusts [Client.WaitIdle].
type WaitOption func(*waitConfig) error

type waitConfig struct {
	first, max time.Duration
	call       []paragon.CallOption
}

// WithPollInterval sets the first wait between two status reads and its
// cap (defaults [DefaultPollInterval] and [DefaultMaxPollInterval]). The
// wait doubles after each read, with jitter, up to max.
func WithPollInterval(first, maxWait time.Duration) WaitOption {
	return func(c *waitConfig) error {
		if first <= 0 || maxWait < first {
			return invalid("poll interval %v..%v: want 0 < first <= max", first, maxWait)
		}
		c.first, c.max = first, maxWait
		return nil
	}
}

// WithWaitCallOptions passes call options to each status read.
func WithWaitCallOptions(opts ...paragon.CallOption) WaitOption {
	return func(c *waitConfig) error {
		c.call = append(c.call, opts...)
		return nil
	}
}

// WaitIdle reads a sync's status until it is IDLE with its first sync done
// (Summary.LastSyncedAt set, or no lastSyncedAt in Paragon's answer) and
// returns it. Between reads it waits with capped exponential backoff and
// jitter, on a timer that ctx cancels (the error is then ctx's). An ERRORED
// or DISABLED sync ends the wait with a [*SyncError] carrying Paragon's
// failure (so does ERROR, which Paragon's sample code models); other errors
// of a status read end it as they are (each read already has the client's
// retries). Other unknown statuses are waited through.
func (c *Client) WaitIdle(ctx context.Context, syncID string, opts ...WaitOption) (*Sync, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	if err := checkID("sync ID", syncID); err != nil {
		return nil, err
	}
	cfg := waitConfig{first: DefaultPollInterval, max: DefaultMaxPollInterval}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	wait := cfg.first
	for {
		s, err := c.Get(ctx, syncID, cfg.call...)
		if err != nil {
			return nil, err
		}
		switch s.Status {
		case StatusIdle:
			if !s.Summary.LastSyncedAt.IsZero() || !hasLastSyncedAt(s) {
				return s, nil
			}
		case StatusErrored, statusError, StatusDisabled:
			return nil, &SyncError{SyncID: syncID, Status: s.Status, Failure: s.Error, Sync: s}
		}
		// Jitter in [wait/2, wait): never zero, still random at the cap.
		d := wait/2 + rand.N(wait/2+1)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, context.Cause(ctx)
		case <-t.C:
		}
		if wait = wait * 2; wait > cfg.max {
			wait = cfg.max
		}
	}
}

// hasLastSyncedAt reports whether Paragon's answer has a summary.lastSyncedAt
// key (even null): then an IDLE sync whose value is empty has not finished
// its first run yet.
func hasLastSyncedAt(s *Sync) bool {
	var probe struct {
		Summary struct {
			LastSyncedAt json.RawMessage `json:"lastSyncedAt"`
		} `json:"summary"`
	}
	if len(s.Raw) == 0 || json.Unmarshal(s.Raw, &probe) != nil {
		return false
	}
	return len(probe.Summary.LastSyncedAt) > 0
}
