package actionkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/paragon-go/paragon"
)

// DefaultMaxOutputBytes is the largest tool output [Client.RunTool] reads
// unless [WithMaxOutputBytes] says otherwise.
const DefaultMaxOutputBytes = 32 << 20

// Client calls ActionKit as one Connected User. Create one with [New]; it is
// cheap and safe for concurrent use.
//
// See https://docs.useparagon.com/actionkit/api-reference.
type Client struct {
	u         *paragon.User
	projectID string
	callOpts  []paragon.CallOption
	maxOutput int64
	err       error // a bad user or option; every call returns it

	mu    sync.Mutex
	owner map[string]string // tool name → integration, learned from ListTools
}

// Option configures a [Client]. An invalid option does not panic: every call
// made with the client fails with an error matching paragon.ErrInvalidInput.
type Option func(*Client) error

// WithCallOptions adds call options (e.g. paragon.WithCredential) to every
// call the client makes; options given to a method come after them.
func WithCallOptions(opts ...paragon.CallOption) Option {
	return func(c *Client) error {
		for _, o := range opts {
			if o == nil {
				return invalid("nil paragon.CallOption")
			}
		}
		c.callOpts = append(c.callOpts, opts...)
		return nil
	}
}

// WithMaxOutputBytes bounds the tool output [Client.RunTool] reads (default
// [DefaultMaxOutputBytes]); a larger output fails with an error matching
// paragon.ErrResponseTooLarge.
func WithMaxOutputBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return invalid("max output bytes %d is not positive", n)
		}
		c.maxOutput = n
		return nil
	}
}

// New returns a client that calls ActionKit as u. A nil u or an invalid
// option makes every call fail with an error matching
// paragon.ErrInvalidInput.
func New(u *paragon.User, opts ...Option) *Client {
	c := &Client{u: u, maxOutput: DefaultMaxOutputBytes}
	if u == nil || u.Client() == nil {
		c.err = invalid("nil *paragon.User")
		return c
	}
	c.projectID = u.Client().ProjectID()
	for _, o := range opts {
		if o == nil {
			c.err = invalid("nil actionkit.Option")
			return c
		}
		if err := o(c); err != nil {
			c.err = err
			return c
		}
	}
	return c
}

// User returns the Connected User the client acts as.
func (c *Client) User() *paragon.User { return c.u }

// path returns /projects/{id}/<suffix>; suffix segments are already escaped.
func (c *Client) path(suffix string) string {
	return "/projects/" + url.PathEscape(c.projectID) + suffix
}

// call sends one ActionKit call.
func (c *Client) call(ctx context.Context, method, path string, p *paragon.CallParams, opts []paragon.CallOption) (*paragon.Response, error) {
	if c == nil {
		return nil, invalid("nil *actionkit.Client")
	}
	if c.err != nil {
		return nil, c.err
	}
	for _, o := range opts {
		if o == nil {
			return nil, invalid("nil paragon.CallOption")
		}
	}
	all := opts
	if len(c.callOpts) > 0 {
		all = append(append(make([]paragon.CallOption, 0, len(c.callOpts)+len(opts)), c.callOpts...), opts...)
	}
	return c.u.Call(ctx, paragon.ServiceActionKit, method, path, p, all...)
}

// callJSON sends one call and decodes its JSON answer into v.
func (c *Client) callJSON(ctx context.Context, method, path string, p *paragon.CallParams, opts []paragon.CallOption, what string, v any) error {
	resp, err := c.call(ctx, method, path, p, opts)
	if err != nil {
		return err
	}
	if len(resp.Output) == 0 {
		return fmt.Errorf("%w: actionkit: %s: empty response body (status %d)", paragon.ErrInvalidResponse, what, resp.StatusCode)
	}
	if err := json.Unmarshal(resp.Output, v); err != nil {
		return fmt.Errorf("%w: actionkit: %s: %w", paragon.ErrInvalidResponse, what, err)
	}
	return nil
}

// learn records which integration each tool belongs to.
func (c *Client) learn(tools []Tool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owner == nil {
		c.owner = make(map[string]string, len(tools))
	}
	for _, t := range tools {
		if t.Integration != "" && t.Name != "" {
			c.owner[t.Name] = t.Integration
		}
	}
}

// integrationOf returns the integration of a tool seen in a ListTools answer.
func (c *Client) integrationOf(tool string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.owner[tool]
}

// invalid returns an error matching paragon.ErrInvalidInput.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: actionkit: "+format, append([]any{paragon.ErrInvalidInput}, args...)...)
}

// checkName refuses empty names and names with control characters.
func checkName(what, s string) error {
	if strings.TrimSpace(s) == "" {
		return invalid("empty %s", what)
	}
	if len(s) > 512 {
		return invalid("%s is %d bytes long", what, len(s))
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return invalid("%s contains a control character", what)
	}
	return nil
}

// checkList refuses empty entries and commas in a comma-joined filter.
func checkList(what string, list []string) (string, error) {
	for _, s := range list {
		if err := checkName(what, s); err != nil {
			return "", err
		}
		if strings.Contains(s, ",") {
			return "", invalid("%s %q contains a comma", what, s)
		}
	}
	return strings.Join(list, ","), nil
}

// encodeObject marshals v as a JSON object for a body field: nil (and a JSON
// null) become {}; anything that is not an object, or holds NaN or an
// infinity, fails with paragon.ErrInvalidInput.
func encodeObject(what string, v any) (json.RawMessage, error) {
	var raw []byte
	switch x := v.(type) {
	case nil:
		return json.RawMessage("{}"), nil
	case json.RawMessage:
		raw = x
	case []byte:
		raw = x
	default:
		b, err := json.Marshal(v)
		if err != nil {
			var uve *json.UnsupportedValueError
			if errors.As(err, &uve) {
				return nil, invalid("%s: %s (JSON has no NaN or Inf)", what, uve.Str)
			}
			return nil, fmt.Errorf("%w: actionkit: %s: %w", paragon.ErrInvalidInput, what, err)
		}
		raw = b
	}
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "null" {
		return json.RawMessage("{}"), nil
	}
	if !json.Valid([]byte(trimmed)) {
		return nil, invalid("%s is not valid JSON", what)
	}
	if !strings.HasPrefix(trimmed, "{") {
		return nil, invalid("%s must be a JSON object", what)
	}
	return json.RawMessage(trimmed), nil
}
