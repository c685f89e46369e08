package auth

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// PEM block types ParseKey knows about.
const (
	pemPKCS1     = "RSA PRIVATE KEY"
	pemPKCS8     = "PRIVATE KEY"
	pemEncPKCS8  = "ENCRYPTED PRIVATE KEY"
	pemEC        = "EC PRIVATE KEY"
	pemOpenSSH   = "OPENSSH PRIVATE KEY"
	pemPublic    = "PUBLIC KEY"
	pemRSAPublic = "RSA PUBLIC KEY"
	pemCert      = "CERTIFICATE"
)

// Key is an RSA private key that signs Paragon User Tokens.
//
// Its formatting is redacted: String, GoString, Format (every verb), LogValue
// and MarshalJSON all produce "auth.Key{RSA-2048, redacted}", so a Key that
// ends up in a log line, an error or a JSON dump reveals only its size. Only
// [Key.PEM] returns the secret. A Key is safe for concurrent use.
type Key struct {
	k *rsa.PrivateKey
}

// ParseKey decodes an RSA private key: PEM, PKCS#1 ("RSA PRIVATE KEY") or
// PKCS#8 ("PRIVATE KEY"), or the bare base64 of a PKCS#8 or PKCS#1 DER key
// (a PEM body without its BEGIN and END lines).
//
// Input is normalised first, because signing keys usually travel through
// environment variables and secret stores: surrounding white space and one
// pair of surrounding quotes are dropped, literal two-character "\n" (and
// "\r\n") escapes become real newlines, and a key whose line breaks were
// turned into spaces is re-wrapped. Text before the first PEM block and after
// it is ignored.
//
// ParseKey refuses keys that are not RSA (EC, Ed25519, …), shorter than
// [MinKeyBits] or longer than [MaxKeyBits], encrypted, public keys,
// certificates and anything else. Every error wraps [ErrInvalidKey] and none
// contains key material.
func ParseKey(pemBytes []byte) (*Key, error) {
	data := normalizePEM(pemBytes)
	if len(data) == 0 {
		return nil, keyError("key is empty")
	}
	block, _ := pem.Decode(data)
	if block == nil {
		if re := reflowPEM(data); re != nil {
			block, _ = pem.Decode(re)
		}
	}
	if block == nil {
		if der, ok := bareBase64(data); ok {
			return parseDER(der)
		}
		if bytes.Contains(data, []byte("-----BEGIN ")) {
			return nil, keyError("malformed PEM block; want PEM (PKCS#8 or PKCS#1, with line breaks, or on one line with \"\\n\" escapes or spaces) or the bare base64 of the DER key")
		}
		return nil, keyError("no PEM block found; want PEM (PKCS#8 or PKCS#1) or the bare base64 of a PKCS#8 or PKCS#1 DER key")
	}
	if isEncrypted(block) {
		return nil, keyError("the key is encrypted; store it decrypted (for example with `openssl pkey -in key.pem -out plain.pem`)")
	}
	var (
		raw any
		err error
	)
	switch block.Type {
	case pemPKCS1:
		raw, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			// Labels are sometimes wrong; accept PKCS#8 content under a PKCS#1 label.
			if k, err8 := x509.ParsePKCS8PrivateKey(block.Bytes); err8 == nil {
				raw, err = k, nil
			}
		}
		if err != nil {
			return nil, keyError("malformed PKCS#1 RSA private key")
		}
	case pemPKCS8:
		raw, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			if k, err1 := x509.ParsePKCS1PrivateKey(block.Bytes); err1 == nil {
				raw, err = k, nil
			}
		}
		if err != nil {
			return nil, keyError("malformed PKCS#8 private key")
		}
	case pemEC:
		return nil, keyError("the key must be RSA, got an EC private key")
	case pemOpenSSH:
		return nil, keyError("OpenSSH key format is not supported; convert it to PEM (for example with `ssh-keygen -p -m PKCS8 -f key`)")
	case pemPublic, pemRSAPublic:
		return nil, keyError("got a public key; the private signing key is required")
	case pemCert:
		return nil, keyError("got a certificate; the private signing key is required")
	default:
		return nil, keyError("unsupported PEM block type " + describeLabel(block.Type) + "; want \"RSA PRIVATE KEY\" or \"PRIVATE KEY\"")
	}
	return newKey(raw)
}

// bareBase64 decodes a key given as the base64 body of a PEM file without
// its BEGIN and END lines (standard alphabet, padded or not, white space
// anywhere), as keys are sometimes stored in secret managers.
func bareBase64(data []byte) ([]byte, bool) {
	var compact []byte
	for _, b := range data {
		switch {
		case b == ' ' || b == '\t' || b == '\n' || b == '\r':
		case b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z', b >= '0' && b <= '9', b == '+', b == '/', b == '=':
			compact = append(compact, b)
		default:
			return nil, false
		}
	}
	// A DER key always starts with a SEQUENCE tag (0x30), "M" in base64.
	if len(compact) < 64 || compact[0] != 'M' {
		return nil, false
	}
	enc := base64.StdEncoding
	if compact[len(compact)-1] != '=' && len(compact)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	der, err := enc.Strict().DecodeString(string(compact))
	if err != nil {
		return nil, false
	}
	return der, true
}

// parseDER parses a bare DER private key: PKCS#8 or PKCS#1.
func parseDER(der []byte) (*Key, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return newKey(k)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return newKey(k)
	}
	return nil, keyError("base64 text that is not a PKCS#8 or PKCS#1 DER private key; want PEM (PKCS#8 or PKCS#1) or the bare base64 of the DER key")
}

// newKey checks that raw is an RSA private key of an acceptable size.
func newKey(raw any) (*Key, error) {
	switch k := raw.(type) {
	case *rsa.PrivateKey:
		if err := checkBits(k.N.BitLen()); err != nil {
			return nil, err
		}
		return &Key{k: k}, nil
	case *ecdsa.PrivateKey:
		return nil, keyError("the key must be RSA, got an ECDSA key")
	case ed25519.PrivateKey:
		return nil, keyError("the key must be RSA, got an Ed25519 key")
	case *ecdh.PrivateKey:
		return nil, keyError("the key must be RSA, got an X25519 (ECDH) key")
	default:
		return nil, keyError(fmt.Sprintf("the key must be RSA, got %T", raw))
	}
}

// GenerateKey returns a new random RSA key of the given size, for tests and
// for paragontest. bits must be between [MinKeyBits] and [MaxKeyBits]; the
// error wraps [ErrInvalidKey] otherwise. 2048-bit generation takes tens to
// hundreds of milliseconds: generate once and share.
func GenerateKey(bits int) (*Key, error) {
	if err := checkBits(bits); err != nil {
		return nil, err
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("%w: generating an RSA-%d key: %w", ErrInvalidKey, bits, err)
	}
	return &Key{k: k}, nil
}

func checkBits(bits int) error {
	switch {
	case bits < MinKeyBits:
		return keyError(fmt.Sprintf("RSA key is %d bits; at least %d required", bits, MinKeyBits))
	case bits > MaxKeyBits:
		return keyError(fmt.Sprintf("RSA key is %d bits; at most %d supported", bits, MaxKeyBits))
	}
	return nil
}

// Public returns the public half of k, for verifying its tokens. It returns
// nil for a nil Key.
func (k *Key) Public() *rsa.PublicKey {
	if k == nil || k.k == nil {
		return nil
	}
	return &k.k.PublicKey
}

// Bits returns the size of the key's modulus in bits, or 0 for a nil Key.
func (k *Key) Bits() int {
	if k == nil || k.k == nil {
		return 0
	}
	return k.k.N.BitLen()
}

// PEM returns the private key as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
//
// The result is the secret itself, returned on purpose: paragontest uses it
// to hand a generated key to a client through WithSigningKey. Never log it.
// It returns nil for a nil Key.
func (k *Key) PEM() []byte {
	if k == nil || k.k == nil {
		return nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.k)
	if err != nil {
		// Unreachable for a valid *rsa.PrivateKey.
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPKCS8, Bytes: der})
}

// String returns a redacted description such as "auth.Key{RSA-2048, redacted}".
func (k *Key) String() string {
	if k == nil || k.k == nil {
		return "auth.Key(nil)"
	}
	return "auth.Key{RSA-" + strconv.Itoa(k.Bits()) + ", redacted}"
}

// GoString returns the same redacted text as String, for %#v.
func (k *Key) GoString() string { return k.String() }

// Format implements fmt.Formatter so that every verb (%v, %+v, %#v, %s, %q,
// %x, …) prints the redacted String and never the key.
func (k *Key) Format(f fmt.State, verb rune) { writeRedacted(f, verb, k.String()) }

// LogValue implements slog.LogValuer with the redacted String.
func (k *Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// MarshalJSON encodes the redacted String as a JSON string.
func (k *Key) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

// writeRedacted writes s for any verb; %q quotes it so the output still reads
// as a Go string.
func writeRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

func keyError(msg string) error { return fmt.Errorf("%w: %s", ErrInvalidKey, msg) }

// normalizePEM undoes what environment variables and secret stores do to a
// PEM file. It never modifies in.
func normalizePEM(in []byte) []byte {
	b := bytes.TrimSpace(in)
	if len(b) >= 2 && (b[0] == '"' || b[0] == '\'') && b[len(b)-1] == b[0] {
		b = bytes.TrimSpace(b[1 : len(b)-1])
	}
	if bytes.IndexByte(b, '\\') >= 0 {
		b = bytes.ReplaceAll(b, []byte(`\r\n`), []byte("\n"))
		b = bytes.ReplaceAll(b, []byte(`\n`), []byte("\n"))
		b = bytes.TrimSpace(b)
	}
	return b
}

// reflowPEM rebuilds a PEM block whose line breaks were replaced by spaces
// ("-----BEGIN X----- MIIE… -----END X-----"), as some secret UIs do. It
// returns nil when data does not look like that.
func reflowPEM(data []byte) []byte {
	const begin, dashes, end = "-----BEGIN ", "-----", "-----END "
	s := string(data)
	i := strings.Index(s, begin)
	if i < 0 {
		return nil
	}
	rest := s[i+len(begin):]
	j := strings.Index(rest, dashes)
	if j < 0 {
		return nil
	}
	label := rest[:j]
	body := rest[j+len(dashes):]
	k := strings.Index(body, end+label+dashes)
	if k < 0 || strings.ContainsAny(body[:k], ":") { // headers can't be re-flowed
		return nil
	}
	b64 := strings.Join(strings.Fields(body[:k]), "")
	var out strings.Builder
	out.Grow(len(b64) + len(b64)/64 + 2*len(label) + 40)
	out.WriteString(begin + label + dashes + "\n")
	for len(b64) > 64 {
		out.WriteString(b64[:64] + "\n")
		b64 = b64[64:]
	}
	out.WriteString(b64 + "\n" + end + label + dashes + "\n")
	return []byte(out.String())
}

// isEncrypted reports a PKCS#8 EncryptedPrivateKeyInfo block or a legacy
// OpenSSL "Proc-Type: 4,ENCRYPTED" block.
func isEncrypted(b *pem.Block) bool {
	return b.Type == pemEncPKCS8 || strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED")
}

// describeLabel quotes a PEM label for an error message when it is short
// printable text; anything else is not echoed, so no input can smuggle
// secret bytes into the message.
func describeLabel(l string) string {
	if len(l) > 40 {
		return "(unrecognised)"
	}
	for _, r := range l {
		if !(r == ' ' || r == '-' || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return "(unrecognised)"
		}
	}
	return strconv.Quote(l)
}
