package bench

import (
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/internal/auth"
	"github.com/paragon-go/paragon/internal/transport"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// rounds is how many times each benchmark runs its implementations in turn
// (raw, sdk, raw, sdk, …), so that load from other programs on a shared
// machine, which comes and goes, falls on both alike. -count would run all of
// one implementation's repetitions before the next one's.
var rounds = flag.Int("rounds", 1, "interleaved runs of each benchmark's implementations")

// impl is one way of doing what a benchmark measures: the SDK or a baseline.
type impl struct {
	name string
	run  func(b *testing.B)
}

// compare runs each impl as the sub-benchmark "round=R/impl=NAME", for R
// from 1 to -rounds, interleaved. The baselines come first, the SDK last.
func compare(b *testing.B, impls ...impl) { compareRounds(b, *rounds, impls...) }

// compareRounds is compare with n rounds.
func compareRounds(b *testing.B, n int, impls ...impl) {
	for r := 1; r <= n; r++ {
		for _, im := range impls {
			b.Run("round="+strconv.Itoa(r)+"/impl="+im.name, im.run)
		}
	}
}

// projectID is the Paragon project every benchmark client acts on.
const projectID = "bench-project"

// signingKey is one 2048-bit key for the whole run: generating it takes up
// to a second on a busy machine.
var signingKey = sync.OnceValues(func() (*auth.Key, error) { return auth.GenerateKey(2048) })

func key(b *testing.B) *auth.Key {
	b.Helper()
	k, err := signingKey()
	require.NoError(b, err)
	return k
}

// server is a loopback httptest server that counts the connections it
// accepts, so that a benchmark can show it reuses them.
type server struct {
	*httptest.Server
	conns atomic.Int64
	open  atomic.Int64 // connections not yet closed (counted by newTLSServer)
}

func newServer(b *testing.B, h http.Handler) *server {
	b.Helper()
	s := &server{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	b.Cleanup(s.Close)
	return s
}

// newSDK returns an SDK client with every service pointed at s and the
// default transport, retry policy and token cache.
func newSDK(b *testing.B, s *server, opts ...paragon.Option) *paragon.Client {
	b.Helper()
	opts = append([]paragon.Option{
		paragon.WithSigningKey(key(b).PEM()),
		paragon.WithBaseURL(paragon.ServiceAPI, s.URL),
		paragon.WithBaseURL(paragon.ServiceEvents, s.URL),
		paragon.WithBaseURL(paragon.ServiceProxy, s.URL),
	}, opts...)
	c, err := paragon.NewClient(projectID, opts...)
	require.NoError(b, err)
	b.Cleanup(c.CloseIdleConnections)
	return c
}

// newRawClient returns the hand-written baseline's client: plain net/http
// over the same tuned transport the SDK builds for itself.
func newRawClient(b *testing.B) *http.Client {
	b.Helper()
	tr := transport.NewHTTPTransport()
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// loop runs op in a b.Loop, failing the benchmark on an error, and
// reports allocations and cpu-ns/op.
func loop(b *testing.B, op func() error) {
	b.ReportAllocs()
	var cpu cpuMeter
	cpu.start()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	cpu.stop()
	cpu.report(b, b.N)
}

// cpuMeter adds up the process's CPU time over the measured parts of a
// benchmark. The client and the loopback server share the process, so this
// is the CPU cost of a call end to end. Unlike ns/op it barely moves when
// other programs load the machine, which makes its ratios the steadier ones.
type cpuMeter struct {
	total, started time.Duration
}

func (m *cpuMeter) start() { m.started = processCPU() }
func (m *cpuMeter) stop()  { m.total += processCPU() - m.started }

// report adds the metric cpu-ns/op for ops operations.
func (m *cpuMeter) report(b *testing.B, ops int) {
	if m.total > 0 && ops > 0 {
		b.ReportMetric(float64(m.total.Nanoseconds())/float64(ops), "cpu-ns/op")
	}
}

// heapSampler records the largest heap growth seen since startHeap. Each
// sample stops the world briefly, so benchmarks take one every few
// thousand items or megabytes, not per item.
type heapSampler struct {
	base        runtime.MemStats
	inuse, live uint64 // peak growth of HeapInuse and of the live heap
}

// startHeap collects garbage and records the heap the growth is measured
// from.
func startHeap() *heapSampler {
	h := &heapSampler{}
	runtime.GC()
	runtime.ReadMemStats(&h.base)
	return h
}

// take samples HeapInuse as it is: live objects and garbage not yet
// collected.
func (h *heapSampler) take() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.inuse = max(h.inuse, sub(ms.HeapInuse, h.base.HeapInuse))
}

// takeLive collects garbage first, then samples HeapAlloc (the live heap)
// and HeapInuse: what the code under test is actually holding on to.
func (h *heapSampler) takeLive() {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.inuse = max(h.inuse, sub(ms.HeapInuse, h.base.HeapInuse))
	h.live = max(h.live, sub(ms.HeapAlloc, h.base.HeapAlloc))
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}
