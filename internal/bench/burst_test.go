package bench

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
	"github.com/paragon-go/paragon/internal/transport"
)

// newTLSServer starts a loopback TLS server for h that speaks HTTP/2 when
// h2 is set (HTTP/1.1 otherwise) and counts the connections it accepts.
func newTLSServer(b *testing.B, h http.Handler, h2 bool) (*server, *x509.CertPool) {
	b.Helper()
	s := &server{Server: httptest.NewUnstartedServer(h)}
	s.EnableHTTP2 = h2
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes cut short by a burst are expected
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.conns.Add(1)
			s.open.Add(1)
		case http.StateClosed, http.StateHijacked:
			s.open.Add(-1)
		}
	}
	s.StartTLS()
	b.Cleanup(s.Close)
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return s, pool
}

// sdkOverTLS returns an SDK client pointed at s over the SDK's own
// transport, made to trust roots.
func sdkOverTLS(b *testing.B, s *server, roots *x509.CertPool) *paragon.Client {
	b.Helper()
	tr := transport.NewHTTPTransport()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	b.Cleanup(tr.CloseIdleConnections)
	return newSDK(b, s, paragon.WithHTTPClient(&http.Client{Transport: tr}))
}

// naiveTLS is the transport a quick hand-written client gets: net/http's
// defaults (those of http.DefaultTransport, built fresh), trusting roots.
func naiveTLS(roots *x509.CertPool) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
	}
}

// settle waits (untimed, at most 30 s) until the connections of the run
// before have closed and the garbage of its storm is collected, so that a
// round does not pay for the previous one.
func settle(srv *server) {
	for deadline := time.Now().Add(30 * time.Second); srv.open.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	runtime.GC()
}

// burst is how many calls BenchmarkColdBurst starts at once.
const burst = 4_000

// BenchmarkColdBurst starts 4,000 GetUser calls at once on a client with no
// open connection, over TLS with HTTP/2 and with HTTP/1.1, and waits for
// all of them: ns/op is the time for the whole burst, conns how many
// connections the server accepted, failed how many calls failed (the
// baseline's TLS handshakes time out in the storm of dials; the SDK's
// calls must all succeed). The baseline is hand-written net/http
// over net/http's default transport settings (no limit per host), with the
// token signed beforehand; the SDK's token is cached too.
func BenchmarkColdBurst(b *testing.B) {
	for _, h2 := range []bool{true, false} {
		name := "proto=h1"
		if h2 {
			name = "proto=h2"
		}
		b.Run(name, func(b *testing.B) {
			srv, roots := newTLSServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(2 * time.Millisecond) // a little server work per call
				meHandler().ServeHTTP(w, r)
			}), h2)
			c := sdkOverTLS(b, srv, roots)
			u := c.User("user-1")
			_, err := u.GetUser(b.Context()) // signs the token once
			require.NoError(b, err)
			tok, err := c.SignUserToken("user-1")
			require.NoError(b, err)
			url := srv.URL + "/projects/" + projectID + "/sdk/me"

			run := func(b *testing.B, mustSucceed bool, reset func(), call func(ctx context.Context) error) {
				var conns, failures int64
				for b.Loop() {
					b.StopTimer()
					reset()
					settle(srv)
					before := srv.conns.Load()
					b.StartTimer()
					var wg sync.WaitGroup
					var failed atomic.Int64
					var first atomic.Value
					for range burst {
						wg.Go(func() {
							ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
							defer cancel()
							if err := call(ctx); err != nil {
								failed.Add(1)
								first.CompareAndSwap(nil, err)
							}
						})
					}
					wg.Wait()
					b.StopTimer()
					conns, failures = srv.conns.Load()-before, failed.Load()
					if failures > 0 && mustSucceed {
						b.Fatalf("%d of %d calls failed, first: %v", failures, burst, first.Load())
					}
					b.StartTimer()
				}
				b.ReportMetric(float64(conns), "conns")
				b.ReportMetric(float64(failures), "failed")
			}
			compare(b, impl{"nethttp", func(b *testing.B) {
				tr := naiveTLS(roots)
				hc := &http.Client{Transport: tr}
				run(b, false, tr.CloseIdleConnections, func(ctx context.Context) error {
					_, err := rawGetUser(ctx, hc, url, "Bearer "+tok)
					return err
				})
			}}, impl{"sdk", func(b *testing.B) {
				run(b, true, c.CloseIdleConnections, func(ctx context.Context) error {
					_, err := u.GetUser(ctx)
					return err
				})
			}})
		})
	}
}

// BenchmarkSlowServer makes 512 calls at a time to a server that takes
// 20 ms per call (HTTP/1.1, loopback): ns/op is per call, so the ratio is
// the SDK's throughput against hand-written net/http with no connection
// limit; conns counts the connections of the run.
func BenchmarkSlowServer(b *testing.B) {
	srv := newServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		meHandler().ServeHTTP(w, r)
	}))
	c := newSDK(b, srv)
	u := c.User("user-1")
	_, err := u.GetUser(b.Context())
	require.NoError(b, err)
	tok, err := c.SignUserToken("user-1")
	require.NoError(b, err)
	url := srv.URL + "/projects/" + projectID + "/sdk/me"
	const concurrency = 512
	run := func(b *testing.B, call func(ctx context.Context) error) {
		before := srv.conns.Load()
		b.SetParallelism(max(1, concurrency/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := call(context.Background()); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(srv.conns.Load()-before), "conns")
	}
	compare(b, impl{"nethttp", func(b *testing.B) {
		tr := &http.Transport{MaxIdleConnsPerHost: concurrency, ForceAttemptHTTP2: true}
		b.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr}
		run(b, func(ctx context.Context) error {
			_, err := rawGetUser(ctx, hc, url, "Bearer "+tok)
			return err
		})
	}}, impl{"sdk", func(b *testing.B) {
		run(b, func(ctx context.Context) error {
			_, err := u.GetUser(ctx)
			return err
		})
	}})
}

// BenchmarkCloseListGzipChunked is BenchmarkCloseListLean with every page
// gzip-compressed and chunked (no Content-Length), as a CDN in front of an
// API may send it: bodies of unknown length take the other read path.
func BenchmarkCloseListGzipChunked(b *testing.B) {
	const total = 2_000
	inner, _ := realLeadsHandler(total)
	srv := newServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, r)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(rec.Body.Bytes())
		_ = zw.Close()
	}))
	c := newSDK(b, srv)
	tok, err := c.SignUserToken("user-1")
	require.NoError(b, err)
	hc := newRawClient(b)
	url := srv.URL + "/projects/" + projectID + "/sdk/proxy/close/lead/"
	crm := close.New(c.User("user-1"))
	count := func(b *testing.B, listAll func() (int, error)) {
		loop(b, func() error {
			n, err := listAll()
			if err == nil && n != total {
				b.Fatalf("listed %d of %d leads", n, total)
			}
			return err
		})
	}
	compare(b, impl{"lean", func(b *testing.B) {
		count(b, func() (int, error) {
			n := 0
			err := leanListLeads(b.Context(), hc, url, "Bearer "+tok, func(*leanLead) { n++ })
			return n, err
		})
	}}, impl{"sdk", func(b *testing.B) {
		count(b, func() (int, error) {
			n := 0
			for _, err := range crm.Leads.List(b.Context(), nil) {
				if err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		})
	}})
}
