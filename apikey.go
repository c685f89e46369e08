package paragon

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
)

// maxAPIKey bounds the length of a project API key.
const maxAPIKey = 4096

// APIKey is a Paragon project API key (Project Settings > API Keys): a
// secret that acts for the whole project, not for one Connected User. Its
// formatting (fmt verbs, slog, encoding/json) never shows the key. The zero
// APIKey is no key.
type APIKey struct {
	k *string // a pointer, so that copies share one string and %v of a struct holding an APIKey can't print it
}

// NewAPIKey wraps key. It fails with [ErrInvalidInput] for an empty key or
// one with white space or control characters (surrounding white space, as
// left by environment files, is trimmed).
func NewAPIKey(key string) (APIKey, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return APIKey{}, invalid("empty API key")
	}
	if len(key) > maxAPIKey {
		return APIKey{}, invalid("API key is %d bytes long", len(key))
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c >= 0x7f {
			return APIKey{}, invalid("API key contains white space, a control character or a non-ASCII byte")
		}
	}
	return APIKey{k: &key}, nil
}

// IsZero reports whether a is no key.
func (a APIKey) IsZero() bool { return a.k == nil }

// reveal returns the key for an Authorization header.
func (a APIKey) reveal() string {
	if a.k == nil {
		return ""
	}
	return *a.k
}

// String returns "paragon.APIKey(redacted)", or "paragon.APIKey(none)".
func (a APIKey) String() string {
	if a.k == nil {
		return "paragon.APIKey(none)"
	}
	return "paragon.APIKey(redacted)"
}

// GoString is like String, for %#v.
func (a APIKey) GoString() string { return a.String() }

// Format prints the redacted String for every verb.
func (a APIKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// LogValue is the redacted String.
func (a APIKey) LogValue() slog.Value { return slog.StringValue(a.String()) }

// MarshalJSON encodes the redacted String.
func (a APIKey) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// WithAPIKey sets the project API key that [Client.Project] authenticates
// with (Authorization: Bearer <key>), for the APIs that take one instead of
// a user token: Task History and Setup Links. The key is kept as an
// [APIKey] and never appears in errors, logs or formatted values. It fails
// with [ErrInvalidInput] for an empty or malformed key.
//
// Docs: https://docs.useparagon.com/apis/task-history
func WithAPIKey(key string) Option {
	return func(c *config) error {
		k, err := NewAPIKey(key)
		if err != nil {
			return err
		}
		c.apiKey = k
		return nil
	}
}

// Project acts for the whole project with a project API key: Task History
// and Setup Links. It shares its Client's transport and is safe for
// concurrent use. Get one with [Client.Project] or [Client.ProjectWithKey].
type Project struct {
	c   *Client
	key APIKey
	as  *User // the call machinery, authenticated with the key instead of a user token
}

// Project returns a handle that authenticates with the client's API key
// ([WithAPIKey]). Without one, every call fails with [ErrInvalidInput]
// before any request is sent.
func (c *Client) Project() *Project { return c.projectWith(c.apiKey) }

// ProjectWithKey is like [Client.Project] with another API key, for a
// project whose keys have different scopes (Setup Links need a key with the
// "Setup Links API" scope). An invalid key is reported by the first call.
func (c *Client) ProjectWithKey(key APIKey) *Project { return c.projectWith(key) }

func (c *Client) projectWith(key APIKey) *Project {
	p := &Project{c: c, key: key, as: &User{c: c, token: key.reveal()}}
	if key.IsZero() {
		p.as.err = invalid("no project API key: use paragon.WithAPIKey, or Client.ProjectWithKey")
	}
	return p
}

// Client returns the client the project handle belongs to.
func (p *Project) Client() *Client { return p.c }

// String describes the handle without its key.
func (p *Project) String() string {
	return fmt.Sprintf("paragon.Project{project: %s, key: %s}", p.c.projectID, p.key)
}

// GoString is like String, for %#v.
func (p *Project) GoString() string { return p.String() }

// Format prints the redacted description for every verb.
func (p *Project) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue is the handle's slog representation, without its key.
func (p *Project) LogValue() slog.Value {
	return slog.GroupValue(slog.String("project", p.c.projectID))
}

// MarshalJSON encodes the project ID only.
func (p *Project) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"project": p.c.projectID})
}

// Call sends one request to one of Paragon's services with the project API
// key, like [User.Call] does with a user token: for project-level routes
// this package does not wrap yet.
func (p *Project) Call(ctx context.Context, svc Service, method, path string, params *CallParams, opts ...CallOption) (*Response, error) {
	if p == nil {
		return nil, errNilProject
	}
	return p.as.Call(ctx, svc, method, path, params, opts...)
}

var errNilProject = fmt.Errorf("%w: nil *paragon.Project", ErrInvalidInput)
