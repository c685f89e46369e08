package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

// The benchmarks in this file compare the SDK with the code a good engineer
// writes by hand when they need only a few fields: read the body into a
// buffer of exactly the declared size and make one json.Unmarshal call into
// a struct of just the fields the program uses. Unlike the "raw" baselines
// elsewhere in this package, which decode into the SDK's own types (and so
// pay the SDK's UnmarshalJSON methods too), these show what the SDK's
// convenience costs.

// realLeadJSON returns one Close lead shaped like the leads of a real
// account's list page (about 2 KB): two contacts with emails and phones as
// Close renders them (phone_formatted, country, tz_ids …), an opportunity,
// an address, four custom fields and the bookkeeping fields.
func realLeadJSON(i int) string {
	id := fmt.Sprintf("lead_%040d", i)
	n := strconv.Itoa(i)
	contact := func(c string, name, title, email, phone string) string {
		return `{"id":"cont_` + c + n + `","lead_id":"` + id + `","organization_id":"orga_Wq3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc",` +
			`"name":"` + name + `","title":"` + title + `","display_name":"` + name + `",` +
			`"emails":[{"email":"` + email + `","type":"office","is_unsubscribed":false}],` +
			`"phones":[{"phone":"` + phone + `","phone_formatted":"+1 415-555-0143","type":"mobile","country":"US","tz_ids":["America/Los_Angeles"],"outbound_sms_blocked":false}],` +
			`"urls":[],"integration_links":[],"date_created":"2025-09-04T14:22:09.518000+00:00","date_updated":"2025-09-04T14:22:09.518000+00:00",` +
			`"created_by":"user_Mn4Bv6Cx8Zl0Kj2Hg4Fd6Sa8Po0Iu2Yt","updated_by":"user_Mn4Bv6Cx8Zl0Kj2Hg4Fd6Sa8Po0Iu2Yt"}`
	}
	return `{"id":"` + id + `","name":"Harbor Analytics ` + n + `","display_name":"Harbor Analytics ` + n + `",` +
		`"url":"https://harbor-analytics.example","description":"Logistics data platform, 40 seats",` +
		`"status_id":"stat_Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9Pz0Xc","status_label":"Qualified",` +
		`"html_url":"https://app.close.com/lead/` + id + `/","organization_id":"orga_Wq3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc",` +
		`"contact_ids":["cont_a` + n + `","cont_b` + n + `"],` +
		`"contacts":[` + contact("a", "Priya Natarajan", "Head of Operations", "priya@harbor-analytics.example", "+14155550143") + `,` +
		contact("b", "Tomás Ruiz", "CFO", "tomas@harbor-analytics.example", "+14155550188") + `],` +
		`"opportunities":[{"id":"oppo_` + n + `","lead_id":"` + id + `","status_id":"stat_Lk9Jh7Gf5Ds3Aa1Zx9Cv7Bn5Mm3Qw1Er","status_label":"Proposal",` +
		`"status_type":"active","value":1250000,"value_period":"annual","value_currency":"USD","confidence":40,"expected_value":500000,` +
		`"annualized_value":1250000,"annualized_expected_value":500000,"note":"Annual plan, 40 seats","date_won":null,"date_lost":null,` +
		`"user_id":"user_Mn4Bv6Cx8Zl0Kj2Hg4Fd6Sa8Po0Iu2Yt","date_created":"2025-09-05T09:01:12.300000+00:00","date_updated":"2025-09-05T09:01:12.300000+00:00"}],` +
		`"tasks":[],"addresses":[{"label":"business","address_1":"12 Pier Rd","address_2":null,"city":"Oakland","state":"CA","zipcode":"94607","country":"US","tz_ids":["America/Los_Angeles"]}],` +
		`"integration_links":[],"date_created":"2025-09-04T14:20:51.004000+00:00","date_updated":"2025-09-04T14:20:51.004000+00:00",` +
		`"created_by":"user_Mn4Bv6Cx8Zl0Kj2Hg4Fd6Sa8Po0Iu2Yt","updated_by":"user_Mn4Bv6Cx8Zl0Kj2Hg4Fd6Sa8Po0Iu2Yt",` +
		`"custom.cf_Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv":"Inbound","custom.cf_Po9Iu7Yt5Re3Ww1Qa9Ss7Dd5Ff3Gg1Hh":"2026-Q1",` +
		`"custom.cf_Z7mK2pQ9rT4vX1bN8cD3eF5gH6jK0lM2":42,"custom.cf_Tg8Hy6Ju4Ki2Lo0Pm9Nb7Vc5Xz3As1Qw":["webinar-2025","trade-show"]}`
}

// realLeadsHandler is leadsHandler with realLeadJSON's leads.
func realLeadsHandler(total int) (http.Handler, int) {
	return pagesHandler(total, realLeadJSON, false)
}

// leanLead holds what a typical sync program reads of a lead.
type leanLead struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	StatusLabel string `json:"status_label"`
	DateUpdated string `json:"date_updated"`
	Contacts    []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Emails []struct {
			Email string `json:"email"`
		} `json:"emails"`
	} `json:"contacts"`
	Opportunities []struct {
		ID    string `json:"id"`
		Value *int64 `json:"value"`
	} `json:"opportunities"`
	Source string `json:"custom.cf_Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv"`
}

// readExact reads a response body into a buffer of its declared size.
func readExact(resp *http.Response) ([]byte, error) {
	defer func() { _ = resp.Body.Close() }()
	if resp.ContentLength >= 0 {
		b := make([]byte, resp.ContentLength)
		_, err := io.ReadFull(resp.Body, b)
		return b, err
	}
	return io.ReadAll(resp.Body)
}

// leanGet is a hand-written GET: the body read into a buffer of its
// declared size, anything but 200 an error.
func leanGet(ctx context.Context, hc *http.Client, url, bearer string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", bearer)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := readExact(resp)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return body, nil
}

// leanListLeads is the lean hand-written page loop.
func leanListLeads(ctx context.Context, hc *http.Client, url, bearer string, each func(*leanLead)) error {
	for skip := 0; ; skip += pageSize {
		body, err := leanGet(ctx, hc, url+"?_limit="+strconv.Itoa(pageSize)+"&_skip="+strconv.Itoa(skip), bearer)
		if err != nil {
			return err
		}
		var env struct {
			Output struct {
				Data    []leanLead `json:"data"`
				HasMore bool       `json:"has_more"`
			} `json:"output"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return err
		}
		for i := range env.Output.Data {
			each(&env.Output.Data[i])
		}
		if !env.Output.HasMore {
			return nil
		}
	}
}

// BenchmarkCloseListLean lists 5,000 realistic leads (about 2 KB each)
// with Leads.List, which keeps every field, Raw and Custom, against
// leanListLeads. Metrics: ns/lead, B/lead and allocs/lead.
func BenchmarkCloseListLean(b *testing.B) {
	const total = 5_000
	h, pageBytes := realLeadsHandler(total)
	srv := newServer(b, h)
	c := newSDK(b, srv)
	tok, err := c.SignUserToken("user-1")
	require.NoError(b, err)
	hc := newRawClient(b)
	url := srv.URL + "/projects/" + projectID + "/sdk/proxy/close/lead/"
	crm := close.New(c.User("user-1"))
	_, err = crm.Leads.ListPage(b.Context(), nil)
	require.NoError(b, err)

	perLead := func(b *testing.B, listAll func() (int, error)) {
		b.ReportAllocs()
		var cpu cpuMeter
		cpu.start()
		for b.Loop() {
			n, err := listAll()
			if err != nil || n != total {
				b.Fatalf("listed %d of %d leads: %v", n, total, err)
			}
		}
		cpu.stop()
		cpu.report(b, b.N*total)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/lead")
		b.ReportMetric(float64(pageBytes)/pageSize, "wire-B/lead")
	}
	compare(b, impl{"lean", func(b *testing.B) {
		perLead(b, func() (int, error) {
			n := 0
			err := leanListLeads(b.Context(), hc, url, "Bearer "+tok, func(l *leanLead) {
				if l.ID != "" {
					n++
				}
			})
			return n, err
		})
	}}, impl{"sdk", func(b *testing.B) {
		perLead(b, func() (int, error) {
			n := 0
			for l, err := range crm.Leads.List(b.Context(), nil) {
				if err != nil {
					return n, err
				}
				if l.ID != "" {
					n++
				}
			}
			return n, nil
		})
	}})
}

// fullUserJSON is GET /sdk/me for a user of a project with four
// integrations, shaped as paragon-api.md §5.1 shows it: two connected (one
// with two accounts and two configurations), two never connected.
var fullUserJSON = func() string {
	cred := func(id, cfg string) string {
		return `{"id":"` + id + `","projectId":"4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3","integrationId":"2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9",` +
			`"personaId":"71d3c5b9-8e2a-4f60-b1c4-d7e9f0a2b3c5","status":"VALID","providerId":"user_8kQ2xLmN","providerData":{},` +
			`"isPreviewCredential":false,"refreshFailureCount":0,"dateCreated":"2025-05-11T08:02:44.310Z","dateUpdated":"2025-05-11T08:03:01.902Z",` +
			`"dateRefreshed":"2025-05-11T08:02:44.310Z","configurations":[{"id":"` + cfg + `","connectCredentialId":"` + id + `","isDefault":true,` +
			`"sharedSettings":{"pipeline":"pipe_Sales"},"workflowSettings":{"f3a9d6e2-1b2c-4d5e-8f90-a1b2c3d4e5f6":{"enabled":true,"settings":{}}},` +
			`"configMeta":{},"dateCreated":"2025-05-11T08:02:44.310Z","dateUpdated":"2025-05-11T08:03:01.902Z"}]}`
	}
	connected := func(credID, creds string) string {
		return `{"enabled":true,"credentialStatus":"VALID","credentialId":"` + credID + `","providerId":"user_8kQ2xLmN","providerData":{},` +
			`"configuredWorkflows":{"f3a9d6e2-1b2c-4d5e-8f90-a1b2c3d4e5f6":{"enabled":true,"settings":{}}},"allCredentials":[` + creds + `]}`
	}
	return `{"authenticated":true,"userId":"acct-1042","meta":{"Name":"Dana Ortiz","Email":"dana@example.org","tier":"growth"},"integrations":{` +
		`"close":` + connected("b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10", cred("b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10", "0c9e8d7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f")+","+
		cred("c8f1d2e3-6b55-4a8f-8b12-7d4f3e9a0c21", "1d0f9e8a-7b6c-4d5e-3f2a-1b0c9d8e7f6a")) + `,` +
		`"slack":` + connected("d9a2e3f4-7c66-4b9a-9c23-8e5a4f0b1d32", cred("d9a2e3f4-7c66-4b9a-9c23-8e5a4f0b1d32", "2e1a0f9b-8c7d-4e6f-4a3b-2c1d0e9f8a7b")) + `,` +
		`"hubspot":{"enabled":false,"allCredentials":[],"configuredWorkflows":{}},` +
		`"salesforce":{"enabled":false,"allCredentials":[],"configuredWorkflows":{}}},` +
		`"resources":[],"project":{"id":"4c2d8e1a-93b7-4f0e-b5aa-0d2f6c71e9a3","billingPlan":"pro","accessibleFeatures":["headless-cp","user-metadata"]}}`
}()

// leanUser holds what a backend reads of GET /sdk/me.
type leanUser struct {
	Authenticated bool   `json:"authenticated"`
	UserID        string `json:"userId"`
	Integrations  map[string]struct {
		Enabled          bool   `json:"enabled"`
		CredentialID     string `json:"credentialId"`
		CredentialStatus string `json:"credentialStatus"`
	} `json:"integrations"`
}

// BenchmarkGetUserLean is GetUser on a full /sdk/me against a lean loop.
func BenchmarkGetUserLean(b *testing.B) {
	srv := newServer(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(fullUserJSON)))
		_, _ = io.WriteString(w, fullUserJSON)
	}))
	c := newSDK(b, srv)
	tok, err := c.SignUserToken("acct-1042")
	require.NoError(b, err)
	hc := newRawClient(b)
	url := srv.URL + "/projects/" + projectID + "/sdk/me"
	compare(b, impl{"lean", func(b *testing.B) {
		bearer := "Bearer " + tok
		loop(b, func() error {
			body, err := leanGet(b.Context(), hc, url, bearer)
			if err != nil {
				return err
			}
			var u leanUser
			if err := json.Unmarshal(body, &u); err != nil {
				return err
			}
			if !u.Integrations["close"].Enabled {
				return fmt.Errorf("unexpected user %+v", u)
			}
			return nil
		})
	}}, impl{"sdk", func(b *testing.B) {
		u := c.User("acct-1042")
		_, err := u.GetUser(b.Context())
		require.NoError(b, err)
		loop(b, func() error {
			st, err := u.GetUser(b.Context())
			if err != nil {
				return err
			}
			if !st.Integrations["close"].Enabled {
				return fmt.Errorf("unexpected user %+v", st)
			}
			return nil
		})
	}})
}

// proxyDoc is the 5 KB JSON document BenchmarkProxyJSONLean sends and
// receives.
type proxyDoc struct {
	ID    string            `json:"id"`
	Items []proxyItem       `json:"items"`
	Tags  map[string]string `json:"tags"`
}

type proxyItem struct {
	Name  string  `json:"name"`
	Qty   int     `json:"qty"`
	Price float64 `json:"price"`
	Note  string  `json:"note"`
}

func newProxyDoc() proxyDoc {
	d := proxyDoc{ID: "doc_1", Tags: map[string]string{"team": "west", "source": "api"}}
	for i := range 50 {
		d.Items = append(d.Items, proxyItem{Name: "item-" + strconv.Itoa(i), Qty: i, Price: float64(i) * 1.25, Note: "a short note of about forty characters.."})
	}
	return d
}

// BenchmarkProxyJSONLean posts a 5 KB JSON document through the proxy and
// decodes the 5 KB answer ({"output": …}), with paragon.RequestJSON and
// with a lean hand-written call.
func BenchmarkProxyJSONLean(b *testing.B) {
	doc := newProxyDoc()
	docJSON, err := json.Marshal(doc)
	require.NoError(b, err)
	answer := append(append([]byte(`{"output":`), docJSON...), '}')
	srv := newServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
		_, _ = w.Write(answer)
	}))
	c := newSDK(b, srv)
	tok, err := c.SignUserToken("user-1")
	require.NoError(b, err)
	hc := newRawClient(b)
	url := srv.URL + "/projects/" + projectID + "/sdk/proxy/acme/v1/docs"
	compare(b, impl{"lean", func(b *testing.B) {
		bearer := "Bearer " + tok
		loop(b, func() error {
			body, err := json.Marshal(doc)
			if err != nil {
				return err
			}
			req, err := http.NewRequestWithContext(b.Context(), http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", bearer)
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			out, err := readExact(resp)
			if err != nil {
				return err
			}
			var env struct {
				Output proxyDoc `json:"output"`
			}
			if err := json.Unmarshal(out, &env); err != nil {
				return err
			}
			if len(env.Output.Items) != 50 {
				return fmt.Errorf("got %d items", len(env.Output.Items))
			}
			return nil
		})
	}}, impl{"sdk", func(b *testing.B) {
		u := c.User("user-1")
		loop(b, func() error {
			got, err := paragon.RequestJSON[proxyDoc](b.Context(), u, "acme", "/v1/docs",
				&paragon.RequestOptions{Method: http.MethodPost, Body: doc})
			if err != nil {
				return err
			}
			if len(got.Items) != 50 {
				return fmt.Errorf("got %d items", len(got.Items))
			}
			return nil
		})
	}})
}
