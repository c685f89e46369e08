package closetest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error is a failed seeding call such as [Fake.CreateLead]: the status and
// body Close would answer.
type Error struct {
	// Status is the HTTP status, e.g. 400.
	Status int
	// Body is the error body, e.g. {"errors": [], "field-errors": {…}}.
	Body map[string]any
}

// Error describes the failure.
func (e *Error) Error() string {
	b, _ := json.Marshal(e.Body)
	return fmt.Sprintf("closetest: Close answered %d: %s", e.Status, b)
}

// CreateLead creates a lead as POST /lead/ does and returns it as
// GET /lead/{id}/ would. fields is a map of Close's JSON fields (which may
// include nested "contacts"), or any value that encodes to them with
// encoding/json, such as a close.Lead; null and empty-ID fields of such a
// value are left out.
func (c *Fake) CreateLead(fields any) (map[string]any, error) {
	return c.seed(http.MethodPost, "/lead/", fields, c.createLeadLocked)
}

// CreateContact creates a contact as POST /contact/ does. fields is as for
// [Fake.CreateLead] (e.g. a close.Contact).
func (c *Fake) CreateContact(fields any) (map[string]any, error) {
	return c.seed(http.MethodPost, "/contact/", fields, c.createContactLocked)
}

// CreateOpportunity creates an opportunity as POST /opportunity/ does.
// fields is as for [Fake.CreateLead] (e.g. a close.Opportunity).
func (c *Fake) CreateOpportunity(fields any) (map[string]any, error) {
	return c.seed(http.MethodPost, "/opportunity/", fields, c.createOppLocked)
}

// CreateActivity creates an activity of _type typ ("Note", "Call",
// "Email", "SMS", "Meeting", "Custom", "LeadStatusChange" or
// "OpportunityStatusChange") as POST /activity/<type>/ does.
func (c *Fake) CreateActivity(typ string, fields any) (map[string]any, error) {
	return c.seed(http.MethodPost, "/activity/"+activityPath(typ)+"/", fields, func(cl *call) reply {
		return c.createActivityLocked(cl, typ)
	})
}

// CreateTask creates a task as POST /task/ does.
func (c *Fake) CreateTask(fields any) (map[string]any, error) {
	return c.seed(http.MethodPost, "/task/", fields, func(cl *call) reply { return c.taskRoutesLocked(cl, "") })
}

// Update changes an object as PUT /{kind}/{id}/ does, for kind "lead",
// "contact" or "opportunity".
func (c *Fake) Update(kind, id string, fields any) (map[string]any, error) {
	switch kind {
	case "lead", "contact", "opportunity":
	default:
		return nil, &Error{Status: http.StatusNotFound, Body: map[string]any{"error": "Not found."}}
	}
	return c.seed(http.MethodPut, "/"+kind+"/"+id+"/", fields, func(cl *call) reply { return c.updateLocked(cl, kind, id) })
}

func (c *Fake) seed(method, path string, fields any, fn func(*call) reply) (map[string]any, error) {
	in, err := normalize(fields)
	if err != nil {
		return nil, fmt.Errorf("closetest: fields do not encode as a JSON object: %w", err)
	}
	cleanSeed(in)
	cl := &call{method: method, path: path, body: in, header: http.Header{}, base: "http://closetest.invalid", seed: true}
	c.mu.Lock()
	rep := fn(cl)
	c.mu.Unlock()
	c.hooks.kick()
	body, _ := rep.body.(map[string]any)
	if rep.status/100 != 2 {
		return nil, &Error{Status: rep.status, Body: body}
	}
	return body, nil
}

// idKeys are fields where "" means unset in a typed seed value.
var idKeys = []string{"id", "lead_id", "contact_id", "status_id", "status", "pipeline_id", "user_id", "date_created", "date_updated", "date_won", "created_by", "updated_by"}

// cleanSeed drops null values, and empty IDs and dates, that a typed Go
// value encodes for fields it leaves unset; nested contacts too.
func cleanSeed(m map[string]any) {
	for k, v := range m {
		if v == nil && (len(k) < 7 || k[:7] != "custom.") {
			delete(m, k)
		}
	}
	for _, k := range idKeys {
		if s, isStr := m[k].(string); isStr && (s == "" || s == "0001-01-01" || s == "0001-01-01T00:00:00Z") {
			delete(m, k)
		}
	}
	for _, k := range []string{"contacts", "addresses"} {
		for _, x := range asList(m[k]) {
			if sub, isMap := x.(map[string]any); isMap {
				cleanSeed(sub)
			}
		}
	}
}

// Lead returns lead id as GET /lead/{id}/ would, and whether it exists.
func (c *Fake) Lead(id string) (map[string]any, bool) { return c.get("lead", id) }

// Contact returns contact id as GET /contact/{id}/ would, and whether it
// exists.
func (c *Fake) Contact(id string) (map[string]any, bool) { return c.get("contact", id) }

// Opportunity returns opportunity id as GET /opportunity/{id}/ would, and
// whether it exists.
func (c *Fake) Opportunity(id string) (map[string]any, bool) { return c.get("opportunity", id) }

func (c *Fake) get(kind, id string) (map[string]any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.getLocked(kind, id)
	return o, o != nil
}

// Leads returns every lead, oldest first.
func (c *Fake) Leads() []map[string]any { return c.list("lead") }

// Contacts returns every contact, oldest first.
func (c *Fake) Contacts() []map[string]any { return c.list("contact") }

// Opportunities returns every opportunity, oldest first.
func (c *Fake) Opportunities() []map[string]any { return c.list("opportunity") }

// Activities returns every activity, oldest first.
func (c *Fake) Activities() []map[string]any { return c.list("activity") }

// Tasks returns every task, oldest first.
func (c *Fake) Tasks() []map[string]any { return c.list("task") }

func (c *Fake) list(kind string) []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.poolLocked(kind)
}

// Subscriptions returns the webhook subscriptions with their signature
// keys (which GET /webhook/ never shows) under "signature_key".
func (c *Fake) Subscriptions() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, s := range c.subs.all() {
		m := copyMap(s)
		m["signature_key"] = c.subKeys[str(s["id"])]
		out = append(out, m)
	}
	return out
}
