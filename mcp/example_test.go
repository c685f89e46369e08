package mcp_test

import (
	"context"
	"fmt"
	"log"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/paragon-go/paragon/actionkit"
	"github.com/paragon-go/paragon/mcp"
	"github.com/paragon-go/paragon/paragontest"
)

func ExampleNew() {
	fake := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "user-1", Connected: []string{"close"}}))
	defer fake.Close()
	ctx := context.Background()

	srv, err := mcp.New(actionkit.New(fake.Client().User("user-1")),
		mcp.WithListParams(actionkit.ListToolsParams{Integrations: []string{"close", "slack"}, IncludeUnavailable: true}),
		mcp.WithSetupLink(func(_ context.Context, integration string) (string, error) {
			return "https://app.example.com/connect/" + integration, nil
		}))
	if err != nil {
		log.Fatal(err)
	}
	// In production: srv.ServeStdio(ctx), or http.Handle("/mcp", srv.Handler(nil)).
	st, ct := sdk.NewInMemoryTransports()
	ss, err := srv.MCP().Connect(ctx, st, nil)
	if err != nil {
		log.Fatal(err)
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "agent", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = cs.Close(); _ = ss.Wait() }()

	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(list.Tools), "tools")
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "SLACK_SEND_MESSAGE", Arguments: map[string]any{"channel": "#a", "text": "hi"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.IsError, res.StructuredContent.(map[string]any)["setupLink"])
	// Output:
	// 5 tools
	// true https://app.example.com/connect/slack
}
