// Command paragon is a fake Paragon for web apps and other languages, and a
// small client for debugging a real Paragon project.
//
// Usage:
//
//	paragon fake [-addr 127.0.0.1:8090] [-seed seed.json] [-user dana:close] ...
//	paragon token    -user ID [-ttl 1h] [-permissions JSON]
//	paragon me       -user ID
//	paragon request  -user ID [-d JSON] [-H 'Name: value'] [-credential ID] INTEGRATION METHOD PATH
//	paragon event    -user ID NAME [PAYLOAD_JSON]
//	paragon workflow -user ID [-credential ID] WORKFLOW_ID [BODY_JSON]
//
// "fake" starts paragontest on a port, seeded from flags or a JSON file, and
// prints the project ID, where the signing key is, a ready token per seeded
// user and the configureGlobal overrides Paragon's browser SDK needs. It
// stops on SIGINT or SIGTERM.
//
// The other commands read the environment [paragon.NewClientFromEnv] reads
// (PARAGON_PROJECT_ID, PARAGON_SIGNING_KEY or PARAGON_SIGNING_KEY_FILE,
// PARAGON_HOST); -url sends every service to one base URL instead, such as
// a fake's. -user defaults to $PARAGON_USER. Results are JSON on stdout;
// errors go to stderr with exit status 1 (2 for bad usage). No command
// prints the signing key; only "token" and "fake" print tokens, because
// that is what they are asked for.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks an error in the command line (exit status 2).
var errUsage = errors.New("usage")

const usage = `usage:
  paragon fake [-addr 127.0.0.1:8090] [-seed seed.json] [-user ID[:integration,...]]... [-project ID] [-key key.pem] [-key-out path] [-json]
  paragon token    -user ID [-ttl 1h] [-permissions JSON]
  paragon me       -user ID
  paragon request  -user ID [-d JSON] [-H 'Name: value']... [-credential ID] [-raw] INTEGRATION METHOD PATH
  paragon event    -user ID [-credential ID] NAME [PAYLOAD_JSON]
  paragon workflow -user ID [-credential ID] WORKFLOW_ID [BODY_JSON]
The client commands read PARAGON_PROJECT_ID, PARAGON_SIGNING_KEY or
PARAGON_SIGNING_KEY_FILE, and PARAGON_HOST; -url BASE sends every service to BASE.
`

// run runs the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		_, _ = io.WriteString(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "fake":
		err = runFake(ctx, rest, stdout, stderr)
	case "token", "me", "request", "event", "workflow":
		err = runClient(ctx, cmd, rest, stdout)
	case "help", "-h", "-help", "--help":
		_, _ = io.WriteString(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		_, _ = io.WriteString(stdout, usage)
		return 0
	case errors.Is(err, errUsage):
		_, _ = fmt.Fprintf(stderr, "paragon: %v\n%s", err, usage)
		return 2
	default:
		_, _ = fmt.Fprintf(stderr, "paragon: %v\n", err)
		return 1
	}
}

// parse parses fs from args, allowing flags after positional arguments, and
// returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns a flag set that reports errors to the caller only.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}
