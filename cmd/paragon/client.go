package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/paragon-go/paragon"
)

// EnvUser is the default of -user.
const EnvUser = "PARAGON_USER"

// headerFlags collects repeated -H 'Name: value' flags.
type headerFlags struct{ h http.Header }

func (f *headerFlags) String() string { return "" }

func (f *headerFlags) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("header %q: want 'Name: value'", v)
	}
	if f.h == nil {
		f.h = http.Header{}
	}
	f.h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	return nil
}

// runClient runs one of the commands that act on a project as a user.
func runClient(ctx context.Context, cmd string, args []string, stdout io.Writer) error {
	fs := newFlagSet(cmd)
	userID := fs.String("user", os.Getenv(EnvUser), "Connected User ID (default $"+EnvUser+")")
	baseURL := fs.String("url", "", "send every service to this base URL (e.g. a fake's)")
	credential := fs.String("credential", "", "X-Paragon-Credential: the account to use")
	ttl := fs.Duration("ttl", time.Hour, "token: lifetime")
	perms := fs.String("permissions", "", `token: JWT permissions as JSON, e.g. {"integration:close": true}`)
	data := fs.String("d", "", "request: JSON body")
	raw := fs.Bool("raw", false, "request: ask for the third party's answer unchanged")
	var headers headerFlags
	fs.Var(&headers, "H", "request: header 'Name: value' for the third party (repeatable)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *userID == "" {
		return fmt.Errorf("%w: %s needs -user (or $%s)", errUsage, cmd, EnvUser)
	}
	var opts []paragon.Option
	if *baseURL != "" {
		for _, svc := range []paragon.Service{paragon.ServiceAPI, paragon.ServiceEvents, paragon.ServiceProxy,
			paragon.ServiceActionKit, paragon.ServiceManagedSync, paragon.ServiceAgentOS} {
			opts = append(opts, paragon.WithBaseURL(svc, *baseURL))
		}
	}
	c, err := paragon.NewClientFromEnv(opts...)
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()
	var callOpts []paragon.CallOption
	if *credential != "" {
		callOpts = append(callOpts, paragon.WithCredential(*credential))
	}
	u := c.User(*userID)

	switch cmd {
	case "token":
		if len(pos) != 0 {
			return fmt.Errorf("%w: token takes no arguments", errUsage)
		}
		tokOpts := []paragon.TokenOption{paragon.WithTokenDuration(*ttl)}
		if *perms != "" {
			var p map[string]any
			if err := json.Unmarshal([]byte(*perms), &p); err != nil {
				return fmt.Errorf("%w: -permissions is not a JSON object: %w", errUsage, err)
			}
			tokOpts = append(tokOpts, paragon.WithPermissions(p))
		}
		tok, err := c.SignUserToken(*userID, tokOpts...)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, tok)
		return err

	case "me":
		if len(pos) != 0 {
			return fmt.Errorf("%w: me takes no arguments", errUsage)
		}
		resp, err := u.Call(ctx, paragon.ServiceAPI, http.MethodGet, "/projects/"+url.PathEscape(c.ProjectID())+"/sdk/me", nil, callOpts...)
		if err != nil {
			return err
		}
		return writeJSON(stdout, resp.Output)

	case "request":
		if len(pos) != 3 {
			return fmt.Errorf("%w: request wants INTEGRATION METHOD PATH", errUsage)
		}
		ro := &paragon.RequestOptions{Method: strings.ToUpper(pos[1]), Headers: headers.h, Raw: *raw}
		if *data != "" {
			if !json.Valid([]byte(*data)) {
				return fmt.Errorf("%w: -d is not valid JSON", errUsage)
			}
			ro.Body = json.RawMessage(*data)
		}
		resp, err := u.Request(ctx, pos[0], pos[2], ro, callOpts...)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Close() }()
		if *raw {
			_, err = io.Copy(stdout, resp.Body)
			return err
		}
		return writeJSON(stdout, resp.Output)

	case "event":
		if len(pos) < 1 || len(pos) > 2 {
			return fmt.Errorf("%w: event wants NAME [PAYLOAD_JSON]", errUsage)
		}
		var payload any = map[string]any{}
		if len(pos) == 2 {
			if !json.Valid([]byte(pos[1])) {
				return fmt.Errorf("%w: the payload is not valid JSON", errUsage)
			}
			payload = json.RawMessage(pos[1])
		}
		if err := u.Event(ctx, pos[0], payload, callOpts...); err != nil {
			return err
		}
		return writeValue(stdout, map[string]any{"event": pos[0], "accepted": true})

	case "workflow":
		if len(pos) < 1 || len(pos) > 2 {
			return fmt.Errorf("%w: workflow wants WORKFLOW_ID [BODY_JSON]", errUsage)
		}
		p := &paragon.WorkflowParams{}
		if len(pos) == 2 {
			if !json.Valid([]byte(pos[1])) {
				return fmt.Errorf("%w: the body is not valid JSON", errUsage)
			}
			p.Body = json.RawMessage(pos[1])
		}
		resp, err := u.Workflow(ctx, pos[0], p, callOpts...)
		if err != nil {
			return err
		}
		out := map[string]any{"status": resp.StatusCode}
		if len(bytes.TrimSpace(resp.Body)) > 0 {
			if json.Valid(resp.Body) {
				out["body"] = json.RawMessage(resp.Body)
			} else {
				out["body"] = string(resp.Body)
			}
		}
		return writeValue(stdout, out)
	}
	return errors.New("unreachable")
}

// writeJSON prints a JSON document indented ("null" when empty).
func writeJSON(w io.Writer, b json.RawMessage) error {
	if len(bytes.TrimSpace(b)) == 0 {
		b = json.RawMessage("null")
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		_, err = w.Write(append(b, '\n')) // not JSON: as it came
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// writeValue prints v as indented JSON.
func writeValue(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeJSON(w, b)
}
