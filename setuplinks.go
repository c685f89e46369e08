package paragon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/paragon-go/paragon/internal/pathutil"
)

// Setup Link limits, as Paragon documents them.
const (
	DefaultSetupLinkExpiry = time.Hour
	MaxSetupLinkExpiry     = 24 * time.Hour
)

// DefaultSetupLinksPath is the route Setup Links are created at, below the
// API base URL. Paragon documents the host but not the path; this one is
// the SDK's choice. Override it with [WithSetupLinksPath].
const DefaultSetupLinksPath = "/projects/{projectId}/setup-links"

// Paragon's error codes for Setup Links.
const (
	CodeSetupLinksNotEnabled  = "56016"
	CodeSetupLinkIntegration  = "56004"
	maxSetupLinkIntegrations  = 256
	setupLinkProjectIDPattern = "{projectId}"
)

// Errors a Setup Link request can end with, besides those of every call.
// Both come with the *[Error] Paragon answered (errors.As finds it).
var (
	// ErrSetupLinksNotEnabled: Setup Links are not enabled for the project
	// (403, code 56016).
	ErrSetupLinksNotEnabled = errors.New("paragon: Setup Links are not enabled for the project")
	// ErrSetupLinkIntegration: an integration listed in
	// SetupLinkParams.Integrations is not enabled in the project (400,
	// code 56004).
	ErrSetupLinkIntegration = errors.New("paragon: a Setup Link integration is not enabled in the project")
)

// WithSetupLinksPath sets the route Setup Links are created at (default
// [DefaultSetupLinksPath]), e.g. when Paragon's documented path differs.
// "{projectId}" in path is replaced by the project ID; path must start with
// "/" and is escaped as given.
func WithSetupLinksPath(path string) Option {
	return func(c *config) error {
		probe := strings.ReplaceAll(path, setupLinkProjectIDPattern, "p")
		if err := pathutil.ServicePath(probe); err != nil || strings.ContainsAny(path, "?#") {
			return invalid("setup links path %q must be an absolute path without query or fragment", path)
		}
		c.setupLinksPath = path
		return nil
	}
}

// SetupLinkParams describe a Setup Link.
type SetupLinkParams struct {
	// EndUserID is the Connected User the link is for. Required with a
	// project API key ([Project.CreateSetupLink]); with a user token
	// ([User.CreateSetupLink]) it may be empty and must otherwise be the
	// user's own ID.
	EndUserID string
	// Integrations limits the link to these integration types, by the
	// Connect SDK's names ("googledrive"). Empty offers every integration
	// enabled in the project (and, with a user token, allowed by its JWT
	// permissions).
	Integrations []string
	// ExpiresIn is the link's lifetime in whole seconds: at most
	// [MaxSetupLinkExpiry]; zero means [DefaultSetupLinkExpiry].
	ExpiresIn time.Duration
}

// SetupLink is a hosted link where a user connects accounts. Its URL
// carries a signed token and is a secret: the link's formatting (fmt,
// slog, encoding/json; the methods have value receivers, so a dereferenced
// link is covered too) never shows it; [SetupLink.URL] does.
type SetupLink struct {
	url string
	// ExpiresAt is when the link expires: Paragon's expiresAt when it sends
	// one, else the request time plus the lifetime asked for.
	ExpiresAt time.Time
	// UserID is the Connected User the link is for, when known.
	UserID string
}

// URL returns the link to send to the user. Treat it as a credential.
func (l SetupLink) URL() string { return l.url }

// String describes the link without its URL.
func (l SetupLink) String() string {
	host := ""
	if u, err := url.Parse(l.url); err == nil {
		host = u.Host
	}
	return fmt.Sprintf("paragon.SetupLink{host: %s, user: %q, expires: %s, url redacted}",
		host, l.UserID, l.ExpiresAt.UTC().Format(time.RFC3339))
}

// GoString is like String, for %#v.
func (l SetupLink) GoString() string { return l.String() }

// Format prints the redacted description for every verb.
func (l SetupLink) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(l.String())) }

// LogValue is the link's slog representation, without its URL.
func (l SetupLink) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", l.UserID), slog.Time("expires", l.ExpiresAt))
}

// MarshalJSON encodes the user and expiry only, never the URL.
func (l SetupLink) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		UserID    string    `json:"userId,omitzero"`
		ExpiresAt time.Time `json:"expiresAt"`
	}{l.UserID, l.ExpiresAt.UTC()})
}

type setupLinkBody struct {
	EndUserID    string   `json:"endUserId,omitzero"`
	Integrations []string `json:"integrations,omitzero"`
	ExpiresIn    int64    `json:"expiresIn"`
}

// CreateSetupLink creates a Setup Link for p.EndUserID (required) with the
// project API key (POST on the API host; see [DefaultSetupLinksPath]). The
// key needs the "Setup Links API" scope. A project without Setup Links
// fails with [ErrSetupLinksNotEnabled], an integration not enabled in the
// project with [ErrSetupLinkIntegration]. Creating a link is not
// idempotent: it is retried only when it certainly did not reach Paragon.
//
// Docs: https://docs.useparagon.com/agent-os/context/create-setup-link
func (p *Project) CreateSetupLink(ctx context.Context, params *SetupLinkParams, opts ...CallOption) (*SetupLink, error) {
	if p == nil {
		return nil, errNilProject
	}
	if params == nil || params.EndUserID == "" {
		return nil, invalid("a Setup Link made with an API key needs SetupLinkParams.EndUserID")
	}
	return createSetupLink(ctx, p.as, params, params.EndUserID, opts)
}

// CreateSetupLink creates a Setup Link for the user with the user's token
// (see [Project.CreateSetupLink]). When the token carries JWT permissions
// that restrict integrations, the link offers only those.
//
// Docs: https://docs.useparagon.com/agent-os/context/create-setup-link
func (u *User) CreateSetupLink(ctx context.Context, params *SetupLinkParams, opts ...CallOption) (*SetupLink, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if params == nil {
		params = &SetupLinkParams{}
	}
	if params.EndUserID != "" && params.EndUserID != u.id {
		return nil, invalid("SetupLinkParams.EndUserID %q is not the token's user %q; Paragon requires them to match", params.EndUserID, u.id)
	}
	return createSetupLink(ctx, u, params, u.id, opts)
}

func createSetupLink(ctx context.Context, as *User, p *SetupLinkParams, userID string, opts []CallOption) (*SetupLink, error) {
	body := setupLinkBody{EndUserID: p.EndUserID}
	if body.EndUserID != "" {
		if err := checkUserID(body.EndUserID); err != nil {
			return nil, err
		}
	}
	if len(p.Integrations) > maxSetupLinkIntegrations {
		return nil, invalid("%d integrations (max %d)", len(p.Integrations), maxSetupLinkIntegrations)
	}
	for _, in := range p.Integrations {
		if err := pathutil.Integration(in); err != nil {
			return nil, fmt.Errorf("%w: Setup Link integration: %w", ErrInvalidInput, err)
		}
	}
	if len(p.Integrations) > 0 {
		body.Integrations = append([]string(nil), p.Integrations...)
	}
	exp := p.ExpiresIn
	switch {
	case exp == 0:
		exp = DefaultSetupLinkExpiry
	case exp < time.Second:
		return nil, invalid("Setup Link lifetime %v is under one second", exp)
	case exp > MaxSetupLinkExpiry:
		return nil, invalid("Setup Link lifetime %v is over Paragon's maximum of 24h", exp)
	case exp%time.Second != 0:
		return nil, invalid("Setup Link lifetime %v is not a whole number of seconds", exp)
	}
	body.ExpiresIn = int64(exp / time.Second)
	raw, err := marshalBody(body)
	if err != nil {
		return nil, err
	}
	c := as.c
	path := c.setupLinksPath
	if path == "" {
		path = DefaultSetupLinksPath
	}
	path = strings.ReplaceAll(path, setupLinkProjectIDPattern, c.projectID)
	start := time.Now()
	resp, err := as.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "POST", path: path, template: "/setup-links",
		rawBody: raw, ctype: "application/json",
	}, opts)
	if err != nil {
		return nil, setupLinkError(err)
	}
	var out struct {
		URL       string    `json:"url"`
		ExpiresAt Timestamp `json:"expiresAt"`
	}
	if err := decodeJSON(resp, "CreateSetupLink", &out); err != nil {
		return nil, err
	}
	u, err := url.Parse(out.URL)
	if out.URL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: CreateSetupLink: the answer has no absolute http(s) url", ErrInvalidResponse)
	}
	link := &SetupLink{url: out.URL, UserID: userID, ExpiresAt: out.ExpiresAt.Time}
	if link.ExpiresAt.IsZero() {
		link.ExpiresAt = start.Add(exp).Truncate(time.Second)
	}
	return link, nil
}

// codeError adds a sentinel to a Paragon *Error without changing its text.
type codeError struct {
	sentinel error
	err      *Error
}

func (e *codeError) Error() string   { return e.err.Error() }
func (e *codeError) Unwrap() []error { return []error{e.sentinel, e.err} }

// setupLinkError maps Paragon's Setup Link codes to their sentinels.
func setupLinkError(err error) error {
	var pe *Error
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case CodeSetupLinksNotEnabled:
		return &codeError{ErrSetupLinksNotEnabled, pe}
	case CodeSetupLinkIntegration:
		return &codeError{ErrSetupLinkIntegration, pe}
	}
	return err
}
