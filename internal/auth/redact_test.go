package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRedaction formats a real key and a cache full of real tokens every way
// a secret could escape and checks that none does.
func TestRedaction(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	c := NewCache(CacheConfig{Key: k, Audience: testAudience, MaxUsers: 100})
	var tokens []string
	for _, u := range []string{"user-1", "user-2", "user-3"} {
		tok, err := c.Token(u)
		require.NoError(t, err)
		tokens = append(tokens, tok)
	}
	var nilKey *Key
	var nilCache *Cache

	type holder struct { // how the root package embeds them
		Key    *Key
		Cache  *Cache
		secret *Key
	}
	h := holder{Key: k, Cache: c, secret: k}

	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%-20s"} {
		outputs = append(outputs,
			fmt.Sprintf(verb, k), fmt.Sprintf(verb, c),
			fmt.Sprintf(verb, nilKey), fmt.Sprintf(verb, nilCache),
			fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h),
			fmt.Sprintf(verb, []any{k, c}), fmt.Sprintf(verb, map[string]any{"k": k, "c": c}),
			fmt.Sprintf(verb, *k), // a copied Key value shows only a pointer
		)
	}
	outputs = append(outputs,
		fmt.Sprint(k, c), fmt.Sprintln(k, c), k.String(), k.GoString(), c.String(), c.GoString(),
		fmt.Errorf("wrapped: %v / %v", k, c).Error(),
	)
	for _, v := range []any{k, c, h, &h, nilKey, nilCache, []any{k, c}} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		outputs = append(outputs, string(b))
	}
	var logs bytes.Buffer
	for _, handler := range []slog.Handler{
		slog.NewTextHandler(&logs, nil),
		slog.NewJSONHandler(&logs, nil),
	} {
		l := slog.New(handler)
		l.Info("msg", "key", k, "cache", c, "holder", h, "ptr", &h, "nil", nilKey)
		l.Info("msg", slog.Any("key", k), slog.Group("g", slog.Any("cache", c)))
	}
	outputs = append(outputs, logs.String())

	// What must never appear: PEM armour, base64 key material, the key's
	// numbers, any token or token fragment.
	pemBody := string(k.PEM())
	der := pemBody[strings.Index(pemBody, "\n")+1:]
	secrets := []string{"-----BEGIN", "PRIVATE KEY", "MII", "eyJ"}
	for _, line := range strings.Split(der, "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			secrets = append(secrets, line[:16])
		}
	}
	secrets = append(secrets,
		k.k.D.String()[:24], k.k.N.String()[:24], k.k.Primes[0].String()[:24],
		fmt.Sprintf("%x", k.k.D.Bytes()[:12]),
		base64.StdEncoding.EncodeToString(k.k.D.Bytes()[:12]),
	)
	for _, tok := range tokens {
		parts := strings.Split(tok, ".")
		secrets = append(secrets, tok, parts[1][:16], parts[2][:16])
	}

	for _, out := range outputs {
		for _, s := range secrets {
			if !assert.NotContains(t, out, s) {
				t.Logf("leaking output: %.200s", out)
			}
		}
	}

	// And the redacted forms say something useful.
	assert.Equal(t, "auth.Key{RSA-2048, redacted}", fmt.Sprintf("%v", k))
	assert.Equal(t, "auth.Key{RSA-2048, redacted}", fmt.Sprintf("%#v", k))
	assert.Equal(t, `"auth.Key{RSA-2048, redacted}"`, fmt.Sprintf("%q", k))
	assert.Equal(t, "auth.Cache{users: 3, max: 100, ttl: 1h0m0s, tokens redacted}", fmt.Sprintf("%+v", c))
	b, err := json.Marshal(k)
	require.NoError(t, err)
	assert.JSONEq(t, `"auth.Key{RSA-2048, redacted}"`, string(b))
	assert.Contains(t, logs.String(), "auth.Key{RSA-2048, redacted}")
	assert.Contains(t, logs.String(), "auth.Cache{users: 3")
}
