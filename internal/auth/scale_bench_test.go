package auth

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkCacheScale fills a cache with 100,000 users and then with
// 150,000, and reports its memory per cached user (B/user: growth of the
// live heap, tokens included) and how many users it holds (users-cached),
// which must never exceed MaxUsers. Tokens have the length of a real RS256
// token, but are not signed: 150,000 signatures would take minutes.
func BenchmarkCacheScale(b *testing.B) {
	real, err := testKey(b).Sign(Claims{Subject: "user-000000", Audience: testAudience, IssuedAt: epoch, Expiry: epoch.Add(time.Hour)})
	require.NoError(b, err)
	// One fresh string per user, as long as a real token for "user-NNNNNN".
	sign := func(cl Claims) (string, error) { return cl.Subject + real[len(cl.Subject):], nil }

	const maxUsers = 100_000
	for _, users := range []int{100_000, 150_000} {
		b.Run("users="+strconv.Itoa(users), func(b *testing.B) {
			ids := make([]string, users)
			for i := range ids {
				ids[i] = "user-" + strconv.Itoa(1_000_000 + i)[1:] // "user-000042"
			}
			var perUser float64
			var cached int
			for b.Loop() {
				b.StopTimer()
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				b.StartTimer()

				c := NewCache(CacheConfig{MaxUsers: maxUsers, Audience: testAudience})
				c.sign = sign
				for _, id := range ids {
					if _, err := c.Token(id); err != nil {
						b.Fatal(err)
					}
				}

				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				cached = c.Len()
				require.LessOrEqual(b, cached, maxUsers)
				perUser = float64(after.HeapAlloc-before.HeapAlloc) / float64(cached)
				runtime.KeepAlive(c)
				b.StartTimer()
			}
			b.ReportMetric(perUser, "B/user")
			b.ReportMetric(float64(cached), "users-cached")
			b.ReportMetric(float64(len(real)), "token-bytes")
		})
	}
}
