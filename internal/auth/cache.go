package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Refresh margin bounds; see [Cache].
const (
	minRefreshMargin = MinRemaining
	maxRefreshMargin = 5 * time.Minute
)

// Sharding of the write side; see [Cache].
const (
	maxShards        = 64
	minUsersPerShard = 16
)

// errSignPanicked is what goroutines waiting on a signature get when the
// signing goroutine panicked; the panic itself goes on up that goroutine.
var errSignPanicked = errors.New("token signing panicked")

// CacheConfig configures a [Cache].
type CacheConfig struct {
	// Key signs the tokens. Without it every Token call fails with an error
	// wrapping ErrInvalidKey.
	Key *Key
	// Audience goes into every token's aud claim ("useparagon.com/<projectID>");
	// empty leaves aud out.
	Audience string
	// TTL is each token's lifetime: exp = now + TTL. Zero or negative means
	// DefaultTTL; values under MinTTL are raised to MinTTL.
	TTL time.Duration
	// MaxUsers bounds how many users' tokens are kept. Zero or negative means
	// DefaultMaxUsers.
	MaxUsers int
	// Now is the clock; nil means time.Now. Tests pass a fake.
	Now func() time.Time
}

// Cache holds one signed token per user and hands it out until it gets close
// to expiry. It is safe for concurrent use; create one per key and share it.
//
// # Freshness
//
// A token is signed with iat = now - [IssuedAtBackdate] and exp = now + TTL.
// It is handed out from the cache while more than the refresh margin is left
// before exp; the margin is TTL/4, clamped to [30s, 5min] (5 min for the
// default 1 h TTL, 30 s for the minimum 1 min TTL). Past that point the next
// Token call signs a new one. While that signature is in flight, other callers
// for the same user keep getting the old token as long as it has at least
// [MinRemaining] left; after that they wait for the new one. So a token from
// Token always has at least MinRemaining (30 s) of life left when returned.
//
// # Concurrency
//
// The hit path takes no lock: a sync.Map lookup, an atomic load of the user's
// current token, a clock read, and an atomic flag that is written only when
// not already set, so many goroutines reading the same user don't fight over
// a cache line. Everything else (misses, refreshes, eviction) runs under one
// of up to 64 shard mutexes picked by an FNV-1a hash of the user ID. The first
// caller for a user that needs a signature signs; concurrent callers for that
// user wait for its result, so a burst of first calls signs once. Signing
// errors are returned to everyone waiting and are not cached.
//
// # Bound and eviction
//
// An atomic count of cached users bounds the whole cache: it never holds more
// than MaxUsers users however many distinct users it sees, and it evicts
// nobody before it is full, so up to MaxUsers active users are signed once per
// token lifetime. (A bound split evenly across the shards evicted early: at
// 10,000 users in a 10,000-user cache, the shards the hash favours re-signed
// over half of all calls.) Once full, a new user evicts one of its own shard,
// a cheap approximation of LRU with bounded work: every hit sets the user's
// "referenced" flag; an eviction looks at a few users from a random place in
// the shard, clearing set flags, and evicts the first user whose flag is
// clear or whose token is already due for refresh. Recently used users
// survive; one-off users go first; and when more users are active than the
// cache holds, the hit rate falls gradually, not to zero (see evictLocked). In the unlikely case that the new user's shard holds nobody, its
// token is returned without being cached.
//
// Formatting a Cache (fmt, slog, encoding/json) prints only counts, never a
// token.
type Cache struct {
	audience string
	ttl      time.Duration
	margin   time.Duration
	maxUsers int
	now      func() time.Time

	// sign signs one token; it is Key.Sign except in tests, which count or
	// slow signatures through it.
	sign func(Claims) (string, error)

	users     sync.Map     // user ID → *entry; written only under the user's shard lock
	size      atomic.Int64 // cached users in all shards; at most maxUsers
	evictions atomic.Int64 // users evicted to make room, since NewCache
	shards    []*shard
	mask      uint32
}

// entry is one cached user. tok is replaced on refresh; the entry keeps its
// slot. ref is the "referenced" flag that evictions clear.
type entry struct {
	user string
	tok  atomic.Pointer[token]
	ref  atomic.Bool
	slot int // index in shard.ring; guarded by the shard lock
}

// token is one signed JWT and the unix-nanosecond times that govern its use.
type token struct {
	bearer    string // "Bearer " + the JWT, built once per token
	refreshAt int64  // from here on, re-sign before handing it out
	staleAt   int64  // from here on, it must not be handed out at all
}

// call is one in-flight signature that other goroutines may wait on.
type call struct {
	done    chan struct{}
	tok     *token // set before done is closed, when err is nil
	err     error
	dropped bool // Invalidate ran meanwhile: don't cache the result
}

// shard owns the write side of a slice of the users.
type shard struct {
	mu       sync.Mutex
	ring     []*entry // the shard's users, no gaps
	inflight map[string]*call
}

// NewCache returns a Cache configured by cfg; see [CacheConfig] for defaults.
func NewCache(cfg CacheConfig) *Cache {
	ttl := cfg.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	ttl = max(ttl, MinTTL)
	maxUsers := cfg.MaxUsers
	if maxUsers <= 0 {
		maxUsers = DefaultMaxUsers
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	c := &Cache{
		audience: cfg.Audience,
		ttl:      ttl,
		margin:   min(max(ttl/4, minRefreshMargin), maxRefreshMargin),
		maxUsers: maxUsers,
		now:      now,
		sign:     cfg.Key.Sign,
	}
	// A power of two of shards, so that a mask picks one.
	n := 1
	for n < maxShards && n*2*minUsersPerShard <= maxUsers {
		n *= 2
		c.mask = c.mask<<1 | 1
	}
	c.shards = make([]*shard, n)
	for i := range c.shards {
		c.shards[i] = &shard{inflight: make(map[string]*call)}
	}
	return c
}

// Variant is what distinguishes one of a user's cached tokens from another:
// an audience, a permissions claim or a lifetime other than the cache's.
// Tokens of different variants never share a cache entry. The zero Variant
// is the cache's own configuration. Make one with [NewVariant].
type Variant struct {
	audience    string
	noAudience  bool
	permissions map[string]any
	ttl         time.Duration
	key         string // canonical form; "" for the zero Variant
}

// NewVariant returns the variant with audience aud ("" keeps the cache's;
// noAud leaves aud out), permissions perms (nil leaves the claim out) and
// lifetime ttl (0 keeps the cache's; otherwise at least MinTTL). It fails
// with [ErrInvalidClaims] when perms does not encode as JSON or ttl is too
// short. perms must not be changed afterwards.
func NewVariant(aud string, noAud bool, perms map[string]any, ttl time.Duration) (Variant, error) {
	if ttl != 0 && ttl < MinTTL {
		return Variant{}, fmt.Errorf("%w: token lifetime %v is under %v", ErrInvalidClaims, ttl, MinTTL)
	}
	v := Variant{audience: aud, noAudience: noAud, permissions: perms, ttl: ttl}
	if aud == "" && !noAud && perms == nil && ttl == 0 {
		return v, nil
	}
	var permJSON []byte
	if perms != nil {
		var err error
		// encoding/json sorts map keys, so equal claims give equal keys.
		if permJSON, err = json.Marshal(perms); err != nil {
			return Variant{}, fmt.Errorf("%w: encoding permissions: %w", ErrInvalidClaims, err)
		}
	}
	v.key = "\x00aud=" + strconv.Quote(aud) + "," + strconv.FormatBool(noAud) +
		"\x00perm=" + string(permJSON) + "\x00ttl=" + strconv.FormatInt(int64(ttl), 10)
	return v, nil
}

// Audience returns the aud claim tokens of this variant carry when the
// cache's own audience is def.
func (v Variant) Audience(def string) string {
	switch {
	case v.noAudience:
		return ""
	case v.audience != "":
		return v.audience
	}
	return def
}

// Token returns a token for userID that has at least [MinRemaining] left,
// from the cache when possible and otherwise freshly signed (see [Cache] for
// when). Errors wrap [ErrInvalidClaims] (for example an empty userID) or
// [ErrInvalidKey]; they are not cached.
func (c *Cache) Token(userID string) (string, error) { return c.TokenFor(userID, Variant{}) }

// TokenFor is [Cache.Token] for one variant of userID's tokens: the cache
// keeps one entry per user and variant, so tokens with different audiences,
// permissions or lifetimes are never handed out for one another.
func (c *Cache) TokenFor(userID string, vr Variant) (string, error) {
	b, err := c.BearerFor(userID, vr)
	if err != nil {
		return "", err
	}
	return b[len(bearerPrefix):], nil
}

// bearerPrefix starts an Authorization header value.
const bearerPrefix = "Bearer "

// BearerFor is [Cache.TokenFor] as an Authorization header value,
// "Bearer <token>": the string is built once per signed token, so a call
// that sends it allocates nothing for it.
func (c *Cache) BearerFor(userID string, vr Variant) (string, error) {
	if c == nil {
		return "", fmt.Errorf("%w: nil token cache", ErrInvalidKey)
	}
	if userID == "" {
		return "", fmt.Errorf("%w: subject is empty", ErrInvalidClaims)
	}
	if strings.IndexByte(userID, 0) >= 0 { // would collide with a variant's key
		return "", fmt.Errorf("%w: subject contains a NUL byte", ErrInvalidClaims)
	}
	key := userID
	if vr.key != "" {
		key = userID + vr.key
	}
	now := c.now()
	if v, ok := c.users.Load(key); ok {
		e := v.(*entry)
		if t := e.tok.Load(); now.UnixNano() < t.refreshAt {
			if !e.ref.Load() {
				e.ref.Store(true)
			}
			return t.bearer, nil
		}
	}
	return c.slowToken(key, userID, vr, now)
}

// slowToken handles a miss or a due refresh: it joins a signature already in
// flight for the cache key userID (the user ID and its variant) or starts
// one for subject sub. It returns the token's bearer string.
func (c *Cache) slowToken(userID, sub string, vr Variant, now time.Time) (string, error) {
	s := c.shardFor(userID)
	nowNano := now.UnixNano()
	for {
		s.mu.Lock()
		var old *token
		if v, ok := c.users.Load(userID); ok {
			old = v.(*entry).tok.Load()
			if nowNano < old.refreshAt { // refreshed since our first look
				s.mu.Unlock()
				return old.bearer, nil
			}
		}
		cl, ok := s.inflight[userID]
		if !ok {
			break
		}
		s.mu.Unlock()
		if old != nil && nowNano < old.staleAt {
			return old.bearer, nil
		}
		<-cl.done
		if cl.err != nil {
			return "", cl.err
		}
		if nowNano < cl.tok.staleAt {
			return cl.tok.bearer, nil
		}
		// The signer read its clock well before ours (only possible when
		// the clock jumps): its token may be too short-lived for us.
	}
	cl := &call{done: make(chan struct{})}
	s.inflight[userID] = cl
	s.mu.Unlock()

	finished := false
	defer func() {
		if !finished { // c.sign panicked: release the waiters, let the panic go on
			c.finish(s, userID, cl, nil, errSignPanicked)
		}
	}()
	t, err := c.signToken(sub, vr, now)
	finished = true
	c.finish(s, userID, cl, t, err)
	if err != nil {
		return "", err
	}
	return t.bearer, nil
}

// signToken signs a token of variant vr for userID issued at now.
func (c *Cache) signToken(userID string, vr Variant, now time.Time) (*token, error) {
	ttl, margin := c.ttl, c.margin
	if vr.ttl != 0 {
		ttl = vr.ttl
		margin = min(max(ttl/4, minRefreshMargin), maxRefreshMargin)
	}
	aud := c.audience
	switch {
	case vr.noAudience:
		aud = ""
	case vr.audience != "":
		aud = vr.audience
	}
	exp := now.Add(ttl)
	jwt, err := c.sign(Claims{
		Subject:     userID,
		Audience:    aud,
		IssuedAt:    now.Add(-IssuedAtBackdate),
		Expiry:      exp,
		Permissions: vr.permissions,
	})
	if err != nil {
		return nil, err
	}
	// exp as the token states it, in whole seconds; saturated for absurd TTLs.
	expNano := int64(math.MaxInt64)
	if secs := exp.Unix(); secs < math.MaxInt64/int64(time.Second) {
		expNano = secs * int64(time.Second)
	}
	return &token{
		bearer:    bearerPrefix + jwt,
		refreshAt: expNano - int64(margin),
		staleAt:   expNano - int64(MinRemaining),
	}, nil
}

// finish publishes the outcome of cl: caches t unless the signature failed or
// the user was invalidated meanwhile, then wakes the waiters.
func (c *Cache) finish(s *shard, userID string, cl *call, t *token, err error) {
	s.mu.Lock()
	delete(s.inflight, userID)
	if err == nil && !cl.dropped {
		c.storeLocked(s, userID, t)
	}
	s.mu.Unlock()
	cl.tok, cl.err = t, err
	close(cl.done)
}

// storeLocked caches t for userID, evicting another user of s if s is full.
// s.mu must be held.
func (c *Cache) storeLocked(s *shard, userID string, t *token) {
	if v, ok := c.users.Load(userID); ok {
		e := v.(*entry)
		// Keep whichever token lives longer; they differ only when the clock
		// stepped backwards between two signatures.
		if t.refreshAt > e.tok.Load().refreshAt {
			e.tok.Store(t)
		}
		return
	}
	e := &entry{user: userID}
	e.tok.Store(t)
	switch {
	case c.reserve():
		e.slot = len(s.ring)
		s.ring = append(s.ring, e)
	case len(s.ring) > 0:
		e.slot = c.evictLocked(s)
		s.ring[e.slot] = e
	default:
		return // full, and s holds nobody to evict: leave t uncached
	}
	c.users.Store(userID, e)
}

// reserve counts one more cached user, unless the cache is full.
func (c *Cache) reserve() bool {
	for {
		n := c.size.Load()
		if n >= int64(c.maxUsers) {
			return false
		}
		if c.size.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// evictScan bounds the work of one eviction: how many users of a shard
// it looks at. With up to 1M users in a shard ring, a full CLOCK sweep held
// the shard lock for milliseconds.
const evictScan = 32

// evictLocked removes one user from the non-empty shard s and returns the
// freed slot, for the caller to fill. s.mu must be held.
//
// It looks at up to evictScan users from a random place in the ring,
// clearing their "referenced" flags, and evicts the first that was not
// referenced since it was last looked at or whose token is due for refresh;
// when all of them were, the first one goes. Starting at a random place
// makes it degrade gracefully when more users are active than the cache
// holds: a CLOCK hand evicts in insertion order, which turns a job cycling
// through 11,000 users with a 10,000-user cache into a miss (and an RS256
// signature) on every call; random victims keep most of the hits
// (BenchmarkCacheOverflow in docs/PERFORMANCE.md).
func (c *Cache) evictLocked(s *shard) int {
	now := c.now().UnixNano()
	start := rand.IntN(len(s.ring))
	victim := start
	for i := range min(evictScan, len(s.ring)) {
		j := (start + i) % len(s.ring)
		e := s.ring[j]
		if !e.ref.Load() || now >= e.tok.Load().refreshAt {
			victim = j
			break
		}
		e.ref.Store(false)
	}
	c.users.Delete(s.ring[victim].user)
	s.ring[victim] = nil
	c.evictions.Add(1)
	return victim
}

// Invalidate drops userID's cached token, so that the next Token call signs
// a new one. A signature in flight for userID still reaches the callers
// waiting for it but is not cached.
func (c *Cache) Invalidate(userID string) { c.InvalidateFor(userID, Variant{}) }

// InvalidateFor is [Cache.Invalidate] for one variant of userID's tokens.
func (c *Cache) InvalidateFor(userID string, vr Variant) {
	if c == nil {
		return
	}
	userID += vr.key
	s := c.shardFor(userID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if cl, ok := s.inflight[userID]; ok {
		cl.dropped = true
	}
	v, ok := c.users.LoadAndDelete(userID)
	if !ok {
		return
	}
	// Move the shard's last user into the freed slot, so the ring has no gaps.
	e := v.(*entry)
	last := s.ring[len(s.ring)-1]
	last.slot = e.slot
	s.ring[e.slot] = last
	s.ring[len(s.ring)-1] = nil
	s.ring = s.ring[:len(s.ring)-1]
	c.size.Add(-1)
}

// Evictions reports how many users were evicted to make room for others
// since the cache was made. Evictions that keep growing mean more users are
// active than the cache holds: each one costs a signature later.
func (c *Cache) Evictions() int64 {
	if c == nil {
		return 0
	}
	return c.evictions.Load()
}

// Len reports the number of users with a cached token; it never exceeds
// the configured MaxUsers.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	return int(c.size.Load())
}

// shardFor picks userID's shard by 32-bit FNV-1a.
func (c *Cache) shardFor(userID string) *shard {
	const offset, prime = 2166136261, 16777619
	h := uint32(offset)
	for i := 0; i < len(userID); i++ {
		h ^= uint32(userID[i])
		h *= prime
	}
	return c.shards[h&c.mask]
}

// String returns a description without secrets, such as
// "auth.Cache{users: 3, max: 10000, ttl: 1h0m0s, tokens redacted}".
func (c *Cache) String() string {
	if c == nil {
		return "auth.Cache(nil)"
	}
	return "auth.Cache{users: " + strconv.Itoa(c.Len()) +
		", max: " + strconv.Itoa(c.maxUsers) +
		", ttl: " + c.ttl.String() + ", tokens redacted}"
}

// GoString returns the same text as String, for %#v.
func (c *Cache) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb prints String and never
// a token.
func (c *Cache) Format(f fmt.State, verb rune) { writeRedacted(f, verb, c.String()) }

// LogValue implements slog.LogValuer with String.
func (c *Cache) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes String as a JSON string.
func (c *Cache) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }
