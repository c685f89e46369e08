package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/paragon-go/paragon"
	closecrm "github.com/paragon-go/paragon/close"
)

// SyncArgs is one Connected User's Close sync job. UserID makes it unique:
// however many machines enqueue it, a user has at most one job waiting or
// running.
type SyncArgs struct {
	UserID string `json:"user_id" river:"unique"`
}

// Kind names the job for River.
func (SyncArgs) Kind() string { return "close_event_sync" }

// syncInsertOpts makes a user's job unique among jobs not yet finished, so
// a finished pass can be followed by a new one.
func syncInsertOpts(delay time.Duration) *river.InsertOpts {
	o := &river.InsertOpts{UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled,
		},
	}}
	if delay > 0 {
		o.ScheduledAt = time.Now().Add(delay)
	}
	return o
}

// SyncWorker reads a user's Close event log from the saved bookmark and
// mirrors each event. Close advises re-reading the last minutes, because it
// consolidates changes into events whose date_updated moves: each pass
// starts DefaultEventOverlap (5 minutes) before the newest event the last
// pass saw, so the window read is always at least 5 minutes behind now,
// and mirroring is idempotent (an upsert on the event ID).
type SyncWorker struct {
	river.WorkerDefaults[SyncArgs]
	Paragon *paragon.Client
	Store   store
	// Every, when set, snoozes the job after a pass so that it comes back:
	// one long-lived job per user.
	Every time.Duration
}

// Work runs one pass. A Close 429 snoozes the job by Close's RetryAfter
// (which does not count as a failed attempt) after saving how far it got.
func (w *SyncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	user := job.Args.UserID
	b, err := w.Store.bookmark(ctx, user)
	if err != nil {
		return err
	}
	crm := closecrm.New(w.Paragon.User(user))
	scan := crm.Events.Resume(ctx, b, nil, closecrm.DefaultEventOverlap)
	for ev, err := range scan.All() {
		if err != nil {
			if serr := w.Store.saveBookmark(ctx, user, scan.Bookmark()); serr != nil {
				return errors.Join(err, serr)
			}
			var cerr *closecrm.Error
			if errors.Is(err, closecrm.ErrRateLimited) && errors.As(err, &cerr) {
				return river.JobSnooze(max(cerr.RetryAfter, time.Second))
			}
			return fmt.Errorf("reading the event log of %s: %w", user, err)
		}
		if err := w.Store.mirror(ctx, user, ev); err != nil {
			return err
		}
	}
	if err := w.Store.saveBookmark(ctx, user, scan.Bookmark()); err != nil {
		return err
	}
	if w.Every > 0 {
		return river.JobSnooze(w.Every)
	}
	return nil
}

// jobUser is the user of a job event.
func jobUser(ev *river.Event) string {
	var a SyncArgs
	if ev.Job != nil {
		_ = json.Unmarshal(ev.Job.EncodedArgs, &a)
	}
	return a.UserID
}
