package paragontest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/paragon-go/paragon/paragontest"
)

// BenchmarkEvent measures one App Event through the fake over HTTP.
func BenchmarkEvent(b *testing.B) {
	srv := paragontest.NewServer()
	defer srv.Close()
	benchPost(b, srv, "/v2/projects/"+srv.ProjectID()+"/sdk/events/trigger", `{"name":"E","payload":{"i":1}}`, http.StatusCreated)
}

// BenchmarkProxyCloseCreateLead measures a lead created in the fake Close
// through the proxy.
func BenchmarkProxyCloseCreateLead(b *testing.B) {
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "u", Connected: []string{"close"}}))
	defer srv.Close()
	benchPost(b, srv, "/projects/"+srv.ProjectID()+"/sdk/proxy/close/lead/", `{"name":"Acme","contacts":[{"name":"Ada"}]}`, http.StatusOK)
}

func benchPost(b *testing.B, srv *paragontest.Server, path, body string, want int) {
	tok := srv.UserToken("u")
	hc := srv.HTTPClient()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := http.NewRequest(http.MethodPost, srv.URL()+path, strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != want {
				b.Errorf("status %d, want %d", resp.StatusCode, want)
				return
			}
		}
	})
}
