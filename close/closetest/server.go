package closetest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
)

// Server is a [Fake] on a loopback HTTP server, like an httptest.Server:
// URL + "/api/v1" stands for https://api.close.com/api/v1.
type Server struct {
	*Fake
	// URL is the server's base URL, e.g. "http://127.0.0.1:53211".
	URL string

	ts *httptest.Server
}

// NewServer starts a fake Close on 127.0.0.1 (see [New]). The caller must
// call [Server.Close].
func NewServer() *Server {
	f := New()
	ts := httptest.NewUnstartedServer(f)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.Start()
	return &Server{Fake: f, URL: ts.URL, ts: ts}
}

// Client returns an *http.Client for the server; [Server.Close] closes its
// connections.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close waits for webhook deliveries in flight and stops the server.
func (s *Server) Close() {
	s.Fake.Close()
	s.ts.Close()
}
