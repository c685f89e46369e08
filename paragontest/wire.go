package paragontest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/paragon-go/paragon/internal/fakewire"
)

// maxBody bounds the request bodies the server reads.
const maxBody = 10 << 20

// Error codes the server sends in Paragon's error body. Real Paragon uses
// digit strings for some of these; the fake's codes are descriptive.
const (
	codeUnauthorized          = "unauthorized"
	codeNotFound              = "not_found"
	codeInvalidRequest        = "invalid_request"
	codeIntegrationNotEnabled = "integration_not_enabled"
	codeWorkflowNotEnabled    = "workflow_not_enabled"
	codeWorkflowTimeout       = "workflow_timeout"
	codeWorkflowFailed        = "workflow_failed"
	codeInjected              = "injected_fault"
)

// ctxKey keys the per-request values the server stores in a context.
type ctxKey int

const (
	ctxRequestID ctxKey = iota
	ctxUserID
)

// requestID returns the ID given to r by serveHTTP.
func requestID(r *http.Request) string {
	id, _ := r.Context().Value(ctxRequestID).(string)
	return id
}

// paragonError is Paragon's error body.
type paragonError struct {
	Message any            `json:"message"`
	Code    string         `json:"code,omitempty"`
	Status  int            `json:"status"`
	Meta    map[string]any `json:"meta"`
}

// writeError answers with Paragon's error shape. meta may be nil.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, message string, meta map[string]any) {
	writeErrorBody(w, r, status, code, message, meta)
}

// writeValidation answers 400 with a class-validator style message array, as
// Paragon does for invalid bodies.
func writeValidation(w http.ResponseWriter, r *http.Request, property, rule, text string) {
	msg := []any{map[string]any{
		"property":    property,
		"constraints": map[string]string{rule: text},
		"children":    []any{},
	}}
	writeErrorBody(w, r, http.StatusBadRequest, codeInvalidRequest, msg, nil)
}

func writeErrorBody(w http.ResponseWriter, r *http.Request, status int, code string, message any, meta map[string]any) {
	m := map[string]any{"requestId": requestID(r)}
	for k, v := range meta {
		m[k] = v
	}
	writeJSON(w, status, paragonError{Message: message, Code: code, Status: status, Meta: m})
}

// writeJSON answers status with v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"message":"encoding the response failed","status":500}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// readBody reads r's body, at most maxBody bytes.
func readBody(r *http.Request) ([]byte, error) { return fakewire.ReadBody(r, maxBody) }

// decodeObject decodes a JSON object body, keeping numbers as json.Number.
// An empty body decodes as an empty object.
func decodeObject(b []byte) (map[string]any, error) { return fakewire.DecodeObject(b) }

// isTrue reports whether a header value means yes, as Paragon reads
// X-Paragon-Use-Raw-Response.
func isTrue(v string) bool {
	v = strings.TrimSpace(v)
	return v == "1" || strings.EqualFold(v, "true")
}

// isoTime formats t as Paragon does: ISO 8601 in UTC with milliseconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// sleep waits for d, or until one of the contexts is done; it reports
// whether the full wait passed.
func sleep(d time.Duration, a, b context.Context) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-a.Done():
		return false
	case <-b.Done():
		return false
	}
}

// deepCopy copies JSON-like values so that callers can't reach the state.
func deepCopy(v any) any { return fakewire.DeepCopy(v) }

// copyMap deep-copies m; nil stays nil.
func copyMap(m map[string]any) map[string]any { return fakewire.CopyMap(m) }

// orEmpty returns m, or an empty map when m is nil, so it encodes as {}.
func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
