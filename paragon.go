// Package paragon is a Go client for the Paragon embedded-integration platform.
//
// A Go backend uses it to act for its own users ("Connected Users") on Paragon:
// sign Paragon User Tokens, read and change a user's connected integrations,
// trigger App Events and Request-trigger workflows, and call any third-party API
// through Paragon's proxy. With a project API key it reads Task History and
// creates Setup Links. Method names follow Paragon's JavaScript SDK so that
// Paragon's documentation maps one to one. Packages close (a typed Close CRM
// client), actionkit, managedsync, the nested module mcp, paragontest (an
// in-memory Paragon) and the cmd/paragon CLI build on it.
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
// browser SDK's paragon.authenticate(); [Client.IssueUserToken] also returns the
// token's expiry; [Client.Authenticate] accepts a token that was signed elsewhere.
//
// Tokens carry aud "<instance>/<projectID>" ([WithAudience] overrides it) and,
// for least privilege, Paragon's JWT permissions ([NewPermissions],
// [WithPermissions]), both for [Client.SignUserToken] and for a handle's
// cached tokens: c.User(id, paragon.WithPermissions(p)).
//
// The client calls Paragon's US cloud by default. [WithRegion](RegionEU)
// selects the EU cloud and [WithHost] an on-prem installation; each sets
// every host Paragon documents for it and guesses none: a call to a service
// without a documented host fails with [ErrNoHost] unless [WithBaseURL]
// sets one.
//
// Task History and Setup Links take a project API key instead of a user
// token: configure it with [WithAPIKey] and call them on [Client.Project].
// The key never appears in errors, logs or formatted values.
//
// # Per-user calls
//
// A [User] handle makes the Connect API calls of Paragon's browser SDK
// ([User.GetUser], [User.SetUserMetadata], [User.Connect],
// [User.UninstallIntegration], configurations, user and workflow settings),
// each taking a context first and optional [CallOption] values such as
// [WithCredential] and [WithConfiguration]. [User.Event] sends an App Event
// and [User.Workflow] runs a Request-trigger workflow.
//
// # Proxy
//
// [User.Request] calls any third-party API through Paragon's proxy with the
// user's stored credential; [RequestJSON] decodes the answer into a type.
// The typed Close CRM client in package github.com/paragon-go/paragon/close
// (import it as closecrm) is built on it.
//
// # ActionKit, MCP and Managed Sync
//
// Packages github.com/paragon-go/paragon/actionkit (a user's tools and
// triggers), github.com/paragon-go/paragon/managedsync (syncs, records,
// permissions, webhooks) and the nested module github.com/paragon-go/paragon/mcp
// (an MCP server of a user's tools) use the low-level [User.Call].
//
// # Task History and Setup Links
//
// [Project.ListWorkflowExecutions] lists workflow runs with the project API
// key; [Project.CreateSetupLink] and [User.CreateSetupLink] create Setup
// Links.
//
// # Events, workflows and webhooks
//
// [Client.Subscribe] reports the integration installs and uninstalls and the
// workflow changes the client makes. [ParseWebhook] and
// [VerifyWebhookSignature] check signed ActionKit trigger webhooks.
//
// # Errors
//
// Failed calls return a *[Error] (inspect it with errors.As) that matches the
// sentinels [ErrUnauthorized], [ErrPermissionDenied], [ErrNotFound],
// [ErrRateLimited], [ErrIntegrationNotEnabled] and [ErrWorkflowTimeout] with
// errors.Is. Mistakes in the caller's input fail with [ErrInvalidInput] before
// any request is sent.
//
// # Retries and timeouts
//
// Rate-limited calls (429) and connection failures are retried for any method;
// idempotent calls are also retried on 408, 500, 502, 503, 504 and resets, with
// capped, jittered exponential backoff that honours Retry-After and never
// outlives the call's context. See [RetryPolicy].
//
// # Pagination
//
// Lists are lazy iter.Seq2 sequences that fetch one page at a time and stop
// when the loop breaks.
//
// # Logging
//
// The client is silent unless [WithLogger] is given; records never hold
// headers, bodies, query strings or tokens.
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
	"unicode/utf8"

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

// Region is a Paragon cloud region. See [WithRegion].
type Region int

// Paragon's cloud regions.
const (
	// RegionUS is Paragon's US cloud (*.useparagon.com), the default.
	RegionUS Region = iota
	// RegionEU is Paragon's EU cloud (*.eu.paragon.so). Paragon documents
	// only some of its hosts; see [WithRegion].
	RegionEU
	numRegions
)

// String returns the region's name, "us" or "eu".
func (r Region) String() string {
	switch r {
	case RegionUS:
		return "us"
	case RegionEU:
		return "eu"
	}
	return fmt.Sprintf("Region(%d)", int(r))
}

// Cloud base URLs per region, and the host labels used to derive on-prem
// URLs. An empty entry is a service Paragon documents no host for: the
// client never guesses one (see [ErrNoHost]).
var (
	regionBaseURLs = [numRegions][numServices]string{
		RegionUS: {
			ServiceAPI:         "https://api.useparagon.com",
			ServiceEvents:      "https://hermes.useparagon.com",
			ServiceProxy:       "https://proxy.useparagon.com",
			ServiceActionKit:   "https://actionkit.useparagon.com",
			ServiceManagedSync: "https://sync.useparagon.com",
			ServiceAgentOS:     "https://agentos.useparagon.com",
		},
		RegionEU: {
			ServiceAPI:     "https://zeus.eu.paragon.so",
			ServiceProxy:   "https://worker-proxy.eu.paragon.so", // seen in community code only
			ServiceAgentOS: "https://agentos.eu.paragon.so",
		},
	}
	// regionAudienceHosts is the instance host of each region's aud claim.
	regionAudienceHosts = [numRegions]string{
		RegionUS: "useparagon.com",
		RegionEU: "eu.paragon.so", // by the documented rule; no example shows it
	}
	onPremLabels = [numServices]string{
		ServiceAPI:         "zeus",
		ServiceEvents:      "hermes",
		ServiceProxy:       "worker-proxy",
		ServiceActionKit:   "worker-actionkit",
		ServiceManagedSync: "ms-sync",
		// ServiceAgentOS: not documented on-prem; set it with WithBaseURL.
	}
)

// ErrNoHost is matched (errors.Is) by a *[NoHostError]: a call to a
// service for which the client has no base URL, because Paragon documents
// none for the configured region or on-prem installation and none was set
// with [WithBaseURL]. It is reported before any request is sent, and also
// matches [ErrInvalidInput].
var ErrNoHost = errors.New("paragon: no host for service")

// NoHostError reports a service without a base URL. See [ErrNoHost].
type NoHostError struct {
	// Service is the service that has no host.
	Service Service
	// Instance names the configuration: "region eu", or "on-prem host
	// paragon.example.com".
	Instance string
}

// Error says which service has no host and how to set one.
func (e *NoHostError) Error() string {
	return fmt.Sprintf("paragon: Paragon documents no %s host for %s; set one with WithBaseURL(%s, …)",
		e.Service, e.Instance, serviceConstName(e.Service))
}

// Is matches [ErrNoHost] and [ErrInvalidInput].
func (e *NoHostError) Is(target error) bool { return target == ErrNoHost || target == ErrInvalidInput }

func serviceConstName(s Service) string {
	switch s {
	case ServiceAPI:
		return "paragon.ServiceAPI"
	case ServiceEvents:
		return "paragon.ServiceEvents"
	case ServiceProxy:
		return "paragon.ServiceProxy"
	case ServiceActionKit:
		return "paragon.ServiceActionKit"
	case ServiceManagedSync:
		return "paragon.ServiceManagedSync"
	case ServiceAgentOS:
		return "paragon.ServiceAgentOS"
	}
	return s.String()
}

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
	region           Region
	regionSet        bool
	audience         string
	required         []Service
	apiKey           APIKey
	setupLinksPath   string
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
// (e.g. "paragon.example.com"), deriving each service's base URL as Paragon
// documents it: https://zeus.<host> (API, Task History, Setup Links),
// https://hermes.<host> (events), https://worker-proxy.<host> (proxy),
// https://worker-actionkit.<host> (ActionKit) and https://ms-sync.<host>
// (Managed Sync). Agent OS has no documented on-prem host: set it with
// [WithBaseURL], or its calls fail with [ErrNoHost]. [WithBaseURL] also
// overrides any single derived URL (Paragon's browser SDK uses
// https://actionkit.<host> for ActionKit, for example). Tokens get the aud
// "<host>/<projectID>"; see [WithAudience]. WithHost can't be combined with
// [WithRegion].
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

// WithRegion selects Paragon's cloud region (default [RegionUS]) and sets
// every base URL Paragon documents for it. For [RegionEU] those are the API
// (https://zeus.eu.paragon.so), Agent OS (https://agentos.eu.paragon.so)
// and the proxy (https://worker-proxy.eu.paragon.so, seen only in community
// code). Paragon documents no EU host for events (hermes), ActionKit or
// Managed Sync; the client does not guess one. A call to such a service
// fails before any request with a *[NoHostError] (matching [ErrNoHost])
// unless [WithBaseURL] sets its host; [WithRequiredServices] moves that
// check to [NewClient]. Tokens get the aud "eu.paragon.so/<projectID>".
func WithRegion(r Region) Option {
	return func(c *config) error {
		if r < 0 || r >= numRegions {
			return fmt.Errorf("%w: unknown region %v; use paragon.RegionUS or paragon.RegionEU", ErrInvalidInput, r)
		}
		c.region, c.regionSet = r, true
		return nil
	}
}

// WithRequiredServices makes [NewClient] fail with a *[NoHostError] when
// any of svcs has no base URL for the configured region or on-prem host,
// instead of failing the first call to it.
func WithRequiredServices(svcs ...Service) Option {
	return func(c *config) error {
		for _, s := range svcs {
			if s < 0 || s >= numServices {
				return fmt.Errorf("%w: unknown service %v", ErrInvalidInput, s)
			}
		}
		c.required = append(c.required, svcs...)
		return nil
	}
}

// WithAudience overrides the aud claim of every token the client signs.
// By default aud names the instance and the project, as Paragon's Managed
// Sync and Agent OS Context APIs require: "useparagon.com/<projectID>" on
// the US cloud, "eu.paragon.so/<projectID>" on the EU cloud and
// "<host>/<projectID>" with [WithHost]. Paragon documents only the US
// value; use WithAudience when your instance expects another.
func WithAudience(aud string) Option {
	return func(c *config) error {
		if err := checkAudience(aud); err != nil {
			return err
		}
		c.audience = aud
		return nil
	}
}

func checkAudience(aud string) error {
	if aud == "" {
		return invalid("empty audience")
	}
	if len(aud) > 512 || !utf8.ValidString(aud) {
		return invalid("audience is not a short UTF-8 string")
	}
	for _, r := range aud {
		if r <= ' ' || r == 0x7f {
			return invalid("audience contains a space or control character")
		}
	}
	return nil
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
	instance  string // "region us", "on-prem host …": for NoHostError
	apiKey    APIKey
	bases     [numServices]*url.URL // nil: no documented host

	setupLinksPath string // "" = DefaultSetupLinksPath
	http           *http.Client
	tr             *transport.Transport
	logger         *slog.Logger

	integrationIDs sync.Map // integration type → UUID, from GET /sdk/integrations
	subs           subscribers
	states         stateCache // GET /sdk/me per user, briefly (state.go)
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
	if cfg.regionSet && cfg.host != "" {
		return nil, fmt.Errorf("%w: WithRegion and WithHost can't be combined: an on-prem installation has no cloud region", ErrInvalidInput)
	}
	audience := cfg.audience
	if audience == "" {
		if cfg.host != "" {
			audience = cfg.host + "/" + projectID
		} else {
			audience = regionAudienceHosts[cfg.region] + "/" + projectID
		}
	}
	c := &Client{
		projectID: projectID,
		key:       cfg.key,
		lifetime:  cfg.tokenLifetime,
		audience:  audience,
		logger:    cfg.logger,
		apiKey:    cfg.apiKey,

		setupLinksPath: cfg.setupLinksPath,
	}
	if cfg.host != "" {
		c.instance = "on-prem host " + cfg.host
	} else {
		c.instance = "region " + cfg.region.String()
	}
	for s := range numServices {
		raw := cfg.baseURLs[s]
		if raw == "" && cfg.host != "" && onPremLabels[s] != "" {
			raw = "https://" + onPremLabels[s] + "." + cfg.host
		}
		if raw == "" && cfg.host == "" {
			raw = regionBaseURLs[cfg.region][s]
		}
		if raw == "" {
			continue // no documented host: calls fail with a NoHostError
		}
		u, err := parseBaseURL(raw)
		if err != nil {
			return nil, err
		}
		c.bases[s] = u
	}
	for _, s := range cfg.required {
		if c.bases[s] == nil {
			return nil, &NoHostError{Service: s, Instance: c.instance}
		}
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
	EnvRegion         = "PARAGON_REGION"
	EnvAPIKey         = "PARAGON_API_KEY" //nolint:gosec // G101: a variable name, not a credential
)

// NewClientFromEnv returns a Client configured from PARAGON_PROJECT_ID, the
// signing key in PARAGON_SIGNING_KEY (PEM; "\n"-escaped is fine) or the file
// named by PARAGON_SIGNING_KEY_FILE, the optional on-prem PARAGON_HOST, the
// optional cloud region PARAGON_REGION ("us" or "eu") and the optional
// project API key PARAGON_API_KEY (see [WithAPIKey]). Options given here are applied after those from the environment.
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
	switch r := strings.ToLower(strings.TrimSpace(os.Getenv(EnvRegion))); r {
	case "":
	case "us":
		envOpts = append(envOpts, WithRegion(RegionUS))
	case "eu":
		envOpts = append(envOpts, WithRegion(RegionEU))
	default:
		return nil, fmt.Errorf("%w: %s is %q; want us or eu", ErrInvalidInput, EnvRegion, r)
	}
	if k := os.Getenv(EnvAPIKey); k != "" {
		envOpts = append(envOpts, WithAPIKey(k))
	}
	return NewClient(pid, append(envOpts, opts...)...)
}

// ProjectID returns the project the client acts on.
func (c *Client) ProjectID() string { return c.projectID }

// Audience returns the aud claim of the tokens the client signs (see
// [WithAudience]).
func (c *Client) Audience() string { return c.audience }

// BaseURL returns the base URL the client uses for svc, or "" when it has
// none (see [ErrNoHost]).
func (c *Client) BaseURL(svc Service) string {
	if svc < 0 || svc >= numServices || c.bases[svc] == nil {
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
