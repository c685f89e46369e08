package actionkit_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/actionkit"
	"github.com/paragon-go/paragon/paragontest"
)

func ExampleClient_ListTools() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "user-1", Connected: []string{"close"}}))
	defer srv.Close()
	ak := actionkit.New(srv.Client().User("user-1"))

	list, err := ak.ListTools(context.Background(), &actionkit.ListToolsParams{Integrations: []string{"close"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range list.Tools {
		fmt.Println(t.Integration, t.Name)
	}
	lead, _ := list.Tool("CLOSE_CREATE_LEAD")
	schema, err := lead.Schema()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("required:", schema.Required)
	// Output:
	// close CLOSE_CREATE_LEAD
	// close CLOSE_SEARCH_LEADS
	// close CLOSE_GET_LEAD
	// close CLOSE_EXPORT_LEADS_CSV
	// required: [name]
}

func ExampleClient_RunTool() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "user-1", Connected: []string{"close"}}))
	defer srv.Close()
	ak := actionkit.New(srv.Client().User("user-1"))
	ctx := context.Background()

	res, err := ak.RunTool(ctx, "CLOSE_CREATE_LEAD", map[string]any{"name": "Harbor Analytics"})
	if err != nil {
		log.Fatal(err)
	}
	var lead struct {
		DisplayName string `json:"display_name"`
	}
	if err := res.Decode(&lead); err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ContentType, lead.DisplayName)

	// Outputs that are not JSON come back as bytes with their content type.
	csv, err := ak.RunTool(ctx, "CLOSE_EXPORT_LEADS_CSV", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(csv.ContentType, csv.IsJSON(), len(csv.Data) > 0)
	// Output:
	// application/json Harbor Analytics
	// text/csv false true
}

func ExampleNotConnectedError() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "user-1", Connected: []string{"close"}}))
	defer srv.Close()
	ak := actionkit.New(srv.Client().User("user-1"))
	ctx := context.Background()

	// Listing every tool, unavailable ones included, teaches the client
	// which integration each tool belongs to.
	if _, err := ak.ListTools(ctx, &actionkit.ListToolsParams{IncludeUnavailable: true}); err != nil {
		log.Fatal(err)
	}
	_, err := ak.RunTool(ctx, "SLACK_SEND_MESSAGE", map[string]any{"channel": "#sales", "text": "New lead"})
	var nc *actionkit.NotConnectedError
	if errors.As(err, &nc) {
		// Send the user a Setup Link (or open the Connect Portal) for nc.Integration.
		fmt.Println("connect", nc.Integration)
	}
	fmt.Println(errors.Is(err, paragon.ErrIntegrationNotEnabled))
	// Output:
	// connect slack
	// true
}

func ExampleParseTriggerWebhook() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "user-1", Connected: []string{"close"}}))
	defer srv.Close()
	secret := srv.ActionKitSigningSecret() // Settings > ActionKit in the dashboard

	var mu sync.Mutex
	var events []*actionkit.TriggerEvent
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := actionkit.ParseTriggerWebhook(r, secret)
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()

	ctx := context.Background()
	ak := actionkit.New(srv.Client().User("user-1"))
	sub, err := ak.CreateSubscription(ctx, &actionkit.SubscriptionParams{
		Type:            "CLOSE_TRIGGER_RECORD_CREATED",
		Parameters:      map[string]any{"objectType": "lead"},
		WebhookOverride: &actionkit.WebhookOverride{URL: hook.URL, Metadata: map[string]any{"team": "west"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sub.Status)

	// The fake fires an event and delivers it, signed, in the background.
	if _, err := srv.FireTrigger("user-1", "CLOSE_TRIGGER_RECORD_CREATED", map[string]any{"id": "lead_7Hn2"}); err != nil {
		log.Fatal(err)
	}
	if _, err := srv.WaitTriggerDeliveries(ctx, 1); err != nil {
		log.Fatal(err)
	}
	mu.Lock()
	ev := events[0]
	mu.Unlock()
	var lead struct {
		ID string `json:"id"`
	}
	if err := ev.DecodePayload(&lead); err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.TriggerType, ev.TriggerSubscriptionID == sub.ID, lead.ID, ev.Metadata["team"])
	// Output:
	// ACTIVE
	// CLOSE_TRIGGER_RECORD_CREATED true lead_7Hn2 west
}

func ExampleClient_ListTriggers() {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "user-1", Connected: []string{"close"}}))
	defer srv.Close()
	ak := actionkit.New(srv.Client().User("user-1"))
	ctx := context.Background()

	cat, err := ak.ListTriggers(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range cat.Triggers {
		fmt.Println(t.Integration, t.Type, t.Model)
	}
	sub, err := ak.CreateSubscription(ctx, &actionkit.SubscriptionParams{
		Type:       "CLOSE_TRIGGER_RECORD_UPDATED",
		Parameters: map[string]any{"objectType": "opportunity"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// PATCH semantics: a nil parameter is sent as null, which removes it.
	if _, err := ak.UpdateSubscription(ctx, sub.ID, &actionkit.SubscriptionUpdate{
		Parameters: map[string]any{"objectType": "lead", "pipeline": nil},
	}); err != nil {
		log.Fatal(err)
	}
	subs, err := ak.ListSubscriptions(ctx, &actionkit.ListSubscriptionsParams{Status: actionkit.SubscriptionActive})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(subs), string(subs[0].Parameters))
	// Output:
	// close CLOSE_TRIGGER_RECORD_CREATED WEBHOOK
	// close CLOSE_TRIGGER_RECORD_UPDATED POLLING
	// 1 {"objectType":"lead"}
}
