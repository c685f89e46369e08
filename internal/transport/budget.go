package transport

import (
	"math"
	"sync/atomic"
)

// Retry costs, in Budget tokens.
const (
	retryCost        = 5  // a retry
	timeoutRetryCost = 10 // a retry after a timeout
	successReward    = 1  // given back by a first attempt that succeeded
)

// Budget is a client-wide retry token bucket. Each retry takes tokens (5,
// or 10 after a timeout); a first attempt that succeeds gives one back and a
// retry that succeeds gives back what it took, never beyond the capacity.
// When the bucket cannot pay for a retry, the call returns its last result
// instead: during an outage the client fails fast rather than multiplying
// the load. A nil *Budget is unlimited. A Budget is safe for concurrent use.
type Budget struct {
	capacity int64
	tokens   atomic.Int64
}

// NewBudget returns a full bucket with the given capacity. A capacity of
// zero or less allows no retries.
func NewBudget(capacity int) *Budget {
	b := &Budget{capacity: max(int64(capacity), 0)}
	b.tokens.Store(b.capacity)
	return b
}

// Available returns the tokens left (the capacity, unlimited, for nil).
func (b *Budget) Available() int {
	if b == nil {
		return math.MaxInt
	}
	return int(b.tokens.Load())
}

// take removes cost tokens and reports whether there were enough.
func (b *Budget) take(cost int) bool {
	if b == nil {
		return true
	}
	for {
		cur := b.tokens.Load()
		if cur < int64(cost) {
			return false
		}
		if b.tokens.CompareAndSwap(cur, cur-int64(cost)) {
			return true
		}
	}
}

// release gives n tokens back, up to the capacity. A full bucket (the
// usual case) costs one atomic load.
func (b *Budget) release(n int) {
	if b == nil || n <= 0 {
		return
	}
	for {
		cur := b.tokens.Load()
		next := min(cur+int64(n), b.capacity)
		if next <= cur || b.tokens.CompareAndSwap(cur, next) {
			return
		}
	}
}
