package paragon_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		status    int
		body      string
		hdr       []string
		is        []error
		isNot     []error
		code      string
		message   string
		messages  []string
		requestID string
	}{
		{
			name: "string message", status: 401,
			body: `{"message": "Invalid token", "code": "1010", "status": 401, "meta": {"requestId": "5d0f8a2e"}}`,
			is:   []error{paragon.ErrUnauthorized}, isNot: []error{paragon.ErrNotFound, paragon.ErrPermissionDenied},
			code: "1010", message: "Invalid token", requestID: "5d0f8a2e",
		},
		{
			name: "BYO user profile 0704", status: 401,
			body:  `{"message": "Invalid token", "code": "0704", "status": 401, "meta": {"requestId": "5d0f8a2e"}}`,
			isNot: []error{paragon.ErrUnauthorized, paragon.ErrPermissionDenied},
			code:  "0704", message: "Invalid token", requestID: "5d0f8a2e",
		},
		{
			name: "BYO credential 7003", status: 403,
			body:  `{"message": "Credential verification failed", "code": "7003", "status": 403, "meta": {}}`,
			isNot: []error{paragon.ErrUnauthorized, paragon.ErrPermissionDenied},
			code:  "7003", message: "Credential verification failed",
		},
		{
			name: "permission code 7210", status: 403,
			body: `{"message": "Insufficient permissions for this credential.", "code": "7210", "status": 403, "meta": {}}`,
			is:   []error{paragon.ErrPermissionDenied}, isNot: []error{paragon.ErrUnauthorized},
			code: "7210", message: "Insufficient permissions for this credential.",
		},
		{
			name: "integration error", status: 401,
			body:    `{"message": "Request failed with status code 401", "status": 401, "meta": {"isIntegrationError": true}}`,
			isNot:   []error{paragon.ErrUnauthorized, paragon.ErrPermissionDenied},
			message: "Request failed with status code 401",
		},
		{
			name: "NestJS bare body", status: 401,
			body: `{"message": "Unauthorized", "statusCode": 401}`,
			is:   []error{paragon.ErrUnauthorized}, message: "Unauthorized",
		},
		{
			name: "validation array", status: 400,
			body: `{"message": [{"property": "name", "constraints": {"isString": "name must be a string", "isNotEmpty": "name should not be empty"},
			        "children": [{"property": "x", "constraints": {"min": "x too small"}, "children": []}]}], "status": 400}`,
			isNot:    []error{paragon.ErrUnauthorized, paragon.ErrNotFound},
			message:  "name must be a string; name should not be empty; x too small",
			messages: []string{"name must be a string", "name should not be empty", "x too small"},
		},
		{
			name: "numeric code", status: 403,
			body: `{"message": "Setup Links not enabled", "code": 56016, "status": 403}`,
			is:   []error{paragon.ErrUnauthorized}, code: "56016", message: "Setup Links not enabled",
		},
		{
			name: "html gateway page", status: 502,
			body:    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
			message: "502 Bad Gateway",
		},
		{
			name: "plain text", status: 500, body: "upstream connect error\n or disconnect",
			message: "upstream connect error or disconnect",
		},
		{
			name: "empty body", status: 404, body: ``, is: []error{paragon.ErrNotFound},
		},
		{
			name: "rate limited", status: 429, body: `{"message": "Too many requests", "status": 429}`,
			hdr: []string{"Retry-After", "120"}, is: []error{paragon.ErrRateLimited}, message: "Too many requests",
		},
		{
			name: "request id header", status: 404, body: `{"message":"nope","status":404}`,
			hdr: []string{"X-Request-Id", "hdr-id"}, requestID: "hdr-id", is: []error{paragon.ErrNotFound}, message: "nope",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, paragon.WithMaxRetries(0))
			h.on("GET", apiBase+"/projects/"+testProject+"/sdk/me", tc.status, tc.body, tc.hdr...)
			_, err := h.c.User("u1").GetUser(t.Context())
			var pe *paragon.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.status, pe.StatusCode)
			assert.Equal(t, tc.code, pe.Code)
			assert.Equal(t, tc.message, pe.Message)
			assert.Equal(t, tc.messages, pe.Messages)
			assert.Equal(t, tc.requestID, pe.RequestID)
			assert.Equal(t, "GET", pe.Method)
			assert.Equal(t, "/projects/{project}/sdk/me", pe.Path)
			assert.Equal(t, tc.body, string(pe.Body))
			for _, target := range tc.is {
				assert.ErrorIs(t, err, target)
			}
			for _, target := range tc.isNot {
				assert.NotErrorIs(t, err, target)
			}
			msg := err.Error()
			assert.NotContains(t, msg, "Bearer")
			assert.NotContains(t, msg, "eyJ")
			assert.True(t, strings.HasPrefix(msg, "paragon: GET /projects/{project}/sdk/me: "), msg)
		})
	}
}

func TestErrorMessageFormat(t *testing.T) {
	t.Parallel()
	e := &paragon.Error{StatusCode: 429, Message: "slow down", Code: "42", RequestID: "r1", RetryAfter: 30 * time.Second,
		Method: "POST", Path: "/v2/projects/{project}/sdk/events/trigger"}
	assert.Equal(t, "paragon: POST /v2/projects/{project}/sdk/events/trigger: 429 Too Many Requests: slow down (code 42) [request r1] (retry after 30s)", e.Error())
	assert.True(t, errors.Is(e, paragon.ErrRateLimited))
	timeout := &paragon.Error{StatusCode: 542}
	assert.Equal(t, "paragon: 542 Workflow Timeout", timeout.Error())
	assert.ErrorIs(t, timeout, paragon.ErrWorkflowTimeout)
}

func TestErrorBodyCapped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, paragon.WithMaxRetries(0))
	big := `{"message":"` + strings.Repeat("x", 200<<10) + `"}`
	h.on("GET", apiBase+"/projects/"+testProject+"/sdk/me", 400, big)
	_, err := h.c.User("u1").GetUser(t.Context())
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.LessOrEqual(t, len(pe.Body), 64<<10)
}
