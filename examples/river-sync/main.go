// Command river-sync is a Close sync worker on River
// (github.com/riverqueue/river): one job per Connected User reads that
// user's Close event log from a saved bookmark and mirrors the events into
// a table. A Close 429 snoozes the job for the time Close asked for,
// instead of failing it.
//
// By default the queue is a SQLite file (pure Go, no server), and the
// command runs offline against paragontest's fake Close: it seeds some
// Close changes for three users, runs each user's job once, and prints
// what it mirrored. With -postgres (or DATABASE_URL) the queue lives in
// Postgres, so workers on many machines share it; with PARAGON_PROJECT_ID
// and a signing key set it syncs the real Connected Users listed in
// PARAGON_USER_IDS. -every keeps each user's job coming back.
//
//	go run .                                    # offline, SQLite, one pass
//	go run . -postgres postgres://localhost/app -every 1m
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

type config struct {
	postgres string        // Postgres URL; empty for SQLite
	sqlite   string        // SQLite file
	every    time.Duration // 0: one pass per user
	users    []string
}

func main() {
	var cfg config
	flag.StringVar(&cfg.postgres, "postgres", os.Getenv("DATABASE_URL"), "Postgres URL for a queue shared by many machines (default $DATABASE_URL; SQLite when empty)")
	flag.StringVar(&cfg.sqlite, "sqlite", "", "SQLite file for the queue (default: a new file in a temporary directory)")
	flag.DurationVar(&cfg.every, "every", 0, "run each user's sync again this long after it ends (0: once)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if cfg.every == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
	}
	if err := run(ctx, cfg); err != nil {
		log.Fatalf("river-sync: %v", err)
	}
}

func run(ctx context.Context, cfg config) error {
	pc, users, offline, cleanup, err := paragonClient(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	cfg.users = users

	if cfg.postgres != "" {
		pool, err := pgxpool.New(ctx, cfg.postgres)
		if err != nil {
			return fmt.Errorf("connecting to Postgres: %w", err)
		}
		defer pool.Close()
		fmt.Println("queue: Postgres")
		return runQueue(ctx, cfg, riverpgxv5.New(pool), sqlStore{pgDB{pool}}, pc, offline)
	}
	path := cfg.sqlite
	if path == "" {
		dir, err := os.MkdirTemp("", "river-sync-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		path = filepath.Join(dir, "queue.sqlite3")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	db.SetMaxOpenConns(1) // SQLite runs one statement at a time; River's advice
	fmt.Println("queue: SQLite")
	return runQueue(ctx, cfg, riversqlite.New(db), sqlStore{sqlDB{db}}, pc, offline)
}

// paragonClient returns the Paragon client and the users to sync: the
// real project when PARAGON_PROJECT_ID and a signing key are set, else a
// paragontest server with three Close users and some Close changes.
func paragonClient(ctx context.Context) (*paragon.Client, []string, *paragontest.Server, func(), error) {
	hasKey := os.Getenv(paragon.EnvSigningKey) != "" || os.Getenv(paragon.EnvSigningKeyFile) != ""
	if os.Getenv(paragon.EnvProjectID) != "" && hasKey {
		pc, err := paragon.NewClientFromEnv()
		if err != nil {
			return nil, nil, nil, nil, err
		}
		users := strings.FieldsFunc(os.Getenv("PARAGON_USER_IDS"), func(r rune) bool { return r == ',' || r == ' ' })
		if len(users) == 0 {
			return nil, nil, nil, nil, errors.New("set PARAGON_USER_IDS to the Connected Users to sync (comma-separated)")
		}
		fmt.Printf("live: Paragon project %s, %d users\n", pc.ProjectID(), len(users))
		return pc, users, nil, func() {}, nil
	}
	users := []string{"acct-1001", "acct-1002", "acct-1003"}
	var opts []paragontest.Option
	for _, u := range users {
		opts = append(opts, paragontest.WithUser(paragontest.UserSeed{ID: u, Connected: []string{"close"}}))
	}
	srv := paragontest.NewServer(opts...)
	crm := srv.CloseCRM()
	for _, name := range []string{"Harbor Analytics", "Lumen Labs"} {
		lead, err := crm.CreateLead(map[string]any{"name": name, "contacts": []any{map[string]any{"name": "Buyer at " + name}}})
		if err != nil {
			srv.Close()
			return nil, nil, nil, nil, err
		}
		if _, err := crm.CreateOpportunity(map[string]any{"lead_id": lead["id"], "value": 120000}); err != nil {
			srv.Close()
			return nil, nil, nil, nil, err
		}
	}
	// The first event-log read gets a 429: its job snoozes, then succeeds.
	crm.FailNext(1, http.StatusTooManyRequests)
	fmt.Printf("offline: paragontest at %s, %d users, %d Close events\n", srv.URL(), len(users), len(crm.Events()))
	// No transport retries offline, so the 429 reaches the job.
	return srv.Client(paragon.WithMaxRetries(0)), users, srv, srv.Close, nil
}

// runQueue migrates River's tables, starts a client, enqueues one job per
// user and, for a single pass, waits until each user's job completed.
func runQueue[TTx any](ctx context.Context, cfg config, driver riverdriver.Driver[TTx], st store, pc *paragon.Client, offline *paragontest.Server) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating River's tables: %w", err)
	}
	if err := st.init(ctx); err != nil {
		return fmt.Errorf("creating the sync tables: %w", err)
	}
	workers := river.NewWorkers()
	w := &SyncWorker{Paragon: pc, Store: st, Every: cfg.every}
	river.AddWorker(workers, w)
	client, err := river.NewClient(driver, &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers: workers,
		Logger:  quietLogger(),
	})
	if err != nil {
		return err
	}
	done, cancelSub := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobSnoozed, river.EventKindJobFailed)
	defer cancelSub()
	if err := client.Start(ctx); err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Stop(stopCtx); err != nil {
			log.Printf("stopping River: %v", err)
		}
	}()

	var params []river.InsertManyParams
	for _, u := range cfg.users {
		params = append(params, river.InsertManyParams{Args: SyncArgs{UserID: u}, InsertOpts: syncInsertOpts(0)})
	}
	if _, err := client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("enqueueing: %w", err)
	}
	if cfg.every > 0 {
		<-ctx.Done() // jobs re-enqueue themselves; stop with Ctrl-C
		return nil
	}
	left := map[string]bool{}
	for _, u := range cfg.users {
		left[u] = true
	}
	for len(left) > 0 {
		select {
		case ev := <-done:
			user := jobUser(ev)
			switch ev.Kind {
			case river.EventKindJobSnoozed:
				fmt.Printf("%s: snoozed (Close rate limit)\n", user)
			case river.EventKindJobFailed:
				return fmt.Errorf("job for %s failed: %v", user, ev.Job.Errors)
			default:
				delete(left, user)
			}
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d users: %w", len(left), ctx.Err())
		}
	}
	for _, u := range cfg.users {
		n, b, err := st.summary(ctx, u)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d events mirrored; bookmark since %s\n", u, n, b.Since.UTC().Format(time.RFC3339))
	}
	if offline != nil {
		return checkOffline(ctx, st, cfg.users, offline)
	}
	return nil
}

// checkOffline makes the offline run a test: every user mirrored every
// event of the fake Close.
func checkOffline(ctx context.Context, st store, users []string, srv *paragontest.Server) error {
	for _, u := range users {
		for _, ev := range srv.CloseCRM().Events() {
			id, _ := ev["id"].(string)
			found, err := st.mirrored(ctx, u, id)
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("%s did not mirror event %s (%v %v)", u, id, ev["object_type"], ev["action"])
			}
		}
	}
	fmt.Println("offline check passed: every user mirrored every Close event")
	return nil
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
