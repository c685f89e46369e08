package bench

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// manyUsers is how many distinct Connected Users BenchmarkManyUsers spreads
// its calls over: the SDK's default token cache size.
const manyUsers = paragon.DefaultTokenCacheSize

// parallelism is how many goroutines per CPU call at once: these calls
// wait on the network, so a server-side program runs many more goroutines
// than CPUs.
const parallelism = 8

// userHeader tells the fixture's server which user a warm-up call was
// made for, so that it can keep that user's token for the raw baseline.
const userHeader = "X-Bench-User"

// usersFixture is one server, one SDK client and 10,000 users, shared by
// the sub-benchmarks of BenchmarkManyUsers. Before the first timed run
// every user makes one call, which signs and caches its token (10,000 RS256
// signatures, several CPU-seconds, once per process); a -benchtime=1x run
// warms only the user it calls.
type usersFixture struct {
	srv   *server
	url   string
	c     *paragon.Client
	sdk   []*paragon.User
	ids   []string
	mu    sync.Mutex
	warm  int      // users [0, warm) have a cached SDK token and a bearer
	bears []string // "Bearer <token>" the SDK sent for each warm user
}

func newUsersFixture(b *testing.B) *usersFixture {
	f := &usersFixture{bears: make([]string, manyUsers)}
	f.srv = newServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get(userHeader); v != "" {
			i, err := strconv.Atoi(v)
			if err == nil && i >= 0 && i < manyUsers {
				f.bears[i] = r.Header.Get("Authorization")
			}
		}
		meHandler().ServeHTTP(w, r)
	}))
	f.url = f.srv.URL + "/projects/" + projectID + "/sdk/me"
	c := newSDK(b, f.srv)
	f.c = c
	f.sdk = make([]*paragon.User, manyUsers)
	f.ids = make([]string, manyUsers)
	for i := range manyUsers {
		f.ids[i] = "user-" + strconv.Itoa(i)
		f.sdk[i] = c.User(f.ids[i])
	}
	return f
}

// warmUp makes sure the first n users have made one SDK call (which signs
// and caches their token) and that their token was captured for the raw
// baseline. It runs outside the timed part of a benchmark.
func (f *usersFixture) warmUp(b *testing.B, n int) {
	b.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	n = min(n, manyUsers)
	if n <= f.warm {
		return
	}
	var next atomic.Int64
	next.Store(int64(f.warm))
	var wg sync.WaitGroup
	for range parallelism {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				_, err := f.sdk[i].GetUser(context.Background(), paragon.WithHeader(userHeader, strconv.Itoa(i)))
				assert.NoError(b, err)
			}
		})
	}
	wg.Wait()
	require.False(b, b.Failed())
	f.warm = n
}

// BenchmarkManyUsers calls GetUser from many goroutines at once, cycling
// through 10,000 distinct users, three ways:
//
//   - naive: what a quick hand-written client does: sign a JWT per call
//     and send it with http.DefaultClient;
//   - naive-cached: the same with each user's token signed once and kept
//     in a sync.Map, so that naive vs naive-cached is the token cache's win
//     and naive-cached vs sdk the transport's;
//   - raw: hand-written net/http over the SDK's tuned transport, with every
//     user's token signed beforehand (the tokens the SDK itself sent);
//   - sdk: User.GetUser, tokens from the SDK's cache.
//
// conns is how many connections the server accepted during the run (each
// client starts it without idle connections); users is how many distinct
// users the run called.
func BenchmarkManyUsers(b *testing.B) {
	f := newUsersFixture(b)
	run := func(b *testing.B, hc interface{ CloseIdleConnections() }, call func(ctx context.Context, i int) error) {
		if b.N > 1 {
			f.warmUp(b, manyUsers)
		} else {
			f.warmUp(b, 1) // -benchtime=1x: don't sign 10,000 tokens for one call
		}
		hc.CloseIdleConnections()
		var next atomic.Int64
		conns := f.srv.conns.Load()
		b.ReportAllocs()
		b.SetParallelism(parallelism)
		var cpu cpuMeter
		b.ResetTimer()
		cpu.start()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				// Step through the users by a prime, so that even a short run
				// spreads its calls over all of them.
				i := int(next.Add(1)-1) * 7919 % manyUsers
				if err := call(ctx, i); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		cpu.stop()
		cpu.report(b, b.N)
		b.ReportMetric(float64(f.srv.conns.Load()-conns), "conns")
		b.ReportMetric(float64(min(b.N, manyUsers)), "users") // distinct users called
	}

	priv, err := jwt.ParseRSAPrivateKeyFromPEM(key(b).PEM()) // the naive client's own copy of the key
	require.NoError(b, err)
	b.Cleanup(http.DefaultClient.CloseIdleConnections)
	aud := "useparagon.com/" + projectID
	hc := newRawClient(b)
	var toks sync.Map // naive-cached's tokens, user ID → "Bearer <token>", kept across rounds

	compare(b, impl{"naive", func(b *testing.B) {
		run(b, http.DefaultClient, func(ctx context.Context, i int) error {
			now := time.Now()
			tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
				"sub": f.ids[i], "aud": aud, "iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
			}).SignedString(priv)
			if err != nil {
				return err
			}
			_, err = rawGetUser(ctx, http.DefaultClient, f.url, "Bearer "+tok)
			return err
		})
	}}, impl{"naive-cached", func(b *testing.B) {
		run(b, http.DefaultClient, func(ctx context.Context, i int) error {
			bearer, ok := toks.Load(f.ids[i])
			if !ok {
				now := time.Now()
				tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
					"sub": f.ids[i], "aud": aud, "iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
				}).SignedString(priv)
				if err != nil {
					return err
				}
				bearer, _ = toks.LoadOrStore(f.ids[i], "Bearer "+tok)
			}
			_, err := rawGetUser(ctx, http.DefaultClient, f.url, bearer.(string))
			return err
		})
	}}, impl{"raw", func(b *testing.B) {
		run(b, hc, func(ctx context.Context, i int) error {
			_, err := rawGetUser(ctx, hc, f.url, f.bears[i])
			return err
		})
	}}, impl{"sdk", func(b *testing.B) {
		run(b, f.c, func(ctx context.Context, i int) error {
			_, err := f.sdk[i].GetUser(ctx)
			return err
		})
	}})
}
