package close

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"

	"github.com/paragon-go/paragon"
)

// DefaultIntegration is the Paragon integration type of Close.
//
// See https://developer.close.com/api/overview.
const DefaultIntegration = "close"

// Page sizes for list calls. Close documents 100 as the default _limit and
// publishes no maximum; it varies per resource and going over it fails with
// 400, so the client never asks for more than MaxPageSize.
const (
	DefaultPageSize = 100
	MaxPageSize     = 100
)

// maxReadBody bounds how much of a response body the client reads from a raw
// (streamed) response; maxErrorBody how much an [Error] keeps.
const (
	maxReadBody  = 32 << 20
	maxErrorBody = 64 << 10
)

// Requester sends one call through Paragon's proxy. *paragon.User satisfies
// it; tests and other transports can provide their own.
//
// See https://docs.useparagon.com/apis/proxy.
type Requester interface {
	Request(ctx context.Context, integration, path string, opts *paragon.RequestOptions, callOpts ...paragon.CallOption) (*paragon.Response, error)
}

// Client is a typed Close CRM client that calls Close through Paragon's
// proxy as one Connected User. It is safe for concurrent use.
//
// See https://developer.close.com/api/overview.
type Client struct {
	// Contacts manages contacts (/contact/).
	Contacts *ContactsService
	// Leads manages leads (/lead/).
	Leads *LeadsService
	// Opportunities manages opportunities (/opportunity/).
	Opportunities *OpportunitiesService
	// Events reads the event log (/event/).
	Events *EventsService
	// Activities manages activities: notes, calls, emails, meetings, SMS,
	// custom activities and the logged ones (/activity/).
	Activities *ActivitiesService
	// Webhooks manages webhook subscriptions (/webhook/).
	Webhooks *WebhooksService
	// Users reads the organization's users and the calling user (/user/,
	// /me/).
	Users *UsersService
	// Organizations reads organizations (/organization/).
	Organizations *OrganizationsService
	// LeadStatuses manages lead statuses (/status/lead/).
	LeadStatuses *LeadStatusesService
	// OpportunityStatuses manages opportunity statuses
	// (/status/opportunity/).
	OpportunityStatuses *OpportunityStatusesService
	// Pipelines manages opportunity pipelines (/pipeline/).
	Pipelines *PipelinesService
	// CustomFields reads custom field definitions and schemas
	// (/custom_field/, /custom_field_schema/).
	CustomFields *CustomFieldsService
	// Tasks manages tasks (/task/).
	Tasks *TasksService
	// Exports starts, polls and downloads exports (/export/).
	Exports *ExportsService
	// BulkActions runs bulk edits and deletes (/bulk_action/).
	BulkActions *BulkActionsService

	r           Requester
	integration string
	callOpts    []paragon.CallOption
	pageSize    int
	tzOffset    string       // x-tz-offset header value; "" = not sent
	download    *http.Client // WithDownloadClient; nil = a private client
	err         error        // a bad option or requester; every call returns it
}

// Option configures a [Client]. An invalid option does not panic: every call
// made with the client then fails with an error matching
// [paragon.ErrInvalidInput].
//
// See https://developer.close.com/api/overview.
type Option func(*Client) error

// WithIntegration sets the Paragon integration type the client calls
// (default "close"), e.g. for a custom integration that wraps Close.
//
// See https://docs.useparagon.com/apis/proxy.
func WithIntegration(name string) Option {
	return func(c *Client) error {
		if name == "" {
			return invalid("empty integration name")
		}
		c.integration = name
		return nil
	}
}

// WithCallOptions adds Paragon call options to every call the client makes,
// e.g. [paragon.WithCredential] to pick one of several connected Close
// accounts. Create one Client per account.
//
// See https://docs.useparagon.com/apis/proxy.
func WithCallOptions(opts ...paragon.CallOption) Option {
	return func(c *Client) error {
		c.callOpts = append(c.callOpts, opts...)
		return nil
	}
}

// WithPageSize sets the _limit that List asks for per page, 1 to
// [MaxPageSize] (default [DefaultPageSize]).
//
// See https://developer.close.com/api/overview/pagination.
func WithPageSize(n int) Option {
	return func(c *Client) error {
		if n < 1 || n > MaxPageSize {
			return invalid("page size %d is outside 1..%d", n, MaxPageSize)
		}
		c.pageSize = n
		return nil
	}
}

// WithTimezoneOffset sends Close's x-tz-offset header (hours east of UTC,
// e.g. -4 or 5.5) with every call. Close uses it for relative dates, date
// filters and the date_won it fills in when an opportunity is won.
//
// See https://developer.close.com/api/overview.
func WithTimezoneOffset(hours float64) Option {
	return func(c *Client) error {
		if math.IsNaN(hours) || hours < -14 || hours > 14 {
			return invalid("time zone offset %v is outside -14..14 hours", hours)
		}
		c.tzOffset = strconv.FormatFloat(hours, 'f', -1, 64)
		return nil
	}
}

// New returns a Close client that sends its calls through r, usually a
// *paragon.User. Services are built once and share the client's settings.
//
// New never fails and never panics: a nil r, a typed nil such as a nil
// *paragon.User, or an invalid option makes every call of the client fail
// with an error matching [paragon.ErrInvalidInput], before any request.
// [Client.Err] reports that error up front.
//
// See https://developer.close.com/api/overview.
func New(r Requester, opts ...Option) *Client {
	c := &Client{r: r, integration: DefaultIntegration, pageSize: DefaultPageSize}
	if isNil(r) {
		// A nil *paragon.User (say, from a failed Authenticate) in a
		// Requester is not == nil; every call then fails instead of panicking.
		c.err = invalid("nil Requester (%T)", r)
	}
	for _, o := range opts {
		if o == nil || c.err != nil {
			continue
		}
		c.err = o(c)
	}
	c.initServices()
	c.Contacts = &ContactsService{c: c}
	c.Leads = &LeadsService{c: c}
	c.Opportunities = &OpportunitiesService{c: c}
	return c
}

// call is one Close API call.
type call struct {
	method string
	path   string // Close path with trailing slash, IDs escaped
	query  url.Values
	body   any
}

// check returns the error every call of c fails with, if any: a nil
// *Client, a nil or typed-nil Requester, or a bad option.
func (c *Client) check() error {
	if c == nil {
		return invalid("nil *close.Client")
	}
	return c.err
}

// do sends cl and decodes a successful JSON body into out (nil: ignore it).
func (c *Client) do(ctx context.Context, cl call, out any) error {
	body, err := c.fetch(ctx, cl)
	if err != nil || out == nil {
		return err
	}
	if len(body) == 0 {
		return fmt.Errorf("close: %s %s: empty response body", cl.method, cl.path)
	}
	if err := unmarshal(body, out); err != nil {
		return fmt.Errorf("close: %s %s: decoding response: %w", cl.method, cl.path, err)
	}
	return nil
}

// fetch sends cl and returns the JSON body of a successful answer, with
// Close's error answers (any non-2xx, or a 2xx carrying error keys) turned
// into a *Error.
func (c *Client) fetch(ctx context.Context, cl call) ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, invalid("nil context")
	}
	opts := &paragon.RequestOptions{Method: cl.method, Query: cl.query, Body: cl.body}
	if c.tzOffset != "" {
		opts.Headers = http.Header{"X-Tz-Offset": {c.tzOffset}}
	}
	resp, err := c.r.Request(ctx, c.integration, cl.path, opts, c.callOpts...)
	if err != nil {
		return nil, mapError(cl, err)
	}
	if resp == nil {
		return nil, fmt.Errorf("close: %s %s: no response", cl.method, cl.path)
	}
	body, err := responseBody(resp)
	if err != nil {
		return nil, fmt.Errorf("close: %s %s: %w", cl.method, cl.path, err)
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK // a Requester that does not set it (a test fake, say)
	}
	if e := decodeError(status, resp.Header, body); e != nil {
		e.Method, e.Path = cl.method, cl.path
		return nil, e
	}
	return body, nil
}

// doObject sends cl and decodes the JSON answer into a new T.
func doObject[T any](ctx context.Context, c *Client, cl call) (*T, error) {
	var out T
	if err := c.do(ctx, cl, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// responseBody returns the JSON body of a 2xx proxy response, read from the
// stream in raw mode and unwrapped from {"output": …} if a Requester left
// Paragon's envelope on.
func responseBody(resp *paragon.Response) ([]byte, error) {
	body := []byte(resp.Output)
	if resp.Body != nil {
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxReadBody+1))
		if err != nil {
			return nil, fmt.Errorf("reading response: %w", err)
		}
		if len(b) > maxReadBody {
			return nil, fmt.Errorf("response body over %d bytes", maxReadBody)
		}
		body = b
	}
	return unwrapOutput(bytes.TrimSpace(body)), nil
}

// unwrapOutput returns the value of Paragon's {"output": …} envelope when b
// is an object whose only key is "output", and b otherwise. No Close object
// has "output" as its only key.
func unwrapOutput(b []byte) []byte {
	if len(b) == 0 || b[0] != '{' || !bytes.Contains(b, []byte(`"output"`)) {
		return b
	}
	var env map[string]json.RawMessage
	if json.Unmarshal(b, &env) != nil || len(env) != 1 {
		return b
	}
	if out, ok := env["output"]; ok && string(out) != "null" {
		return bytes.TrimSpace(out)
	}
	return b
}

// mapError turns an upstream *paragon.Error into a *Error and returns
// anything else (Paragon's own errors, transport failures, invalid input) as
// it is, so that errors.Is(err, paragon.ErrIntegrationNotEnabled) and the like
// keep working.
func mapError(cl call, err error) error {
	var pe *paragon.Error
	if !errors.As(err, &pe) || !pe.Upstream {
		return err
	}
	body := unwrapOutput(bytes.TrimSpace(pe.Body))
	e := parseError(pe.StatusCode, pe.Header, body)
	if e.Message == "" {
		e.Message = pe.Message
	}
	if e.RetryAfter == 0 {
		e.RetryAfter = pe.RetryAfter
	}
	e.Method, e.Path = cl.method, cl.path
	e.err = pe
	return e
}

// invalid returns an error matching paragon.ErrInvalidInput.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: close: "+format, append([]any{paragon.ErrInvalidInput}, args...)...)
}

// Err returns the error every call of c fails with (a nil or typed-nil
// Requester, an invalid option), or nil when c is usable.
//
// See https://developer.close.com/api/overview.
func (c *Client) Err() error { return c.check() }

// isNil reports whether r is nil or an interface holding a nil pointer,
// map, slice, func or channel.
func isNil(r Requester) bool {
	if r == nil {
		return true
	}
	switch v := reflect.ValueOf(r); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}
