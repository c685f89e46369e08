package paragontest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

func Example() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{
		ID: "user-1", Connected: []string{"close"},
	}))
	defer srv.Close()

	u := srv.Client().User("user-1")
	me, err := u.GetUser(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Authenticated, me.Integrations["close"].Enabled, me.Integrations["slack"].Enabled)
	// Output: true true false
}

func ExampleServer_Events() {
	srv := paragontest.NewServer()
	defer srv.Close()

	u := srv.Client().User("user-1")
	if err := u.Event(context.Background(), "Contact Created", map[string]any{"email": "ada@example.com"}); err != nil {
		log.Fatal(err)
	}
	for _, e := range srv.Events() {
		fmt.Println(e.UserID, e.Name, string(e.Payload))
	}
	// Output: user-1 Contact Created {"email":"ada@example.com"}
}

func ExampleServer_HandleWorkflow() {
	srv := paragontest.NewServer()
	defer srv.Close()
	// A workflow of no integration is enabled for every user.
	srv.HandleWorkflow("lookup", func(_ context.Context, req paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{Status: http.StatusOK, Body: map[string]string{"hello": req.UserID}}, nil
	})

	resp, err := srv.Client().User("user-1").Workflow(context.Background(), "lookup", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, string(resp.Body))
	// Output: 200 {"hello":"user-1"}
}

func ExampleServer_CloseCRM() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "user-1", Connected: []string{"close"}}))
	defer srv.Close()
	lead, err := srv.CloseCRM().CreateLead(map[string]any{"name": "Acme", "contacts": []any{map[string]any{"name": "Ada"}}})
	if err != nil {
		log.Fatal(err)
	}

	// The user reads it through Paragon's proxy.
	var got struct {
		DisplayName string `json:"display_name"`
		Contacts    []struct {
			Name string `json:"name"`
		} `json:"contacts"`
	}
	resp, err := srv.Client().User("user-1").Request(context.Background(), "close", "/lead/"+lead["id"].(string)+"/", nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := resp.Decode(&got); err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.DisplayName, got.Contacts[0].Name)
	// Output: Acme Ada
}

func ExampleServer_FailNext() {
	srv := paragontest.NewServer()
	defer srv.Close()
	u := srv.Client(paragon.WithMaxRetries(0)).User("user-1")

	srv.FailNext(1, http.StatusServiceUnavailable)
	_, err := u.GetUser(context.Background())
	var perr *paragon.Error
	fmt.Println(errors.As(err, &perr), perr.StatusCode)

	_, err = u.GetUser(context.Background())
	fmt.Println(err)
	// Output:
	// true 503
	// <nil>
}

func ExampleNewCloseCRM() {
	crm := paragontest.NewCloseCRM()
	ts := httptest.NewServer(crm) // a fake https://api.close.com/api/v1
	defer ts.Close()

	resp, err := ts.Client().Post(ts.URL+"/opportunity/", "application/json", strings.NewReader(`{"lead_id": "lead_missing", "value": 100}`))
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		FieldErrors map[string]string `json:"field-errors"`
	}
	_ = json.Unmarshal(body, &e)
	fmt.Println(resp.StatusCode, e.FieldErrors["lead"])
	// Output: 400 Object does not exist.
}

func ExampleStart() {
	// Start returns an error instead of panicking on a bad option.
	_, err := paragontest.Start(paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"hubspot"}}))
	fmt.Println(err)

	srv, err := paragontest.Start(paragontest.WithProjectID("proj-dev"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	fmt.Println(srv.ProjectID())
	// Output:
	// paragontest: AddUser "u": the project has no integration "hubspot"
	// proj-dev
}

func ExampleServer_AddWorkflow() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "user-1", Connected: []string{"close"}}))
	defer srv.Close()
	// A workflow of the Close integration, so that the browser SDK sees it
	// and can trigger it, with its Response step's answer.
	if err := srv.AddWorkflow("close", paragontest.Workflow{ID: "wf-score", Description: "Score a lead", DefaultEnabled: true}); err != nil {
		log.Fatal(err)
	}
	srv.HandleWorkflow("wf-score", func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{Status: http.StatusOK, Body: map[string]int{"score": 87}}, nil
	})

	resp, err := srv.Client().User("user-1").Workflow(context.Background(), "wf-score", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, string(resp.Body))
	// Output: 200 {"score":87}
}

func ExampleServer_BrowserOverrides() {
	srv := paragontest.NewServer()
	defer srv.Close()
	// The second argument of configureGlobal in @useparagon/connect.
	overrides, err := json.Marshal(srv.BrowserOverrides())
	if err != nil {
		log.Fatal(err)
	}
	script := fmt.Sprintf("paragon.configureGlobal({host: %q}, %s);", "paragon.invalid", overrides)
	fmt.Println(strings.Contains(script, `"ZEUS_PUBLIC_URL":"`+srv.URL()+`"`))
	// Output: true
}

func ExampleNewActionKitWebhookRequest() {
	body := []byte(`{"eventId":"evt_1","userId":"user-1","integration":"close","payload":{"id":"lead_1"}}`)
	req, err := paragontest.NewActionKitWebhookRequest(context.Background(), "https://app.example/hooks/paragon", "whsec_test", body)
	if err != nil {
		log.Fatal(err)
	}
	// Your handler verifies it as it verifies Paragon's deliveries.
	payload, err := io.ReadAll(req.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(paragon.VerifyWebhookSignature("whsec_test", payload, req.Header.Get(paragon.HeaderSignature)))
	// Output: <nil>
}
