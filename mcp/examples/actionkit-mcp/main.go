// Command actionkit-mcp serves one Connected User's ActionKit tools as an
// MCP server, over stdio (for MCP clients that launch local servers) or
// Streamable HTTP.
//
// With PARAGON_PROJECT_ID and PARAGON_SIGNING_KEY (or
// PARAGON_SIGNING_KEY_FILE) set, it acts as PARAGON_USER_ID in your
// project. Without them it runs offline against paragontest, Paragon's
// fake, with a user who connected Close; with neither -stdio nor -http it
// then runs a short demo: an MCP client lists the tools over Streamable
// HTTP, creates a lead and tries a Slack tool the user has not connected.
//
//	go run ./examples/actionkit-mcp                 # offline demo
//	go run ./examples/actionkit-mcp -stdio          # serve stdio
//	go run ./examples/actionkit-mcp -http 127.0.0.1:8931
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/actionkit"
	"github.com/paragon-go/paragon/mcp"
	"github.com/paragon-go/paragon/paragontest"
)

func main() {
	stdio := flag.Bool("stdio", false, "serve MCP over stdin/stdout")
	addr := flag.String("http", "", "serve MCP Streamable HTTP on this address (e.g. 127.0.0.1:8931)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *stdio, *addr); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, stdio bool, addr string) error {
	u, cleanup, err := user()
	if err != nil {
		return err
	}
	defer cleanup()
	srv, err := mcp.New(actionkit.New(u),
		mcp.WithListParams(actionkit.ListToolsParams{IncludeUnavailable: true}),
		mcp.WithSetupLink(func(_ context.Context, integration string) (string, error) {
			// In production: a Paragon Setup Link, or your app's page that
			// opens the Connect Portal for integration.
			return "https://app.example.com/integrations/connect?type=" + integration, nil
		}))
	if err != nil {
		return err
	}
	switch {
	case stdio:
		return srv.ServeStdio(ctx)
	case addr != "":
		hs := &http.Server{Addr: addr, Handler: srv.Handler(nil), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			<-ctx.Done()
			_ = hs.Close()
		}()
		log.Printf("MCP Streamable HTTP on http://%s/", addr)
		if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
	return demo(ctx, srv)
}

// user returns the Connected User to serve: from the environment, or a
// paragontest user who connected Close.
func user() (*paragon.User, func(), error) {
	if os.Getenv("PARAGON_PROJECT_ID") != "" {
		c, err := paragon.NewClientFromEnv()
		if err != nil {
			return nil, nil, err
		}
		id := os.Getenv("PARAGON_USER_ID")
		if id == "" {
			return nil, nil, errors.New("set PARAGON_USER_ID to the Connected User whose tools to serve")
		}
		return c.User(id), c.CloseIdleConnections, nil
	}
	fake := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "user-1", Connected: []string{"close"}}))
	return fake.Client().User("user-1"), fake.Close, nil
}

// demo serves srv on a loopback port and talks to it with the MCP SDK's
// client.
func demo(ctx context.Context, srv *mcp.Server) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(nil), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer func() { _ = hs.Close() }()

	client := sdk.NewClient(&sdk.Implementation{Name: "demo-client", Version: "0"}, nil)
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: "http://" + ln.Addr().String()}, nil)
	if err != nil {
		return err
	}
	defer func() { _ = cs.Close() }()
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		return err
	}
	for _, t := range list.Tools {
		fmt.Println("tool:", t.Name)
	}
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "CLOSE_CREATE_LEAD", Arguments: map[string]any{"name": "Harbor Analytics"}})
	if err != nil {
		return err
	}
	fmt.Println("CLOSE_CREATE_LEAD:", firstText(res))
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "SLACK_SEND_MESSAGE", Arguments: map[string]any{"channel": "#sales", "text": "New lead"}})
	if err != nil {
		return err
	}
	fmt.Println("SLACK_SEND_MESSAGE: isError =", res.IsError, "-", firstText(res))
	return nil
}

func firstText(res *sdk.CallToolResult) string {
	for _, c := range res.Content {
		if t, ok := c.(*sdk.TextContent); ok {
			s := t.Text
			if len(s) > 160 {
				s = s[:160] + "…"
			}
			return strings.TrimSpace(s)
		}
	}
	return "(no text)"
}
