package auth

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countSigns wraps c's signer so that tests can count signatures.
func countSigns(c *Cache) *atomic.Int64 {
	var n atomic.Int64
	sign := c.sign
	c.sign = func(cl Claims) (string, error) {
		n.Add(1)
		return sign(cl)
	}
	return &n
}

// fakeSign is a cheap stand-in for Key.Sign: "<sub>|<iat>|<exp>".
func fakeSign(cl Claims) (string, error) {
	if cl.Subject == "" {
		return "", fmt.Errorf("%w: subject is empty", ErrInvalidClaims)
	}
	return cl.Subject + "|" + strconv.FormatInt(cl.IssuedAt.Unix(), 10) + "|" + strconv.FormatInt(cl.Expiry.Unix(), 10), nil
}

// fakeExp returns the exp of a fakeSign token.
func fakeExp(t *testing.T, tok string) time.Time {
	t.Helper()
	parts := strings.Split(tok, "|")
	require.Len(t, parts, 3)
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	require.NoError(t, err)
	return time.Unix(exp, 0)
}

// newFakeCache returns a Cache that signs with fakeSign on a fake clock.
func newFakeCache(cfg CacheConfig) (*Cache, *fakeClock, *atomic.Int64) {
	clock := newFakeClock(epoch)
	cfg.Now = clock.Now
	c := NewCache(cfg)
	c.sign = fakeSign
	return c, clock, countSigns(c)
}

func TestCacheTokenIsValidAndReused(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	clock := newFakeClock(epoch)
	c := NewCache(CacheConfig{Key: k, Audience: testAudience, Now: clock.Now})
	signs := countSigns(c)

	tok, err := c.Token("user-1")
	require.NoError(t, err)
	sub, claims, err := Verify(k.Public(), tok, testAudience, clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "user-1", sub)
	assert.InDelta(t, float64(epoch.Add(-IssuedAtBackdate).Unix()), claims["iat"], 0, "iat is backdated")
	assert.InDelta(t, float64(epoch.Add(DefaultTTL).Unix()), claims["exp"], 0, "exp = now + TTL")
	assert.Equal(t, testAudience, claims["aud"])
	assert.NotContains(t, claims, PermissionsClaim)

	// Reused until the refresh margin (5 min for the 1 h default) starts.
	for _, d := range []time.Duration{0, time.Minute, 30 * time.Minute, 54*time.Minute + 59*time.Second} {
		clock.ns.Store(epoch.Add(d).UnixNano())
		again, err := c.Token("user-1")
		require.NoError(t, err)
		assert.Equal(t, tok, again, "at +%v", d)
	}
	assert.EqualValues(t, 1, signs.Load())

	clock.ns.Store(epoch.Add(55 * time.Minute).UnixNano())
	fresh, err := c.Token("user-1")
	require.NoError(t, err)
	assert.NotEqual(t, tok, fresh)
	assert.EqualValues(t, 2, signs.Load())
	_, claims, err = Verify(k.Public(), fresh, testAudience, clock.Now())
	require.NoError(t, err)
	assert.InDelta(t, float64(epoch.Add(55*time.Minute+DefaultTTL).Unix()), claims["exp"], 0)

	other, err := c.Token("user-2")
	require.NoError(t, err)
	sub, _, err = Verify(k.Public(), other, testAudience, clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "user-2", sub)
	assert.Equal(t, 2, c.Len())
}

func TestCacheConfigDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ttl, wantTTL, wantMargin time.Duration
	}{
		{0, time.Hour, 5 * time.Minute},
		{-time.Second, time.Hour, 5 * time.Minute},
		{time.Second, time.Minute, 30 * time.Second},
		{time.Minute, time.Minute, 30 * time.Second},
		{2 * time.Minute, 2 * time.Minute, 30 * time.Second},
		{4 * time.Minute, 4 * time.Minute, time.Minute},
		{10 * time.Minute, 10 * time.Minute, 150 * time.Second},
		{24 * time.Hour, 24 * time.Hour, 5 * time.Minute},
	}
	for _, tt := range tests {
		c := NewCache(CacheConfig{TTL: tt.ttl})
		assert.Equal(t, tt.wantTTL, c.ttl, "TTL %v", tt.ttl)
		assert.Equal(t, tt.wantMargin, c.margin, "TTL %v", tt.ttl)
		assert.Equal(t, DefaultMaxUsers, c.maxUsers)
	}
	for _, n := range []int{1, 2, 31, 32, 33, 100, 1000, 1023, 10_000, 100_000} {
		c := NewCache(CacheConfig{MaxUsers: n})
		assert.Equal(t, n, c.maxUsers)
		assert.LessOrEqual(t, len(c.shards), maxShards)
		assert.LessOrEqual(t, len(c.shards)*minUsersPerShard, max(n, minUsersPerShard), "MaxUsers %d: too many shards", n)
	}
}

func TestCacheTokenAlwaysHasMinRemaining(t *testing.T) {
	t.Parallel()
	for _, ttl := range []time.Duration{time.Minute, 90 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 24 * time.Hour} {
		t.Run(ttl.String(), func(t *testing.T) {
			t.Parallel()
			c, clock, signs := newFakeCache(CacheConfig{TTL: ttl})
			step := ttl / 97 // not a divisor of anything interesting
			for range 500 {
				tok, err := c.Token("u")
				require.NoError(t, err)
				left := fakeExp(t, tok).Sub(clock.Now())
				require.GreaterOrEqual(t, left, MinRemaining, "at %v", clock.Now().Sub(epoch))
				require.LessOrEqual(t, left, ttl)
				clock.Advance(step)
			}
			// Re-signed roughly once per TTL minus margin, never on every call.
			assert.Less(t, signs.Load(), int64(500/10))
		})
	}
}

func TestCacheServesOldTokenWhileRefreshing(t *testing.T) {
	t.Parallel()
	c, clock, _ := newFakeCache(CacheConfig{})
	old, err := c.Token("u")
	require.NoError(t, err)

	release := make(chan struct{})
	started := make(chan struct{})
	c.sign = func(cl Claims) (string, error) {
		close(started)
		<-release
		return fakeSign(cl)
	}
	clock.Advance(56 * time.Minute) // inside the refresh margin, 4 min left
	fresh := make(chan string)
	go func() {
		tok, err := c.Token("u")
		assert.NoError(t, err)
		fresh <- tok
	}()
	<-started
	// Another caller doesn't wait for the signature in flight: the old token
	// still has more than MinRemaining left.
	got, err := c.Token("u")
	require.NoError(t, err)
	assert.Equal(t, old, got)

	close(release)
	newTok := <-fresh
	assert.NotEqual(t, old, newTok)
	got, err = c.Token("u")
	require.NoError(t, err)
	assert.Equal(t, newTok, got)
}

func TestCacheWaitsWhenOldTokenIsTooShort(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, clock, _ := newFakeCache(CacheConfig{})
		old, err := c.Token("u")
		require.NoError(t, err)
		clock.Advance(DefaultTTL - 20*time.Second) // 20 s left: must not be handed out

		release := make(chan struct{})
		c.sign = func(cl Claims) (string, error) {
			<-release
			return fakeSign(cl)
		}
		results := make(chan string, 2)
		for range 2 {
			go func() {
				tok, err := c.Token("u")
				assert.NoError(t, err)
				results <- tok
			}()
		}
		synctest.Wait() // one goroutine signs, the other waits for it
		close(release)
		a, b := <-results, <-results
		assert.Equal(t, a, b)
		assert.NotEqual(t, old, a)
	})
}

func TestCacheConcurrentFirstCallsSignOnce(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	c := NewCache(CacheConfig{Key: k, Audience: testAudience})
	signs := countSigns(c)

	const n = 100
	start := make(chan struct{})
	tokens := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			tok, err := c.Token("user-1")
			assert.NoError(t, err)
			tokens[i] = tok
		})
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 1, signs.Load())
	for _, tok := range tokens {
		assert.Equal(t, tokens[0], tok)
	}
	_, _, err := Verify(k.Public(), tokens[0], testAudience, time.Now())
	require.NoError(t, err)
}

// TestCacheConcurrentFirstCallsWait makes the race of the test above
// deterministic: the signature completes only once all 99 other callers are
// blocked waiting for it.
func TestCacheConcurrentFirstCallsWait(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, _, _ := newFakeCache(CacheConfig{})
		c.sign = func(cl Claims) (string, error) {
			synctest.Wait() // every other goroutine is now durably blocked
			return fakeSign(cl)
		}
		signs := countSigns(c)
		const n = 100
		results := make(chan string, n)
		for range n {
			go func() {
				tok, err := c.Token("user-1")
				assert.NoError(t, err)
				results <- tok
			}()
		}
		first := <-results
		for range n - 1 {
			assert.Equal(t, first, <-results)
		}
		assert.EqualValues(t, 1, signs.Load())
	})
}

func TestCacheDoesNotCacheErrors(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, _, _ := newFakeCache(CacheConfig{})
		boom := errors.New("boom")
		var calls atomic.Int64
		c.sign = func(cl Claims) (string, error) {
			if calls.Add(1) == 1 {
				synctest.Wait()
				return "", boom
			}
			return fakeSign(cl)
		}
		errs := make(chan error, 10)
		for range cap(errs) {
			go func() {
				_, err := c.Token("u")
				errs <- err
			}()
		}
		for range cap(errs) {
			assert.ErrorIs(t, <-errs, boom, "waiters share the failed signature's error")
		}
		assert.Zero(t, c.Len())

		tok, err := c.Token("u")
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(tok, "u|"))
		assert.EqualValues(t, 2, calls.Load())
		assert.Equal(t, 1, c.Len())
	})
}

func TestCacheErrors(t *testing.T) {
	t.Parallel()
	c := NewCache(CacheConfig{Key: testKey(t)})
	_, err := c.Token("")
	require.ErrorIs(t, err, ErrInvalidClaims)
	assert.Zero(t, c.Len())

	_, err = c.Token("bad\xff")
	require.ErrorIs(t, err, ErrInvalidClaims)

	_, err = NewCache(CacheConfig{}).Token("u")
	require.ErrorIs(t, err, ErrInvalidKey)

	var nilCache *Cache
	_, err = nilCache.Token("u")
	require.ErrorIs(t, err, ErrInvalidKey)
	assert.Zero(t, nilCache.Len())
	nilCache.Invalidate("u")
}

func TestCacheSignerPanic(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, _, _ := newFakeCache(CacheConfig{})
		release := make(chan struct{})
		var calls atomic.Int64
		c.sign = func(cl Claims) (string, error) {
			if calls.Add(1) == 1 {
				<-release
				panic("signer exploded")
			}
			return fakeSign(cl)
		}
		waiter := make(chan error, 1)
		panicked := make(chan any, 1)
		go func() {
			defer func() { panicked <- recover() }()
			_, _ = c.Token("u")
		}()
		synctest.Wait() // the first goroutine is inside sign
		go func() {
			_, err := c.Token("u")
			waiter <- err
		}()
		synctest.Wait() // the second one waits for the first one's signature
		close(release)
		assert.Equal(t, "signer exploded", <-panicked)
		assert.ErrorIs(t, <-waiter, errSignPanicked)
		_, err := c.Token("u")
		require.NoError(t, err, "a panic leaves no stuck in-flight entry")
		assertConsistent(t, c)
	})
}

func TestCacheInvalidate(t *testing.T) {
	t.Parallel()
	c, _, signs := newFakeCache(CacheConfig{MaxUsers: 32})
	a, err := c.Token("u")
	require.NoError(t, err)
	_, err = c.Token("v")
	require.NoError(t, err)
	require.Equal(t, 2, c.Len())

	c.Invalidate("u")
	c.Invalidate("u")       // twice is fine
	c.Invalidate("unknown") // unknown users too
	assert.Equal(t, 1, c.Len())
	b, err := c.Token("u")
	require.NoError(t, err)
	assert.Equal(t, a, b, "same claims at the same fake time give the same fake token")
	assert.EqualValues(t, 3, signs.Load(), "re-signed after Invalidate")
	assert.Equal(t, 2, c.Len())

	// Freed slots are reused: fill to the bound after invalidations.
	for i := range 100 {
		_, err := c.Token(strconv.Itoa(i))
		require.NoError(t, err)
		if i%3 == 0 {
			c.Invalidate(strconv.Itoa(i))
		}
	}
	assert.LessOrEqual(t, c.Len(), 32)
	assertConsistent(t, c)
}

func TestCacheInvalidateDuringSignature(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, _, _ := newFakeCache(CacheConfig{})
		release := make(chan struct{})
		c.sign = func(cl Claims) (string, error) {
			<-release
			return fakeSign(cl)
		}
		got := make(chan string, 1)
		go func() {
			tok, err := c.Token("u")
			assert.NoError(t, err)
			got <- tok
		}()
		synctest.Wait()
		c.Invalidate("u")
		close(release)
		assert.NotEmpty(t, <-got, "the caller still gets its token")
		assert.Zero(t, c.Len(), "but it is not cached")
	})
}

func TestCacheBoundAt100kUsers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ maxUsers, users int }{
		{0, 100_000}, // DefaultMaxUsers
		{1000, 100_000},
		{7, 10_000},
		{1, 10_000},
	} {
		t.Run(strconv.Itoa(tt.maxUsers), func(t *testing.T) {
			t.Parallel()
			c, _, signs := newFakeCache(CacheConfig{MaxUsers: tt.maxUsers})
			bound := c.maxUsers
			for i := range tt.users {
				_, err := c.Token("user-" + strconv.Itoa(i))
				require.NoError(t, err)
				if i%10_000 == 0 {
					require.LessOrEqual(t, c.Len(), bound)
				}
			}
			assert.EqualValues(t, tt.users, signs.Load())
			assert.Equal(t, bound, c.Len(), "a full cache stays full")
			assertConsistent(t, c)
		})
	}
}

// assertConsistent checks that the lookup map and the shards' rings agree,
// so that nothing leaks past the bound.
func assertConsistent(t *testing.T, c *Cache) {
	t.Helper()
	inMap := 0
	c.users.Range(func(k, v any) bool {
		inMap++
		e := v.(*entry)
		s := c.shardFor(k.(string))
		s.mu.Lock()
		assert.Same(t, e, s.ring[e.slot], "entry %q not in its slot", k)
		s.mu.Unlock()
		return true
	})
	assert.Equal(t, c.Len(), inMap)
	assert.LessOrEqual(t, inMap, c.maxUsers)
	inRings := 0
	for _, s := range c.shards {
		s.mu.Lock()
		inRings += len(s.ring)
		assert.Empty(t, s.inflight)
		s.mu.Unlock()
	}
	assert.Equal(t, inMap, inRings)
}

// TestCacheFullNeverEvictsEarly checks that as many users as MaxUsers all
// stay cached: with a bound split evenly across shards, the shards the hash
// favoured evicted early, and cycling through the users re-signed over half
// of the calls.
func TestCacheFullNeverEvictsEarly(t *testing.T) {
	t.Parallel()
	for _, maxUsers := range []int{1, 7, 100, 10_000} {
		c, _, signs := newFakeCache(CacheConfig{MaxUsers: maxUsers})
		for range 3 {
			for i := range maxUsers {
				_, err := c.Token("user-" + strconv.Itoa(i))
				require.NoError(t, err)
			}
		}
		assert.EqualValues(t, maxUsers, signs.Load(), "MaxUsers %d: every user signed once", maxUsers)
		assert.Equal(t, maxUsers, c.Len())
		assertConsistent(t, c)
	}
}

func TestCacheEvictionKeepsHotUsers(t *testing.T) {
	t.Parallel()
	c, _, _ := newFakeCache(CacheConfig{MaxUsers: 256})
	perUser := map[string]int{}
	var mu sync.Mutex
	c.sign = func(cl Claims) (string, error) {
		mu.Lock()
		perUser[cl.Subject]++
		mu.Unlock()
		return fakeSign(cl)
	}
	hot := []string{"hot-a", "hot-b", "hot-c"}
	for i := range 20_000 {
		for _, h := range hot {
			_, err := c.Token(h)
			require.NoError(t, err)
		}
		_, err := c.Token("cold-" + strconv.Itoa(i))
		require.NoError(t, err)
	}
	for _, h := range hot {
		assert.Equal(t, 1, perUser[h], "%s was evicted although used all the time", h)
	}
	assert.LessOrEqual(t, c.Len(), 256)
}

func TestCacheEvictsDueTokensFirst(t *testing.T) {
	t.Parallel()
	c, clock, _ := newFakeCache(CacheConfig{MaxUsers: 1})
	_, err := c.Token("a")
	require.NoError(t, err)
	_, err = c.Token("a") // referenced
	require.NoError(t, err)
	clock.Advance(time.Hour) // a's token is now due for refresh
	_, err = c.Token("b")
	require.NoError(t, err)
	assert.Equal(t, 1, c.Len())
	_, ok := c.users.Load("b")
	assert.True(t, ok)
}

// TestCacheConcurrentChurn runs hits, misses, refreshes, evictions and
// invalidations at once; run it under -race.
func TestCacheConcurrentChurn(t *testing.T) {
	t.Parallel()
	c, clock, _ := newFakeCache(CacheConfig{MaxUsers: 64, TTL: time.Minute})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 3000 {
				u := "u" + strconv.Itoa((i*7+g)%200)
				switch i % 50 {
				case 0:
					c.Invalidate(u)
				case 1:
					clock.Advance(time.Second)
				}
				// Token reads the clock at or after before, so the token it
				// returns has at least MinRemaining left from before on.
				before := clock.Now()
				tok, err := c.Token(u)
				if !assert.NoError(t, err) {
					return
				}
				assert.True(t, strings.HasPrefix(tok, u+"|"), "token of another user")
				assert.GreaterOrEqual(t, fakeExp(t, tok).Sub(before), MinRemaining, "token too old")
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Len(), 64)
	assertConsistent(t, c)
}
