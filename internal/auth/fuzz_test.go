package auth

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseKey checks that ParseKey never panics, fails only with
// ErrInvalidKey without echoing PEM, and returns only usable keys.
//
// The seeds (testdata/fuzz/FuzzParseKey and below) exercise normalisation,
// PEM framing and dispatch, and hold no key material. A real key as a seed
// would send almost every mutation through RSA validation in crypto/x509,
// which slows the fuzzer a thousandfold without testing our code; the
// accepted forms of real keys are covered by TestParseKeyAccepts.
func FuzzParseKey(f *testing.F) {
	for _, seed := range []string{
		`-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----`,
		`'-----BEGIN PRIVATE KEY-----\r\nAAAA\r\n-----END PRIVATE KEY-----'`,
		"-----BEGIN PRIVATE KEY-----\r\nAA AA\r\n-----END PRIVATE KEY-----\r\n",
		"x\n-----BEGIN PRIVATE KEY-----\nA:B\n\nAAAA\n-----END PRIVATE KEY-----\ny",
		"-----BEGIN -----  -----END -----",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseKey(data)
		if err != nil {
			if got != nil {
				t.Fatal("key and error both returned")
			}
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("error %q does not wrap ErrInvalidKey", err)
			}
			if strings.Contains(err.Error(), "-----") {
				t.Fatalf("error echoes PEM armour: %q", err)
			}
			return
		}
		if got.Bits() < MinKeyBits || got.Bits() > MaxKeyBits {
			t.Fatalf("accepted a %d-bit key", got.Bits())
		}
		if want := "auth.Key{RSA-" + strconv.Itoa(got.Bits()) + ", redacted}"; got.String() != want {
			t.Fatalf("String() = %q, want %q", got.String(), want)
		}
	})
}
