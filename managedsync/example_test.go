package managedsync_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"slices"
	"time"

	"github.com/paragon-go/paragon/managedsync"
	"github.com/paragon-go/paragon/paragontest"
)

// Sync a user's Close leads into your store: start a sync, wait until its
// first run is done, then page through its records, keeping the cursor to
// resume from when a record_created webhook arrives. It runs against
// paragontest; with real Paragon, c is your paragon.Client.
func Example_syncCloseLeads() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	for _, name := range []string{"Acme", "Globex", "Initech"} {
		if _, err := srv.CloseCRM().CreateLead(map[string]any{"name": name}); err != nil {
			log.Fatal(err)
		}
	}
	c := srv.Client()
	ctx := context.Background()

	ms := managedsync.New(c.User("acct-1042"))
	s, err := ms.Create(ctx, &managedsync.CreateParams{Integration: "close", Pipeline: "companies"})
	if err != nil {
		log.Fatal(err)
	}
	s, err = ms.WaitIdle(ctx, s.ID, managedsync.WithPollInterval(10*time.Millisecond, time.Second))
	var failed *managedsync.SyncError
	if errors.As(err, &failed) {
		log.Fatalf("sync %s failed: %v", failed.SyncID, failed.Failure)
	}
	if err != nil {
		log.Fatal(err)
	}

	store := map[string]string{} // your store: Close lead ID → company name
	var cursor string            // persist it with your data
	for rec, err := range ms.Records(ctx, s.ID, &managedsync.RecordsParams{PageSize: 100}) {
		if err != nil {
			log.Fatal(err)
		}
		var company struct {
			Name string `json:"name"`
		}
		if err := rec.Decode(&company); err != nil {
			log.Fatal(err)
		}
		store[rec.ExternalID] = company.Name
		cursor = rec.ResumeCursor
	}

	names := make([]string, 0, len(store))
	for _, n := range store {
		names = append(names, n)
	}
	slices.Sort(names)
	fmt.Println(s.Status, names, cursor != "")
	// Output: IDLE [Acme Globex Initech] true
}

// Receive Managed Sync webhooks. Paragon does not sign them: register the
// URL with a long random secret in it, which the handler checks.
func ExampleNewWebhookHandler() {
	h, err := managedsync.NewWebhookHandler(func(ctx context.Context, e *managedsync.Event) error {
		switch e.Type {
		case managedsync.EventSyncComplete:
			d, err := e.SyncComplete()
			if err != nil {
				return err
			}
			log.Printf("sync %s: first run done, %d records", e.SyncID, d.NumRecords)
		case managedsync.EventRecordCreated, managedsync.EventRecordUpdated:
			// Pull the sync's records from the cursor you persisted.
		case managedsync.EventSyncErrored:
			log.Printf("sync %s errored: %v", e.SyncID, e.Failure())
		}
		return nil
	}, managedsync.WithURLSecret("secret", "replace-with-32-random-bytes-from-your-vault"))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/managed-sync", h) // https://your.app/hooks/managed-sync?secret=…
	fmt.Println("ready")
	// Output: ready
}

// Check which users may read a synced object before showing it to them.
func ExampleClient_BatchCheckAccess() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	ctx := context.Background()
	ms := managedsync.New(srv.Client().User("acct-1042"))
	s, err := ms.Create(ctx, &managedsync.CreateParams{Integration: "close", Pipeline: "companies"})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.ManagedSync().Grant(s.ID, paragontest.PermissionGrant{Object: "doc-1", User: "ann@example.com", Role: "can_write"}); err != nil {
		log.Fatal(err)
	}
	res, err := ms.BatchCheckAccess(ctx, s.ID, []managedsync.AccessCheck{
		{Object: "doc-1", User: "ann@example.com", Role: managedsync.RoleCanRead},
		{Object: "doc-1", User: "bob@example.com", Role: managedsync.RoleCanRead},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res {
		fmt.Println(r.Check.User, r.Allowed)
	}
	// Output:
	// ann@example.com true
	// bob@example.com false
}
