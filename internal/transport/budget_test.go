package transport

import (
	"net"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBudgetAccounting(t *testing.T) {
	t.Parallel()
	b := NewBudget(12)
	assert.Equal(t, 12, b.Available())
	assert.True(t, b.take(retryCost))
	assert.True(t, b.take(retryCost))
	assert.False(t, b.take(retryCost), "2 tokens left")
	assert.Equal(t, 2, b.Available())
	b.release(successReward)
	assert.Equal(t, 3, b.Available())
	b.release(100)
	assert.Equal(t, 12, b.Available(), "never beyond the capacity")

	assert.False(t, NewBudget(0).take(1))
	assert.False(t, NewBudget(-3).take(1))

	var unlimited *Budget
	assert.True(t, unlimited.take(timeoutRetryCost))
	unlimited.release(1)
	assert.Positive(t, unlimited.Available())
}

func TestBudgetConcurrent(t *testing.T) {
	t.Parallel()
	const capacity = 500
	b := NewBudget(capacity)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range 1000 {
				if b.take(retryCost) {
					if n := b.Available(); n < 0 || n > capacity {
						t.Errorf("tokens out of range: %d", n)
					}
					b.release(retryCost)
				}
				b.release(successReward)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, capacity, b.Available())
}

func TestBudgetExhaustionStopsRetries(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(7)
		tr, rt := newFake(always(503), Config{MaxRetries: 5, Budget: b})
		resp := mustDo(t, tr, get(testURL))
		assert.Equal(t, 503, resp.StatusCode)
		assert.Equal(t, 2, resp.Attempts, "one retry paid (5), the next cannot be (2 left)")
		assert.Len(t, rt.calls(), 2)
		assert.Equal(t, 2, b.Available())

		// Empty bucket: the next call gets no retry at all.
		b.take(2)
		tr, rt = newFake(always(503), Config{MaxRetries: 5, Budget: b})
		assert.Equal(t, 1, mustDo(t, tr, get(testURL)).Attempts)
		assert.Len(t, rt.calls(), 1)
	})
}

func TestBudgetTimeoutCostsMore(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(15)
		tr, rt := newFake(failWith(&net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}), Config{MaxRetries: 5, Budget: b})
		_, err := tr.Do(t.Context(), get(testURL))
		require.Error(t, err)
		assert.Len(t, rt.calls(), 2, "one timeout retry paid (10), the next cannot be (5 left)")
		assert.Equal(t, 5, b.Available())
	})
}

func TestBudgetRefills(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(20)
		respond := func(n int, _ *http.Request) (*http.Response, error) {
			if n == 1 {
				return reply(503, ""), nil
			}
			return reply(200, "{}"), nil
		}
		tr, _ := newFake(respond, Config{Budget: b})
		assert.Equal(t, 2, mustDo(t, tr, get(testURL)).Attempts)
		assert.Equal(t, 20, b.Available(), "a successful retry gives back its cost")

		b.take(10)
		tr, _ = newFake(always(200), Config{Budget: b})
		mustDo(t, tr, get(testURL))
		assert.Equal(t, 11, b.Available(), "a clean first attempt adds one")

		tr, _ = newFake(always(404), Config{Budget: b})
		mustDo(t, tr, get(testURL))
		assert.Equal(t, 11, b.Available(), "only a success adds")
	})
}
