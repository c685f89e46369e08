package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	closecrm "github.com/paragon-go/paragon/close"
)

// store keeps each user's event-log bookmark and the mirrored events, in
// the queue's own database (SQLite or Postgres; the SQL is the same).
type store interface {
	init(ctx context.Context) error
	bookmark(ctx context.Context, user string) (closecrm.EventBookmark, error)
	saveBookmark(ctx context.Context, user string, b closecrm.EventBookmark) error
	mirror(ctx context.Context, user string, ev closecrm.Event) error
	summary(ctx context.Context, user string) (int, closecrm.EventBookmark, error)
	mirrored(ctx context.Context, user, eventID string) (bool, error)
}

// db is the little both database handles need to offer.
type db interface {
	exec(ctx context.Context, q string, args ...any) error
	row(ctx context.Context, q string, args ...any) func(dest ...any) error
}

type sqlDB struct{ *sql.DB }

func (d sqlDB) exec(ctx context.Context, q string, args ...any) error {
	_, err := d.ExecContext(ctx, q, args...)
	return err
}

func (d sqlDB) row(ctx context.Context, q string, args ...any) func(...any) error {
	r := d.QueryRowContext(ctx, q, args...)
	return func(dest ...any) error {
		if err := r.Scan(dest...); !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return errNoRows
	}
}

type pgDB struct{ *pgxpool.Pool }

func (d pgDB) exec(ctx context.Context, q string, args ...any) error {
	_, err := d.Exec(ctx, q, args...)
	return err
}

func (d pgDB) row(ctx context.Context, q string, args ...any) func(...any) error {
	r := d.QueryRow(ctx, q, args...)
	return func(dest ...any) error {
		if err := r.Scan(dest...); !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return errNoRows
	}
}

var errNoRows = errors.New("no rows")

type sqlStore struct{ db db }

func (s sqlStore) init(ctx context.Context) error {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS close_sync_bookmark (user_id TEXT PRIMARY KEY, bookmark TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS close_event (user_id TEXT NOT NULL, event_id TEXT NOT NULL,
			object_type TEXT NOT NULL, action TEXT NOT NULL, object_id TEXT NOT NULL, date_updated TEXT NOT NULL,
			PRIMARY KEY (user_id, event_id))`,
	} {
		if err := s.db.exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func (s sqlStore) bookmark(ctx context.Context, user string) (closecrm.EventBookmark, error) {
	var raw string
	var b closecrm.EventBookmark
	err := s.db.row(ctx, `SELECT bookmark FROM close_sync_bookmark WHERE user_id = $1`, user)(&raw)
	if errors.Is(err, errNoRows) {
		return b, nil
	}
	if err != nil {
		return b, err
	}
	return b, json.Unmarshal([]byte(raw), &b)
}

func (s sqlStore) saveBookmark(ctx context.Context, user string, b closecrm.EventBookmark) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return s.db.exec(ctx, `INSERT INTO close_sync_bookmark (user_id, bookmark) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET bookmark = excluded.bookmark`, user, string(raw))
}

// mirror stores an event; an event read again (the overlap, or a
// consolidated event whose date_updated moved) updates its row.
func (s sqlStore) mirror(ctx context.Context, user string, ev closecrm.Event) error {
	return s.db.exec(ctx, `INSERT INTO close_event (user_id, event_id, object_type, action, object_id, date_updated)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (user_id, event_id) DO UPDATE SET date_updated = excluded.date_updated`,
		user, ev.ID, ev.ObjectType, ev.Action, ev.ObjectID, ev.DateUpdated.UTC().Format(time.RFC3339Nano))
}

func (s sqlStore) summary(ctx context.Context, user string) (int, closecrm.EventBookmark, error) {
	var n int
	if err := s.db.row(ctx, `SELECT COUNT(*) FROM close_event WHERE user_id = $1`, user)(&n); err != nil {
		return 0, closecrm.EventBookmark{}, err
	}
	b, err := s.bookmark(ctx, user)
	return n, b, err
}

func (s sqlStore) mirrored(ctx context.Context, user, eventID string) (bool, error) {
	var n int
	err := s.db.row(ctx, `SELECT COUNT(*) FROM close_event WHERE user_id = $1 AND event_id = $2`, user, eventID)(&n)
	return n == 1, err
}
