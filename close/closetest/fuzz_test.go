package closetest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// FuzzQuery checks that no query string panics the parser or the
// evaluator: each parses and runs, or is refused with an error.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		`name:"Acme" status:"Potential" sort:-created`, `date_updated>="2020-01-01T10:00"`, `contacts > 1 OR has:calls`,
		`call(date >= "2024-01-01" date < "2024-02-01")`, `(a OR b) slice:3/10`, `-`, `(`, `)`, `"`, `:`, `a:`, `OR`,
		`NOT`, `sort:`, `call(`, `"Lead Source":*`, `custom.cf_x:"y"`, `contact(email_address(email:x))`, "\x00:\xff",
		strings.Repeat("(", 5000), strings.Repeat("call(", 100), strings.Repeat("a OR ", 3000),
	} {
		f.Add(s)
	}
	c := New()
	lead, err := c.CreateLead(map[string]any{"name": "Acme", "contacts": []any{map[string]any{"name": "Ada", "emails": []any{map[string]any{"email": "a@b.c"}}}}})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := c.CreateActivity("Call", map[string]any{"lead_id": lead["id"]}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		cl := &call{header: http.Header{"X-Tz-Offset": {"-2.5"}}}
		for _, kind := range []string{"lead", "opportunity"} {
			c.mu.Lock()
			pq, err := c.parseQuery(cl, kind, q)
			if err == nil {
				_, _ = applyQuery(pq, c.poolLocked(kind))
			}
			c.mu.Unlock()
		}
	})
}

// FuzzSearch checks that no search body panics /data/search/.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{
		`{"query": {"type": "object_type", "object_type": "lead"}}`,
		`{"query": {"type": "and", "queries": [{"type": "object_type", "object_type": "contact"}, {"type": "has_related", "related_object_type": "lead", "related_query": {"type": "text", "value": "x"}}]}, "sort": [{}]}`,
		`{"query": {"type": "and", "queries": [{"type": "object_type", "object_type": "lead"}, {"type": "field_condition", "field": {}, "condition": {"type": "moment_range", "before": {"type": "offset", "moment": 1}}}]}}`,
		`{"query": {"type": "and", "queries": [1, null, {"type": "object_type", "object_type": "lead"}]}, "cursor": 5, "_limit": -1}`,
	} {
		f.Add(s)
	}
	c := New()
	if _, err := c.CreateLead(map[string]any{"name": "Acme", "contacts": []any{map[string]any{"name": "Ada"}}}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		in, err := decodeObject([]byte(body))
		if err != nil {
			return
		}
		c.mu.Lock()
		rep := c.searchLocked(&call{body: in, header: http.Header{}})
		c.mu.Unlock()
		if rep.status != 200 && rep.status != 400 {
			t.Fatalf("status %d", rep.status)
		}
		if _, err := json.Marshal(rep.body); err != nil {
			t.Fatal(err)
		}
	})
}
