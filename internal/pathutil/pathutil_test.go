package pathutil

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestProxyPathAccepts(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		path  string
		query url.Values
	}{
		"/lead/":                       {path: "lead/"},
		"lead/":                        {path: "lead/"},
		"/lead/lead_7Hn2/":             {path: "lead/lead_7Hn2/"},
		"chat.postMessage":             {path: "chat.postMessage"},
		"/v1/charges":                  {path: "v1/charges"},
		"/contact/?lead_id=lead_1&x=2": {path: "contact/", query: url.Values{"lead_id": {"lead_1"}, "x": {"2"}}},
		"/files/a b.txt":               {path: "files/a%20b.txt"},
		"/files/a%20b.txt":             {path: "files/a%20b.txt"},
		"/users/jo@example.org":        {path: "users/jo@example.org"},
		"/sheets/A1:B2":                {path: "sheets/A1:B2"},
		"/über":                        {path: "%C3%BCber"},
		"/a...b/..c/c..":               {path: "a...b/..c/c.."},
	}
	for in, want := range cases {
		got, q, err := ProxyPath(in)
		require.NoError(t, err, in)
		assert.Equal(t, want.path, got, in)
		assert.Equal(t, want.query, q, in)
	}
}

func TestProxyPathRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "/", "?x=1", "..", "../x", "/a/../b", "./a", "a/.", "a//b", "//evil.com/x", "http://evil.com",
		"https://evil.com/x", "HTTPS://evil", "%2e%2e/x", "%2E%2e", ".%2e", "a/%2e/b", "a%2fb", "a%2F..%2Fb",
		"a%5cb", "a\\b", "a\rb", "a\nb", "a\x00b", "a\tb", "a\x7fb", "a#b", "\xff", "a/%ff", "a/%00", "a/%0a",
		"a/%zz", "a?%zz", strings.Repeat("a", MaxProxyPath+1),
	} {
		_, _, err := ProxyPath(in)
		assert.ErrorIs(t, err, ErrInvalid, "%q", in)
	}
}

func TestSegment(t *testing.T) {
	t.Parallel()
	got, err := Segment("id", "wf 1?#")
	require.NoError(t, err)
	assert.Equal(t, "wf%201%3F%23", got)
	for _, in := range []string{"", ".", "..", "a/b", "a\\b", "a\nb", "\xff", strings.Repeat("x", MaxSegment+1)} {
		_, err := Segment("id", in)
		assert.ErrorIs(t, err, ErrInvalid, "%q", in)
	}
}

func TestIntegration(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"close", "googleCalendar", "custom.acme", "custom.my_app-2", "microsoft-teams"} {
		assert.NoError(t, Integration(ok), ok)
	}
	for _, bad := range []string{"", "custom.", "a.b", "a/b", "..", "close\n", "cl ose", "custom.a.b", strings.Repeat("a", 200)} {
		assert.ErrorIs(t, Integration(bad), ErrInvalid, "%q", bad)
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	assert.NoError(t, HeaderName("X-Custom_1"))
	for _, bad := range []string{"", "a b", "a:b", "a\nb", "é"} {
		assert.Error(t, HeaderName(bad), "%q", bad)
	}
	assert.NoError(t, HeaderValue("x", "a\tb c"))
	for _, bad := range []string{"a\rb", "a\nb", "a\x00b", "a\x7f"} {
		assert.Error(t, HeaderValue("x", bad), "%q", bad)
	}
}

// FuzzProxyPath checks the property that matters: whatever the input, the
// URL built from the result keeps the host and stays below the prefix.
func FuzzProxyPath(f *testing.F) {
	for _, s := range []string{"/lead/", "a/../b", "%2e%2e/x", "//evil.com", "a?b=c", "a%2fb", "\\x", "a/b/", "..%2f"} {
		f.Add(s)
	}
	const prefix = "/projects/p/sdk/proxy/close/"
	f.Fuzz(func(t *testing.T, in string) {
		p, q, err := ProxyPath(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		raw := "https://proxy.example" + prefix + p
		if len(q) > 0 {
			raw += "?" + q.Encode()
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("built URL does not parse: %q: %v", raw, err)
		}
		if u.Host != "proxy.example" || u.Scheme != "https" || u.User != nil || u.Fragment != "" {
			t.Fatalf("host or scheme changed: %q", raw)
		}
		if !strings.HasPrefix(u.EscapedPath(), prefix) {
			t.Fatalf("left the prefix: %q", u.EscapedPath())
		}
		for _, seg := range strings.Split(strings.TrimPrefix(u.Path, prefix), "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("relative segment survived: %q", u.Path)
			}
		}
		if strings.ContainsAny(raw, "\r\n\x00") {
			t.Fatalf("control character in URL: %q", raw)
		}
	})
}
