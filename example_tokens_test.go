package paragon_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

// The EU cloud: every host Paragon documents for it is set, and a service
// it documents none for fails before any request.
func ExampleWithRegion() {
	c, err := paragon.NewClient("4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3",
		paragon.WithRegion(paragon.RegionEU), paragon.WithAPIKey("api_key_example"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.BaseURL(paragon.ServiceAPI))
	fmt.Println(c.BaseURL(paragon.ServiceAgentOS))
	fmt.Println(c.Audience())

	// Paragon documents no EU ActionKit host: the call fails before any I/O.
	_, err = c.Project().Call(context.Background(), paragon.ServiceActionKit, "GET", "/projects/"+c.ProjectID()+"/tools", nil)
	fmt.Println(errors.Is(err, paragon.ErrNoHost))
	// Output:
	// https://zeus.eu.paragon.so
	// https://agentos.eu.paragon.so
	// eu.paragon.so/4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3
	// true
}

// An on-prem installation: hosts and aud follow the base domain.
func ExampleWithHost() {
	c, err := paragon.NewClient("4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3", paragon.WithHost("paragon.example.com"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.BaseURL(paragon.ServiceAPI))
	fmt.Println(c.BaseURL(paragon.ServiceActionKit))
	fmt.Println(c.BaseURL(paragon.ServiceManagedSync))
	fmt.Println(c.Audience())
	// Output:
	// https://zeus.paragon.example.com
	// https://worker-actionkit.paragon.example.com
	// https://ms-sync.paragon.example.com
	// paragon.example.com/4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3
}

// A least-privilege token: one integration for everything, writes on
// credentials, Slack blocked.
func ExampleNewPermissions() {
	srv := paragontest.NewServer()
	defer srv.Close()
	c := srv.Client()

	perms := paragon.NewPermissions().
		Allow(paragon.IntegrationScope("salesforce")).
		Allow(paragon.AllCredentials, paragon.PermissionCredentialWrite).
		Block(paragon.IntegrationScope("slack"))
	tok, err := c.SignUserToken("user-1", paragon.WithPermissions(perms))
	if err != nil {
		log.Fatal(err)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	var claims map[string]json.RawMessage
	_ = json.Unmarshal(payload, &claims)
	fmt.Println(string(claims["urn:useparagon:connect:permissions"]))

	// A user handle with the same options signs and caches such tokens.
	me, err := c.User("user-1", paragon.WithPermissions(perms)).GetUser(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Authenticated)
	// Output:
	// {"credential:*":["credential:write"],"integration:salesforce":true,"integration:slack":false}
	// true
}

// A token endpoint tells the browser when to ask again.
func ExampleClient_IssueUserToken() {
	srv := paragontest.NewServer()
	defer srv.Close()

	tok, err := srv.Client().IssueUserToken("user-1", paragon.WithTokenDuration(15*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"token": tok.Value(), "expiresAt": tok.ExpiresAt})
	fmt.Println(len(body) > 0, tok.ExpiresAt.Sub(tok.IssuedAt))
	fmt.Println(strings.Contains(fmt.Sprint(tok), tok.Value())) // printing never shows the token
	// Output:
	// true 15m30s
	// false
}

// Task History: list a user's failed runs with the project API key, then
// look at one run's steps.
func ExampleProject_ListWorkflowExecutions() {
	srv := paragontest.NewServer()
	defer srv.Close()
	srv.HandleWorkflow("wf-sync", func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{}, errors.New("upstream refused")
	})
	c := srv.Client() // configured with the fake's API key (paragon.WithAPIKey)
	ctx := context.Background()
	_, _ = c.User("user-1").Workflow(ctx, "wf-sync", nil)

	p := c.Project()
	for e, err := range p.ListWorkflowExecutions(ctx, &paragon.WorkflowExecutionListParams{
		UserID: "user-1", Status: paragon.ExecutionFailed,
	}) {
		if err != nil {
			log.Fatal(err)
		}
		full, err := p.GetWorkflowExecution(ctx, e.ID)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.WorkflowID, e.Status, len(full.StepExecutions))
	}
	// Output:
	// wf-sync FAILED 2
}

// A Setup Link, made with the project API key, for a user to connect
// Slack without the browser SDK.
func ExampleProject_CreateSetupLink() {
	srv := paragontest.NewServer()
	defer srv.Close()

	link, err := srv.Client().Project().CreateSetupLink(context.Background(), &paragon.SetupLinkParams{
		EndUserID:    "user-1",
		Integrations: []string{"slack"},
		ExpiresIn:    30 * time.Minute,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(link.URL(), srv.URL())) // send link.URL() to the user
	fmt.Println(strings.Contains(fmt.Sprint(link), link.URL()))
	// Output:
	// true
	// false
}
