package paragontest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

// The fake records every Request-trigger run in Task History.
func ExampleServer_TaskHistory() {
	srv := paragontest.NewServer()
	defer srv.Close()
	srv.HandleWorkflow("wf-1", func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{Status: 200, Body: map[string]any{"ok": true}}, nil
	})
	if _, err := srv.Client().User("user-1").Workflow(context.Background(), "wf-1", nil); err != nil {
		log.Fatal(err)
	}
	for _, e := range srv.TaskHistory() {
		fmt.Println(e.UserID, e.WorkflowID, e.Status)
	}
	// Output: user-1 wf-1 SUCCEEDED
}

// A Setup Link from the fake is a URL it serves: GET shows it, POST
// connects the user.
func ExampleServer_SetSetupLinksEnabled() {
	srv := paragontest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	link, err := c.Project().CreateSetupLink(ctx, &paragon.SetupLinkParams{EndUserID: "user-1", Integrations: []string{"slack"}})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := srv.HTTPClient().PostForm(link.URL(), url.Values{"integration": {"slack"}})
	if err != nil {
		log.Fatal(err)
	}
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode == http.StatusCreated)
	me, err := c.User("user-1").GetUser(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Integrations["slack"].Enabled)

	srv.SetSetupLinksEnabled(false)
	_, err = c.Project().CreateSetupLink(ctx, &paragon.SetupLinkParams{EndUserID: "user-1"})
	fmt.Println(strings.Contains(err.Error(), "56016"))
	// Output:
	// true
	// true
	// true
}
