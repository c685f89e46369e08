package paragon_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// TestNoCookiesBetweenUsers: a third party's cookie set on Alice's proxy
// call never goes out on Bob's. A caller's client with a cookie jar is
// refused, since one Client acts for every Connected User.
func TestNoCookiesBetweenUsers(t *testing.T) {
	t.Parallel()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	_, pemBytes := signingKey(t)
	_, err = paragon.NewClient(testProject, paragon.WithSigningKey(pemBytes), paragon.WithHTTPClient(&http.Client{Jar: jar}))
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Contains(t, err.Error(), "cookie jar")

	var mu sync.Mutex
	cookies := map[string]string{}
	e := newHostileEnv(t, func(w http.ResponseWriter, r *http.Request) {
		sub := "bob"
		if r.URL.Query().Get("as") == "alice" {
			sub = "alice"
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "alice-third-party-session", Path: "/"})
		}
		mu.Lock()
		cookies[sub] = r.Header.Get("Cookie")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"output": {}}`)
	})
	_, err = e.c.User("alice").Request(t.Context(), "close", "/me/?as=alice", nil)
	require.NoError(t, err)
	_, err = e.c.User("bob").Request(t.Context(), "close", "/me/", nil)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, cookies["bob"], "Alice's cookie went out on Bob's call")
}
