package managedsync_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/paragontest"
)

// tokenWithoutAud signs a user token for acct-1 with the fake's key and no aud.
func tokenWithoutAud(t *testing.T, srv *paragontest.Server) string {
	t.Helper()
	block, _ := pem.Decode(srv.SigningKeyPEM())
	require.NotNil(t, block)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"sub": "acct-1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}).SignedString(k.(*rsa.PrivateKey))
	require.NoError(t, err)
	return tok
}
