package paragon

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/paragon-go/paragon/internal/transport"
)

// ResponseInfo is what a call's last attempt got back: status, headers and
// request ID, on success and on error alike. See [WithResponseInto].
type ResponseInfo struct {
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	// Header holds the last attempt's response headers, e.g. Close's
	// RateLimit header on a proxy call.
	Header http.Header
	// RequestID is the server's request ID (X-Paragon-Request-Id, else
	// X-Request-Id), "" when it sent none.
	RequestID string
	// Attempts is how many times the call was sent.
	Attempts int
}

// WithResponseInto stores the status, headers and request ID of the call's
// last attempt in dst when an answer arrived (a typed call's return value
// stays as it is), in the manner of openai-go's option.WithResponseInto. A
// call that never got an answer (a refused dial, invalid input) leaves dst
// untouched. Lookups a call makes on its own behalf (GET /sdk/me to resolve
// an account) do not report into dst.
//
// It works through package close as well, given with close.WithCallOptions:
// every call of that Close client then reports into dst, the last one
// winning, so use it from one goroutine at a time, or use
// [WithResponseFunc].
func WithResponseInto(dst *ResponseInfo) CallOption {
	return func(c *callConfig) error {
		if dst == nil {
			return invalid("WithResponseInto: nil *ResponseInfo")
		}
		c.respInto = dst
		return nil
	}
}

// WithResponseFunc calls fn with the status, headers and request ID of the
// call's last attempt when an answer arrived, before the call returns. fn
// runs on the calling goroutine; with close.WithCallOptions it runs once
// per Close call, which suits bulk jobs that log request IDs or watch a
// rate limit from many goroutines.
func WithResponseFunc(fn func(ResponseInfo)) CallOption {
	return func(c *callConfig) error {
		if fn == nil {
			return invalid("WithResponseFunc: nil func")
		}
		c.respFunc = fn
		return nil
	}
}

// report hands the final response to the call's WithResponseInto and
// WithResponseFunc options.
func (c *callConfig) report(resp *transport.Response) {
	if c.respInto == nil && c.respFunc == nil {
		return
	}
	info := ResponseInfo{
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		RequestID:  transport.RequestID(resp.Header),
		Attempts:   resp.Attempts,
	}
	if c.respInto != nil {
		*c.respInto = info
	}
	if c.respFunc != nil {
		c.respFunc(info)
	}
}

// maxProxyURL bounds the URL given to WithProxyURL.
const maxProxyURL = 8 << 10

// WithProxyURL sends a proxy call to rawURL, a full https URL on another
// base URL of the same provider (for example
// "https://sheets.googleapis.com/v4/spreadsheets/<id>" through the
// "googledrive" integration), in header X-Paragon-Proxy-Url. It is the only
// way to leave the integration's base URL: paths given to [User.Request]
// can't hold a URL, and the header can't be set with [WithHeader] or
// RequestOptions.Headers. The call's path must then be "" or "/"; Paragon
// still sends the user's credential for the integration, so give it only
// URLs of that provider. RequestOptions.Query is added to rawURL's query.
//
// Docs: https://docs.useparagon.com/apis/proxy
func WithProxyURL(rawURL string) CallOption {
	return func(c *callConfig) error {
		if len(rawURL) > maxProxyURL {
			return invalid("proxy URL is %d bytes long", len(rawURL))
		}
		if strings.ContainsAny(rawURL, "\r\n\x00") {
			return invalid("proxy URL contains CR, LF or NUL")
		}
		pu, err := url.Parse(rawURL)
		if err != nil {
			return invalid("proxy URL does not parse")
		}
		switch {
		case pu.Scheme != "https" && !(pu.Scheme == "http" && isLoopback(pu.Hostname())):
			return invalid("proxy URL must be an absolute https URL")
		case pu.Host == "" || pu.Hostname() == "":
			return invalid("proxy URL has no host")
		case pu.User != nil:
			return invalid("proxy URL must not hold user info")
		case pu.Fragment != "" || pu.RawFragment != "":
			return invalid("proxy URL must not have a fragment")
		}
		c.proxyURL = rawURL
		return nil
	}
}

// WithSlackUserToken makes a Slack proxy call use the user's Slack user
// token instead of the bot token (header X-Paragon-Use-Slack-Token-Type:
// user). Paragon's own sample code uses this header; it is not in Paragon's
// API reference.
func WithSlackUserToken() CallOption {
	return func(c *callConfig) error {
		c.slackUser = true
		return nil
	}
}
