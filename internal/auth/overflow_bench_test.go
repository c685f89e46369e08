package auth

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// countingSign is a fake signer that counts its signatures.
func countingSign(n *atomic.Int64) func(Claims) (string, error) {
	return func(cl Claims) (string, error) {
		n.Add(1)
		return fakeSign(cl)
	}
}

func userIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "user-" + strconv.Itoa(i)
	}
	return ids
}

// BenchmarkCacheOverflow calls more distinct users than a default-sized
// cache holds (1.1× and 2×), in a cycle (a job walking all users, the worst
// case for LRU-like caches) and at random, and reports the hit rate
// (hit-%: calls answered without a signature) once the cache is warm.
// Signing is faked; each miss costs an RS256 signature (~1 ms) in real use.
func BenchmarkCacheOverflow(b *testing.B) {
	const capacity = DefaultMaxUsers
	for _, pattern := range []string{"cycle", "random"} {
		for _, factor := range []float64{1.1, 2} {
			b.Run("pattern="+pattern+"/users="+strconv.FormatFloat(factor, 'f', -1, 64)+"x", func(b *testing.B) {
				var signs atomic.Int64
				c := NewCache(CacheConfig{MaxUsers: capacity})
				c.sign = countingSign(&signs)
				ids := userIDs(int(factor * capacity))
				next := func(i int) string { return ids[i%len(ids)] }
				if pattern == "random" {
					next = func(int) string { return ids[rand.IntN(len(ids))] }
				}
				for i := range 3 * len(ids) { // warm up
					_, _ = c.Token(next(i))
				}
				signs.Store(0)
				calls := 0
				for b.Loop() {
					if _, err := c.Token(next(calls)); err != nil {
						b.Fatal(err)
					}
					calls++
				}
				b.ReportMetric(100*(1-float64(signs.Load())/float64(calls)), "hit-%")
			})
		}
	}
}

// BenchmarkCacheHitScale measures a hit at random among 10,000 and
// 1,000,000 cached users (ns/op), and the memory per cached user at that
// size (B/user, tokens as long as real RS256 tokens).
func BenchmarkCacheHitScale(b *testing.B) {
	real, err := testKey(b).Sign(Claims{Subject: "user-0", Audience: testAudience, IssuedAt: epoch, Expiry: epoch.Add(time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	sign := func(cl Claims) (string, error) { return cl.Subject + real[min(len(cl.Subject), len(real)):], nil }
	for _, users := range []int{10_000, 1_000_000} {
		b.Run("users="+strconv.Itoa(users), func(b *testing.B) {
			ids := userIDs(users)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			c := NewCache(CacheConfig{MaxUsers: users, Audience: testAudience})
			c.sign = sign
			for _, id := range ids {
				if _, err := c.Token(id); err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			perUser := float64(after.HeapAlloc-before.HeapAlloc) / float64(c.Len())
			order := make([]int32, 1<<16)
			for i := range order {
				order[i] = int32(rand.IntN(users))
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := c.Token(ids[order[i&(len(order)-1)]]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(perUser, "B/user")
			runtime.KeepAlive(c)
		})
	}
}

// BenchmarkCacheEvictWorst measures an eviction in a full cache of
// 1,000,000 users that were all used since the last eviction looked at
// them (every "referenced" flag set): the most work one eviction does,
// under its shard's lock. Signing is faked.
func BenchmarkCacheEvictWorst(b *testing.B) {
	const users = 1_000_000
	c := NewCache(CacheConfig{MaxUsers: users})
	c.sign = fakeSign
	ids := userIDs(users)
	for _, id := range ids {
		if _, err := c.Token(id); err != nil {
			b.Fatal(err)
		}
	}
	newcomers := userIDs(2 * users)[users:]
	i := 0
	for b.Loop() {
		b.StopTimer()
		if i%1024 == 0 { // set every flag again now and then
			c.users.Range(func(_, v any) bool { v.(*entry).ref.Store(true); return true })
		}
		b.StartTimer()
		if _, err := c.Token(newcomers[i%len(newcomers)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
