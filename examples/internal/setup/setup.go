// Package setup gives the examples a Paragon client: the real Paragon when
// PARAGON_PROJECT_ID and a signing key are set, otherwise an in-memory
// paragontest server with a connected Close account, so every example runs
// offline.
package setup

import (
	"fmt"
	"os"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

// Env is what an example runs against.
type Env struct {
	// Client is the Paragon client.
	Client *paragon.Client
	// UserID is the Connected User the example acts as.
	UserID string
	// Server is the fake Paragon, or nil against the real one.
	Server *paragontest.Server
}

// Offline reports whether the example runs against paragontest.
func (e *Env) Offline() bool { return e.Server != nil }

// Close stops the fake server, if any.
func (e *Env) Close() {
	if e.Server != nil {
		e.Server.Close()
	}
}

// Describe says where the example runs.
func (e *Env) Describe() string {
	if e.Offline() {
		return fmt.Sprintf("offline: paragontest fake Paragon at %s (project %s)", e.Server.URL(), e.Client.ProjectID())
	}
	return fmt.Sprintf("live: Paragon project %s at %s", e.Client.ProjectID(), e.Client.BaseURL(paragon.ServiceAPI))
}

// New returns the environment. opts configure the fake server when offline.
func New(opts ...paragontest.Option) (*Env, error) {
	userID := os.Getenv("PARAGON_USER_ID")
	if userID == "" {
		userID = "acct-1042"
	}
	hasKey := os.Getenv(paragon.EnvSigningKey) != "" || os.Getenv(paragon.EnvSigningKeyFile) != ""
	if os.Getenv(paragon.EnvProjectID) != "" && hasKey {
		c, err := paragon.NewClientFromEnv()
		if err != nil {
			return nil, err
		}
		return &Env{Client: c, UserID: userID}, nil
	}
	seed := paragontest.WithUser(paragontest.UserSeed{
		ID:        userID,
		Meta:      map[string]any{"Name": "Dana Ortiz"},
		Connected: []string{"close"},
	})
	srv := paragontest.NewServer(append([]paragontest.Option{seed}, opts...)...)
	return &Env{Client: srv.Client(), UserID: userID, Server: srv}, nil
}
