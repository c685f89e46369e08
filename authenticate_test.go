package paragon_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// countRT fails the test for any request: Authenticate must refuse these
// tokens before sending anything, so no token reaches a RoundTripper.
type countRT struct {
	t *testing.T
	n atomic.Int64
}

func (c *countRT) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	c.t.Errorf("request sent with Authorization %q", req.Header.Get("Authorization"))
	return nil, errors.New("no requests")
}

// TestAuthenticateChecksAllSegments: every segment of a token is checked
// before a request is made; the signature segment used not to be, so CR/LF
// in it reached a custom RoundTripper inside Authorization or came back as
// an untyped *url.Error.
func TestAuthenticateChecksAllSegments(t *testing.T) {
	t.Parallel()
	rt := &countRT{t: t}
	_, pemBytes := signingKey(t)
	c, err := paragon.NewClient(testProject, paragon.WithSigningKey(pemBytes),
		paragon.WithHTTPClient(&http.Client{Transport: rt}), paragon.WithBaseURL(paragon.ServiceAPI, apiBase))
	require.NoError(t, err)
	good := signClaims(t, map[string]any{"sub": "user-1", "exp": time.Now().Add(time.Hour).Unix()})
	parts := strings.Split(good, ".")
	hdr, claims, sig := parts[0], parts[1], parts[2]
	enc := base64.RawURLEncoding.EncodeToString
	// The signature's last character carries unused bits: flip one.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, sig[len(sig)-1])
	nonCanonical := sig[:len(sig)-1] + string(alphabet[last^1])

	bad := map[string]string{
		"CRLF in signature":         hdr + "." + claims + "." + sig[:10] + "\r\nX-Injected: 1\r\n" + sig[10:],
		"LF in signature":           hdr + "." + claims + "." + sig + "\n",
		"space in signature":        hdr + "." + claims + "." + sig[:5] + " " + sig[5:],
		"NUL in signature":          hdr + "." + claims + "." + sig + "\x00",
		"padding on signature":      hdr + "." + claims + "." + sig + "==",
		"std base64 signature":      hdr + "." + claims + "." + strings.ReplaceAll(sig, "_", "/") + "+",
		"non-canonical signature":   hdr + "." + claims + "." + nonCanonical,
		"empty signature":           hdr + "." + claims + ".",
		"unicode in signature":      hdr + "." + claims + "." + sig + "é",
		"four segments":             good + ".eA",
		"padding on header":         hdr + "=." + claims + "." + sig,
		"CR in claims":              hdr + "." + claims + "\r." + sig,
		"header null":               enc([]byte("null")) + "." + claims + "." + sig,
		"header array":              enc([]byte(`[{"alg":"RS256"}]`)) + "." + claims + "." + sig,
		"claims null":               hdr + "." + enc([]byte("null")) + "." + sig,
		"claims a string":           hdr + "." + enc([]byte(`"user-1"`)) + "." + sig,
		"alg with escape sequences": enc([]byte(`{"alg":"\u001b[2J"}`)) + "." + claims + "." + sig,
	}
	for name, tok := range bad {
		_, err := c.Authenticate(t.Context(), tok)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
		var ue *url.Error
		assert.False(t, errors.As(err, &ue), "%s: a *url.Error", name)
		assert.NotContains(t, err.Error(), sig[:16], "%s: the token in the error", name)
		assertSafeLine(t, err.Error())
	}
	assert.Zero(t, rt.n.Load())

	_, err = (*paragon.Client)(nil).Authenticate(t.Context(), good)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
}
