package managedsync_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/managedsync"
)

var (
	bench1M     = flag.Bool("bench1m", false, "also run the 1,000,000-record benchmarks of BenchmarkRecords")
	benchRounds = flag.Int("msrounds", 1, "interleaved rounds of each BenchmarkRecords implementation")
)

const benchPageSize = 100

// benchRecord is one realistic Company record (~420 bytes) of a CRM sync.
func benchRecord(i int) string {
	return fmt.Sprintf(`{"id":"5f0c8a2e-3c71-4b9e-a6d4-%012d","externalId":"lead_%022d","name":"Acme Rocket Supplies %d",`+
		`"website":"https://acme-%d.example.com","description":"Key account; renewal due in Q3, see the notes in Close.",`+
		`"createdAt":"2025-03-14T09:26:53.589000+00:00","updatedAt":"2025-07-07T19:00:00.000000+00:00",`+
		`"customFields":{"status_label":"Potential","organization_id":"orga_PtFakeOrganization0000000000000","contacts":2}}`, i, i, i, i)
}

// pageServer is an in-memory RoundTripper serving total records by cursor,
// benchPageSize a page, the same bytes for the SDK and the baseline. Page
// data is built once; each answer copies it into a reused buffer and adds
// the paging block, so serving costs both sides alike.
type pageServer struct {
	total int
	data  []byte // `{"data":[r0,…,r99],"paging":`
	buf   bytes.Buffer
}

func newPageServer(total int) *pageServer {
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i := range benchPageSize {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(benchRecord(i))
	}
	b.WriteString(`],"paging":`)
	return &pageServer{total: total, data: b.Bytes()}
}

func (p *pageServer) RoundTrip(req *http.Request) (*http.Response, error) {
	start := 0
	if c := req.URL.Query().Get("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			return nil, err
		}
		start = n
	}
	end := min(start+benchPageSize, p.total)
	p.buf.Reset()
	p.buf.Write(p.data)
	fmt.Fprintf(&p.buf, `{"totalRecords":%d,"totalActiveRecords":%d,"remainingRecords":%d,"cursor":"%d","lastSeen":%d}}`,
		p.total, p.total, p.total-end, end, end)
	return &http.Response{
		StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(p.buf.Bytes())),
		ContentLength: int64(p.buf.Len()), Request: req,
	}, nil
}

// benchCompany is what the program keeps of each record.
type benchCompany struct {
	ID         string `json:"id"`
	ExternalID string `json:"externalId"`
	Name       string `json:"name"`
}

// heapProbe records the peak live heap, relative to the start, sampled
// every sampleEvery records with the timer stopped and after a GC.
type heapProbe struct {
	b     *testing.B
	base  uint64
	peak  uint64
	count int
	cpu   time.Duration // CPU time spent sampling, left out of cpu-ns/record
}

const sampleEvery = 10_000

func newHeapProbe(b *testing.B) *heapProbe {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return &heapProbe{b: b, base: ms.HeapAlloc}
}

func (h *heapProbe) tick() {
	if h.count++; h.count%sampleEvery != 0 {
		return
	}
	h.b.StopTimer()
	t0 := processCPU()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > h.base && ms.HeapAlloc-h.base > h.peak {
		h.peak = ms.HeapAlloc - h.base
	}
	h.cpu += processCPU() - t0
	h.b.StartTimer()
}

// baseline is the hand-written loop a good engineer would write: net/http,
// a pre-signed token, the body read into an exactly sized buffer, one
// json.Unmarshal of the page into the fields used.
func baseline(b *testing.B, hc *http.Client, token string, probe *heapProbe) int {
	n := 0
	cursor := ""
	var body []byte
	for {
		q := url.Values{"pageSize": {strconv.Itoa(benchPageSize)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, syncBase+"/api/syncs/"+testSync+"/records?"+q.Encode(), nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		if int64(cap(body)) < resp.ContentLength {
			body = make([]byte, resp.ContentLength)
		}
		body = body[:resp.ContentLength]
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
		var pg struct {
			Data   []benchCompany `json:"data"`
			Paging struct {
				Cursor           string `json:"cursor"`
				RemainingRecords int64  `json:"remainingRecords"`
			} `json:"paging"`
		}
		if err := json.Unmarshal(body, &pg); err != nil {
			b.Fatal(err)
		}
		for _, c := range pg.Data {
			if c.Name == "" {
				b.Fatal("empty name")
			}
			n++
			probe.tick()
		}
		if len(pg.Data) == 0 || pg.Paging.RemainingRecords == 0 {
			return n
		}
		cursor = pg.Paging.Cursor
	}
}

// BenchmarkRecords iterates a sync's records: the SDK's Records (with
// Record.Decode of each record into the fields used), RecordsAs (decoding
// straight into them), and a hand-written baseline loop, over the same
// in-memory pages, in interleaved rounds (-msrounds). It reports ns/record
// and the peak live heap.
//
//	go test -run '^$' -bench Records -benchmem -benchtime 1x ./managedsync/ -bench1m -msrounds 5
func BenchmarkRecords(b *testing.B) {
	sizes := []int{100_000}
	if *bench1M {
		sizes = append(sizes, 1_000_000)
	}
	for _, total := range sizes {
		for round := 1; round <= max(*benchRounds, 1); round++ {
			for _, impl := range []string{"baseline", "Records", "RecordsAs"} {
				benchRecords(b, total, round, impl)
			}
		}
	}
}

func benchRecords(b *testing.B, total, round int, impl string) {
	b.Run(fmt.Sprintf("records=%dk/round=%d/impl=%s", total/1000, round, impl), func(b *testing.B) {
		srv := newPageServer(total)
		hc := &http.Client{Transport: srv}
		_, pemBytes := signingKey()
		c, err := paragon.NewClient(testProject, paragon.WithSigningKey(pemBytes), paragon.WithHTTPClient(hc),
			paragon.WithBaseURL(paragon.ServiceManagedSync, syncBase))
		if err != nil {
			b.Fatal(err)
		}
		ms := managedsync.New(c.User("acct-1042"))
		token, err := c.SignUserToken("acct-1042")
		if err != nil {
			b.Fatal(err)
		}
		ctx := b.Context()
		p := &managedsync.RecordsParams{PageSize: benchPageSize}
		var peak uint64
		var cpu time.Duration
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			probe := newHeapProbe(b)
			b.StartTimer()
			cpu0 := processCPU()
			n := 0
			switch impl {
			case "baseline":
				n = baseline(b, hc, token, probe)
			case "Records":
				for rec, err := range ms.Records(ctx, testSync, p) {
					if err != nil {
						b.Fatal(err)
					}
					var co benchCompany
					if err := rec.Decode(&co); err != nil || co.Name == "" {
						b.Fatal("decode", err)
					}
					n++
					probe.tick()
				}
			case "RecordsAs":
				for co, err := range managedsync.RecordsAs[benchCompany](ctx, ms, testSync, p) {
					if err != nil || co.Name == "" {
						b.Fatal(err)
					}
					n++
					probe.tick()
				}
			}
			if n != total {
				b.Fatalf("%d records, want %d", n, total)
			}
			cpu += processCPU() - cpu0 - probe.cpu
			peak = max(peak, probe.peak)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/record")
		b.ReportMetric(float64(peak)/1024, "peak-live-KiB")
		if cpu > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*total), "cpu-ns/record")
		}
	})
}
