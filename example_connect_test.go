package paragon_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/paragon-go/paragon"
	closecrm "github.com/paragon-go/paragon/close"
	"github.com/paragon-go/paragon/paragontest"
)

// Lead is the part of a Close lead this program reads.
type Lead struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
}

func ExampleRequestJSON_lead() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := context.Background()

	created, err := paragon.RequestJSON[Lead](ctx, u, "close", "/lead/", &paragon.RequestOptions{
		Method: "POST",
		Body:   map[string]any{"name": "Harbor Analytics"},
	})
	if err != nil {
		log.Fatal(err)
	}
	id := created.ID

	// GET /projects/{project}/sdk/proxy/close/lead/{id}/ on the proxy host.
	lead, err := paragon.RequestJSON[Lead](ctx, u, "close", "/lead/"+id+"/", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(lead.DisplayName, lead.ID == id)
	// Output: Harbor Analytics true
}

func ExampleUser_EnableWorkflow() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := context.Background()

	// POST /sdk/workflows/{id}, with X-Paragon-Credential and
	// X-Paragon-Configuration-Id of the user's only Close account and its
	// default configuration, read from GET /sdk/me.
	if err := u.EnableWorkflow(ctx, paragontest.WorkflowCloseLookupLead); err != nil {
		log.Fatal(err)
	}
	me, err := u.GetUser(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Integrations["close"].ConfiguredWorkflows[paragontest.WorkflowCloseLookupLead].Enabled)
	// Output: true
}

func ExampleUser_UninstallIntegration_severalAccounts() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := context.Background()

	// A second Close account.
	second, err := u.Connect(ctx, "close", &paragon.ConnectParams{
		Inputs:         map[string]any{"apiKey": "api_second"},
		InstallOptions: paragon.InstallOptions{AllowMultipleCredentials: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Which one to remove? The SDK does not guess.
	err = u.UninstallIntegration(ctx, "close")
	fmt.Println(errors.Is(err, paragon.ErrInvalidInput), strings.Contains(err.Error(), second.ID))

	err = u.UninstallIntegration(ctx, "close", paragon.WithCredential(second.ID))
	fmt.Println(err)
	// Output:
	// true true
	// <nil>
}

func ExampleUser_UpdateIntegrationUserSettings() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := context.Background()

	// PATCH /sdk/credentials/{id} {"config": {"sharedSettings": …}}, merged
	// into the default configuration's settings.
	if _, err := u.UpdateIntegrationUserSettings(ctx, "close", map[string]any{"pipeline": "pipe_Sales"}); err != nil {
		log.Fatal(err)
	}
	if _, err := u.UpdateIntegrationUserSettings(ctx, "close", map[string]any{"owner": "dana"}); err != nil {
		log.Fatal(err)
	}
	me, err := u.GetUser(ctx)
	if err != nil {
		log.Fatal(err)
	}
	cfg := me.Integrations["close"].AllCredentials[0].Configurations[0]
	fmt.Println(cfg.IsDefault, cfg.SharedSettings["pipeline"], cfg.SharedSettings["owner"])
	// Output: true pipe_Sales dana
}

func ExampleUser_GetIntegrationAccount() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"slack"}}))
	defer srv.Close()
	if err := srv.SetAccountAuth("acct-1042", "slack", map[string]any{"OAUTH_ACCESS_TOKEN": "xoxp-live-secret"}); err != nil {
		log.Fatal(err)
	}
	u := srv.Client().User("acct-1042")

	// GET /sdk/credentials?integration=slack&includeAccountAuth=true: a live
	// provider token, for a file picker in the user's own browser.
	creds, err := u.ListCredentials(context.Background(), &paragon.ListCredentialsParams{Integration: "slack", IncludeAccountAuth: true})
	if err != nil {
		log.Fatal(err)
	}
	tok, _ := creds[0].AccountAuth.Get("OAUTH_ACCESS_TOKEN")
	fmt.Println(tok == "xoxp-live-secret")
	fmt.Println(creds[0].AccountAuth) // printing never shows the secret
	// Output:
	// true
	// AccountAuth{keys: [OAUTH_ACCESS_TOKEN], values: REDACTED}
}

func ExampleUser_FieldOptions() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	srv.SetFieldOptions("close", "pipelines", []map[string]any{
		{"label": "Sales", "value": "pipe_Sales"}, {"label": "Support", "value": "pipe_Support"},
	})
	u := srv.Client().User("acct-1042")

	// POST /sdk/actions, page after page.
	for opt, err := range u.FieldOptions(context.Background(), &paragon.FieldOptionsParams{Integration: "close", Source: "pipelines"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(opt.Label, opt.Value)
	}
	// Output:
	// Sales pipe_Sales
	// Support pipe_Support
}

func ExampleUser_CompleteSetup() {
	srv := paragontest.NewServer()
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := context.Background()

	// POST /sdk/credentials, then POST /sdk/credentials/{id}/complete-setup
	// with the inputs asked for after the install.
	cred, err := u.Connect(ctx, "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "api_close"}})
	if err != nil {
		log.Fatal(err)
	}
	cred, err = u.CompleteSetup(ctx, "close", cred.ID, &paragon.ConnectParams{Inputs: map[string]any{"pipeline": "pipe_Sales"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cred.Status)
	// Output: VALID
}

func ExampleUser_SetUserMetadata_normalised() {
	srv := paragontest.NewServer()
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := context.Background()

	// Keys are trimmed; "name" and "email" in any case become the
	// dashboard's "Name" and "Email", as Paragon's browser SDK sends them.
	if err := u.SetUserMetadata(ctx, map[string]any{" email ": "dana@example.org", "NAME": "Dana Ortiz"}); err != nil {
		log.Fatal(err)
	}
	me, err := u.GetUser(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Meta["Name"], me.Meta["Email"])
	// Output: Dana Ortiz dana@example.org
}

func ExampleWithResponseInto() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")

	// Every call of this Close client reports its status, headers and
	// request ID, e.g. to read Close's RateLimit header in a bulk job.
	var info paragon.ResponseInfo
	crm := closecrm.New(u, closecrm.WithCallOptions(paragon.WithResponseInto(&info)))
	if _, err := crm.Leads.ListPage(context.Background(), nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.StatusCode, info.RequestID != "")
	// Output: 200 true
}

func ExampleWithProxyURL() {
	// A project with Google Drive; paragontest's proxy echoes what the
	// provider would receive for integrations it has no fake of.
	srv := paragontest.NewServer(
		paragontest.WithIntegration(paragontest.Integration{Type: "googledrive"}),
		paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"googledrive"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")

	// GET https://sheets.googleapis.com/v4/spreadsheets/{id} with the user's
	// Google Drive credential: the full URL goes in X-Paragon-Proxy-Url,
	// the path stays empty, and the query joins the URL's.
	resp, err := u.Request(context.Background(), "googledrive", "", &paragon.RequestOptions{Query: map[string][]string{"fields": {"sheets"}}},
		paragon.WithProxyURL("https://sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"))
	if err != nil {
		log.Fatal(err)
	}
	var seen struct{ Method, URL string }
	if err := resp.Decode(&seen); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, seen.Method, seen.URL)
	// Output: 200 GET https://sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms?fields=sheets
}

func ExampleUser_CreateConfiguration() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := context.Background()
	me, err := u.GetUser(ctx)
	if err != nil {
		log.Fatal(err)
	}
	credID := me.Integrations["close"].CredentialID

	// POST /sdk/credentials/{id}/configurations: a second set of settings
	// and workflows on the same Close account.
	cfg, err := u.CreateConfiguration(ctx, credID, &paragon.CreateConfigurationParams{ExternalID: "eu-team"})
	if err != nil {
		log.Fatal(err)
	}
	// Pin calls to it: this enables the workflow in it only, and App Events
	// then run only its workflows.
	pin := []paragon.CallOption{paragon.WithCredential(credID), paragon.WithConfiguration(cfg.ID)}
	if err := u.EnableWorkflow(ctx, paragontest.WorkflowCloseLookupLead, pin...); err != nil {
		log.Fatal(err)
	}
	if err := u.Event(ctx, "Deal Won", map[string]any{"amount": 1200}, pin...); err != nil {
		log.Fatal(err)
	}
	me, err = u.GetUser(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range me.Integrations["close"].AllCredentials[0].Configurations {
		fmt.Printf("%q default=%t lookup enabled=%t\n", c.ExternalID, c.IsDefault, c.WorkflowSettings[paragontest.WorkflowCloseLookupLead].Enabled)
	}

	// The default configuration can't be deleted (refused before any
	// request); others can.
	var defaultID string
	for _, c := range me.Integrations["close"].AllCredentials[0].Configurations {
		if c.IsDefault {
			defaultID = c.ID
		}
	}
	fmt.Println(errors.Is(u.DeleteConfiguration(ctx, credID, defaultID), paragon.ErrDefaultConfiguration))
	fmt.Println(u.DeleteConfiguration(ctx, credID, cfg.ID))
	// Output:
	// "" default=true lookup enabled=false
	// "eu-team" default=false lookup enabled=true
	// true
	// <nil>
}
