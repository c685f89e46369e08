package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// userJSON is a typical answer to GET /sdk/me: one connected integration
// with a workflow, a little metadata and the plan's features.
const userJSON = `{"authenticated":true,"userId":"user-1",` +
	`"meta":{"Name":"Ada Lovelace","Email":"ada@example.com","plan":"pro","seats":12},` +
	`"integrations":{"close":{"enabled":true,"credentialStatus":"VALID",` +
	`"credentialId":"4b5c7a0e-7f1d-4a8e-9a57-2f6c1d0b9e31","providerId":"orga_8bs9X7qHk2",` +
	`"providerData":{"organization":"Acme"},` +
	`"configuredWorkflows":{"0f8fad5b-d9cb-469f-a165-70867728950e":{"enabled":true,"settings":{"pipeline":"Sales"}}},` +
	`"allCredentials":[]},` +
	`"salesforce":{"enabled":false,"configuredWorkflows":{}}},` +
	`"resources":[],"project":{"accessibleFeatures":["headless-cp","user-metadata"]}}`

// meHandler answers every request with userJSON.
func meHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, userJSON)
	})
}

// rawGetUser is the hand-written baseline: one tuned net/http GET with a
// token signed beforehand, read into an exactly sized buffer and decoded
// into the same struct the SDK returns.
func rawGetUser(ctx context.Context, hc *http.Client, url, bearer string) (*paragon.UserState, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", bearer)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	var body []byte
	if resp.ContentLength >= 0 {
		body = make([]byte, resp.ContentLength)
		_, err = io.ReadFull(resp.Body, body)
	} else {
		body, err = io.ReadAll(resp.Body)
	}
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	st := new(paragon.UserState)
	if err := json.Unmarshal(body, st); err != nil {
		return nil, err
	}
	return st, nil
}

// BenchmarkGetUser measures the SDK's per-call overhead: User.GetUser
// (token from the cache, retries armed, typed result) against rawGetUser
// on the same loopback server, one call at a time.
func BenchmarkGetUser(b *testing.B) {
	srv := newServer(b, meHandler())
	c := newSDK(b, srv)
	tok, err := c.SignUserToken("user-1")
	require.NoError(b, err)
	hc := newRawClient(b)

	compare(b, impl{"raw", func(b *testing.B) {
		url := srv.URL + "/projects/" + projectID + "/sdk/me"
		bearer := "Bearer " + tok
		loop(b, func() error {
			st, err := rawGetUser(b.Context(), hc, url, bearer)
			return check(st, err)
		})
	}}, impl{"sdk", func(b *testing.B) {
		u := c.User("user-1")
		_, err := u.GetUser(b.Context()) // signs the token once
		require.NoError(b, err)
		loop(b, func() error {
			st, err := u.GetUser(b.Context())
			return check(st, err)
		})
	}})
}

// check returns err, or an error when st is not what meHandler sends.
func check(st *paragon.UserState, err error) error {
	if err == nil && (!st.Authenticated || st.UserID != "user-1") {
		err = fmt.Errorf("unexpected user state %+v", st)
	}
	return err
}

// memTransport answers every request in memory with userJSON, so that
// BenchmarkGetUserInMemory measures the client side of a call alone.
type memTransport struct{}

func (memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(userJSON)),
		ContentLength: int64(len(userJSON)),
		Request:       r,
	}, nil
}

// BenchmarkGetUserInMemory is BenchmarkGetUser without the network: both
// clients send through memTransport, so the ratio shows the SDK's own
// per-call work (options, token, retry bookkeeping, decoding), which the
// loopback round trip otherwise dwarfs.
func BenchmarkGetUserInMemory(b *testing.B) {
	const base = "https://api.paragon.test"
	hc := &http.Client{Transport: memTransport{}}
	c, err := paragon.NewClient(projectID, paragon.WithSigningKey(key(b).PEM()),
		paragon.WithBaseURL(paragon.ServiceAPI, base), paragon.WithHTTPClient(hc))
	require.NoError(b, err)
	tok, err := c.SignUserToken("user-1")
	require.NoError(b, err)
	u := c.User("user-1")
	_, err = u.GetUser(b.Context()) // signs the token once
	require.NoError(b, err)

	compare(b, impl{"raw", func(b *testing.B) {
		url := base + "/projects/" + projectID + "/sdk/me"
		bearer := "Bearer " + tok
		loop(b, func() error {
			st, err := rawGetUser(b.Context(), hc, url, bearer)
			return check(st, err)
		})
	}}, impl{"sdk", func(b *testing.B) {
		loop(b, func() error {
			st, err := u.GetUser(b.Context())
			return check(st, err)
		})
	}})
}
