package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close"
)

// searchPages is how many pages BenchmarkCloseSearchLead's server answers.
const searchPages = 20

// searchHandler answers POST …/sdk/proxy/close/data/search/ with pages of
// realLeadJSON's leads (each with "__object_type": "lead"), following the
// cursor it sends, as Close's Advanced Filtering does.
func searchHandler() http.Handler {
	items := make([]string, pageSize)
	for i := range items {
		items[i] = `{"__object_type":"lead",` + realLeadJSON(i)[1:]
	}
	data := strings.Join(items[1:], ",")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Cursor *string `json:"cursor"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		page := 0
		if body.Cursor != nil && *body.Cursor != "" {
			page, _ = strconv.Atoi(strings.TrimPrefix(*body.Cursor, "c"))
		}
		next := `"c` + strconv.Itoa(page+1) + `"`
		if page+1 >= searchPages {
			next = "null"
		}
		// The first lead's ID carries the page number, so pages differ.
		first := strings.Replace(items[0], fmt.Sprintf("lead_%040d", 0), fmt.Sprintf("lead_%040d", page*pageSize), 2)
		out := `{"output":{"data":[` + first + "," + data + `],"cursor":` + next + `}}`
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		_, _ = io.WriteString(w, out)
	})
}

// BenchmarkCloseSearchLead follows a search over 2,000 leads with
// crm.Search and decodes every result with SearchResult.Lead, against a
// lean hand-written cursor loop decoding each page once into leanLead.
// Metrics: ns/lead, B/op and allocs/op.
func BenchmarkCloseSearchLead(b *testing.B) {
	const total = searchPages * pageSize
	srv := newServer(b, searchHandler())
	c := newSDK(b, srv)
	tok, err := c.SignUserToken("user-1")
	require.NoError(b, err)
	hc := newRawClient(b)
	url := srv.URL + "/projects/" + projectID + "/sdk/proxy/close/data/search/"
	crm := close.New(c.User("user-1"))
	q := close.And(close.ObjectType("lead"))
	each := func(b *testing.B, listAll func() (int, error)) {
		b.ReportAllocs()
		for b.Loop() {
			n, err := listAll()
			if err != nil || n != total {
				b.Fatalf("got %d of %d leads: %v", n, total, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/lead")
	}
	compare(b, impl{"lean", func(b *testing.B) {
		each(b, func() (int, error) {
			n := 0
			var cursor *string
			for {
				body, _ := json.Marshal(map[string]any{"query": map[string]any{"type": "and"}, "_limit": pageSize, "cursor": cursor})
				req, err := http.NewRequestWithContext(b.Context(), http.MethodPost, url, bytes.NewReader(body))
				if err != nil {
					return n, err
				}
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				resp, err := hc.Do(req)
				if err != nil {
					return n, err
				}
				raw, err := readExact(resp)
				if err != nil {
					return n, err
				}
				var env struct {
					Output struct {
						Data   []leanLead `json:"data"`
						Cursor *string    `json:"cursor"`
					} `json:"output"`
				}
				if err := json.Unmarshal(raw, &env); err != nil {
					return n, err
				}
				n += len(env.Output.Data)
				if env.Output.Cursor == nil {
					return n, nil
				}
				cursor = env.Output.Cursor
			}
		})
	}}, impl{"sdk", func(b *testing.B) {
		each(b, func() (int, error) {
			n := 0
			for r, err := range crm.Search(context.Background(), &close.SearchParams{Query: q, Limit: pageSize}) {
				if err != nil {
					return n, err
				}
				l, err := r.Lead()
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
