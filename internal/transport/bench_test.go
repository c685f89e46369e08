package transport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// userJSON is a typical GET /sdk/me answer.
const userJSON = `{"authenticated":true,"userId":"user-1","integrations":{"close":{"enabled":true,"credentialStatus":"VALID","configuredWorkflows":{}}},"meta":{"email":"ada@example.com","plan":"pro"},"resources":[]}`

func benchServer(b *testing.B) (*httptest.Server, *http.Client) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, userJSON)
	}))
	b.Cleanup(srv.Close)
	ht := NewHTTPTransport()
	b.Cleanup(ht.CloseIdleConnections)
	return srv, &http.Client{Transport: ht}
}

// BenchmarkGetUser compares one GetUser-shaped call through Transport with
// the same call written by hand with net/http.
func BenchmarkGetUser(b *testing.B) {
	authorize := func(context.Context) (string, error) { return "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig", nil }
	b.Run("transport", func(b *testing.B) {
		srv, hc := benchServer(b)
		tr := New(Config{HTTPClient: hc, MaxRetries: 2, UserAgent: "paragon-go/bench", Budget: NewBudget(500)})
		header := http.Header{"Accept": {"application/json"}}
		b.ReportAllocs()
		for b.Loop() {
			resp, err := tr.Do(b.Context(), &Request{
				Method: http.MethodGet, URL: srv.URL + "/projects/p/sdk/me", Header: header,
				Authorize: authorize, PathTemplate: "/projects/{project}/sdk/me", MaxRetries: -1,
			})
			if err != nil || len(resp.Body) != len(userJSON) {
				b.Fatal(err)
			}
		}
	})
	b.Run("net/http", func(b *testing.B) {
		srv, hc := benchServer(b)
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, srv.URL+"/projects/p/sdk/me", nil)
			if err != nil {
				b.Fatal(err)
			}
			tok, _ := authorize(b.Context())
			req.Header.Set("Accept", "application/json")
			req.Header.Set("User-Agent", "paragon-go/bench")
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil || len(body) != len(userJSON) {
				b.Fatal(err)
			}
		}
	})
}

// staticRT answers every request in memory, so BenchmarkOverhead measures
// only the client-side work.
type staticRT struct{}

func (staticRT) RoundTrip(*http.Request) (*http.Response, error) {
	r := reply(http.StatusOK, userJSON)
	r.Header.Set("Content-Type", "application/json")
	return r, nil
}

// BenchmarkOverhead compares the client-side cost of Transport.Do with a
// hand-written net/http call over an in-memory RoundTripper.
func BenchmarkOverhead(b *testing.B) {
	authorize := func(context.Context) (string, error) { return "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig", nil }
	const url = "https://api.example.test/projects/p/sdk/me"
	b.Run("transport", func(b *testing.B) {
		tr := New(Config{HTTPClient: &http.Client{Transport: staticRT{}}, MaxRetries: 2, UserAgent: "paragon-go/bench", Budget: NewBudget(500)})
		header := http.Header{"Accept": {"application/json"}}
		b.ReportAllocs()
		for b.Loop() {
			resp, err := tr.Do(b.Context(), &Request{
				Method: http.MethodGet, URL: url, Header: header,
				Authorize: authorize, PathTemplate: "/projects/{project}/sdk/me", MaxRetries: -1,
			})
			if err != nil || len(resp.Body) != len(userJSON) {
				b.Fatal(err)
			}
		}
	})
	b.Run("net/http", func(b *testing.B) {
		hc := &http.Client{Transport: staticRT{}}
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, url, nil)
			if err != nil {
				b.Fatal(err)
			}
			tok, _ := authorize(b.Context())
			req.Header.Set("Accept", "application/json")
			req.Header.Set("User-Agent", "paragon-go/bench")
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil || len(body) != len(userJSON) {
				b.Fatal(err)
			}
		}
	})
}
