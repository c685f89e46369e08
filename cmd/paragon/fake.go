package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/paragon-go/paragon/paragontest"
)

// seedFile is the JSON a fake is seeded from (-seed):
//
//	{
//	  "projectId": "proj-dev",
//	  "noDefaultIntegrations": false,
//	  "integrations": [{"type": "hubspot", "authenticationType": "oauth"}],
//	  "workflows": [{"id": "wf-lookup", "integration": "close", "description": "Look up",
//	                 "defaultEnabled": true, "response": {"status": 200, "body": {"ok": true}}}],
//	  "users": [{"id": "dana", "meta": {"Name": "Dana"}, "connected": ["close"],
//	             "enabledWorkflows": ["wf-lookup"]}]
//	}
//
// A workflow without "integration" belongs to no integration (Go and REST
// callers can trigger it; the browser SDK only triggers workflows of an
// integration). Without "response" a trigger answers 202, as a workflow
// without a Response step does.
type seedFile struct {
	ProjectID             string            `json:"projectId"`
	NoDefaultIntegrations bool              `json:"noDefaultIntegrations"`
	Integrations          []seedIntegration `json:"integrations"`
	Workflows             []seedWorkflow    `json:"workflows"`
	Users                 []seedUser        `json:"users"`
}

type seedIntegration struct {
	Type               string `json:"type"`
	ID                 string `json:"id"`
	Name               string `json:"name"`
	BrandColor         string `json:"brandColor"`
	AuthenticationType string `json:"authenticationType"`
}

type seedWorkflow struct {
	ID             string        `json:"id"`
	Integration    string        `json:"integration"`
	Description    string        `json:"description"`
	DefaultEnabled bool          `json:"defaultEnabled"`
	Response       *seedResponse `json:"response"`
}

type seedResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

type seedUser struct {
	ID               string         `json:"id"`
	Meta             map[string]any `json:"meta"`
	Connected        []string       `json:"connected"`
	EnabledWorkflows []string       `json:"enabledWorkflows"`
}

// userFlags collects repeated -user ID[:integration,...] flags.
type userFlags []seedUser

func (f *userFlags) String() string { return "" }

func (f *userFlags) Set(v string) error {
	id, conn, _ := strings.Cut(v, ":")
	if id == "" {
		return fmt.Errorf("user %q: want ID or ID:integration,integration", v)
	}
	u := seedUser{ID: id}
	for t := range strings.SplitSeq(conn, ",") {
		if t = strings.TrimSpace(t); t != "" {
			u.Connected = append(u.Connected, t)
		}
	}
	*f = append(*f, u)
	return nil
}

// fakeInfo is what "paragon fake -json" prints.
type fakeInfo struct {
	URL             string            `json:"url"`
	ProjectID       string            `json:"projectId"`
	SigningKeyFile  string            `json:"signingKeyFile"`
	Tokens          map[string]string `json:"tokens"`
	ConfigureGlobal map[string]string `json:"configureGlobal"`
}

// loadSeed reads and checks a seed file.
func loadSeed(path string) (seedFile, error) {
	var s seedFile
	b, err := os.ReadFile(path) //nolint:gosec // G304: the file the user named with -seed
	if err != nil {
		return s, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("seed file %s: %w", path, err)
	}
	return s, nil
}

// runFake runs "paragon fake" until ctx is done.
func runFake(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("fake")
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on")
	seedPath := fs.String("seed", "", "JSON seed file (integrations, workflows, users)")
	project := fs.String("project", "", "project ID (default: the seed's, else random)")
	keyPath := fs.String("key", "", "RSA private key (PEM) to sign and verify tokens with (default: a generated one)")
	keyOut := fs.String("key-out", "", "where to write the signing key (default: a file in a new temporary folder, removed on exit)")
	asJSON := fs.Bool("json", false, "print the start-up facts as one JSON object")
	var users userFlags
	fs.Var(&users, "user", "seed a user: ID or ID:integration,integration (repeatable)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: fake takes no arguments, got %q", errUsage, pos)
	}
	var seed seedFile
	if *seedPath != "" {
		if seed, err = loadSeed(*seedPath); err != nil {
			return err
		}
	}
	seed.Users = append(seed.Users, users...)
	if *project != "" {
		seed.ProjectID = *project
	}

	opts := []paragontest.Option{paragontest.WithListenAddr(*addr)}
	if seed.ProjectID != "" {
		opts = append(opts, paragontest.WithProjectID(seed.ProjectID))
	}
	if seed.NoDefaultIntegrations {
		opts = append(opts, paragontest.WithoutDefaultIntegrations())
	}
	for _, in := range seed.Integrations {
		opts = append(opts, paragontest.WithIntegration(paragontest.Integration{
			Type: in.Type, ID: in.ID, Name: in.Name, BrandColor: in.BrandColor, AuthenticationType: in.AuthenticationType,
		}))
	}
	if *keyPath != "" {
		pem, err := os.ReadFile(*keyPath)
		if err != nil {
			return fmt.Errorf("reading -key: %w", err)
		}
		opts = append(opts, paragontest.WithSigningKey(pem))
	}
	srv, err := paragontest.Start(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	for _, wf := range seed.Workflows {
		if err := addWorkflow(srv, wf); err != nil {
			return err
		}
	}
	for _, u := range seed.Users {
		if err := srv.AddUser(paragontest.UserSeed{ID: u.ID, Meta: u.Meta, Connected: u.Connected, EnabledWorkflows: u.EnabledWorkflows}); err != nil {
			return err
		}
	}

	keyFile := *keyOut
	if keyFile == "" {
		dir, err := os.MkdirTemp("", "paragon-fake-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		keyFile = filepath.Join(dir, "signing-key.pem")
	}
	if err := os.WriteFile(keyFile, srv.SigningKeyPEM(), 0o600); err != nil { //nolint:gosec // G703: the path the user named with -key-out
		return fmt.Errorf("writing the signing key: %w", err)
	}

	info := fakeInfo{
		URL: srv.URL(), ProjectID: srv.ProjectID(), SigningKeyFile: keyFile,
		Tokens: map[string]string{}, ConfigureGlobal: srv.BrowserOverrides(),
	}
	for _, u := range seed.Users {
		info.Tokens[u.ID] = srv.UserToken(u.ID)
	}
	if *asJSON {
		if err := writeValue(stdout, info); err != nil {
			return err
		}
	} else {
		printInfo(stdout, info)
	}
	<-ctx.Done()
	_, _ = fmt.Fprintln(stderr, "paragon fake: stopping")
	return nil
}

// addWorkflow registers a seeded workflow and its canned answer.
func addWorkflow(srv *paragontest.Server, wf seedWorkflow) error {
	if wf.ID == "" {
		return fmt.Errorf("seed: a workflow without an id")
	}
	if wf.Integration != "" {
		if err := srv.AddWorkflow(wf.Integration, paragontest.Workflow{
			ID: wf.ID, Description: wf.Description, DefaultEnabled: wf.DefaultEnabled,
		}); err != nil {
			return err
		}
	}
	switch {
	case wf.Response != nil:
		resp := paragontest.WorkflowResponse{Status: wf.Response.Status, Header: http.Header{}}
		if len(wf.Response.Body) > 0 {
			resp.Body = []byte(wf.Response.Body)
			resp.Header.Set("Content-Type", "application/json; charset=utf-8")
		}
		for k, v := range wf.Response.Headers {
			resp.Header.Set(k, v)
		}
		srv.HandleWorkflow(wf.ID, func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
			return resp, nil
		})
	case wf.Integration == "":
		// A workflow of no integration exists only through its handler.
		srv.HandleWorkflow(wf.ID, func(context.Context, paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
			return paragontest.WorkflowResponse{}, nil
		})
	}
	return nil
}

// printInfo prints the start-up facts for a person.
func printInfo(w io.Writer, info fakeInfo) {
	p := func(format string, a ...any) { _, _ = fmt.Fprintf(w, format, a...) }
	p("paragon fake: serving Paragon for one project at %s (every service on this URL)\n", info.URL)
	p("project ID:   %s\n", info.ProjectID)
	p("signing key:  %s\n", info.SigningKeyFile)
	p("\nfor NewClientFromEnv and the paragon CLI (add -url %s to CLI commands):\n", info.URL)
	p("  export PARAGON_PROJECT_ID=%s PARAGON_SIGNING_KEY_FILE=%s\n", info.ProjectID, info.SigningKeyFile)
	p("Go: paragon.NewClientFromEnv with paragon.WithBaseURL(svc, %q) for each paragon.Service\n", info.URL)
	if len(info.Tokens) > 0 {
		p("\nuser tokens (valid for one hour; sign more with: paragon token -user ID):\n")
		ids := make([]string, 0, len(info.Tokens))
		for id := range info.Tokens {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			p("  %s  %s\n", id, info.Tokens[id])
		}
	}
	overrides, _ := json.MarshalIndent(info.ConfigureGlobal, "  ", "  ")
	p("\nbrowser SDK (@useparagon/connect), before paragon.authenticate:\n")
	p("  paragon.configureGlobal({host: \"paragon.invalid\"}, %s);\n", overrides)
	p("\nCtrl-C stops the fake.\n")
}
