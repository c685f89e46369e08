package paragontest

import (
	"time"

	"github.com/paragon-go/paragon"
)

// testRetryPolicy is the retry policy of [Server.Client]: Paragon's retry
// count with millisecond waits, so tests with injected faults run fast.
var testRetryPolicy = paragon.RetryPolicy{
	MaxRetries:     paragon.DefaultRetryPolicy.MaxRetries,
	InitialBackoff: time.Millisecond,
	MaxBackoff:     5 * time.Millisecond,
	MaxRetryAfter:  time.Second,
}

// Client returns a new *paragon.Client for the server's project, signing
// tokens with the server's key, sending every service (API, events, proxy,
// ActionKit, Managed Sync, Agent OS) to the server, over the server's own
// HTTP client, and retrying with millisecond backoff (the server's injected
// 429 and 5xx answers say Retry-After: 0). opts are applied after those, so
// they can add or override settings (paragon.WithRetryPolicy for the
// production policy). Client panics if an option is invalid; [Server.NewClient]
// returns the error instead.
func (s *Server) Client(opts ...paragon.Option) *paragon.Client {
	c, err := s.NewClient(opts...)
	if err != nil {
		panic("paragontest: Server.Client: " + err.Error())
	}
	return c
}

// NewClient is [Server.Client] that returns an error, matching
// paragon.ErrInvalidInput, when an option is invalid.
func (s *Server) NewClient(opts ...paragon.Option) (*paragon.Client, error) {
	all := append([]paragon.Option{
		paragon.WithSigningKey(s.keyPEM),
		paragon.WithBaseURL(paragon.ServiceAPI, s.ts.URL),
		paragon.WithBaseURL(paragon.ServiceEvents, s.ts.URL),
		paragon.WithBaseURL(paragon.ServiceProxy, s.ts.URL),
		paragon.WithBaseURL(paragon.ServiceActionKit, s.ts.URL),
		paragon.WithBaseURL(paragon.ServiceManagedSync, s.ts.URL),
		paragon.WithBaseURL(paragon.ServiceAgentOS, s.ts.URL),
		paragon.WithHTTPClient(s.ts.Client()),
		paragon.WithRetryPolicy(testRetryPolicy),
		paragon.WithAPIKey(s.APIKey()),
	}, opts...)
	return paragon.NewClient(s.projectID, all...)
}
