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
