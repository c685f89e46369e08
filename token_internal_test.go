package paragon

import (
	"strings"
	"testing"
	"time"
)

// FuzzInspectToken: no token makes Authenticate's local check panic, and
// one it accepts is three non-empty base64url segments, nothing else: no
// byte that could leave the Authorization header (CR, LF, NUL, space).
func FuzzInspectToken(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSIsImV4cCI6OTk5OTk5OTk5OX0.c2ln")
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSIsImV4cCI6OTk5OTk5OTk5OX0.c2ln\r\nX: 1")
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSIsImV4cCI6OTk5OTk5OTk5OX0.c2lo")
	f.Add("eyJhbGciOiJSUzI1NiJ9=.eyJzdWIiOiJ1MSIsImV4cCI6OTk5OTk5OTk5OX0.c2ln")
	f.Add("bnVsbA.bnVsbA.c2ln")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		sub, err := inspectToken(token, time.Unix(1_700_000_000, 0))
		if err != nil {
			return
		}
		parts := strings.Split(token, ".")
		if len(parts) != 3 || sub == "" {
			t.Fatalf("accepted %q", token)
		}
		for _, p := range parts {
			if p == "" || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
				t.Fatalf("accepted %q: segment %q", token, p)
			}
		}
	})
}
