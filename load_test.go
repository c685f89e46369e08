package paragon_test

// Load under faults: many goroutines share one client against paragontest
// while the server fails 5% of requests with 503 (before handling them),
// 2% more are answered 429 before they reach it, a few connections are
// dropped after the request was read, and every request waits a random
// 0–5 ms. The properties: every App Event the SDK reported as sent was
// recorded by the server exactly once; no event was recorded twice; every
// failure came back as a typed error; and nothing leaks.

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/net/http2"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

var (
	loadCalls      = flag.Int("load.calls", 10_000, "total calls made by TestLoadUnderFaults")
	loadGoroutines = flag.Int("load.goroutines", 200, "goroutines sharing the client in TestLoadUnderFaults")
)

// faultRT sits between the client and paragontest. It counts every attempt
// and answers a fraction of them 429 itself, before they reach the server
// (paragontest's FailRate takes one status at a time; it already injects
// the 503s). Like FailRate, an injected answer changes no server state.
type faultRT struct {
	base      http.RoundTripper
	rate429   float64
	attempts  atomic.Int64
	injected  atomic.Int64
	dropEvery int64 // every n-th attempt makes the server drop the connection
	srv       *paragontest.Server
	dropped   atomic.Int64
}

func (f *faultRT) RoundTrip(req *http.Request) (*http.Response, error) {
	n := f.attempts.Add(1)
	if rand.Float64() < f.rate429 {
		f.injected.Add(1)
		if req.Body != nil {
			_ = req.Body.Close()
		}
		body := `{"message": "Too many requests (injected).", "code": "429", "status": 429}`
		return &http.Response{
			StatusCode: 429, Status: "429 Too Many Requests", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:        http.Header{"Content-Type": {"application/json"}, "Retry-After": {"0"}},
			Body:          io.NopCloser(strings.NewReader(body)),
			ContentLength: int64(len(body)), Request: req,
		}, nil
	}
	if f.dropEvery > 0 && n%f.dropEvery == 0 {
		f.dropped.Add(1)
		f.srv.DropNext(1) // some in-flight request's connection is closed after it was read
	}
	return f.base.RoundTrip(req)
}

// callKind is what one load call does.
type callKind int

const (
	kindEvent callKind = iota
	kindGetUser
	kindProxy
	numKinds
)

func (k callKind) String() string { return [...]string{"Event", "GetUser", "Request (proxy GET)"}[k] }

// loadResult is the outcome of one call.
type loadResult struct {
	kind    callKind
	eventID string // Event calls: the payload's unique ID
	err     error
	took    time.Duration
}

// runLoad makes calls calls from workers goroutines, spread over users
// Connected Users and mixing App Events (with event IDs "<prefix>-NNNNNN"),
// GetUser and proxy calls by kindOf, and returns each call's result and the
// wall time of the whole run.
func runLoad(t *testing.T, c *paragon.Client, calls, workers, users int, prefix string) ([]loadResult, time.Duration) {
	t.Helper()
	results := make([]loadResult, calls)
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= calls {
					return
				}
				u := c.User(fmt.Sprintf("load-%02d", (w+i)%users))
				r := loadResult{kind: kindOf(i)}
				t0 := time.Now()
				switch r.kind {
				case kindEvent:
					r.eventID = fmt.Sprintf("%s-%06d", prefix, i)
					r.err = u.Event(t.Context(), "Load Test", map[string]any{"id": r.eventID, "worker": w})
				case kindGetUser:
					_, r.err = u.GetUser(t.Context())
				case kindProxy:
					_, r.err = u.Request(t.Context(), "close", "/lead/", &paragon.RequestOptions{Query: url.Values{"_limit": {"1"}}})
				}
				r.took = time.Since(t0)
				results[i] = r
			}
		})
	}
	wg.Wait()
	return results, time.Since(start)
}

//nolint:paralleltest // runs alone: it checks for leaked goroutines and measures latency
func TestLoadUnderFaults(t *testing.T) {
	calls, workers := *loadCalls, *loadGoroutines
	if testing.Short() {
		calls, workers = 2_000, 50
	}
	require.Positive(t, workers)
	leaks := goleak.IgnoreCurrent()

	const users = 20
	var opts []paragontest.Option
	for i := range users {
		opts = append(opts, paragontest.WithUser(paragontest.UserSeed{ID: fmt.Sprintf("load-%02d", i), Connected: []string{"close"}}))
	}
	srv := paragontest.NewServer(opts...)
	srv.FailRate(0.05, http.StatusServiceUnavailable)
	srv.InjectLatency(0, 5*time.Millisecond)

	base := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: 30 * time.Second}
	rt := &faultRT{base: base, rate429: 0.02, dropEvery: 997, srv: srv}
	c := srv.Client(paragon.WithHTTPClient(&http.Client{Transport: rt}))

	results, wall := runLoad(t, c, calls, workers, users, "evt")

	// Every outcome is a nil error or a typed one.
	var (
		perKind  [numKinds]struct{ calls, failed int }
		byCause  = map[string]int{}
		latency  []time.Duration
		sentOK   = map[string]bool{}
		sentFail = map[string]bool{}
	)
	for _, r := range results {
		perKind[r.kind].calls++
		latency = append(latency, r.took)
		if r.kind == kindEvent {
			if r.err == nil {
				sentOK[r.eventID] = true
			} else {
				sentFail[r.eventID] = true
			}
		}
		if r.err == nil {
			continue
		}
		perKind[r.kind].failed++
		var pe *paragon.Error
		var ue *url.Error
		switch {
		case errors.As(r.err, &pe):
			byCause[fmt.Sprintf("%d", pe.StatusCode)]++
		case errors.As(r.err, &ue):
			byCause["connection dropped"]++
		default:
			t.Errorf("untyped error: %v", r.err)
		}
		assert.NotErrorIs(t, r.err, paragon.ErrInvalidInput)
	}

	// Exactly once: every event reported as sent is on the server once;
	// none is there twice; none the SDK did not send.
	recorded := map[string]int{}
	for _, ev := range srv.Events() {
		var p struct {
			ID string `json:"id"`
		}
		require.NoError(t, json.Unmarshal(ev.Payload, &p))
		recorded[p.ID]++
	}
	lost, dup, ambiguous := 0, 0, 0
	for id := range sentOK {
		if recorded[id] != 1 {
			lost++
			t.Errorf("event %s reported sent, recorded %d times", id, recorded[id])
		}
	}
	for id, n := range recorded {
		if n > 1 {
			dup++
			t.Errorf("event %s recorded %d times", id, n)
		}
		if !sentOK[id] && !sentFail[id] {
			t.Errorf("event %s recorded but never sent", id)
		}
		if sentFail[id] {
			ambiguous++ // reported failed, yet recorded: allowed (an answer lost on the way back)
		}
	}
	assert.Zero(t, ambiguous, "paragontest fails and drops requests before handling them")

	attempts := rt.attempts.Load()
	slices.Sort(latency)
	pct := func(p float64) time.Duration { return latency[min(len(latency)-1, int(float64(len(latency))*p))] }
	failed := 0
	for _, k := range perKind {
		failed += k.failed
	}
	t.Logf("load: %d calls by %d goroutines in %v (%.0f calls/s)", calls, workers, wall.Round(time.Millisecond), float64(calls)/wall.Seconds())
	for k := range numKinds {
		t.Logf("load:   %-20s %5d calls, %4d failed", k, perKind[k].calls, perKind[k].failed)
	}
	t.Logf("load: attempts %d = calls %d + retries %d; injected: 429 ×%d (client side), drops ×%d, 503 at 5%% (server side)",
		attempts, calls, attempts-int64(calls), rt.injected.Load(), rt.dropped.Load())
	t.Logf("load: failures %d (%.2f%%) by cause %v", failed, 100*float64(failed)/float64(calls), byCause)
	t.Logf("load: events: %d reported sent, %d recorded, %d lost, %d duplicated, %d failed-but-recorded",
		len(sentOK), len(srv.Events()), lost, dup, ambiguous)
	t.Logf("load: latency p50 %v, p90 %v, p99 %v, max %v", pct(0.50).Round(10*time.Microsecond),
		pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), latency[len(latency)-1].Round(time.Microsecond))

	// Sanity: the faults really happened, and retries really ran.
	assert.Positive(t, byCause["503"], "no 503 reached the caller")
	assert.Positive(t, rt.injected.Load())
	assert.Greater(t, attempts, int64(calls))
	assert.Equal(t, perKind[kindEvent].calls, len(sentOK)+len(sentFail))

	c.CloseIdleConnections()
	srv.Close()
	base.CloseIdleConnections()
	goleak.VerifyNone(t, leaks)
}

// kindOf spreads the calls: 70% App Events, 15% GetUser, 15% proxy GETs.
func kindOf(i int) callKind {
	switch m := i % 20; {
	case m < 14:
		return kindEvent
	case m < 17:
		return kindGetUser
	}
	return kindProxy
}

// h2Fault is what the HTTP/2 gateway of TestLoadH2Faults did to one stream.
type h2Fault int

const (
	h2Forwarded h2Fault = iota // passed to paragontest, answer relayed
	h2Refused                  // RST_STREAM(REFUSED_STREAM): not processed
	h2Reset                    // RST_STREAM(PROTOCOL_ERROR) after the whole request was read
	h2Away                     // GOAWAY: not processed when the stream is above the last stream ID
	numH2Faults
)

func (f h2Fault) String() string {
	return [...]string{"forwarded", "REFUSED_STREAM", "PROTOCOL_ERROR", "GOAWAY"}[f]
}

// h2Gateway is a TLS+HTTP/2 front for paragontest that injects stream
// resets and GOAWAYs before forwarding, and records what it did to each
// App Event, by the payload's ID.
type h2Gateway struct {
	srv      *paragontest.Server
	upstream *http.Client
	rates    [numH2Faults]float64

	mu     sync.Mutex
	faults [numH2Faults]int
	events map[string][]h2Fault // event ID → what each of its streams met
}

func (g *h2Gateway) handle(r *h2Req) h2Action {
	f := h2Forwarded
	p := rand.Float64()
	for k := h2Refused; k < numH2Faults; k++ {
		if p < g.rates[k] {
			f = k
			break
		}
		p -= g.rates[k]
	}
	var ev struct {
		Payload struct {
			ID string `json:"id"`
		} `json:"payload"`
	}
	if strings.HasSuffix(r.Path, "/sdk/events/trigger") {
		_ = json.Unmarshal(r.Body, &ev)
	}
	g.mu.Lock()
	g.faults[f]++
	if id := ev.Payload.ID; id != "" {
		g.events[id] = append(g.events[id], f)
	}
	g.mu.Unlock()
	switch f {
	case h2Refused:
		return h2Action{Kind: h2ResetStream, Code: http2.ErrCodeRefusedStream}
	case h2Reset:
		return h2Action{Kind: h2ResetStream, Code: http2.ErrCodeProtocol}
	case h2Away:
		return h2Action{Kind: h2GoAway}
	}
	return g.forward(r)
}

// forward sends r to paragontest over HTTP/1.1 and relays the answer.
func (g *h2Gateway) forward(r *h2Req) h2Action {
	req, err := http.NewRequest(r.Method, g.srv.URL()+r.Path, bytes.NewReader(r.Body))
	if err != nil {
		return h2JSON(http.StatusBadGateway, `{"message": "gateway: bad request"}`)
	}
	req.Header = r.Header.Clone()
	resp, err := g.upstream.Do(req)
	if err != nil {
		return h2JSON(http.StatusBadGateway, `{"message": "gateway: upstream failed"}`)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Retry-After"} {
		if v := resp.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	return h2Action{Kind: h2Respond, Status: resp.StatusCode, Header: h, Body: body}
}

// TestLoadH2Faults: the load of TestLoadUnderFaults over TLS and HTTP/2,
// through a gateway that refuses 3% of streams (REFUSED_STREAM), resets 3%
// with PROTOCOL_ERROR after reading them whole and sends GOAWAY on 2%,
// always before the request reaches paragontest. net/http's HTTP/2 layer
// would replay the reset App Events by itself; the SDK must not. The
// properties: every event the SDK reported sent was recorded exactly once;
// none reported failed was recorded; after a PROTOCOL_ERROR (which proves
// nothing) an event never reached the gateway again; every failure is
// typed; nothing leaks.
//
//nolint:paralleltest // runs alone: it checks for leaked goroutines
func TestLoadH2Faults(t *testing.T) {
	calls, workers := *loadCalls, *loadGoroutines
	if testing.Short() {
		calls, workers = 600, 30
	}
	leaks := goleak.IgnoreCurrent()

	const users = 20
	var opts []paragontest.Option
	for i := range users {
		opts = append(opts, paragontest.WithUser(paragontest.UserSeed{ID: fmt.Sprintf("load-%02d", i), Connected: []string{"close"}}))
	}
	srv := paragontest.NewServer(opts...)
	srv.InjectLatency(0, 2*time.Millisecond)
	upstream := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: 30 * time.Second}
	g := &h2Gateway{srv: srv, upstream: &http.Client{Transport: upstream}, events: map[string][]h2Fault{}}
	g.rates[h2Refused], g.rates[h2Reset], g.rates[h2Away] = 0.03, 0.03, 0.02
	gw := newH2Server(t, g.handle)
	tr := gw.h2Transport()
	c := srv.Client(
		paragon.WithHTTPClient(&http.Client{Transport: tr}),
		paragon.WithBaseURL(paragon.ServiceAPI, gw.URL),
		paragon.WithBaseURL(paragon.ServiceEvents, gw.URL),
		paragon.WithBaseURL(paragon.ServiceProxy, gw.URL),
	)

	results, wall := runLoad(t, c, calls, workers, users, "h2")

	var (
		perKind  [numKinds]struct{ calls, failed int }
		byCause  = map[string]int{}
		sentOK   = map[string]bool{}
		sentFail = map[string]bool{}
	)
	for _, r := range results {
		perKind[r.kind].calls++
		if r.kind == kindEvent {
			if r.err == nil {
				sentOK[r.eventID] = true
			} else {
				sentFail[r.eventID] = true
			}
		}
		if r.err == nil {
			continue
		}
		perKind[r.kind].failed++
		var pe *paragon.Error
		var ue *url.Error
		switch {
		case errors.As(r.err, &pe):
			byCause[fmt.Sprintf("%d", pe.StatusCode)]++
		case errors.Is(r.err, paragon.ErrTooManyAttempts):
			byCause["too many attempts"]++
		case errors.As(r.err, &ue):
			byCause["stream reset or lost"]++
		default:
			t.Errorf("untyped error: %v", r.err)
		}
		assert.NotErrorIs(t, r.err, paragon.ErrInvalidInput)
	}

	recorded := map[string]int{}
	for _, ev := range srv.Events() {
		var p struct {
			ID string `json:"id"`
		}
		require.NoError(t, json.Unmarshal(ev.Payload, &p))
		recorded[p.ID]++
	}
	for id := range sentOK {
		if recorded[id] != 1 {
			t.Errorf("event %s reported sent, recorded %d times", id, recorded[id])
		}
	}
	for id := range sentFail {
		if recorded[id] != 0 {
			t.Errorf("event %s reported failed, recorded %d times", id, recorded[id])
		}
	}
	for id := range recorded {
		if !sentOK[id] && !sentFail[id] {
			t.Errorf("event %s recorded but never sent", id)
		}
	}
	g.mu.Lock()
	replayed, resent, streams := 0, 0, 0
	for id, seen := range g.events {
		streams += len(seen)
		if len(seen) > 1 {
			resent++
		}
		for i, f := range seen {
			if f == h2Reset && i < len(seen)-1 {
				replayed++
				t.Errorf("event %s reached the gateway again after a PROTOCOL_ERROR reset: %v", id, seen)
				break
			}
		}
	}
	faults := g.faults
	g.mu.Unlock()
	failed := 0
	for _, k := range perKind {
		failed += k.failed
	}
	latency := make([]time.Duration, 0, len(results))
	for _, r := range results {
		latency = append(latency, r.took)
	}
	slices.Sort(latency)
	pct := func(p float64) time.Duration { return latency[min(len(latency)-1, int(float64(len(latency))*p))] }
	t.Logf("h2 load: latency p50 %v, p90 %v, p99 %v, max %v", pct(0.50).Round(10*time.Microsecond),
		pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), latency[len(latency)-1].Round(time.Microsecond))
	t.Logf("h2 load: %d calls by %d goroutines in %v (%.0f calls/s) on %d connections", calls, workers,
		wall.Round(time.Millisecond), float64(calls)/wall.Seconds(), gw.Conns())
	for k := range numKinds {
		t.Logf("h2 load:   %-20s %5d calls, %4d failed", k, perKind[k].calls, perKind[k].failed)
	}
	t.Logf("h2 load: gateway streams %d: %v ×%d, %v ×%d, %v ×%d, %v ×%d", len(gw.Seen()),
		h2Forwarded, faults[h2Forwarded], h2Refused, faults[h2Refused], h2Reset, faults[h2Reset], h2Away, faults[h2Away])
	t.Logf("h2 load: failures %d (%.2f%%) by cause %v", failed, 100*float64(failed)/float64(calls), byCause)
	t.Logf("h2 load: events: %d reported sent, %d reported failed, %d recorded; %d event streams, %d events sent more than once (all after proof), %d replayed after a reset",
		len(sentOK), len(sentFail), len(srv.Events()), streams, resent, replayed)

	// Sanity: the faults happened and were survived.
	assert.Positive(t, faults[h2Refused])
	assert.Positive(t, faults[h2Reset])
	assert.Positive(t, faults[h2Away])
	assert.Positive(t, resent, "no event was retried after a proof")
	assert.Equal(t, perKind[kindEvent].calls, len(sentOK)+len(sentFail))

	c.CloseIdleConnections()
	tr.CloseIdleConnections()
	gw.Close()
	srv.Close()
	upstream.CloseIdleConnections()
	goleak.VerifyNone(t, leaks)
}
