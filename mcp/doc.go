// Package mcp serves one Connected User's ActionKit tools as a Model
// Context Protocol server, built on the official MCP Go SDK
// (github.com/modelcontextprotocol/go-sdk).
//
// It lives in its own module (github.com/paragon-go/paragon/mcp), so that
// the core module keeps a single runtime dependency.
//
//	ak := actionkit.New(pc.User("user-1"))
//	srv, err := mcp.New(ak, mcp.WithSetupLink(link))
//	err = srv.ServeStdio(ctx)                      // an MCP client launched us
//	http.Handle("/mcp", srv.Handler(nil))          // or: Streamable HTTP
//
// tools/list answers with the user's tools from ActionKit's list-tools
// (filtered with [WithListParams]), each tool's JSON Schema as its input
// schema. The list is read from ActionKit on every tools/list unless
// [WithToolsTTL] allows reusing it; when it changes, connected clients get
// notifications/tools/list_changed. tools/call runs the tool with
// actionkit's RunTool, once (a tool run is a write): a JSON output comes
// back as text (and as structured content when it is an object), images
// and audio as image and audio content, other files as an embedded
// resource.
//
// To pin every tool run to one of the user's accounts of an integration,
// build the client with actionkit.WithCallOptions(paragon.WithCredential(id)).
//
// When ActionKit answers that the user has not connected the tool's
// integration, the call ends in a tool error (isError), not a protocol
// error or a crash: its text asks the user to connect the integration and
// carries a Setup Link when [WithSetupLink] gives a way to make one. Other
// failures of a tool run are tool errors too, so the model can see them.
//
// The Streamable HTTP handler has no authentication of its own and every
// session acts as the server's one user: put it behind your own
// authentication, one server per user.
package mcp
