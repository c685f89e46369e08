package close_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/paragon-go/paragon"
	closecrm "github.com/paragon-go/paragon/close"
	"github.com/paragon-go/paragon/paragontest"
)

// newExampleServer starts an offline fake Paragon whose user "user-1" has
// Close connected. In production, use paragon.NewClient with your project's
// signing key instead.
func newExampleServer() *paragontest.Server {
	return paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "user-1", Connected: []string{"close"}}))
}

func ExampleLeadsService_Create() {
	srv := newExampleServer()
	defer srv.Close()
	ctx := context.Background()
	crm := closecrm.New(srv.Client().User("user-1"))

	lead, err := crm.Leads.Create(ctx, &closecrm.Lead{
		Name: closecrm.Set("Harbor Analytics"),
		URL:  closecrm.Set("https://harbor-analytics.example"),
		Contacts: []closecrm.Contact{
			{Name: closecrm.Set("Priya Natarajan"), Title: closecrm.Set("Head of Operations"),
				Emails: []closecrm.ContactEmail{{Email: "priya@harbor-analytics.example", Type: "office"}}},
			{Name: closecrm.Set("Tomás Ruiz"), Title: closecrm.Set("CFO"),
				Phones: []closecrm.ContactPhone{{Phone: "+14155550188", Type: "office"}}},
		},
		Custom: map[string]any{"cf_source": "Inbound"},
	})
	if err != nil {
		log.Fatal(err)
	}
	source, _ := lead.CustomString("cf_source")
	fmt.Println(lead.Name, "from", source)
	for _, c := range lead.Contacts {
		fmt.Printf("%s (%s), on this lead: %v\n", c.Name, c.Title, c.LeadID == lead.ID)
	}
	// Output:
	// Harbor Analytics from Inbound
	// Priya Natarajan (Head of Operations), on this lead: true
	// Tomás Ruiz (CFO), on this lead: true
}

func ExampleContactsService_List() {
	srv := newExampleServer()
	defer srv.Close()
	ctx := context.Background()
	crm := closecrm.New(srv.Client().User("user-1"), closecrm.WithPageSize(2)) // small pages, to show paging

	lead, err := crm.Leads.Create(ctx, &closecrm.Lead{Name: closecrm.Set("Acme"), Contacts: []closecrm.Contact{
		{Name: closecrm.Set("Ada")}, {Name: closecrm.Set("Grace")}, {Name: closecrm.Set("Linus")},
	}})
	if err != nil {
		log.Fatal(err)
	}
	// List pages lazily with _skip/_limit; break stops paging.
	for c, err := range crm.Contacts.List(ctx, &closecrm.ContactListParams{LeadID: lead.ID}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.Name)
	}
	// Output:
	// Ada
	// Grace
	// Linus
}

func ExampleOpportunitiesService_List() {
	srv := newExampleServer()
	defer srv.Close()
	ctx := context.Background()
	crm := closecrm.New(srv.Client().User("user-1"))

	// Some deals to find: two won today, one still open.
	lead, err := crm.Leads.Create(ctx, &closecrm.Lead{Name: closecrm.Set("Acme")})
	if err != nil {
		log.Fatal(err)
	}
	today := closecrm.DateOf(time.Now())
	for _, o := range []closecrm.Opportunity{
		{StatusID: paragontest.CloseOpportunityStatusWon, Value: closecrm.Set[int64](1250000), ValuePeriod: closecrm.Annual, DateWon: today},
		{StatusID: paragontest.CloseOpportunityStatusWon, Value: closecrm.Set[int64](49900), ValuePeriod: closecrm.Monthly, DateWon: today},
		{StatusID: paragontest.CloseOpportunityStatusActive, Value: closecrm.Set[int64](300000), ValuePeriod: closecrm.OneTime},
	} {
		o.LeadID = lead.ID
		if _, err := crm.Opportunities.Create(ctx, &o); err != nil {
			log.Fatal(err)
		}
	}

	// Won this quarter: status_type=won and date_won within the quarter.
	now := time.Now()
	start := closecrm.NewDate(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1)
	end := closecrm.NewDate(start.Year, start.Month+3, 1)
	var annualized int64
	for o, err := range crm.Opportunities.List(ctx, &closecrm.OpportunityListParams{
		StatusType: closecrm.StatusWon,
		DateWon:    closecrm.DateRange{Gte: start, Lt: end},
		OrderBy:    "-value",
	}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d cents, %s\n", o.StatusType, o.Value, o.ValuePeriod)
		annualized += o.AnnualizedValue.Or(0)
	}
	fmt.Printf("annualized: $%d\n", annualized/100)
	// Output:
	// won: 1250000 cents, annual
	// won: 49900 cents, monthly
	// annualized: $18488
}

func ExampleError() {
	srv := newExampleServer()
	defer srv.Close()
	crm := closecrm.New(srv.Client().User("user-1"))

	_, err := crm.Leads.Get(context.Background(), "lead_doesnotexist")
	fmt.Println(errors.Is(err, closecrm.ErrNotFound), errors.Is(err, paragon.ErrNotFound))
	var ce *closecrm.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.StatusCode, ce.Message)
	}

	// Paragon's own errors stay *paragon.Error: this user never connected Close.
	_, err = closecrm.New(srv.Client().User("user-2")).Leads.Get(context.Background(), "lead_1")
	fmt.Println(errors.Is(err, paragon.ErrIntegrationNotEnabled))
	// Output:
	// true true
	// 404 Empty query: Lead matching query does not exist.
	// true
}

func ExampleParseWebhook() {
	key := "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0b" // signature_key of the subscription
	body := []byte(`{"subscription_id": "whsub_1", "event": {"id": "ev_1", "object_type": "lead",
		"action": "updated", "object_id": "lead_1", "changed_fields": ["status_id"],
		"date_created": "2025-10-01T17:45:03.112000", "date_updated": "2025-10-01T17:45:03.112000",
		"data": {"id": "lead_1", "name": "Acme", "status_label": "Customer"}}}`)

	// What Close sends: close-sig-hash over close-sig-timestamp + body.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	k, _ := hex.DecodeString(key)
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte(ts))
	mac.Write(body)
	r := httptest.NewRequest(http.MethodPost, "/hooks/close", bytes.NewReader(body))
	r.Header.Set("close-sig-timestamp", ts)
	r.Header.Set("close-sig-hash", hex.EncodeToString(mac.Sum(nil)))

	// In an http.Handler:
	ev, err := closecrm.ParseWebhook(r, key, nil)
	if errors.Is(err, closecrm.ErrInvalidSignature) {
		fmt.Println("reject with 401")
		return
	} else if err != nil {
		log.Fatal(err)
	}
	lead, err := ev.Event.DecodeLead()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Event.ObjectType, ev.Event.Action, ev.Event.ChangedFields, lead.Name, lead.StatusLabel)
	fmt.Println(ev.Event.DateCreated.Format(time.RFC3339Nano))
	// Output:
	// lead updated [status_id] Acme Customer
	// 2025-10-01T17:45:03.112Z
}

func ExampleClient_Search() {
	srv := newExampleServer()
	defer srv.Close()
	ctx := context.Background()
	crm := closecrm.New(srv.Client().User("user-1"))
	if _, err := crm.Leads.Create(ctx, &closecrm.Lead{Name: closecrm.Set("Acme"), Contacts: []closecrm.Contact{
		{Name: closecrm.Set("Lena Park"), Title: closecrm.Set("Co-founder")}, {Name: closecrm.Set("Sam Lee"), Title: closecrm.Set("Engineer")},
	}}); err != nil {
		log.Fatal(err)
	}

	q := closecrm.And(
		closecrm.ObjectType("contact"),
		closecrm.FieldCondition(closecrm.RegularField("contact", "title"), closecrm.TextCondition("founder", closecrm.Phrase)),
	)
	for r, err := range crm.Search(ctx, &closecrm.SearchParams{
		Query:  q,
		Fields: map[string][]string{"contact": {"id", "name", "title"}},
		Sort:   []closecrm.SearchSort{{Direction: closecrm.Ascending, Field: closecrm.RegularField("contact", "date_created")}},
	}) {
		if err != nil {
			log.Fatal(err)
		}
		c, err := r.Contact()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.Name, "-", c.Title)
	}
	// Output:
	// Lena Park - Co-founder
}
