package auth

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Keys are generated once per test binary: a 2048-bit key takes up to a few
// hundred milliseconds, more under -race. Nothing secret is committed.
var (
	keysOnce  sync.Once
	keyA      *Key // the signing key most tests use
	keyB      *Key // another key, for forgeries
	keysError error
)

func loadKeys() {
	var wg sync.WaitGroup
	var errA, errB error
	wg.Go(func() { keyA, errA = GenerateKey(2048) })
	wg.Go(func() { keyB, errB = GenerateKey(2048) })
	wg.Wait()
	keysError = errA
	if keysError == nil {
		keysError = errB
	}
}

// testKeys returns two distinct 2048-bit keys shared by the whole package.
func testKeys(tb testing.TB) (a, b *Key) {
	tb.Helper()
	keysOnce.Do(loadKeys)
	require.NoError(tb, keysError)
	return keyA, keyB
}

// testKey returns the package's main test key.
func testKey(tb testing.TB) *Key {
	tb.Helper()
	k, _ := testKeys(tb)
	return k
}

// fakeClock is a settable clock for Cache.Now.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// epoch is an arbitrary fixed start time for fake clocks.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
