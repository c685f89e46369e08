package close_test

import (
	"errors"
	"net/http"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		reply     string
		header    http.Header
		is, isNot []error
		message   string
		messages  []string
		fields    map[string]string
		retry     time.Duration
		wantError string
	}{
		{
			name: "raw 404", status: 404,
			reply:     `{"error": "Empty query: Contact matching query does not exist."}`,
			is:        []error{close.ErrNotFound, paragon.ErrNotFound},
			isNot:     []error{close.ErrValidation, close.ErrRateLimited, paragon.ErrIntegrationNotEnabled},
			message:   "Empty query: Contact matching query does not exist.",
			wantError: "close: GET /contact/cont_1/: 404 Not Found: Empty query: Contact matching query does not exist.",
		},
		{
			name: "output-wrapped validation", status: 400,
			reply: `{"output": {"errors": [], "field-errors": {"status": "Not a valid choice.", "lead": "Object does not exist."}}}`,
			is:    []error{close.ErrValidation},
			isNot: []error{close.ErrNotFound, close.ErrMaxSkip},
			fields: map[string]string{
				"status": "Not a valid choice.",
				"lead":   "Object does not exist.",
			},
			wantError: "close: GET /contact/cont_1/: 400 Bad Request (lead: Object does not exist.; status: Not a valid choice.)",
		},
		{
			name: "2xx with field errors", status: 200,
			reply:     `{"output": {"errors": ["Invalid payload."], "field-errors": {"emails": {"0": {"email": "Enter a valid email."}}}}}`,
			is:        []error{close.ErrValidation},
			message:   "Invalid payload.",
			messages:  []string{"Invalid payload."},
			fields:    map[string]string{"emails": `{"0": {"email": "Enter a valid email."}}`},
			wantError: `close: GET /contact/cont_1/: 200 OK with an error body: Invalid payload. (emails: {"0": {"email": "Enter a valid email."}})`,
		},
		{
			name: "2xx with error string", status: 200,
			reply:   `{"output": {"error": "Something is off"}}`,
			isNot:   []error{close.ErrValidation, close.ErrNotFound},
			message: "Something is off",
		},
		{
			name: "error object", status: 400,
			reply:   `{"error": {"message": "Bad thing"}}`,
			message: "Bad thing",
			isNot:   []error{close.ErrValidation},
		},
		{
			name: "upstream 401", status: 401,
			reply:   `{"error": "The API key you provided failed authorization."}`,
			is:      []error{close.ErrUnauthorized},
			isNot:   []error{paragon.ErrUnauthorized},
			message: "The API key you provided failed authorization.",
		},
		{
			name: "429 RateLimit header", status: 429,
			reply:  `{"error": "Too many requests"}`,
			header: http.Header{"Ratelimit": {"limit=60, remaining=0, reset=0.84"}, "Retry-After": {"1"}},
			is:     []error{close.ErrRateLimited, paragon.ErrRateLimited},
			retry:  840 * time.Millisecond,
		},
		{
			name: "429 semicolons", status: 429,
			reply:  `{}`,
			header: http.Header{"Ratelimit": {"limit=160; remaining=0; reset=8"}},
			is:     []error{close.ErrRateLimited},
			retry:  8 * time.Second,
		},
		{
			name: "429 Retry-After only", status: 429,
			reply:  `{}`,
			header: http.Header{"Retry-After": {"3"}},
			is:     []error{close.ErrRateLimited},
			retry:  3 * time.Second,
		},
		{
			name: "429 legacy body", status: 429,
			reply: `{"message": "API call count exceeded for this period", "rate_reset": "1.204518", "rate_limit": 240,
				"rate_window": 6, "rate_limit_type": "key", "rate_endpoint_group": "c41f09ab"}`,
			is:      []error{close.ErrRateLimited},
			message: "API call count exceeded for this period",
			retry:   1204518 * time.Microsecond,
		},
		{
			name: "429 very old nested body", status: 429,
			reply:   `{"error": {"message": "slow down", "rate_reset": 2.5}}`,
			is:      []error{close.ErrRateLimited},
			message: "slow down",
			retry:   2500 * time.Millisecond,
		},
		{
			name: "html page", status: 502,
			reply:   `<!DOCTYPE html><html><head><title>502</title></head></html>`,
			header:  http.Header{"Content-Type": {"text/html"}},
			message: "502",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			w.expect(exchange{Method: "GET", Path: "/contact/cont_1/", Query: "_fields=id", Status: tt.status, Reply: tt.reply, Header: tt.header})
			_, err := w.crm().Contacts.Get(t.Context(), "cont_1", "id")
			require.Error(t, err)
			var ce *close.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.status, ce.StatusCode)
			for _, target := range tt.is {
				assert.ErrorIs(t, err, target)
			}
			for _, target := range tt.isNot {
				assert.NotErrorIs(t, err, target)
			}
			if tt.message != "" {
				assert.Equal(t, tt.message, ce.Message)
			}
			assert.Equal(t, tt.messages, ce.Messages)
			assert.Len(t, ce.FieldErrors, len(tt.fields))
			for k, v := range tt.fields {
				if v[0] == '{' {
					assert.JSONEq(t, v, ce.FieldError(k))
				} else {
					assert.Equal(t, v, ce.FieldError(k))
				}
			}
			assert.Equal(t, tt.retry, ce.RetryAfter)
			if tt.wantError != "" {
				assert.Equal(t, tt.wantError, err.Error())
			}
			assert.NotContains(t, err.Error(), "_fields", "no query string in errors")
			assert.NotEmpty(t, ce.Body)
			if tt.status >= 300 {
				var pe *paragon.Error
				require.ErrorAs(t, err, &pe, "the paragon error stays reachable")
				assert.True(t, pe.Upstream)
			}
		})
	}
}

func TestParagonErrorsPassThrough(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		reply  string
		is     error
	}{
		{"integration not enabled", 404, `{"message":"Integration not enabled for user.","code":"integration_not_enabled","status":404,"meta":{"requestId":"r-9"}}`, paragon.ErrIntegrationNotEnabled},
		{"bad user token", 401, `{"message":"Unauthorized","status":401}`, paragon.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			w.expect(exchange{Method: "GET", Path: "/lead/", Query: "_skip=0&_limit=100", Status: tt.status, Reply: tt.reply})
			if tt.status == 401 {
				// Paragon refused the token: re-signed and sent once more.
				w.expect(exchange{Method: "GET", Path: "/lead/", Query: "_skip=0&_limit=100", Status: tt.status, Reply: tt.reply})
			}
			_, err := w.crm().Leads.ListPage(t.Context(), nil)
			require.ErrorIs(t, err, tt.is)
			var ce *close.Error
			assert.False(t, errors.As(err, &ce), "Paragon's own error is not a *close.Error")
			var pe *paragon.Error
			require.ErrorAs(t, err, &pe)
			assert.False(t, pe.Upstream)
		})
	}
}

// TestNoRetriesOnTopOfTransport checks that the close package adds no
// retries: the requests sent are exactly those of the paragon transport.
func TestNoRetriesOnTopOfTransport(t *testing.T) {
	t.Parallel()
	w := newWire(t, paragon.WithRetryPolicy(paragon.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond, MaxRetryAfter: time.Second}))
	var calls atomic.Int32
	w.mt.RegisterRegexpResponder("POST", regexp.MustCompile(`/sdk/proxy/close/lead/$`), func(*http.Request) (*http.Response, error) {
		calls.Add(1)
		r := httpmock.NewStringResponse(429, `{"error": "slow down"}`)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("RateLimit", "limit=1, remaining=0, reset=0.001")
		return r, nil
	})
	_, err := w.crm().Leads.Create(t.Context(), &close.Lead{Name: close.Set("Acme")})
	require.ErrorIs(t, err, close.ErrRateLimited)
	var ce *close.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, time.Millisecond, ce.RetryAfter)
	assert.Equal(t, int32(3), calls.Load(), "exactly the transport's 1+2 attempts, none added by close")
}
