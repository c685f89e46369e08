package auth

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func pkcs1PEM(tb testing.TB, k *rsa.PrivateKey) string {
	tb.Helper()
	return pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k))
}

func pkcs8PEM(tb testing.TB, k any) string {
	tb.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(tb, err)
	return pemOf("PRIVATE KEY", der)
}

func pkcs8Base64(tb testing.TB, k any) string {
	tb.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(tb, err)
	return base64.StdEncoding.EncodeToString(der)
}

// bodyOf returns a PEM file's base64 lines, without BEGIN and END.
func bodyOf(p string) string {
	lines := strings.Split(strings.TrimSpace(p), "\n")
	return strings.Join(lines[1:len(lines)-1], "\n")
}

// smallKey is a 1024-bit RSA key, generated once.
var smallKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 1024)
})

func TestParseKeyAccepts(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	p1 := pkcs1PEM(t, k.k)
	p8 := string(k.PEM())
	require.Contains(t, p8, "-----BEGIN PRIVATE KEY-----")

	oneLine := func(s, sep string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", sep) }
	tests := []struct {
		name string
		in   string
	}{
		{"PKCS#1", p1},
		{"PKCS#8", p8},
		{"PKCS#8 under a PKCS#1 label", strings.ReplaceAll(p8, "PRIVATE KEY", "RSA PRIVATE KEY")},
		{"PKCS#1 under a PKCS#8 label", strings.ReplaceAll(p1, "RSA PRIVATE KEY", "PRIVATE KEY")},
		{"escaped newlines", oneLine(p8, `\n`)},
		{"escaped newlines PKCS#1", oneLine(p1, `\n`)},
		{"escaped CRLF", oneLine(p8, `\r\n`)},
		{"real CRLF", strings.ReplaceAll(p1, "\n", "\r\n")},
		{"double quoted escaped", `"` + oneLine(p8, `\n`) + `"`},
		{"single quoted", "'" + p1 + "'"},
		{"quoted with outer spaces", "  \"\n" + p8 + "\n\"  \n"},
		{"surrounding white space", "\n\t  " + p1 + "\n\n  "},
		{"text around the block", "my key:\n" + p8 + "trailing garbage\x00\xff"},
		{"newlines turned into spaces", oneLine(p8, " ")},
		{"one-line PKCS#1 with spaces", oneLine(p1, " ")},
		{"one-line PEM with runs of spaces and tabs", oneLine(p8, " \t  ")},
		{"bare base64 PKCS#8 DER", pkcs8Base64(t, k.k)},
		{"bare base64 PKCS#8 DER, wrapped at 64", bodyOf(p8)},
		{"bare base64 PKCS#1 DER", base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(k.k))},
		{"bare base64 without padding", strings.TrimRight(base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(k.k)), "=") + "\n"},
		{"bare base64 quoted, escaped newlines", `"` + strings.ReplaceAll(bodyOf(p1), "\n", `\n`) + `"`},
		{"mixed escaped and real", strings.Replace(p1, "\n", `\n`, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseKey([]byte(tt.in))
			require.NoError(t, err)
			assert.True(t, got.k.Equal(k.k), "parsed a different key")
			assert.Equal(t, 2048, got.Bits())
		})
	}
}

func TestParseKeyDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	in := []byte(`"` + strings.ReplaceAll(string(testKey(t).PEM()), "\n", `\n`) + `"`)
	orig := string(in)
	_, err := ParseKey(in)
	require.NoError(t, err)
	assert.Equal(t, orig, string(in))
}

func TestParseKeyRejects(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	small, err := smallKey()
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecDER, err := x509.MarshalECPrivateKey(ecKey)
	require.NoError(t, err)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	xKey, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	pubDER, err := x509.MarshalPKIXPublicKey(k.Public())
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "paragon-go test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k.k)
	require.NoError(t, err)
	junk := make([]byte, 1200)
	_, _ = rand.Read(junk)
	legacyEncrypted := string(pem.EncodeToMemory(&pem.Block{
		Type:    "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"},
		Bytes:   junk,
	}))

	tests := []struct {
		name string
		in   string
		want string // substring of the error message
	}{
		{"empty", "", "key is empty"},
		{"white space", " \n\t ", "key is empty"},
		{"empty quotes", `""`, "key is empty"},
		{"garbage", "not a key at all", "no PEM block found"},
		{"binary garbage", string(junk), "no PEM block found"},
		{"truncated block", pkcs1PEM(t, k.k)[:300], "malformed PEM block; want PEM (PKCS#8 or PKCS#1"},
		{"bare base64 of junk DER", "MII" + strings.Repeat("A", 200), "not a PKCS#8 or PKCS#1 DER private key"},
		{"bare base64 of an EC key", base64.StdEncoding.EncodeToString(ecDER), "not a PKCS#8 or PKCS#1 DER"},
		{"bare base64 of an EC PKCS#8 key", pkcs8Base64(t, ecKey), "must be RSA, got an ECDSA key"},
		{"1024-bit PKCS#1", pkcs1PEM(t, small), "RSA key is 1024 bits; at least 2048 required"},
		{"1024-bit PKCS#8", pkcs8PEM(t, small), "RSA key is 1024 bits; at least 2048 required"},
		{"EC SEC1", pemOf("EC PRIVATE KEY", ecDER), "must be RSA"},
		{"EC PKCS#8", pkcs8PEM(t, ecKey), "must be RSA, got an ECDSA key"},
		{"Ed25519 PKCS#8", pkcs8PEM(t, edKey), "must be RSA, got an Ed25519 key"},
		{"X25519 PKCS#8", pkcs8PEM(t, xKey), "must be RSA"},
		{"public key", pemOf("PUBLIC KEY", pubDER), "got a public key"},
		{"RSA public key", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(k.Public())), "got a public key"},
		{"certificate", pemOf("CERTIFICATE", certDER), "got a certificate"},
		{"legacy encrypted", legacyEncrypted, "encrypted"},
		{"PKCS#8 encrypted", pemOf("ENCRYPTED PRIVATE KEY", junk), "encrypted"},
		{"OpenSSH", pemOf("OPENSSH PRIVATE KEY", junk), "OpenSSH"},
		{"unknown label", pemOf("DSA PRIVATE KEY", junk), `unsupported PEM block type "DSA PRIVATE KEY"`},
		{"odd label not echoed", pemOf("X\x01Y", junk), "unsupported PEM block type (unrecognised)"},
		{"PKCS#1 junk", pemOf("RSA PRIVATE KEY", junk), "malformed PKCS#1"},
		{"PKCS#8 junk", pemOf("PRIVATE KEY", junk), "malformed PKCS#8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseKey([]byte(tt.in))
			require.Error(t, err)
			assert.Nil(t, got)
			require.ErrorIs(t, err, ErrInvalidKey)
			msg := err.Error()
			assert.Contains(t, msg, tt.want)
			assertNoKeyMaterial(t, msg, tt.in)
		})
	}
}

// assertNoKeyMaterial fails if s holds a PEM armour line or any 12-byte run
// of the base64 body of pemText.
func assertNoKeyMaterial(t *testing.T, s, pemText string) {
	t.Helper()
	assert.NotContains(t, s, "-----BEGIN")
	assert.NotContains(t, s, "MII", "looks like base64 DER")
	for line := range strings.Lines(pemText) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "-----") || strings.Contains(line, ":") {
			continue
		}
		for i := 0; i+12 <= len(line); i += 12 {
			if !assert.NotContains(t, s, line[i:i+12], "key material leaked") {
				return
			}
		}
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	for _, bits := range []int{0, 1024, 2047, MaxKeyBits + 1} {
		k, err := GenerateKey(bits)
		require.ErrorIs(t, err, ErrInvalidKey, "bits=%d", bits)
		assert.Nil(t, k)
	}
	k := testKey(t)
	assert.Equal(t, 2048, k.Bits())
	back, err := ParseKey(k.PEM())
	require.NoError(t, err)
	assert.True(t, back.k.Equal(k.k))
}

func TestNilKey(t *testing.T) {
	t.Parallel()
	var k *Key
	assert.Nil(t, k.Public())
	assert.Nil(t, k.PEM())
	assert.Zero(t, k.Bits())
	assert.Equal(t, "auth.Key(nil)", k.String())
	_, err := k.Sign(Claims{Subject: "u", IssuedAt: epoch, Expiry: epoch.Add(time.Hour)})
	require.ErrorIs(t, err, ErrInvalidKey)
	_, err = (&Key{}).Sign(Claims{Subject: "u", IssuedAt: epoch, Expiry: epoch.Add(time.Hour)})
	require.ErrorIs(t, err, ErrInvalidKey)
}
