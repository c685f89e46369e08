package paragon_test

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// syncBuffer is a log sink safe for the handler goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSubscribeHandlerPanicIsContained(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	h := newHarness(t, paragon.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	h.on("POST", apiBase+"/projects/"+testProject+"/sdk/workflows/wf-1", 200, `{}`)

	got := make(chan paragon.SDKEvent, 1)
	block := make(chan struct{})
	defer h.c.Subscribe(paragon.EventWorkflowChange, func(paragon.SDKEvent) { panic("handler bug") })()
	defer h.c.Subscribe(paragon.EventWorkflowChange, func(e paragon.SDKEvent) { <-block; got <- e })()

	start := time.Now()
	require.NoError(t, h.c.User("u1").EnableWorkflow(t.Context(), "wf-1", pinned...))
	assert.Less(t, time.Since(start), 2*time.Second, "a blocked handler does not delay the call")
	close(block)
	select {
	case e := <-got:
		assert.Equal(t, "wf-1", e.WorkflowID)
		assert.True(t, e.Enabled)
	case <-time.After(5 * time.Second):
		t.Fatal("the healthy handler did not run")
	}
	assert.Eventually(t, func() bool { return bytes.Contains([]byte(logs.String()), []byte("event handler panicked")) },
		5*time.Second, 10*time.Millisecond)
}

func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("DELETE", apiBase+"/projects/"+testProject+"/sdk/workflows/wf-1", 200, `{}`)
	calls := make(chan struct{}, 4)
	unsubscribe := h.c.Subscribe(paragon.EventWorkflowChange, func(paragon.SDKEvent) { calls <- struct{}{} })
	unsubscribe()
	unsubscribe() // safe twice
	require.NoError(t, h.c.User("u1").DisableWorkflow(t.Context(), "wf-1", pinned...))
	select {
	case <-calls:
		t.Fatal("an unsubscribed handler ran")
	case <-time.After(100 * time.Millisecond):
	}
	assert.NotPanics(t, func() { h.c.Subscribe(paragon.EventWorkflowChange, nil)() })
}
