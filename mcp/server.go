package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/actionkit"
)

// SetupLinkFunc returns a link where the user connects integration, e.g. a
// Paragon Setup Link made with your project API key, or your own page that
// opens the Connect Portal.
type SetupLinkFunc func(ctx context.Context, integration string) (string, error)

// Option configures a [Server].
type Option func(*config) error

type config struct {
	name, version string
	instructions  string
	listParams    *actionkit.ListToolsParams
	setupLink     SetupLinkFunc
	ttl           time.Duration
	logger        *slog.Logger
}

// UserSetupLinks returns a SetupLinkFunc that makes a Paragon Setup Link
// for u and the one integration a tool needs (POST setup-links with u's
// token; see [paragon.User.CreateSetupLink]), valid for expiresIn (zero:
// Paragon's default of one hour). The link carries a signed token: it goes
// only into the tool error the user's own MCP client receives.
func UserSetupLinks(u *paragon.User, expiresIn time.Duration) SetupLinkFunc {
	return func(ctx context.Context, integration string) (string, error) {
		link, err := u.CreateSetupLink(ctx, &paragon.SetupLinkParams{Integrations: []string{integration}, ExpiresIn: expiresIn})
		if err != nil {
			return "", err
		}
		return link.URL(), nil
	}
}

// WithSetupLink makes tool calls that need a connection return a link from
// f in their tool error; [UserSetupLinks] makes Paragon Setup Links.
func WithSetupLink(f SetupLinkFunc) Option {
	return func(c *config) error {
		if f == nil {
			return fmt.Errorf("%w: mcp: nil SetupLinkFunc", paragon.ErrInvalidInput)
		}
		c.setupLink = f
		return nil
	}
}

// WithListParams filters the tools the server lists (integrations,
// categories, unavailable ones included, format must stay json_schema).
func WithListParams(p actionkit.ListToolsParams) Option {
	return func(c *config) error {
		if p.Format != "" && p.Format != actionkit.FormatJSONSchema {
			return fmt.Errorf("%w: mcp: tools must be listed in the json_schema format", paragon.ErrInvalidInput)
		}
		p.Integrations = append([]string(nil), p.Integrations...)
		p.Categories = append([]string(nil), p.Categories...)
		c.listParams = &p
		return nil
	}
}

// WithToolsTTL lets the server reuse a tool list for d before reading it
// from ActionKit again (default 0: every tools/list reads it).
func WithToolsTTL(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("%w: mcp: negative tools TTL", paragon.ErrInvalidInput)
		}
		c.ttl = d
		return nil
	}
}

// WithImplementation sets the name and version the server reports to
// clients (default "paragon-actionkit" and paragon.Version).
func WithImplementation(name, version string) Option {
	return func(c *config) error {
		if name == "" {
			return fmt.Errorf("%w: mcp: empty implementation name", paragon.ErrInvalidInput)
		}
		c.name, c.version = name, version
		return nil
	}
}

// WithInstructions sets the instructions the server gives clients.
func WithInstructions(s string) Option {
	return func(c *config) error { c.instructions = s; return nil }
}

// WithLogger logs the server's activity to l (default: nothing).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error { c.logger = l; return nil }
}

// Server is an MCP server of one Connected User's ActionKit tools. It is
// safe for concurrent use; one Server serves any number of sessions.
type Server struct {
	ak  *actionkit.Client
	cfg config
	srv *sdk.Server

	refreshMu sync.Mutex // one refresh at a time
	mu        sync.Mutex // guards the fields below
	tools     map[string]toolEntry
	loaded    time.Time
}

// toolEntry is one registered tool and what it was built from.
type toolEntry struct {
	tool actionkit.Tool
	key  string // integration, description and schema: a change re-registers it
}

// New returns a server of the tools ak's user can run. It sends nothing:
// tools are read from ActionKit on the first tools/list (or [Server.Refresh]).
func New(ak *actionkit.Client, opts ...Option) (*Server, error) {
	if ak == nil {
		return nil, fmt.Errorf("%w: mcp: nil *actionkit.Client", paragon.ErrInvalidInput)
	}
	cfg := config{name: "paragon-actionkit", version: paragon.Version}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: mcp: nil Option", paragon.ErrInvalidInput)
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	s := &Server{ak: ak, cfg: cfg, tools: map[string]toolEntry{}}
	sopts := &sdk.ServerOptions{
		Instructions: cfg.instructions,
		Logger:       cfg.logger,
		Capabilities: &sdk.ServerCapabilities{Tools: &sdk.ToolCapabilities{ListChanged: true}},
		// The lists are one user's: no shared caches; clients may reuse a
		// tools list as long as the server does.
		SetCacheable: func(_ context.Context, _ sdk.Request, c *sdk.Cacheable) {
			c.CacheScope = "private"
			c.TTLMs = int(cfg.ttl / time.Millisecond)
		},
	}
	s.srv = sdk.NewServer(&sdk.Implementation{Name: cfg.name, Version: cfg.version}, sopts)
	s.srv.AddReceivingMiddleware(s.middleware)
	return s, nil
}

// MCP returns the underlying MCP SDK server, e.g. to run it over another
// transport ([sdk.Server.Run]) or add prompts and resources.
func (s *Server) MCP() *sdk.Server { return s.srv }

// Run serves one session over t until the client disconnects or ctx is
// done.
func (s *Server) Run(ctx context.Context, t sdk.Transport) error { return s.srv.Run(ctx, t) }

// ServeStdio serves one session over stdin and stdout, the way MCP clients
// launch local servers.
func (s *Server) ServeStdio(ctx context.Context) error {
	return s.srv.Run(ctx, &sdk.StdioTransport{})
}

// Handler returns an http.Handler that serves MCP's Streamable HTTP
// transport; opts may be nil. Every session acts as the server's one user:
// authenticate requests before they reach it.
func (s *Server) Handler(opts *sdk.StreamableHTTPOptions) http.Handler {
	return sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s.srv }, opts)
}

// Refresh reads the user's tools from ActionKit now and updates the
// server's tool list.
func (s *Server) Refresh(ctx context.Context) error { return s.refresh(ctx, 0) }

// middleware reads the tool list before tools/list, and before a tools/call
// of a tool the server does not know yet.
func (s *Server) middleware(next sdk.MethodHandler) sdk.MethodHandler {
	return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
		switch method {
		case "tools/list":
			if err := s.refresh(ctx, s.cfg.ttl); err != nil {
				return nil, fmt.Errorf("listing the user's tools: %w", err)
			}
		case "tools/call":
			if r, ok := req.(*sdk.CallToolRequest); ok && r.Params != nil && !s.known(r.Params.Name) {
				if err := s.refresh(ctx, s.cfg.ttl); err != nil {
					return nil, fmt.Errorf("listing the user's tools: %w", err)
				}
			}
		}
		return next(ctx, method, req)
	}
}

func (s *Server) known(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.tools[name]
	return ok
}

// refresh reads the tools unless a list younger than ttl is loaded, and
// adds, replaces and removes registered tools to match it.
func (s *Server) refresh(ctx context.Context, ttl time.Duration) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	s.mu.Lock()
	fresh := ttl > 0 && !s.loaded.IsZero() && time.Since(s.loaded) < ttl
	s.mu.Unlock()
	if fresh {
		return nil
	}
	list, err := s.ak.ListTools(ctx, s.cfg.listParams)
	if err != nil {
		return err
	}
	want := make(map[string]toolEntry, len(list.Tools))
	for _, t := range list.Tools {
		if t.Name == "" {
			continue
		}
		want[t.Name] = toolEntry{tool: t, key: t.Integration + "\x00" + t.Description + "\x00" + string(t.Parameters)}
	}
	s.mu.Lock()
	var gone []string
	for name := range s.tools {
		if _, ok := want[name]; !ok {
			gone = append(gone, name)
			delete(s.tools, name)
		}
	}
	var add []toolEntry
	for name, e := range want {
		if old, ok := s.tools[name]; !ok || old.key != e.key {
			add = append(add, e)
			s.tools[name] = e
		}
	}
	s.loaded = time.Now()
	s.mu.Unlock()
	if len(gone) > 0 {
		s.srv.RemoveTools(gone...)
	}
	for _, e := range add {
		if err := s.register(e.tool); err != nil {
			s.mu.Lock()
			delete(s.tools, e.tool.Name)
			s.mu.Unlock()
			if s.cfg.logger != nil {
				s.cfg.logger.Warn("mcp: skipping an ActionKit tool", "tool", e.tool.Name, "error", err)
			}
		}
	}
	return nil
}

// register adds one tool to the SDK server. The SDK panics on schemas it
// refuses; a tool ActionKit describes oddly is skipped instead.
func (s *Server) register(t actionkit.Tool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the MCP SDK refused the tool: %v", r)
		}
	}()
	s.srv.AddTool(&sdk.Tool{
		Name:        t.Name,
		Description: t.Description,
		InputSchema: inputSchema(t.Parameters),
		Annotations: &sdk.ToolAnnotations{Title: title(t)},
	}, s.handler(t))
	return nil
}

func title(t actionkit.Tool) string {
	return strings.ReplaceAll(strings.ToLower(t.Name), "_", " ")
}

// inputSchema makes an MCP input schema (an object schema) of a tool's
// parameters: a schema without a type gets "type": "object"; anything that
// is not an object schema becomes an empty object schema.
func inputSchema(raw json.RawMessage) map[string]any {
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || m == nil {
		return map[string]any{"type": "object"}
	}
	switch m["type"] {
	case "object":
	case nil:
		m["type"] = "object"
	default:
		return map[string]any{"type": "object"}
	}
	return m
}

// handler runs one tool.
func (s *Server) handler(t actionkit.Tool) sdk.ToolHandler {
	return func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		var args json.RawMessage
		if req != nil && req.Params != nil {
			args = req.Params.Arguments
		}
		if len(bytes.TrimSpace(args)) == 0 {
			args = json.RawMessage("{}")
		}
		res, err := s.ak.RunTool(ctx, t.Name, args)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err // the client went away or cancelled
			}
			return s.toolError(ctx, t, err), nil
		}
		return result(t, res), nil
	}
}

// toolError turns a failed run into a tool error the model can read.
func (s *Server) toolError(ctx context.Context, t actionkit.Tool, err error) *sdk.CallToolResult {
	var nc *actionkit.NotConnectedError
	if errors.As(err, &nc) {
		integ := nc.Integration
		if integ == "" {
			integ = t.Integration
		}
		info := map[string]any{"error": "integration_not_connected", "integration": integ}
		text := fmt.Sprintf("The user has not connected %s, which the tool %s needs.", integ, t.Name)
		if s.cfg.setupLink != nil {
			link, lerr := s.cfg.setupLink(ctx, integ)
			switch {
			case lerr == nil && link != "":
				text += " Ask the user to connect it here: " + link
				info["setupLink"] = link
			case lerr != nil:
				text += " Ask the user to connect it (no setup link: " + lerr.Error() + ")."
			}
		} else {
			text += " Ask the user to connect it, then try again."
		}
		return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: text}}, StructuredContent: info}
	}
	if errors.Is(err, paragon.ErrInvalidInput) {
		return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{
			Text: "Invalid arguments for " + t.Name + ": " + err.Error()}}}
	}
	var pe *paragon.Error
	if errors.As(err, &pe) {
		msg := actionkit.ErrorMessage(err)
		return &sdk.CallToolResult{
			IsError:           true,
			Content:           []sdk.Content{&sdk.TextContent{Text: fmt.Sprintf("The tool %s failed (status %d): %s", t.Name, pe.StatusCode, msg)}},
			StructuredContent: map[string]any{"error": "tool_failed", "status": pe.StatusCode, "message": msg},
		}
	}
	return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: "The tool " + t.Name + " failed: " + err.Error()}}}
}

// result turns a tool output into MCP content.
func result(t actionkit.Tool, res *actionkit.ToolResult) *sdk.CallToolResult {
	if j := res.JSON(); j != nil {
		out := &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(j)}}}
		if len(j) > 0 && j[0] == '{' {
			out.StructuredContent = j
		}
		return out
	}
	ct := res.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	switch {
	case strings.HasPrefix(ct, "image/"):
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.ImageContent{Data: res.Data, MIMEType: ct}}}
	case strings.HasPrefix(ct, "audio/"):
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.AudioContent{Data: res.Data, MIMEType: ct}}}
	}
	rc := &sdk.ResourceContents{URI: "paragon-actionkit://" + t.Integration + "/" + t.Name + "/output", MIMEType: ct}
	if strings.HasPrefix(ct, "text/") && utf8.Valid(res.Data) {
		rc.Text = string(res.Data)
	} else {
		rc.Blob = res.Data
	}
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.EmbeddedResource{Resource: rc}}}
}
