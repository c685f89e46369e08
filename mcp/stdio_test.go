package mcp_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStdioExample builds the example and talks to it over stdio, as an
// MCP client that launches local servers does.
func TestStdioExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "actionkit-mcp")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "./examples/actionkit-mcp")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	cmd := exec.CommandContext(t.Context(), bin, "-stdio")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()} // offline: no PARAGON_* variables
	client := sdk.NewClient(&sdk.Implementation{Name: "stdio-client", Version: "0"}, nil)
	cs, err := client.Connect(t.Context(), &sdk.CommandTransport{Command: cmd}, nil)
	require.NoError(t, err)
	list, err := cs.ListTools(t.Context(), nil)
	require.NoError(t, err)
	assert.Contains(t, names(list.Tools), "CLOSE_CREATE_LEAD")
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "SLACK_SEND_MESSAGE", Arguments: map[string]any{"channel": "#a", "text": "hi"}})
	require.NoError(t, err)
	assert.True(t, res.IsError)
	assert.Contains(t, text(t, res), "https://app.example.com/integrations/connect?type=slack")
	require.NoError(t, cs.Close())
}
