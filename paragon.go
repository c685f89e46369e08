// Package paragon is a Go client for the Paragon embedded-integration platform.
//
// A Go backend uses it to act for its own users ("Connected Users") on Paragon:
// sign Paragon User Tokens, read and change a user's connected integrations,
// trigger App Events and Request-trigger workflows, and call any third-party API
// through Paragon's proxy. Method names follow Paragon's JavaScript SDK so that
// Paragon's documentation maps one to one.
//
// # Quickstart
//
//	c, err := paragon.NewClient(projectID, paragon.WithSigningKey(pemBytes))
//	if err != nil { ... }
//	u := c.User("user-1")              // tokens are signed lazily and cached
//	me, err := u.GetUser(ctx)          // GET /projects/{id}/sdk/me
//	err = u.Event(ctx, "Contact Created", map[string]any{"email": "a@b.c"})
//
// # Authentication
//
// Paragon authenticates each call with a Paragon User Token: an RS256 JWT whose
// subject is your user's ID, signed with the project's signing key. [Client.User]
// signs and caches these tokens; [Client.SignUserToken] returns one to hand to the
// browser SDK's paragon.authenticate(); [Client.Authenticate] accepts a token that
// was signed elsewhere.
//
// # Proxy
//
// [User.Request] calls any third-party API through Paragon's proxy with the
// user's stored credential. The typed Close CRM client in package
// github.com/paragon-go/paragon/close is built on it.
//
// # Errors
//
// Failed calls return a *[Error] (inspect it with errors.As) that matches the
// sentinels [ErrUnauthorized], [ErrNotFound], [ErrRateLimited],
// [ErrIntegrationNotEnabled] and [ErrWorkflowTimeout] with errors.Is. Mistakes in
// the caller's input fail with [ErrInvalidInput] before any request is sent.
//
// # Retries and timeouts
//
// Rate-limited calls (429) and connection failures are retried for any method;
// idempotent calls are also retried on 408, 500, 502, 503, 504 and resets, with
// capped, jittered exponential backoff that honours Retry-After and never
// outlives the call's context. See [RetryPolicy].
//
// # Testing
//
// Package github.com/paragon-go/paragon/paragontest provides an in-memory
// Paragon (with a fake Close CRM behind its proxy) for tests and offline runs.
package paragon

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/paragon-go/paragon/internal/auth"
	"github.com/paragon-go/paragon/internal/transport"
)

// Version is the version of this SDK, sent in the User-Agent header.
const Version = "0.1.0"

// Service names one of Paragon's API hosts. See [WithBaseURL].
type Service int

// Paragon's services. Each has its own host in Paragon's cloud and on-prem.
const (
	// ServiceAPI is the Connect API ("zeus"): /sdk/me, integrations,
	// credentials, metadata and workflows.
	ServiceAPI Service = iota
	// ServiceEvents is the events and triggers runtime ("hermes"): App
	// Events and Request-trigger workflows.
	ServiceEvents
	// ServiceProxy is the proxy that calls third-party APIs with a user's
	// credential.
	ServiceProxy
	// ServiceActionKit serves ActionKit: a user's tools, triggers and
	// trigger subscriptions (/projects/{id}/tools, /triggers, …).
	ServiceActionKit
	// ServiceManagedSync serves Managed Sync and the Permissions API
	// (/api/syncs, /api/permissions/…). Its tokens must carry aud.
	ServiceManagedSync
	// ServiceAgentOS serves Agent OS: the Tools API (/api/tools/…) and the
	// Context API (/api/context/…).
	ServiceAgentOS
	numServices
)

// String returns the service's name.
func (s Service) String() string {
	switch s {
	case ServiceAPI:
		return "api"
	case ServiceEvents:
		return "events"
	case ServiceProxy:
		return "proxy"
	case ServiceActionKit:
		return "actionkit"
	case ServiceManagedSync:
		return "managedsync"
	case ServiceAgentOS:
		return "agentos"
	}
	return fmt.Sprintf("Service(%d)", int(s))
}

// Cloud base URLs, and the host labels used to derive on-prem URLs.
var (
	defaultBaseURLs = [numServices]string{
		ServiceAPI:         "https://api.useparagon.com",
		ServiceEvents:      "https://hermes.useparagon.com",
		ServiceProxy:       "https://proxy.useparagon.com",
		ServiceActionKit:   "https://actionkit.useparagon.com",
		ServiceManagedSync: "https://sync.useparagon.com",
		ServiceAgentOS:     "https://agentos.useparagon.com",
	}
	onPremLabels = [numServices]string{
		ServiceAPI:         "zeus",
		ServiceEvents:      "hermes",
		ServiceProxy:       "worker-proxy",
		ServiceActionKit:   "worker-actionkit",
		ServiceManagedSync: "ms-sync",
		ServiceAgentOS:     "agentos", // not documented on-prem; see WithHost
	}
)

// Defaults for the client's options.
const (
	DefaultTokenLifetime    = time.Hour
	DefaultMaxRetries       = 2
	DefaultTokenCacheSize   = 10_000
	DefaultMaxResponseBytes = 32 << 20
	defaultRetryBudget      = 500
)

// RetryPolicy controls how failed calls are retried. See [WithRetryPolicy].
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// InitialBackoff is the wait before the first retry; it doubles per retry.
	InitialBackoff time.Duration
	// MaxBackoff caps a single wait (jitter still applies at the cap).
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest server-requested wait (Retry-After) the
	// client sleeps on; a longer one ends the call with an [ErrRateLimited]
	// error whose RetryAfter says how long to wait.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy is the policy a new Client uses.
var DefaultRetryPolicy = RetryPolicy{
	MaxRetries:     DefaultMaxRetries,
	InitialBackoff: 500 * time.Millisecond,
	MaxBackoff:     8 * time.Second,
	MaxRetryAfter:  20 * time.Second,
}

// Option configures a Client. Options validate their input: a bad value makes
// [NewClient] fail with an error matching [ErrInvalidInput]. The order of
// options never matters.
type Option func(*config) error

type config struct {
	key              *auth.Key
	httpClient       *http.Client
	host             string
	baseURLs         [numServices]string
	retry            RetryPolicy
	tokenLifetime    time.Duration
	tokenCacheSize   int
	userAgent        string
	logger           *slog.Logger
	maxResponseBytes int64
}

// WithSigningKey sets the RSA private key that signs Paragon User Tokens: PEM
// bytes, PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"). A key kept on one
// line with literal "\n" sequences (as in environment variables) is accepted.
// Keys under 2048 bits are refused.
func WithSigningKey(pem []byte) Option {
	return func(c *config) error {
		k, err := auth.ParseKey(pem)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		c.key = k
		return nil
	}
}

// WithSigningKeyFile reads the signing key (see [WithSigningKey]) from a PEM file.
func WithSigningKeyFile(path string) Option {
	return func(c *config) error {
		b, err := os.ReadFile(path) //nolint:gosec // G304: reading the file the caller named is the point
		if err != nil {
			return fmt.Errorf("%w: signing key file: %w", ErrInvalidInput, err)
		}
		return WithSigningKey(b)(c)
	}
}

// WithHTTPClient makes the client send requests with a copy of hc, so that
// tracing or proxy settings carry over. hc itself is never changed. Without
// it, the client uses its own transport tuned for many concurrent calls; it
// never uses http.DefaultClient or http.DefaultTransport.
//
// A client with a cookie jar (hc.Jar) is refused with [ErrInvalidInput]: one
// Client acts for many Connected Users, and a jar would send the cookies a
// third party set for one user on every other user's calls. Pass a copy
// without the jar.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return fmt.Errorf("%w: nil *http.Client", ErrInvalidInput)
		}
		if hc.Jar != nil {
			return fmt.Errorf("%w: the *http.Client has a cookie jar, which would share one Connected User's cookies with all others; pass a copy with Jar set to nil", ErrInvalidInput)
		}
		cp := *hc
		c.httpClient = &cp
		return nil
	}
}

// WithHost points the client at an on-prem Paragon installation under host
// (e.g. "paragon.example.com"), deriving https://zeus.<host>,
// https://hermes.<host> and https://worker-proxy.<host>. [WithBaseURL] still
// overrides a single service.
func WithHost(host string) Option {
	return func(c *config) error {
		h := strings.TrimSuffix(strings.TrimSpace(host), ".")
		if h == "" || strings.ContainsAny(h, "/:@?#% \t\r\n") {
			return fmt.Errorf("%w: host %q must be a bare host name like paragon.example.com", ErrInvalidInput, host)
		}
		c.host = strings.ToLower(h)
		return nil
	}
}

// WithBaseURL overrides the base URL of one service, e.g. for a regional
// cloud or a test server. It must be https, or http on a loopback host; it may
// carry a path prefix but no query, fragment or user info.
func WithBaseURL(svc Service, rawURL string) Option {
	return func(c *config) error {
		if svc < 0 || svc >= numServices {
			return fmt.Errorf("%w: unknown service %v", ErrInvalidInput, svc)
		}
		if _, err := parseBaseURL(rawURL); err != nil {
			return err
		}
		c.baseURLs[svc] = rawURL
		return nil
	}
}

// WithRetryPolicy replaces the retry policy. Zero durations take the
// defaults of [DefaultRetryPolicy]; negative values are refused.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxRetries < 0 || p.InitialBackoff < 0 || p.MaxBackoff < 0 || p.MaxRetryAfter < 0 {
			return fmt.Errorf("%w: retry policy values must not be negative", ErrInvalidInput)
		}
		if p.InitialBackoff == 0 {
			p.InitialBackoff = DefaultRetryPolicy.InitialBackoff
		}
		if p.MaxBackoff == 0 {
			p.MaxBackoff = DefaultRetryPolicy.MaxBackoff
		}
		if p.MaxRetryAfter == 0 {
			p.MaxRetryAfter = DefaultRetryPolicy.MaxRetryAfter
		}
		c.retry = p
		return nil
	}
}

// WithMaxRetries sets how many times a failed call is retried (0 disables
// retries), keeping the rest of the retry policy.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("%w: max retries %d < 0", ErrInvalidInput, n)
		}
		c.retry.MaxRetries = n
		return nil
	}
}

// WithTokenLifetime sets the lifetime of the user tokens the client signs
// (default one hour). Cached tokens are re-signed before they expire.
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Minute {
			return fmt.Errorf("%w: token lifetime %v is under one minute", ErrInvalidInput, d)
		}
		c.tokenLifetime = d
		return nil
	}
}

// WithTokenCacheSize bounds how many users' tokens the client keeps (default
// 10,000). Rarely used entries are dropped first (CLOCK eviction) and
// re-signed on demand.
func WithTokenCacheSize(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("%w: token cache size %d < 1", ErrInvalidInput, n)
		}
		c.tokenCacheSize = n
		return nil
	}
}

// WithUserAgent sets the User-Agent header. The SDK's own name and version
// are appended.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if strings.ContainsAny(ua, "\r\n\x00") {
			return fmt.Errorf("%w: user agent contains a control character", ErrInvalidInput)
		}
		c.userAgent = strings.TrimSpace(ua)
		return nil
	}
}

// WithLogger sends one debug record per HTTP attempt to l (method, host,
// route, status, attempt, duration, request ID; never headers, bodies, query
// strings or tokens). The default is no logging.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithMaxResponseBytes limits the size of a buffered response body (default
// 32 MiB). A larger body fails with [ErrResponseTooLarge]. Raw proxy
// responses, which stream, are not limited.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("%w: max response bytes %d < 1", ErrInvalidInput, n)
		}
		c.maxResponseBytes = n
		return nil
	}
}

// Client is a Paragon client for one project. It is safe for concurrent use;
// create one and share it.
type Client struct {
	projectID string
	key       *auth.Key // nil when only Authenticate is used
	tokens    *auth.Cache
	lifetime  time.Duration
	audience  string
	bases     [numServices]*url.URL
	http      *http.Client
	tr        *transport.Transport
	logger    *slog.Logger

	integrationIDs sync.Map // integration type → UUID, from GET /sdk/integrations
	subs           subscribers
}

// NewClient returns a Client for the Paragon project projectID (the UUID shown
// in the dashboard). It reads no environment variables; see
// [NewClientFromEnv] for that.
func NewClient(projectID string, opts ...Option) (*Client, error) {
	if err := checkProjectID(projectID); err != nil {
		return nil, err
	}
	cfg := config{
		retry:            DefaultRetryPolicy,
		tokenLifetime:    DefaultTokenLifetime,
		tokenCacheSize:   DefaultTokenCacheSize,
		maxResponseBytes: DefaultMaxResponseBytes,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	c := &Client{
		projectID: projectID,
		key:       cfg.key,
		lifetime:  cfg.tokenLifetime,
		audience:  "useparagon.com/" + projectID,
		logger:    cfg.logger,
	}
	for s := range numServices {
		raw := cfg.baseURLs[s]
		if raw == "" && cfg.host != "" {
			raw = "https://" + onPremLabels[s] + "." + cfg.host
		}
		if raw == "" {
			raw = defaultBaseURLs[s]
		}
		u, err := parseBaseURL(raw)
		if err != nil {
			return nil, err
		}
		c.bases[s] = u
	}
	if c.key != nil {
		c.tokens = auth.NewCache(auth.CacheConfig{
			Key:      c.key,
			Audience: c.audience,
			TTL:      cfg.tokenLifetime,
			MaxUsers: cfg.tokenCacheSize,
		})
	}
	hc := cfg.httpClient
	if hc == nil {
		hc = &http.Client{Transport: transport.NewHTTPTransport()}
	}
	if hc.CheckRedirect == nil {
		hc.CheckRedirect = transport.CheckRedirect
	}
	c.http = hc
	ua := "paragon-go/" + Version
	if cfg.userAgent != "" {
		ua = cfg.userAgent + " " + ua
	}
	c.tr = transport.New(transport.Config{
		HTTPClient:     hc,
		MaxRetries:     cfg.retry.MaxRetries,
		InitialBackoff: cfg.retry.InitialBackoff,
		MaxBackoff:     cfg.retry.MaxBackoff,
		MaxRetryAfter:  cfg.retry.MaxRetryAfter,
		MaxBodyBytes:   cfg.maxResponseBytes,
		UserAgent:      ua,
		Logger:         cfg.logger,
		Budget:         transport.NewBudget(defaultRetryBudget),
	})
	return c, nil
}

// Environment variables read by [NewClientFromEnv].
const (
	EnvProjectID      = "PARAGON_PROJECT_ID"
	EnvSigningKey     = "PARAGON_SIGNING_KEY"
	EnvSigningKeyFile = "PARAGON_SIGNING_KEY_FILE"
	EnvHost           = "PARAGON_HOST"
)

// NewClientFromEnv returns a Client configured from PARAGON_PROJECT_ID, the
// signing key in PARAGON_SIGNING_KEY (PEM; "\n"-escaped is fine) or the file
// named by PARAGON_SIGNING_KEY_FILE, and the optional on-prem PARAGON_HOST.
// Options given here are applied after those from the environment.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	pid := os.Getenv(EnvProjectID)
	if pid == "" {
		return nil, fmt.Errorf("%w: %s is not set", ErrInvalidInput, EnvProjectID)
	}
	var envOpts []Option
	switch key, file := os.Getenv(EnvSigningKey), os.Getenv(EnvSigningKeyFile); {
	case key != "" && file != "":
		return nil, fmt.Errorf("%w: set only one of %s and %s", ErrInvalidInput, EnvSigningKey, EnvSigningKeyFile)
	case key != "":
		envOpts = append(envOpts, WithSigningKey([]byte(key)))
	case file != "":
		envOpts = append(envOpts, WithSigningKeyFile(file))
	}
	if h := os.Getenv(EnvHost); h != "" {
		envOpts = append(envOpts, WithHost(h))
	}
	return NewClient(pid, append(envOpts, opts...)...)
}

// ProjectID returns the project the client acts on.
func (c *Client) ProjectID() string { return c.projectID }

// BaseURL returns the base URL the client uses for svc.
func (c *Client) BaseURL(svc Service) string {
	if svc < 0 || svc >= numServices {
		return ""
	}
	return c.bases[svc].String()
}

// CloseIdleConnections closes idle connections of the client's transport.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// String describes the client without secrets.
func (c *Client) String() string {
	return fmt.Sprintf("paragon.Client{project: %s, api: %s}", c.projectID, c.bases[ServiceAPI].Host)
}

// GoString is like String, for %#v.
func (c *Client) GoString() string { return c.String() }

// Format prints the redacted description for every verb, so that %+v or %#v
// can't reach the signing key or cached tokens.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue is the client's slog representation, without secrets.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("project", c.projectID), slog.String("api", c.bases[ServiceAPI].Host))
}

// MarshalJSON encodes the redacted description.
func (c *Client) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, "{%q:%q}", "project", c.projectID), nil
}

func checkProjectID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty project ID", ErrInvalidInput)
	}
	if len(id) > 128 || id == "." || id == ".." {
		return fmt.Errorf("%w: project ID is not a Paragon project ID", ErrInvalidInput)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("%w: project ID %q has a character other than letters, digits, '-', '_' or '.'", ErrInvalidInput, id)
		}
	}
	return nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: base URL: %w", ErrInvalidInput, err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("%w: base URL %q must be scheme://host[/prefix] without user info, query or fragment", ErrInvalidInput, u.Redacted())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("%w: base URL %q: http:// is allowed only for loopback hosts; use https://", ErrInvalidInput, u.Redacted())
		}
	default:
		return nil, fmt.Errorf("%w: base URL %q must use https", ErrInvalidInput, u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// errNoSigningKey is returned by calls of a User made with Client.User when
// the client has no signing key.
var errNoSigningKey = errors.New("paragon: client has no signing key; use WithSigningKey, or Client.Authenticate with a token signed elsewhere")
