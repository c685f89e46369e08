package paragontest_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/paragontest"
)

func TestTokenRejected(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	key := serverKey(t, srv)
	valid := func() jwt.MapClaims { return claimsFor(srv, "user-1") }
	with := func(k string, v any) jwt.MapClaims {
		c := valid()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&key.PublicKey))})
	hs256, err := jwt.NewWithClaims(jwt.SigningMethodHS256, valid()).SignedString(pubPEM)
	require.NoError(t, err)
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, valid()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	good := sign(t, key, valid())
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","exp":4102444800}`)) + "." + parts[2]

	tests := []struct {
		name   string
		header string // full Authorization header; "" sends none
	}{
		{"missing", ""},
		{"not bearer", "Basic " + good},
		{"bearer without token", "Bearer "},
		{"garbage", "Bearer not.a.jwt"},
		{"forged with another key", "Bearer " + sign(t, otherKey(), valid())},
		{"tampered claims", "Bearer " + tampered},
		{"expired", "Bearer " + sign(t, key, with("exp", time.Now().Add(-time.Minute).Unix()))},
		{"no exp", "Bearer " + sign(t, key, with("exp", nil))},
		{"wrong audience", "Bearer " + sign(t, key, with("aud", "useparagon.com/another-project"))},
		{"wrong audience list", "Bearer " + sign(t, key, with("aud", []string{"x", "y"}))},
		{"not valid yet", "Bearer " + sign(t, key, with("nbf", time.Now().Add(time.Hour).Unix()))},
		{"no sub", "Bearer " + sign(t, key, with("sub", nil))},
		{"empty sub", "Bearer " + sign(t, key, with("sub", ""))},
		{"numeric sub", "Bearer " + sign(t, key, with("sub", 42))},
		{"alg none", "Bearer " + none},
		{"HS256 with the public key", "Bearer " + hs256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, path := range []string{"/sdk/me", "/sdk/proxy/close/lead/", "/nowhere"} {
				r := do(t, srv, req{method: http.MethodGet, path: path, header: map[string]string{"Authorization": tt.header}})
				m := assertParagonError(t, r, http.StatusUnauthorized, "unauthorized")
				assert.NotContains(t, m["message"], "eyJ", "the message must not echo the token")
			}
		})
	}
}

func TestTokenAccepted(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	key := serverKey(t, srv)
	noAud := claimsFor(srv, "user-no-aud")
	delete(noAud, "aud")
	audList := claimsFor(srv, "user-aud-list")
	audList["aud"] = []string{"other", "useparagon.com/" + srv.ProjectID()}
	extra := claimsFor(srv, "user-extra")
	extra["urn:useparagon:connect:permissions"] = map[string]any{"integration:*": true}

	for name, c := range map[string]jwt.MapClaims{
		"with aud": claimsFor(srv, "user-aud"), "without aud": noAud, "aud list": audList, "extra claims": extra,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := do(t, srv, req{method: http.MethodGet, path: "/sdk/me", token: sign(t, key, c)})
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
			me := r.JSON(t)
			assert.Equal(t, true, me["authenticated"])
			assert.Equal(t, c["sub"], me["userId"])
		})
	}
}

func TestUserToken(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tok, err := jwt.Parse(srv.UserToken("u-7"), func(*jwt.Token) (any, error) { return &serverKey(t, srv).PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience("useparagon.com/"+srv.ProjectID()), jwt.WithExpirationRequired())
	require.NoError(t, err)
	sub, err := tok.Claims.GetSubject()
	require.NoError(t, err)
	assert.Equal(t, "u-7", sub)
	assert.Panics(t, func() { srv.UserToken("") })
}

func TestSharedKeyAndOwnKey(t *testing.T) {
	t.Parallel()
	a, b := newServer(t), newServer(t)
	assert.Equal(t, a.SigningKeyPEM(), b.SigningKeyPEM(), "servers share the process key")
	assert.NotEqual(t, a.ProjectID(), b.ProjectID())

	own := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(otherKey())})
	c := newServer(t, paragontest.WithSigningKey(own))
	assert.NotEqual(t, a.SigningKeyPEM(), c.SigningKeyPEM())
	r := do(t, c, req{method: http.MethodGet, path: "/sdk/me", token: sign(t, otherKey(), claimsFor(c, "u"))})
	assert.Equal(t, http.StatusOK, r.Status)
	r = do(t, c, req{method: http.MethodGet, path: "/sdk/me", token: a.UserToken("u")})
	assert.Equal(t, http.StatusUnauthorized, r.Status)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
