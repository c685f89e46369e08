package paragontest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
)

// SignActionKitWebhook returns the X-Paragon-Signature header value Paragon
// sends with an ActionKit trigger delivery of body: "v1=" and the hex
// HMAC-SHA256 of the raw body keyed with secret, which
// paragon.VerifyWebhookSignature accepts.
func SignActionKitWebhook(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// NewActionKitWebhookRequest builds a signed ActionKit trigger delivery: a
// POST of body to url with Content-Type: application/json and
// X-Paragon-Signature, ready for your handler's ServeHTTP or an
// http.Client. It fails on an empty secret or a bad URL.
func NewActionKitWebhookRequest(ctx context.Context, url, secret string, body []byte) (*http.Request, error) {
	if secret == "" {
		return nil, errors.New("paragontest: NewActionKitWebhookRequest: empty signing secret")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Paragon-Signature", SignActionKitWebhook(secret, body))
	return req, nil
}
