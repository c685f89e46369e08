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
	"github.com/paragon-go/paragon/close"
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
	crm := close.New(srv.Client().User("user-1"))

	lead, err := crm.Leads.Create(ctx, &close.Lead{
		Name: close.Set("Harbor Analytics"),
		URL:  close.Set("https://harbor-analytics.example"),
		Contacts: []close.Contact{
			{Name: close.Set("Priya Natarajan"), Title: close.Set("Head of Operations"),
				Emails: []close.ContactEmail{{Email: "priya@harbor-analytics.example", Type: "office"}}},
			{Name: close.Set("Tomás Ruiz"), Title: close.Set("CFO"),
				Phones: []close.ContactPhone{{Phone: "+14155550188", Type: "office"}}},
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
	crm := close.New(srv.Client().User("user-1"), close.WithPageSize(2)) // small pages, to show paging

	lead, err := crm.Leads.Create(ctx, &close.Lead{Name: close.Set("Acme"), Contacts: []close.Contact{
		{Name: close.Set("Ada")}, {Name: close.Set("Grace")}, {Name: close.Set("Linus")},
	}})
	if err != nil {
		log.Fatal(err)
	}
	// List pages lazily with _skip/_limit; break stops paging.
	for c, err := range crm.Contacts.List(ctx, &close.ContactListParams{LeadID: lead.ID}) {
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
	crm := close.New(srv.Client().User("user-1"))

	// Some deals to find: two won today, one still open.
	lead, err := crm.Leads.Create(ctx, &close.Lead{Name: close.Set("Acme")})
	if err != nil {
		log.Fatal(err)
	}
	today := close.DateOf(time.Now())
	for _, o := range []close.Opportunity{
		{StatusID: paragontest.CloseOpportunityStatusWon, Value: close.Set[int64](1250000), ValuePeriod: close.Annual, DateWon: today},
		{StatusID: paragontest.CloseOpportunityStatusWon, Value: close.Set[int64](49900), ValuePeriod: close.Monthly, DateWon: today},
		{StatusID: paragontest.CloseOpportunityStatusActive, Value: close.Set[int64](300000), ValuePeriod: close.OneTime},
	} {
		o.LeadID = lead.ID
		if _, err := crm.Opportunities.Create(ctx, &o); err != nil {
			log.Fatal(err)
		}
	}

	// Won this quarter: status_type=won and date_won within the quarter.
	now := time.Now()
	start := close.NewDate(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1)
	end := close.NewDate(start.Year, start.Month+3, 1)
	var annualized int64
	for o, err := range crm.Opportunities.List(ctx, &close.OpportunityListParams{
		StatusType: close.StatusWon,
		DateWon:    close.DateRange{Gte: start, Lt: end},
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
	crm := close.New(srv.Client().User("user-1"))

	_, err := crm.Leads.Get(context.Background(), "lead_doesnotexist")
	fmt.Println(errors.Is(err, close.ErrNotFound), errors.Is(err, paragon.ErrNotFound))
	var ce *close.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.StatusCode, ce.Message)
	}

	// Paragon's own errors stay *paragon.Error: this user never connected Close.
	_, err = close.New(srv.Client().User("user-2")).Leads.Get(context.Background(), "lead_1")
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
	ev, err := close.ParseWebhook(r, key, nil)
	if errors.Is(err, close.ErrInvalidSignature) {
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
	crm := close.New(srv.Client().User("user-1"))
	if _, err := crm.Leads.Create(ctx, &close.Lead{Name: close.Set("Acme"), Contacts: []close.Contact{
		{Name: close.Set("Lena Park"), Title: close.Set("Co-founder")}, {Name: close.Set("Sam Lee"), Title: close.Set("Engineer")},
	}}); err != nil {
		log.Fatal(err)
	}

	q := close.And(
		close.ObjectType("contact"),
		close.FieldCondition(close.RegularField("contact", "title"), close.TextCondition("founder", close.Phrase)),
	)
	for r, err := range crm.Search(ctx, &close.SearchParams{
		Query:  q,
		Fields: map[string][]string{"contact": {"id", "name", "title"}},
		Sort:   []close.SearchSort{{Direction: close.Ascending, Field: close.RegularField("contact", "date_created")}},
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
