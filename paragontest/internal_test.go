package paragontest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestLogKeepsTheLatest(t *testing.T) {
	t.Parallel()
	var l requestLog
	first := l.add(RecordedRequest{Path: "/0"})
	var last int
	for i := 1; i <= maxRequestLog; i++ {
		last = l.add(RecordedRequest{Path: "/n"})
	}
	l.finish(first, "gone", 200) // dropped: a no-op
	l.finish(last, "u", 201)
	require.Len(t, l.reqs, maxRequestLog/2+1)
	assert.Equal(t, maxRequestLog+1, l.total)
	assert.Equal(t, "u", l.reqs[len(l.reqs)-1].UserID)
	assert.Equal(t, 201, l.reqs[len(l.reqs)-1].Status)
	l.reset()
	assert.Empty(t, l.reqs)
	assert.Zero(t, l.total)
	seq := l.add(RecordedRequest{})
	l.finish(seq, "v", 200)
	assert.Equal(t, "v", l.reqs[0].UserID)
}

func TestNewUUID(t *testing.T) {
	t.Parallel()
	a, b := newUUID(), newUUID()
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, a)
	assert.NotEqual(t, a, b)
}

func TestResourcesJSON(t *testing.T) {
	t.Parallel()
	s := NewServer()
	defer s.Close()
	id, err := s.AddResource(APIResource{Slug: "crm-api", Integration: "close"})
	require.NoError(t, err)
	s.mu.Lock()
	u := s.userLocked("u1")
	before := s.resourcesJSONLocked(u)
	s.connectLocked(u, s.byType["close"], nil)
	after := s.resourcesJSONLocked(u)
	s.mu.Unlock()
	assert.Equal(t, []any{map[string]any{"id": id, "slug": "crm-api", "integrationId": CloseIntegrationID}}, before)
	require.Len(t, after, 1)
	assert.Equal(t, "VALID", after[0].(map[string]any)["credentialStatus"])
}
