// Command close-sync shows the typed Close client over Paragon's proxy: it
// creates leads with their contacts, lists them back lazily with iterators,
// adds opportunities and moves them to won, then reads back what changed
// since the run started, the way an incremental sync does.
//
// The package is imported as closecrm: its name, close, would shadow Go's
// builtin close in this file.
//
// It runs offline against paragontest's fake Close unless PARAGON_PROJECT_ID
// and a signing key are set. Against a real Close account it creates (and
// then deletes) three leads named "paragon-go close-sync …".
package main

import (
	"context"
	"fmt"
	"log"
	"time"

	closecrm "github.com/paragon-go/paragon/close"
	"github.com/paragon-go/paragon/examples/internal/setup"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		log.Fatalf("close-sync: %v", err)
	}
}

type account struct {
	company  string
	contacts []string
	value    int64 // cents
}

var accounts = []account{
	{"paragon-go close-sync Harbor Analytics", []string{"Priya Natarajan", "Tom Okafor"}, 1_250_000},
	{"paragon-go close-sync Lumen Labs", []string{"Ada Byrne"}, 480_000},
	{"paragon-go close-sync Northwind", []string{"Sam Ruiz", "Li Wei", "Noor Haddad"}, 2_000_000},
}

func run(ctx context.Context) error {
	env, err := setup.New()
	if err != nil {
		return err
	}
	defer env.Close()
	fmt.Println("running", env.Describe())
	crm := closecrm.New(env.Client.User(env.UserID))
	// The bookmark of an incremental sync: Close's date_updated of the last
	// change seen. A real sync loads it from its database.
	var bookmark time.Time

	// 1. Create each lead with its contacts in one call.
	var leads []*closecrm.Lead
	for _, a := range accounts {
		l := &closecrm.Lead{Name: closecrm.Set(a.company), Description: closecrm.Set("created by the paragon-go close-sync example")}
		for _, name := range a.contacts {
			l.Contacts = append(l.Contacts, closecrm.Contact{Name: closecrm.Set(name), Title: closecrm.Set("Buyer")})
		}
		lead, err := crm.Leads.Create(ctx, l)
		if err != nil {
			return fmt.Errorf("creating lead %q: %w", a.company, err)
		}
		leads = append(leads, lead)
		if bookmark.IsZero() {
			bookmark = lead.DateCreated.Time
		}
		fmt.Printf("created lead %-40q with %d contacts\n", lead.Name, len(lead.Contacts))
	}
	defer func() {
		for _, l := range leads {
			if err := crm.Leads.Delete(ctx, l.ID); err != nil {
				log.Printf("cleanup: %v", err)
			}
		}
	}()

	// 2. List the contacts of each lead back, page by page, lazily.
	for _, l := range leads {
		var names []string
		for c, err := range crm.Contacts.List(ctx, &closecrm.ContactListParams{LeadID: l.ID, Limit: 2}) {
			if err != nil {
				return err
			}
			names = append(names, c.Name.String())
		}
		fmt.Printf("lead %-40q has contacts %v\n", l.Name, names)
	}

	// 3. One opportunity per lead, then move each to won.
	var total int64
	for i, l := range leads {
		opp, err := crm.Opportunities.Create(ctx, &closecrm.Opportunity{
			LeadID: l.ID, Value: closecrm.Set(accounts[i].value), ValuePeriod: closecrm.ValuePeriod("annual"),
			Confidence: 60, Note: closecrm.Set("close-sync example"),
		})
		if err != nil {
			return err
		}
		won, err := crm.Opportunities.Update(ctx, opp.ID, &closecrm.OpportunityUpdate{
			Status:     closecrm.Set("Won"),
			Confidence: closecrm.Set(100),
		})
		if err != nil {
			return err
		}
		total += won.Value.Or(0)
		fmt.Printf("opportunity for %-33q %s -> %s (won %s)\n", l.Name, opp.StatusLabel, won.StatusLabel, won.DateWon)
	}

	// 4. Won opportunities of these leads, through the iterator.
	var count int
	var sum int64
	for _, l := range leads {
		for o, err := range crm.Opportunities.List(ctx, &closecrm.OpportunityListParams{LeadID: l.ID, StatusType: closecrm.StatusWon}) {
			if err != nil {
				return err
			}
			count++
			sum += o.Value.Or(0)
		}
	}
	fmt.Printf("won opportunities: %d, total value $%d.%02d (expected $%d.%02d)\n", count, sum/100, sum%100, total/100, total%100)
	if count != len(leads) || sum != total {
		return fmt.Errorf("listed %d won opportunities worth %d cents, want %d worth %d", count, sum, len(leads), total)
	}

	// 5. Incremental sync: the leads and contacts changed since the
	// bookmark, oldest change first, without _skip (so no max_skip). Store
	// each scan's Bookmark for the next run.
	mine := map[string]bool{}
	for _, l := range leads {
		mine[l.ID] = true
	}
	for _, objectType := range []string{"lead", "contact"} {
		scan := crm.ChangedSince(ctx, objectType, bookmark, nil)
		n := 0
		for r, err := range scan.All() {
			if err != nil {
				return fmt.Errorf("changed %ss: %w", objectType, err)
			}
			switch objectType {
			case "lead":
				l, err := r.Lead()
				if err != nil {
					return err
				}
				if mine[l.ID] {
					n++
				}
			case "contact":
				c, err := r.Contact()
				if err != nil {
					return err
				}
				if mine[c.LeadID] {
					n++
				}
			}
		}
		fmt.Printf("changed %ss of this run since the bookmark: %d (next bookmark %s)\n", objectType, n, scan.Bookmark().Format(time.RFC3339))
	}
	return nil
}
