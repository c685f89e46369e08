package paragon_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

// The examples run against paragontest, an in-memory Paragon; with a real
// project, build the client with paragon.NewClient(projectID,
// paragon.WithSigningKey(pem)) or paragon.NewClientFromEnv().

func ExampleNewClient() {
	srv := paragontest.NewServer()
	defer srv.Close()

	c, err := paragon.NewClient(srv.ProjectID(),
		paragon.WithSigningKey(srv.SigningKeyPEM()),
		paragon.WithHTTPClient(srv.HTTPClient()),
		paragon.WithBaseURL(paragon.ServiceAPI, srv.URL()),
		paragon.WithBaseURL(paragon.ServiceEvents, srv.URL()),
		paragon.WithBaseURL(paragon.ServiceProxy, srv.URL()),
	)
	if err != nil {
		log.Fatal(err)
	}
	me, err := c.User("acct-1042").GetUser(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Authenticated, me.UserID)
	// Output: true acct-1042
}

func ExampleNewClient_invalidKey() {
	_, err := paragon.NewClient("4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3", paragon.WithSigningKey([]byte("not a key")))
	fmt.Println(errors.Is(err, paragon.ErrInvalidInput))
	// Output: true
}

func ExampleClient_SignUserToken() {
	srv := paragontest.NewServer()
	defer srv.Close()
	c := srv.Client()

	// Hand the token to the browser SDK's paragon.authenticate(). It is a
	// secret: don't log it.
	tok, err := c.SignUserToken("acct-1042", paragon.WithPermissions(map[string]any{"integration:close": true}))
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.Authenticate(context.Background(), tok)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.ID())
	// Output: acct-1042
}

func ExampleUser_GetUser() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()

	me, err := srv.Client().User("acct-1042").GetUser(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	cl := me.Integrations["close"]
	fmt.Println(me.Authenticated, cl.Enabled, cl.CredentialStatus)
	// Output: true true VALID
}

func ExampleUser_SetUserMetadata() {
	srv := paragontest.NewServer()
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := context.Background()

	if err := u.SetUserMetadata(ctx, map[string]any{"Name": "Dana Ortiz", "Email": "dana@example.org"}); err != nil {
		log.Fatal(err)
	}
	me, err := u.GetUser(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Meta["Name"])
	// Output: Dana Ortiz
}

func ExampleUser_Event() {
	srv := paragontest.NewServer()
	defer srv.Close()

	err := srv.Client().User("acct-1042").Event(context.Background(), "Contact Created",
		map[string]any{"email": "ada@example.org"})
	if err != nil {
		log.Fatal(err)
	}
	ev := srv.Events()[0]
	fmt.Println(ev.Name, string(ev.Payload))
	// Output: Contact Created {"email":"ada@example.org"}
}

func ExampleUser_Workflow() {
	srv := paragontest.NewServer()
	defer srv.Close()
	srv.HandleWorkflow("wf-lookup", func(_ context.Context, req paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{Status: 200, Body: map[string]any{"found": true, "user": req.UserID}}, nil
	})

	res, err := srv.Client().User("acct-1042").Workflow(context.Background(), "wf-lookup",
		&paragon.WorkflowParams{Body: map[string]any{"email": "ada@example.org"}})
	if err != nil {
		log.Fatal(err)
	}
	var out struct {
		Found bool   `json:"found"`
		User  string `json:"user"`
	}
	if err := res.Decode(&out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.StatusCode, out.Found, out.User)
	// Output: 200 true acct-1042
}

func ExampleUser_Request() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := context.Background()

	// POST /lead/ on Close, through Paragon's proxy.
	resp, err := u.Request(ctx, "close", "/lead/", &paragon.RequestOptions{
		Method: "POST",
		Body:   map[string]any{"name": "Harbor Analytics"},
	})
	if err != nil {
		log.Fatal(err)
	}
	var lead struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := resp.Decode(&lead); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, lead.Name)
	// Output: 200 Harbor Analytics
}

func ExampleRequestJSON() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")

	type page struct {
		Data    []map[string]any `json:"data"`
		HasMore bool             `json:"has_more"`
	}
	p, err := paragon.RequestJSON[page](context.Background(), u, "close", "/lead/?_limit=10", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(p.Data), p.HasMore)
	// Output: 0 false
}

func ExampleUser_UninstallIntegration() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	u := srv.Client().User("acct-1042")
	ctx := context.Background()

	if err := u.UninstallIntegration(ctx, "close"); err != nil {
		log.Fatal(err)
	}
	me, err := u.GetUser(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Integrations["close"].Enabled)

	err = u.UninstallIntegration(ctx, "zendesk")
	fmt.Println(errors.Is(err, paragon.ErrIntegrationNotFound))
	// Output:
	// false
	// true
}

func ExampleClient_Subscribe() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "acct-1042", Connected: []string{"close"}}))
	defer srv.Close()
	c := srv.Client()

	changes := make(chan paragon.SDKEvent, 1)
	unsubscribe := c.Subscribe(paragon.EventWorkflowChange, func(e paragon.SDKEvent) { changes <- e })
	defer unsubscribe()

	if err := c.User("acct-1042").DisableWorkflow(context.Background(), paragontest.WorkflowCloseSyncLeads); err != nil {
		log.Fatal(err)
	}
	e := <-changes
	fmt.Println(e.Type, e.UserID, e.Enabled)
	// Output: onWorkflowChange acct-1042 false
}

// Failed calls return a *paragon.Error that matches sentinels with errors.Is.
func Example_errors() {
	srv := paragontest.NewServer() // acct-7 has not connected Close
	defer srv.Close()
	u := srv.Client().User("acct-7")

	_, err := u.Request(context.Background(), "close", "/lead/", nil)
	var pe *paragon.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.StatusCode, pe.Message)
	}
	fmt.Println(errors.Is(err, paragon.ErrIntegrationNotEnabled))

	_, err = u.Request(context.Background(), "close", "/lead/../../sdk/me", nil)
	fmt.Println(errors.Is(err, paragon.ErrInvalidInput))
	// Output:
	// 404 Integration not enabled for user.
	// true
	// true
}
