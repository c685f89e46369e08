package mcp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/actionkit"
	"github.com/paragon-go/paragon/mcp"
	"github.com/paragon-go/paragon/paragontest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// connect serves srv over an in-memory transport and returns a client
// session of the same SDK; both end with the test.
func connect(t *testing.T, srv *mcp.Server, opts ...*sdk.ClientOptions) *sdk.ClientSession {
	t.Helper()
	var copts *sdk.ClientOptions
	if len(opts) > 0 {
		copts = opts[0]
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, ct := sdk.NewInMemoryTransports()
	ss, err := srv.MCP().Connect(ctx, st, nil)
	require.NoError(t, err)
	client := sdk.NewClient(&sdk.Implementation{Name: "test-client", Version: "0"}, copts)
	cs, err := client.Connect(ctx, ct, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = cs.Close()
		_ = ss.Wait()
		cancel()
	})
	return cs
}

func fake(t *testing.T, seeds ...paragontest.UserSeed) *paragontest.Server {
	t.Helper()
	opts := []paragontest.Option{}
	for _, s := range seeds {
		opts = append(opts, paragontest.WithUser(s))
	}
	srv := paragontest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func names(tools []*sdk.Tool) []string {
	out := make([]string, 0, len(tools))
	for _, t := range tools {
		out = append(out, t.Name)
	}
	sort.Strings(out)
	return out
}

func text(t *testing.T, res *sdk.CallToolResult) string {
	t.Helper()
	require.NotEmpty(t, res.Content)
	tc, ok := res.Content[0].(*sdk.TextContent)
	require.True(t, ok, "text content, got %T", res.Content[0])
	return tc.Text
}

func TestToolsEndToEnd(t *testing.T) {
	t.Parallel()
	p := fake(t, paragontest.UserSeed{ID: "u1", Connected: []string{"close"}})
	ak := actionkit.New(p.Client().User("u1"))
	var links atomic.Int32
	srv, err := mcp.New(ak, mcp.WithSetupLink(func(_ context.Context, integration string) (string, error) {
		links.Add(1)
		return "https://connect.example.com/setup?integration=" + integration, nil
	}), mcp.WithListParams(actionkit.ListToolsParams{IncludeUnavailable: true}))
	require.NoError(t, err)
	cs := connect(t, srv)
	ctx := t.Context()

	list, err := cs.ListTools(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"CLOSE_CREATE_LEAD", "CLOSE_EXPORT_LEADS_CSV", "CLOSE_GET_LEAD", "CLOSE_SEARCH_LEADS", "SLACK_SEND_MESSAGE"}, names(list.Tools))
	for _, tool := range list.Tools {
		if tool.Name == "CLOSE_CREATE_LEAD" {
			schema := tool.InputSchema.(map[string]any)
			assert.Equal(t, "object", schema["type"])
			assert.Equal(t, []any{"name"}, schema["required"], "ActionKit's JSON Schema is the input schema")
			assert.Equal(t, "Create a lead in Close, optionally with contacts.", tool.Description)
		}
	}

	// tools/call runs the tool against the fake Close state.
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "CLOSE_CREATE_LEAD", Arguments: map[string]any{"name": "Harbor Analytics"}})
	require.NoError(t, err)
	require.False(t, res.IsError, text(t, res))
	var lead map[string]any
	require.NoError(t, json.Unmarshal([]byte(text(t, res)), &lead))
	id, _ := lead["id"].(string)
	_, ok := p.CloseCRM().Lead(id)
	assert.True(t, ok, "the lead exists in the fake Close")
	assert.Equal(t, "Harbor Analytics", res.StructuredContent.(map[string]any)["display_name"])

	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "CLOSE_SEARCH_LEADS", Arguments: map[string]any{"query": "Harbor"}})
	require.NoError(t, err)
	require.False(t, res.IsError)
	assert.Contains(t, text(t, res), id)

	// A file output is an embedded resource with its media type.
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "CLOSE_EXPORT_LEADS_CSV"})
	require.NoError(t, err)
	require.False(t, res.IsError)
	er, ok := res.Content[0].(*sdk.EmbeddedResource)
	require.True(t, ok, "%T", res.Content[0])
	assert.Equal(t, "text/csv", er.Resource.MIMEType)
	assert.Equal(t, "id,name\n"+id+",Harbor Analytics\n", er.Resource.Text)

	// Slack is not connected: a tool error with the setup link, not a crash.
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "SLACK_SEND_MESSAGE", Arguments: map[string]any{"channel": "#a", "text": "hi"}})
	require.NoError(t, err)
	assert.True(t, res.IsError)
	assert.Contains(t, text(t, res), "https://connect.example.com/setup?integration=slack")
	assert.Equal(t, "slack", res.StructuredContent.(map[string]any)["integration"])
	assert.Equal(t, int32(1), links.Load())

	// ActionKit's own refusals are tool errors the model can read.
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "CLOSE_CREATE_LEAD", Arguments: map[string]any{}})
	require.NoError(t, err)
	assert.True(t, res.IsError)
	assert.Equal(t, "The tool CLOSE_CREATE_LEAD failed (status 400): name should not be empty", text(t, res))
	assert.InDelta(t, 400, res.StructuredContent.(map[string]any)["status"], 0)

	// Arguments that are not an object: a tool error, and nothing sent.
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "CLOSE_CREATE_LEAD", Arguments: []int{1}})
	require.NoError(t, err)
	assert.True(t, res.IsError)
	assert.Contains(t, text(t, res), "Invalid arguments")

	// An unknown tool is a protocol error.
	_, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "NO_SUCH_TOOL"})
	require.Error(t, err)

	// One tools/call is one POST /tools: never repeated.
	n := 0
	for _, r := range p.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/tools") {
			n++
		}
	}
	assert.Equal(t, 5, n)
}

func TestToolListFollowsTheUser(t *testing.T) {
	t.Parallel()
	p := fake(t, paragontest.UserSeed{ID: "u1", Connected: []string{"close"}})
	srv, err := mcp.New(actionkit.New(p.Client().User("u1")))
	require.NoError(t, err)
	changed := make(chan struct{}, 8)
	cs := connect(t, srv, &sdk.ClientOptions{ToolListChangedHandler: func(context.Context, *sdk.ToolListChangedRequest) {
		changed <- struct{}{}
	}})
	ctx := t.Context()

	list, err := cs.ListTools(ctx, nil)
	require.NoError(t, err)
	assert.NotContains(t, names(list.Tools), "SLACK_SEND_MESSAGE", "limit_to_available by default")
	wait := func() {
		t.Helper()
		select {
		case <-changed: // notifications/tools/list_changed reached the client
		case <-ctx.Done():
			t.Fatal("no tools/list_changed notification")
		}
	}
	wait() // the first list registered the tools
	_, err = cs.ListTools(ctx, nil)
	require.NoError(t, err, "an unchanged list changes nothing")

	// The user connects Slack (headless): the next tools/list shows its tools.
	_, err = p.Client().User("u1").Connect(ctx, "slack", &paragon.ConnectParams{AuthorizationCode: "code-1"})
	require.NoError(t, err)
	list, err = cs.ListTools(ctx, nil)
	require.NoError(t, err)
	assert.Contains(t, names(list.Tools), "SLACK_SEND_MESSAGE")
	wait()
	assert.Empty(t, changed, "one notification for one change")
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "SLACK_SEND_MESSAGE", Arguments: map[string]any{"channel": "#a", "text": "hi"}})
	require.NoError(t, err)
	assert.False(t, res.IsError, text(t, res))

	require.NoError(t, p.AddUser(paragontest.UserSeed{ID: "u2", Connected: []string{"slack"}}))
	// Not connected and no setup link option: still a tool error.
	srv3, err := mcp.New(actionkit.New(p.Client().User("u2")), mcp.WithListParams(actionkit.ListToolsParams{IncludeUnavailable: true}))
	require.NoError(t, err)
	cs3 := connect(t, srv3)
	res, err = cs3.CallTool(ctx, &sdk.CallToolParams{Name: "CLOSE_CREATE_LEAD", Arguments: map[string]any{"name": "A"}})
	require.NoError(t, err, "an unknown tool makes the server read the list first")
	assert.True(t, res.IsError)
	assert.Contains(t, text(t, res), "has not connected close")
}

func TestToolsTTLAndFailures(t *testing.T) {
	t.Parallel()
	p := fake(t, paragontest.UserSeed{ID: "u1", Connected: []string{"close"}})
	srv, err := mcp.New(actionkit.New(p.Client().User("u1")), mcp.WithToolsTTL(1<<40),
		mcp.WithSetupLink(func(context.Context, string) (string, error) { return "", errors.New("setup links are off") }))
	require.NoError(t, err)
	cs := connect(t, srv)
	ctx := t.Context()
	count := func() int {
		n := 0
		for _, r := range p.Requests() {
			if r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/tools") {
				n++
			}
		}
		return n
	}
	for range 3 {
		_, err := cs.ListTools(ctx, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, count(), "the list is reused within the TTL")
	list, err := cs.ListTools(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "private", list.CacheScope, "one user's tools")
	assert.Positive(t, list.TTLMs)
	require.NoError(t, srv.Refresh(ctx))
	assert.Equal(t, 2, count())

	// ActionKit failing: tools/list is a protocol error, not an empty list.
	srv2, err := mcp.New(actionkit.New(p.Client().User("u1")))
	require.NoError(t, err)
	cs2 := connect(t, srv2)
	p.FailNext(1, http.StatusBadRequest)
	_, err = cs2.ListTools(ctx, nil)
	require.Error(t, err)
}

func TestStreamableHTTP(t *testing.T) {
	t.Parallel()
	p := fake(t, paragontest.UserSeed{ID: "u1", Connected: []string{"close"}})
	srv, err := mcp.New(actionkit.New(p.Client().User("u1")))
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler(nil))
	t.Cleanup(hs.Close)
	t.Cleanup(hs.CloseClientConnections)

	ctx := t.Context()
	client := sdk.NewClient(&sdk.Implementation{Name: "http-client", Version: "0"}, nil)
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: hs.URL, HTTPClient: hs.Client()}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cs.Close() })
	list, err := cs.ListTools(ctx, nil)
	require.NoError(t, err)
	assert.Contains(t, names(list.Tools), "CLOSE_CREATE_LEAD")
	assert.Equal(t, "private", list.CacheScope)
	assert.Zero(t, list.TTLMs)
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "CLOSE_CREATE_LEAD", Arguments: map[string]any{"name": "Over HTTP"}})
	require.NoError(t, err)
	assert.False(t, res.IsError)
	assert.Len(t, p.CloseCRM().Leads(), 1)
}

func TestNewBadInput(t *testing.T) {
	t.Parallel()
	p := fake(t)
	ak := actionkit.New(p.Client().User("u1"))
	for name, f := range map[string]func() error{
		"nil client": func() error { _, err := mcp.New(nil); return err },
		"nil option": func() error { _, err := mcp.New(ak, nil); return err },
		"nil setup":  func() error { _, err := mcp.New(ak, mcp.WithSetupLink(nil)); return err },
		"paragon fmt": func() error {
			_, err := mcp.New(ak, mcp.WithListParams(actionkit.ListToolsParams{Format: actionkit.FormatParagon}))
			return err
		},
		"negative TTL": func() error { _, err := mcp.New(ak, mcp.WithToolsTTL(-1)); return err },
		"empty name":   func() error { _, err := mcp.New(ak, mcp.WithImplementation("", "1")); return err },
	} {
		require.ErrorIs(t, f(), paragon.ErrInvalidInput, name)
	}
	assert.Zero(t, p.RequestCount())
}

// Several sessions listing and calling at once share one tool list.
func TestConcurrentSessions(t *testing.T) {
	t.Parallel()
	p := fake(t, paragontest.UserSeed{ID: "u1", Connected: []string{"close"}})
	srv, err := mcp.New(actionkit.New(p.Client().User("u1")))
	require.NoError(t, err)
	sessions := []*sdk.ClientSession{connect(t, srv), connect(t, srv), connect(t, srv)}
	ctx := t.Context()
	errs := make(chan error, 3*4)
	for i, cs := range sessions {
		for j := range 4 {
			go func() {
				if _, err := cs.ListTools(ctx, nil); err != nil {
					errs <- err
					return
				}
				res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "CLOSE_CREATE_LEAD", Arguments: map[string]any{"name": fmt.Sprintf("Lead %d-%d", i, j)}})
				if err == nil && res.IsError {
					err = errors.New(res.Content[0].(*sdk.TextContent).Text)
				}
				errs <- err
			}()
		}
	}
	for range 12 {
		require.NoError(t, <-errs)
	}
	assert.Len(t, p.CloseCRM().Leads(), 12, "each call ran exactly once")
}

// TestUserSetupLinks: a tool of an integration the user has not connected
// answers with a Paragon Setup Link that the fake can resolve, offering that
// integration only.
func TestUserSetupLinks(t *testing.T) {
	t.Parallel()
	p := fake(t, paragontest.UserSeed{ID: "u1", Connected: []string{"close"}})
	p.SetSetupLinksEnabled(true)
	u := p.Client().User("u1")
	srv, err := mcp.New(actionkit.New(u), mcp.WithSetupLink(mcp.UserSetupLinks(u, 10*time.Minute)),
		mcp.WithListParams(actionkit.ListToolsParams{IncludeUnavailable: true}))
	require.NoError(t, err)
	cs := connect(t, srv)
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "SLACK_SEND_MESSAGE", Arguments: map[string]any{"channel": "#x", "text": "hi"}})
	require.NoError(t, err)
	require.True(t, res.IsError)
	link, _ := res.StructuredContent.(map[string]any)["setupLink"].(string)
	require.True(t, strings.HasPrefix(link, p.URL()), "link %q is the fake's", link)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, link, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/json")
	resp, err := p.HTTPClient().Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(body), "slack")
	assert.NotContains(t, string(body), `"close"`, "the link offers only the integration the tool needs")
}
