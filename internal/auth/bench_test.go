package auth

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSign measures one RS256 signature with a 2048-bit key: the cost
// of a cache miss.
func BenchmarkSign(b *testing.B) {
	k := testKey(b)
	now := time.Now()
	c := Claims{Subject: "user-1", Audience: testAudience, IssuedAt: now, Expiry: now.Add(time.Hour)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCacheHit measures Token for a user whose token is cached: the
// hot path of every authenticated request.
func BenchmarkCacheHit(b *testing.B) {
	c := NewCache(CacheConfig{Key: testKey(b), Audience: testAudience})
	if _, err := c.Token("user-1"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Token("user-1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCacheHitParallel measures cached Token calls from all Ps at once,
// each goroutine cycling through 1024 users; ns/op should stay near
// BenchmarkCacheHit divided by GOMAXPROCS if there is no contention.
func BenchmarkCacheHitParallel(b *testing.B) {
	c := NewCache(CacheConfig{Key: testKey(b), Audience: testAudience})
	c.sign = fakeSign // warming 1024 users with RSA would dominate setup
	const users = 1024
	ids := make([]string, users)
	for i := range ids {
		ids[i] = "user-" + strconv.Itoa(i)
		if _, err := c.Token(ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	var seed atomic.Uint32
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(7919))
		for pb.Next() {
			if _, err := c.Token(ids[i%users]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkCacheHitParallelSameUser is the worst case for contention: every
// goroutine asks for the same user.
func BenchmarkCacheHitParallelSameUser(b *testing.B) {
	c := NewCache(CacheConfig{Key: testKey(b), Audience: testAudience})
	if _, err := c.Token("user-1"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Token("user-1"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCacheMissEvict measures a miss that evicts, with signing faked
// out: the cache's own bookkeeping cost on top of a signature.
func BenchmarkCacheMissEvict(b *testing.B) {
	c := NewCache(CacheConfig{MaxUsers: 1000})
	c.sign = fakeSign
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = "user-" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := c.Token(ids[i&(len(ids)-1)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
