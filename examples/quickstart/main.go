// Command quickstart walks through the main calls of paragon-go: sign a user
// token, read the user, set metadata, send an App Event, trigger a workflow
// and call Close through Paragon's proxy.
//
// It runs offline against paragontest unless PARAGON_PROJECT_ID and a signing
// key (PARAGON_SIGNING_KEY or PARAGON_SIGNING_KEY_FILE) are set; against the
// real Paragon, set PARAGON_WORKFLOW_ID to trigger a workflow of yours. The
// Close lead it creates is deleted again before it exits, against the real
// Close account as well as offline, even when a later step fails.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"sort"
	"time"

	"github.com/paragon-go/paragon"
	closecrm "github.com/paragon-go/paragon/close"
	"github.com/paragon-go/paragon/examples/internal/setup"
	"github.com/paragon-go/paragon/paragontest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env, err := setup.New()
	if err != nil {
		log.Fatalf("quickstart: %v", err)
	}
	defer env.Close()
	if err := run(ctx, env); err != nil {
		log.Fatalf("quickstart: %v", err)
	}
}

const offlineWorkflow = "wf-quickstart-sync"

func run(ctx context.Context, env *setup.Env) (err error) {
	fmt.Println("running", env.Describe())

	workflowID := os.Getenv("PARAGON_WORKFLOW_ID")
	if env.Offline() {
		workflowID = offlineWorkflow
		env.Server.HandleWorkflow(offlineWorkflow, func(_ context.Context, req paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
			var in struct {
				Since string `json:"since"`
			}
			_ = json.Unmarshal(req.Body, &in)
			return paragontest.WorkflowResponse{Status: 200, Body: map[string]any{"synced": 3, "since": in.Since}}, nil
		})
	}

	c := env.Client
	// 1. A token for the browser SDK's paragon.authenticate(). It is a
	// secret: print its size, never the token.
	tok, err := c.SignUserToken(env.UserID)
	if err != nil {
		return err
	}
	fmt.Printf("1. signed a user token for %s (%d bytes, RS256, valid 1h)\n", env.UserID, len(tok))

	// 2. Act as the user: the token is signed once and cached.
	u := c.User(env.UserID)
	me, err := u.GetUser(ctx)
	if err != nil {
		return err
	}
	var connected []string
	for name, st := range me.Integrations {
		if st.Enabled {
			connected = append(connected, name)
		}
	}
	sort.Strings(connected)
	fmt.Printf("2. GetUser: authenticated=%v user=%s connected=%v\n", me.Authenticated, me.UserID, connected)

	// 3. Metadata shown in Paragon's dashboard.
	if err := u.SetUserMetadata(ctx, map[string]any{"Name": "Dana Ortiz", "Email": "dana@example.org", "plan": "growth"}); err != nil {
		return err
	}
	fmt.Println("3. SetUserMetadata: Name, Email and plan saved")

	// 4. An App Event runs every workflow of the user that listens for it.
	if err := u.Event(ctx, "Contact Created", map[string]any{"email": "ada@example.org", "source": "quickstart"}); err != nil {
		return err
	}
	fmt.Println(`4. Event: "Contact Created" sent`)
	if env.Offline() {
		evs := env.Server.Events()
		fmt.Printf("   the server recorded %d event(s); last: %s %s\n", len(evs), evs[len(evs)-1].Name, evs[len(evs)-1].Payload)
	}

	// 5. A Request-trigger workflow, with its Response step's answer.
	if workflowID != "" {
		res, err := u.Workflow(ctx, workflowID, &paragon.WorkflowParams{Body: map[string]any{"since": "2026-01-01"}})
		switch {
		case errors.Is(err, paragon.ErrWorkflowTimeout):
			fmt.Println("5. Workflow: no answer within 55s (still running)")
		case err != nil:
			return err
		case res.Accepted():
			fmt.Println("5. Workflow: accepted (no Response step)")
		default:
			fmt.Printf("5. Workflow: status %d, body %s\n", res.StatusCode, res.Body)
		}
	} else {
		fmt.Println("5. Workflow: skipped (set PARAGON_WORKFLOW_ID)")
	}

	// 6. Close CRM through Paragon's proxy, typed.
	crm := closecrm.New(u)
	lead, err := crm.Leads.Create(ctx, &closecrm.Lead{
		Name: closecrm.Set("Harbor Analytics"),
		URL:  closecrm.Set("https://harbor-analytics.example"),
		Contacts: []closecrm.Contact{{
			Name:   closecrm.Set("Priya Natarajan"),
			Title:  closecrm.Set("Head of Operations"),
			Emails: []closecrm.ContactEmail{{Email: "priya@harbor-analytics.example", Type: "office"}},
		}},
	})
	if errors.Is(err, paragon.ErrIntegrationNotEnabled) {
		fmt.Println("6. Close: the user has not connected Close; skipped")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Printf("6. Close: created lead %q with %d contact(s)\n", lead.Name, len(lead.Contacts))
	// Delete the lead again, also when listing fails or ctx has ended: a
	// quickstart run against a real account leaves nothing behind.
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if derr := crm.Leads.Delete(dctx, lead.ID); derr != nil {
			err = errors.Join(err, fmt.Errorf("deleting lead %s: %w", lead.ID, derr))
			return
		}
		fmt.Println("   deleted the lead again")
	}()
	n := 0
	for contact, err := range crm.Contacts.List(ctx, &closecrm.ContactListParams{LeadID: lead.ID}) {
		if err != nil {
			return err
		}
		n++
		email := ""
		if len(contact.Emails) > 0 {
			email = contact.Emails[0].Email
		}
		fmt.Printf("   contact: %s <%s>\n", contact.Name, email)
	}
	fmt.Printf("done: %d contact(s) listed through the proxy\n", n)
	return nil
}
