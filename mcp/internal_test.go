package mcp

import (
	"encoding/json"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/actionkit"
)

func TestResultContent(t *testing.T) {
	t.Parallel()
	tool := actionkit.Tool{Integration: "googledrive", Name: "GOOGLE_DRIVE_DOWNLOAD"}
	png := []byte("\x89PNG\r\n\x1a\n\x00 ")

	r := result(tool, &actionkit.ToolResult{ContentType: "image/png", Data: png})
	img, ok := r.Content[0].(*sdk.ImageContent)
	require.True(t, ok, "%T", r.Content[0])
	assert.Equal(t, png, img.Data)
	assert.Equal(t, "image/png", img.MIMEType)

	r = result(tool, &actionkit.ToolResult{ContentType: "audio/mpeg", Data: []byte{1, 2}})
	au, ok := r.Content[0].(*sdk.AudioContent)
	require.True(t, ok, "%T", r.Content[0])
	assert.Equal(t, "audio/mpeg", au.MIMEType)

	r = result(tool, &actionkit.ToolResult{ContentType: "application/pdf", Data: []byte("%PDF-1.7")})
	er, ok := r.Content[0].(*sdk.EmbeddedResource)
	require.True(t, ok, "%T", r.Content[0])
	assert.Equal(t, []byte("%PDF-1.7"), er.Resource.Blob)
	assert.Empty(t, er.Resource.Text)
	assert.Equal(t, "paragon-actionkit://googledrive/GOOGLE_DRIVE_DOWNLOAD/output", er.Resource.URI)

	r = result(tool, &actionkit.ToolResult{ContentType: "text/plain", Data: []byte{0xff, 0xfe}})
	er = r.Content[0].(*sdk.EmbeddedResource)
	assert.Equal(t, []byte{0xff, 0xfe}, er.Resource.Blob, "text that is not UTF-8 stays bytes")

	r = result(tool, &actionkit.ToolResult{Data: []byte("\x00\x01")})
	er = r.Content[0].(*sdk.EmbeddedResource)
	assert.Equal(t, "application/octet-stream", er.Resource.MIMEType)

	r = result(tool, &actionkit.ToolResult{ContentType: "application/json", Data: []byte(" [1,2] \n")})
	assert.Equal(t, "[1,2]", r.Content[0].(*sdk.TextContent).Text)
	assert.Nil(t, r.StructuredContent, "structured content only for objects")
	r = result(tool, &actionkit.ToolResult{ContentType: "application/json", Data: []byte(`{"a":1}`)})
	assert.JSONEq(t, `{"a":1}`, string(r.StructuredContent.(json.RawMessage)))
}

func TestInputSchema(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]map[string]any{
		``:                                      {"type": "object"},
		`null`:                                  {"type": "object"},
		`[1]`:                                   {"type": "object"},
		`{"type": "string"}`:                    {"type": "object"},
		`{"properties": {"a": {}}}`:             {"type": "object", "properties": map[string]any{"a": map[string]any{}}},
		`{"type": "object", "required": ["a"]}`: {"type": "object", "required": []any{"a"}},
	} {
		assert.Equal(t, want, inputSchema(json.RawMessage(raw)), raw)
	}
}
