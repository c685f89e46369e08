package paragontest

import "github.com/paragon-go/paragon"

// Client returns a new *paragon.Client for the server's project, signing
// tokens with the server's key, sending every service (API, events, proxy, ActionKit, Managed Sync,
// Agent OS)
// to the server, over the server's own HTTP client. opts are applied after
// those, so they can add or override settings. Client panics if an option
// is invalid.
func (s *Server) Client(opts ...paragon.Option) *paragon.Client {
	all := append([]paragon.Option{
		paragon.WithSigningKey(s.keyPEM),
		paragon.WithBaseURL(paragon.ServiceAPI, s.ts.URL),
		paragon.WithBaseURL(paragon.ServiceEvents, s.ts.URL),
		paragon.WithBaseURL(paragon.ServiceProxy, s.ts.URL),
		paragon.WithBaseURL(paragon.ServiceActionKit, s.ts.URL),
		paragon.WithBaseURL(paragon.ServiceManagedSync, s.ts.URL),
		paragon.WithBaseURL(paragon.ServiceAgentOS, s.ts.URL),
		paragon.WithHTTPClient(s.ts.Client()),
		paragon.WithAPIKey(s.APIKey()),
	}, opts...)
	c, err := paragon.NewClient(s.projectID, all...)
	if err != nil {
		panic("paragontest: Server.Client: " + err.Error())
	}
	return c
}
