package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close"
)

// pageSize is the page size of BenchmarkCloseList: the close package's
// default and maximum.
const pageSize = close.DefaultPageSize

// leadJSON returns one Close lead as the Lead API sends it (about 1.3 KB):
// a contact, an address, custom fields and the usual bookkeeping fields.
// Its description mentions an "error", as real data does now and then.
func leadJSON(i int) string {
	id := fmt.Sprintf("lead_%022d", i)
	return `{"id":"` + id + `","name":"Acme ` + strconv.Itoa(i) + ` Inc.","display_name":"Acme ` + strconv.Itoa(i) + ` Inc.",` +
		`"url":"https://acme.example.com","description":"Makes anvils and rocket skates. Ships with an error-free delivery record.",` +
		`"status_id":"stat_1ZdiZqcSIkoGVnNOyxiEY58eTGQmFNG3LPlEVQ4V7Nk","status_label":"Potential",` +
		`"html_url":"https://app.close.com/lead/` + id + `/","organization_id":"orga_bwwWG475zqWiQGur0thQshwVXo8rIYecQHDWFanqhen",` +
		`"date_created":"2024-03-07T10:31:05.562000+00:00","date_updated":"2024-11-02T17:04:44.128000+00:00",` +
		`"created_by":"user_MvDoZ2rXgd1ydkb7SvGDUAbrFr3jCN7Ij84AZeHPfjk","updated_by":"user_MvDoZ2rXgd1ydkb7SvGDUAbrFr3jCN7Ij84AZeHPfjk",` +
		`"addresses":[{"label":"business","address_1":"747 Howard St","city":"San Francisco","state":"CA","zipcode":"94103","country":"US"}],` +
		`"contacts":[{"id":"cont_` + id + `","lead_id":"` + id + `","name":"Wile E. Coyote","title":"Chief Engineer",` +
		`"emails":[{"email":"wile@acme.example.com","type":"office"}],"phones":[{"phone":"+14155550100","type":"office"}],` +
		`"date_created":"2024-03-07T10:31:05.562000+00:00","date_updated":"2024-03-07T10:31:05.562000+00:00"}],` +
		`"opportunities":[],"tasks":[],"integration_links":[],` +
		`"custom.cf_v6S011I6MqcbVvB2FA5Nk8dr5MkL8sWuCiG8cUleO9c":"Enterprise","custom.cf_Y0ATLlKt2k0NtyU2HBmnRxZuS8iw8o2Xvp5sSXWfHmD":42}`
}

// leadsHandler serves GET …/sdk/proxy/close/lead/ as Paragon does: pages of
// total leads in Paragon's {"output": …} envelope, built from leadJSON's
// leads. It also returns the size of a page.
func leadsHandler(total int) (http.Handler, int) {
	return pagesHandler(total, leadJSON, true)
}

// pagesHandler serves total leads made by lead in pages of pageSize. Every
// page holds the same leads (built once, so the server costs next to
// nothing per request and keeps no large buffers that would show up in the
// client's heap figures) except that the first lead's ID carries the page
// number: a client that refuses a page repeating an earlier one, as the
// close package does, sees distinct pages. withTotal adds total_results.
// It also returns the size of a page.
func pagesHandler(total int, lead func(int) string, withTotal bool) (http.Handler, int) {
	items := make([]string, pageSize)
	for i := range items {
		items[i] = lead(i)
	}
	// The first lead's ID, "lead_000…0", gets the page number in its last
	// six digits.
	first := items[0]
	at := strings.Index(first, `"id":"lead_`) + len(`"id":"lead_`)
	at += strings.IndexFunc(first[at:], func(r rune) bool { return r < '0' || r > '9' }) - 6
	head := []byte(`{"output":{"data":[` + first[:at])
	rest := first[at+6:] + "," + strings.Join(items[1:], ",") + `],"has_more":`
	tail := func(more bool) []byte {
		t := rest + strconv.FormatBool(more)
		if withTotal {
			t += `,"total_results":` + strconv.Itoa(total)
		}
		return []byte(t + "}}")
	}
	more, last := tail(true), tail(false)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		skip, err := strconv.Atoi(r.URL.Query().Get("_skip"))
		if err != nil || skip%pageSize != 0 || total%pageSize != 0 {
			http.Error(w, "bad _skip", http.StatusBadRequest)
			return
		}
		end := more
		if skip+pageSize >= total {
			end = last
		}
		page := fmt.Appendf(nil, "%06d", skip/pageSize)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(head)+len(page)+len(end)))
		_, _ = w.Write(head)
		_, _ = w.Write(page)
		_, _ = w.Write(end)
	})
	return h, len(head) + 6 + len(more)
}

// rawListLeads is the hand-written baseline: a page loop with net/http and
// encoding/json decoding the same pages into the same types.
func rawListLeads(ctx context.Context, hc *http.Client, url, bearer string, each func(close.Lead)) error {
	for skip := 0; ; skip += pageSize {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"?_limit="+strconv.Itoa(pageSize)+"&_skip="+strconv.Itoa(skip), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", bearer)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		var env struct {
			Output close.Page[close.Lead] `json:"output"`
		}
		err = json.NewDecoder(resp.Body).Decode(&env)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		for _, l := range env.Output.Data {
			each(l)
		}
		if !env.Output.HasMore {
			return nil
		}
	}
}

// BenchmarkCloseList lists every lead of a Close account through the
// close package's Leads.List (an iter.Seq2 over lazily fetched pages) and
// through rawListLeads, at two account sizes, to show that memory stays
// flat: about one page is alive at a time, whatever the total.
//
// Metrics: ns/lead; peak-live-KiB and peak-inuse-KiB, the largest growth of
// HeapAlloc and HeapInuse over the heap before the listing, sampled right
// after a GC every 2,500 leads (with the timers stopped); for scale,
// page-KiB, the size of one page on the wire, and page-live-KiB, the live
// heap of one page as Leads.ListPage returns it.
func BenchmarkCloseList(b *testing.B) {
	for _, total := range []int{5_000, 50_000} {
		b.Run("leads="+strconv.Itoa(total), func(b *testing.B) {
			h, pageBytes := leadsHandler(total)
			srv := newServer(b, h)
			c := newSDK(b, srv)
			tok, err := c.SignUserToken("user-1")
			require.NoError(b, err)
			hc := newRawClient(b)
			url := srv.URL + "/projects/" + projectID + "/sdk/proxy/close/lead/"
			crm := close.New(c.User("user-1"))
			_, err = crm.Leads.ListPage(b.Context(), nil) // signs the token, opens a connection
			require.NoError(b, err)
			pageLive := startHeap()
			pg, err := crm.Leads.ListPage(b.Context(), nil)
			require.NoError(b, err)
			pageLive.takeLive()
			runtime.KeepAlive(pg)

			list := func(b *testing.B, listAll func(each func(close.Lead)) error) {
				b.ReportAllocs()
				var h *heapSampler
				var cpu cpuMeter
				for b.Loop() {
					b.StopTimer()
					h = startHeap()
					b.StartTimer()
					n := 0
					cpu.start()
					err := listAll(func(close.Lead) {
						if n++; n%2_500 == 0 {
							b.StopTimer()
							cpu.stop()
							h.takeLive()
							cpu.start()
							b.StartTimer()
						}
					})
					cpu.stop()
					if err != nil || n != total {
						b.Fatalf("listed %d of %d leads: %v", n, total, err)
					}
				}
				cpu.report(b, b.N)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/lead")
				b.ReportMetric(float64(h.live)/1024, "peak-live-KiB")
				b.ReportMetric(float64(h.inuse)/1024, "peak-inuse-KiB")
				b.ReportMetric(float64(pageBytes)/1024, "page-KiB")
				b.ReportMetric(float64(pageLive.live)/1024, "page-live-KiB")
			}
			// Listing 50,000 leads takes seconds: three rounds show its memory
			// and keep "make bench" short.
			n := *rounds
			if total > 5_000 {
				n = min(n, 3)
			}
			compareRounds(b, n, impl{"raw", func(b *testing.B) {
				list(b, func(each func(close.Lead)) error {
					return rawListLeads(b.Context(), hc, url, "Bearer "+tok, each)
				})
			}}, impl{"sdk", func(b *testing.B) {
				list(b, func(each func(close.Lead)) error {
					for l, err := range crm.Leads.List(b.Context(), nil) {
						if err != nil {
							return err
						}
						each(l)
					}
					return nil
				})
			}})
		})
	}
}
