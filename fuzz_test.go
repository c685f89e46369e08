package paragon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paragon-go/paragon"
)

// fuzzAnswer is the response the fuzz RoundTripper gives, carried in the
// request's context so one client serves every input.
type fuzzAnswer struct {
	status int
	ctype  string
	body   []byte
}

type fuzzAnswerKey struct{}

type fuzzRT struct{}

func (fuzzRT) RoundTrip(req *http.Request) (*http.Response, error) {
	a := req.Context().Value(fuzzAnswerKey{}).(*fuzzAnswer)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	h := http.Header{}
	if a.ctype != "" {
		h["Content-Type"] = []string{a.ctype}
	}
	return &http.Response{
		StatusCode: a.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
		Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)), Request: req,
	}, nil
}

// FuzzErrorDecode feeds any status, Content-Type and body through the real
// client (GetUser, and a proxy Request) and checks what comes back: a 2xx
// is a result or ErrInvalidResponse; anything else is a *paragon.Error
// with that status, a capped body, a valid UTF-8 message without the token,
// and sentinels that agree with the status.
func FuzzErrorDecode(f *testing.F) {
	seeds := []struct {
		status int
		ctype  string
		body   string
	}{
		{200, "application/json", `{"authenticated": true, "userId": "u1", "integrations": {"close": {"enabled": true}}}`},
		{400, "application/json", `{"message": [{"property": "name", "constraints": {"isNotEmpty": "name should not be empty"}, "children": []}], "status": 400}`},
		{401, "application/json", `{"message": "Unauthorized", "code": "7101", "status": 401, "meta": {"requestId": "r-1"}}`},
		{404, "application/json", `{"message": "Integration not enabled", "code": "integration_not_enabled", "meta": {"isIntegrationError": true}}`},
		{429, "application/json", `{"output": {"error": {"message": "slow down"}}}`},
		{502, "text/html", `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>`},
		{542, "", `Workflow response timed out`},
		{500, "application/json", `{"errors": ["a", 1, null, {"x": [1]}], "error": {"message": 7}}`},
		{200, "text/html", `<html>`},
		{204, "", ``},
		{200, "application/json", `{"authenticated": tr`},
		{418, "application/json", "{\"message\": \"\xff\xfe\"}"},
	}
	for _, s := range seeds {
		f.Add(s.status, s.ctype, []byte(s.body))
	}
	_, pemBytes := signingKey(f)
	c, err := paragon.NewClient(testProject,
		paragon.WithSigningKey(pemBytes),
		paragon.WithHTTPClient(&http.Client{Transport: fuzzRT{}}),
		paragon.WithBaseURL(paragon.ServiceAPI, apiBase),
		paragon.WithBaseURL(paragon.ServiceEvents, eventsBase),
		paragon.WithBaseURL(paragon.ServiceProxy, proxyBase),
		paragon.WithMaxRetries(0),
	)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		if status < 100 || status > 999 || (status >= 300 && status < 400) {
			t.Skip() // net/http refuses other codes; 3xx are redirects (see hostile_test.go)
		}
		if !utf8.ValidString(ctype) || strings.ContainsAny(ctype, "\r\n") {
			t.Skip()
		}
		ctx := context.WithValue(context.Background(), fuzzAnswerKey{}, &fuzzAnswer{status: status, ctype: ctype, body: body})
		u := c.User("user-1")

		st, err := u.GetUser(ctx)
		checkDecoded(t, status, err, false)
		if err == nil && st == nil {
			t.Fatal("nil state without an error")
		}
		resp, err := u.Request(ctx, "close", "/lead/", nil)
		checkDecoded(t, status, err, true)
		if err == nil {
			var v any
			if derr := resp.Decode(&v); derr != nil && !errors.Is(derr, paragon.ErrInvalidResponse) {
				t.Fatalf("Decode: %v does not match ErrInvalidResponse", derr)
			}
		}
	})
}

func checkDecoded(t *testing.T, status int, err error, proxy bool) {
	t.Helper()
	if status >= 200 && status <= 299 {
		if err != nil && !errors.Is(err, paragon.ErrInvalidResponse) {
			t.Fatalf("2xx gave %v, not ErrInvalidResponse", err)
		}
		return
	}
	var pe *paragon.Error
	if !errors.As(err, &pe) {
		t.Fatalf("status %d gave %v, not a *paragon.Error", status, err)
	}
	msg := err.Error()
	switch {
	case pe.StatusCode != status:
		t.Fatalf("StatusCode %d, want %d", pe.StatusCode, status)
	case len(pe.Body) > 64<<10:
		t.Fatalf("Body kept %d bytes", len(pe.Body))
	case !utf8.ValidString(msg):
		t.Fatalf("message is not valid UTF-8: %q", msg)
	case strings.Contains(msg, "Bearer") || strings.Contains(msg, "eyJ"):
		t.Fatalf("token in the message: %q", msg)
	case errors.Is(err, paragon.ErrNotFound) != (status == 404),
		errors.Is(err, paragon.ErrRateLimited) != (status == 429),
		errors.Is(err, paragon.ErrWorkflowTimeout) != (status == 542),
		errors.Is(err, paragon.ErrInvalidInput):
		t.Fatalf("sentinels disagree with status %d: %v", status, err)
	case !pe.Upstream && errors.Is(err, paragon.ErrUnauthorized) != (status == 401 || status == 403):
		t.Fatalf("ErrUnauthorized disagrees with status %d", status)
	case pe.Upstream && errors.Is(err, paragon.ErrUnauthorized):
		t.Fatal("an upstream 401 matched ErrUnauthorized (that is for Paragon refusing the token)")
	case !proxy && pe.Upstream && !strings.Contains(string(pe.Body), "isIntegrationError"):
		t.Fatal("a non-proxy call's error marked upstream")
	}
}

// FuzzUserState decodes any JSON as a UserState: never a panic; what decodes
// keeps its raw bytes, and re-encodes to JSON that decodes to the same value.
func FuzzUserState(f *testing.F) {
	for _, s := range []string{
		`{"authenticated": true, "userId": "u1", "meta": {"Name": "Ada", "n": 1.5e300}, "integrations": {"close": {"enabled": true, "credentialStatus": "VALID", "credentialId": "c1", "configuredWorkflows": {"w1": {"enabled": true, "settings": {"a": [1, "b", null]}}}, "allCredentials": [{"id": "c1", "dateCreated": "2025-01-02T03:04:05Z", "accountAuth": {"OAUTH_ACCESS_TOKEN": "x"}}]}}, "resources": [{"id": "r1", "slug": "s"}], "project": {"accessibleFeatures": ["headless-cp"]}}`,
		`{"authenticated": false}`,
		`{}`, `null`, `[]`, `{"integrations": null, "meta": []}`,
		`{"integrations": {"x": {"allCredentials": [{"dateCreated": "not a date"}]}}}`,
		`{"userId": "\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var st paragon.UserState
		if err := json.Unmarshal(b, &st); err != nil {
			return
		}
		if st.Raw != nil && !bytes.Equal(st.Raw, bytes.Trim(b, " \t\r\n")) {
			t.Fatalf("Raw %q, want the input %q", st.Raw, b)
		}
		out, err := json.Marshal(&st)
		if err != nil {
			t.Fatalf("re-encoding a decoded state: %v", err)
		}
		var back paragon.UserState
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("decoding the re-encoded state %s: %v", out, err)
		}
		again, err := json.Marshal(&back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("not stable:\n%s\n%s", out, again)
		}
	})
}
