package paragontest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTriggerTimeout is how long a Request-trigger workflow may take to
// answer before the server gives up with status 542, as Paragon does after
// 55 seconds. See [WithTriggerTimeout].
const DefaultTriggerTimeout = 55 * time.Second

// IDs of the integrations and workflows a [Server] has by default. They are
// the same on every server, so tests and examples can name them.
const (
	// CloseIntegrationID is the UUID of the default "close" integration.
	CloseIntegrationID = "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9"
	// SlackIntegrationID is the UUID of the default "slack" integration.
	SlackIntegrationID = "7c1b9e3d-4f2a-4d8b-9e6c-1a3f5b7d9e0c"

	// WorkflowCloseSyncLeads is a default Close workflow ("Sync new
	// leads to Close"). It is enabled when a user connects Close.
	WorkflowCloseSyncLeads = "f3a9d6e2-1b2c-4d5e-8f90-a1b2c3d4e5f6"
	// WorkflowCloseLookupLead is a default Close workflow ("Look up a lead
	// in Close"), meant for a Request trigger. It starts disabled.
	WorkflowCloseLookupLead = "a1c3e5f7-9b2d-4f6a-8c0e-2b4d6f8a0c1e"
	// WorkflowSlackNotify is a default Slack workflow ("Post a message to
	// Slack"). It starts disabled.
	WorkflowSlackNotify = "5e7a9c1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b"
)

// Integration is an integration enabled in the fake project, as
// GET /sdk/integrations and GET /sdk/metadata report it. Seed one with
// [WithIntegration].
type Integration struct {
	// Type is the integration's short name, e.g. "close" or
	// "custom.acme". Required.
	Type string
	// ID is the integration's UUID; a random one is used when empty.
	ID string
	// Name is the display name; it defaults to Type with a capital letter.
	Name string
	// BrandColor is a #RRGGBB colour; it defaults to "#2F6BFF".
	BrandColor string
	// Icon is the URL of the integration's icon; it defaults to a
	// cdn.useparagon.com URL named after Type.
	Icon string
	// AuthenticationType is "basic", "oauth" or another of Paragon's
	// authentication types; it defaults to "oauth".
	AuthenticationType string
	// Workflows are the integration's workflows. Add more after NewServer
	// with [Server.AddWorkflow].
	Workflows []Workflow

	configID string // configs[0].id in GET /sdk/integrations
}

// Workflow is one workflow of an [Integration].
type Workflow struct {
	// ID is the workflow's UUID. Required.
	ID string
	// Description is the workflow's name as the Connect Portal shows it.
	Description string
	// DefaultEnabled turns the workflow on for a user when the user connects
	// the integration, as Paragon's "enabled by default" setting does.
	DefaultEnabled bool
}

// UserSeed describes a Connected User that exists when the server starts
// (see [WithUser] and [Server.AddUser]).
type UserSeed struct {
	// ID is the user's ID, the subject of the user's tokens. Required.
	ID string
	// Meta is the user's metadata, as set with PATCH /sdk/me.
	Meta map[string]any
	// Connected lists integration types the user has a VALID credential
	// for, e.g. []string{"close"}.
	Connected []string
	// EnabledWorkflows lists workflow IDs enabled for the user, besides the
	// connected integrations' DefaultEnabled workflows. A workflow of an
	// integration needs that integration in Connected.
	EnabledWorkflows []string
}

// Option configures a [Server]. See [NewServer].
type Option func(*config)

type config struct {
	projectID      string
	keyPEM         []byte
	triggerTimeout time.Duration
	integrations   []Integration
	noDefaults     bool
	users          []UserSeed
	addr           string
}

// WithListenAddr makes the server listen on addr ("host:port", e.g.
// "127.0.0.1:8090" or ":8090") instead of a random loopback port, for a fake
// that other programs (a web app, a browser) reach at a known address.
func WithListenAddr(addr string) Option {
	return func(c *config) { c.addr = addr }
}

// WithProjectID sets the project ID (default: a random UUID).
func WithProjectID(id string) Option {
	return func(c *config) { c.projectID = id }
}

// WithSigningKey makes the server verify tokens with the public half of pem,
// an RSA private key (2048 bits or more) in PKCS#1 or PKCS#8 PEM, instead of
// its own generated key. Use it to test a client configured with your own
// key.
func WithSigningKey(pem []byte) Option {
	return func(c *config) { c.keyPEM = pem }
}

// WithTriggerTimeout sets how long a workflow handler may take before the
// server answers 542 (default [DefaultTriggerTimeout]). Tests use a few
// milliseconds.
func WithTriggerTimeout(d time.Duration) Option {
	return func(c *config) { c.triggerTimeout = d }
}

// WithIntegration adds an integration to the project, replacing a default
// one of the same Type.
func WithIntegration(in Integration) Option {
	return func(c *config) { c.integrations = append(c.integrations, in) }
}

// WithoutDefaultIntegrations leaves out the default "close" and "slack"
// integrations, so that the project has only those added with
// [WithIntegration]. The proxy serves the fake Close API to users with a
// credential of an integration of type "close".
func WithoutDefaultIntegrations() Option {
	return func(c *config) { c.noDefaults = true }
}

// WithUser creates a Connected User when the server starts.
func WithUser(u UserSeed) Option {
	return func(c *config) { c.users = append(c.users, u) }
}

// defaultIntegrations returns the integrations every server has unless
// WithoutDefaultIntegrations is used.
func defaultIntegrations() []Integration {
	return []Integration{
		{
			Type: "close", ID: CloseIntegrationID, Name: "Close", BrandColor: "#2F6BFF",
			AuthenticationType: "basic",
			Workflows: []Workflow{
				{ID: WorkflowCloseSyncLeads, Description: "Sync new leads to Close", DefaultEnabled: true},
				{ID: WorkflowCloseLookupLead, Description: "Look up a lead in Close"},
			},
		},
		{
			Type: "slack", ID: SlackIntegrationID, Name: "Slack", BrandColor: "#4A154B",
			AuthenticationType: "oauth",
			Workflows: []Workflow{
				{ID: WorkflowSlackNotify, Description: "Post a message to Slack"},
			},
		},
	}
}

// keyOnce generates the RSA key servers share: 2048-bit generation is slow,
// so a process makes one, on first use.
var keyOnce = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
})

// Server is a fake Paragon for one project on a loopback HTTP server. Create
// one with [NewServer] and stop it with [Server.Close]. All its methods are
// safe for concurrent use.
type Server struct {
	ts             *httptest.Server
	projectID      string
	audience       string
	key            *rsa.PrivateKey
	keyPEM         []byte
	triggerTimeout time.Duration

	// Fixed after NewServer.
	integrations []*Integration
	byType       map[string]*Integration
	byID         map[string]*Integration
	wfOwner      map[string]*Integration // workflow ID → its integration
	seeds        []UserSeed
	crm          *CloseCRM
	routes       *http.ServeMux
	ak           *actionKitState // the fake ActionKit (actionkit*.go); own lock

	ctx    context.Context // canceled by Close; parent of handler contexts
	cancel context.CancelFunc
	wg     sync.WaitGroup // workflow handlers still running

	mu       sync.Mutex // guards the fields below
	users    map[string]*user
	events   []RecordedEvent
	handlers map[string]WorkflowHandler
	proxies  map[string]http.Handler
	extra    connectExtra // API resources and field options (connect_extra.go)

	log        requestLog
	faults     faults
	preflights atomic.Int64

	verified  sync.Map     // token → verifiedToken
	verifiedN atomic.Int64 // entries added to verified since it was last cleared

	th    taskHistory  // Task History, API key and Setup Links (taskhistory.go)
	msync *ManagedSync // the fake Managed Sync (managedsync.go)
}

// NewServer starts a fake Paragon on 127.0.0.1 and returns it. The caller
// must call [Server.Close]. It is [Start] for options known to be valid:
// it panics where Start returns an error.
//
// By default the project has a random UUID, the integrations "close" and
// "slack" (see [CloseIntegrationID] and the Workflow constants), no users,
// and the signing key every server of the process shares, made on first use.
// NewServer panics when an option is invalid (an integration without a
// type, a user seeded with an unknown integration, an unparsable key…), as
// httptest.NewServer does when it cannot listen.
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// Start starts a fake Paragon, on 127.0.0.1 or the address given with
// [WithListenAddr], and returns it; the caller must call [Server.Close].
// It returns an error, and starts nothing, when an option is invalid or the
// address can't be listened on. The defaults are those of [NewServer].
func Start(opts ...Option) (*Server, error) {
	cfg := config{triggerTimeout: DefaultTriggerTimeout}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s, err := newServer(cfg)
	if err != nil {
		if strings.HasPrefix(err.Error(), "paragontest: ") { // from AddUser
			return nil, err
		}
		return nil, fmt.Errorf("paragontest: %w", err)
	}
	return s, nil
}

func newServer(cfg config) (*Server, error) {
	s := &Server{
		projectID:      cfg.projectID,
		triggerTimeout: cfg.triggerTimeout,
		byType:         map[string]*Integration{},
		byID:           map[string]*Integration{},
		wfOwner:        map[string]*Integration{},
		crm:            NewCloseCRM(),
		users:          map[string]*user{},
		handlers:       map[string]WorkflowHandler{},
		proxies:        map[string]http.Handler{},
	}
	if s.projectID == "" {
		s.projectID = newUUID()
	}
	if !validProjectID(s.projectID) {
		return nil, fmt.Errorf("project ID %q: use letters, digits, '-', '_' and '.'", s.projectID)
	}
	s.audience = "useparagon.com/" + s.projectID
	if s.triggerTimeout <= 0 {
		return nil, fmt.Errorf("trigger timeout %v is not positive", s.triggerTimeout)
	}
	if err := s.setKey(cfg.keyPEM); err != nil {
		return nil, err
	}
	var seed []Integration
	if !cfg.noDefaults {
		seed = defaultIntegrations()
	}
	for _, in := range cfg.integrations {
		replaced := false
		for i := range seed {
			if seed[i].Type == in.Type {
				seed[i], replaced = in, true
			}
		}
		if !replaced {
			seed = append(seed, in)
		}
	}
	for _, in := range seed {
		if err := s.addIntegration(in); err != nil {
			return nil, err
		}
	}
	s.seeds = cfg.users
	for _, u := range cfg.users {
		if err := s.AddUser(u); err != nil {
			return nil, err
		}
	}
	s.routes = s.newMux()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if cfg.addr != "" {
		l, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			s.cancel()
			_ = s.ts.Listener.Close()
			return nil, fmt.Errorf("listening on %s: %w", cfg.addr, err)
		}
		_ = s.ts.Listener.Close()
		s.ts.Listener = l
	}
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0) // dropped connections are on purpose
	s.ts.Start()
	return s, nil
}

func (s *Server) setKey(pemBytes []byte) error {
	if pemBytes == nil {
		k, err := keyOnce()
		if err != nil {
			return fmt.Errorf("generating the signing key: %w", err)
		}
		s.key = k
	} else {
		k, err := parseRSAKey(pemBytes)
		if err != nil {
			return err
		}
		if err := checkKeySize(k); err != nil {
			return err
		}
		s.key = k
	}
	der, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		return fmt.Errorf("encoding the signing key: %w", err)
	}
	s.keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return nil
}

func parseRSAKey(b []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(strings.ReplaceAll(string(b), `\n`, "\n")))
	if block == nil {
		return nil, fmt.Errorf("signing key: no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key: not a PKCS#1 or PKCS#8 private key")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key: not an RSA key")
	}
	return rk, nil
}

// checkKeySize refuses keys Paragon's SDKs refuse too.
func checkKeySize(k *rsa.PrivateKey) error {
	if bits := k.N.BitLen(); bits < 2048 {
		return fmt.Errorf("signing key: RSA key is %d bits; at least 2048 are required", bits)
	}
	return nil
}

func (s *Server) addIntegration(in Integration) error {
	if in.Type == "" {
		return fmt.Errorf("integration without a Type")
	}
	if _, dup := s.byType[in.Type]; dup {
		return fmt.Errorf("integration %q added twice", in.Type)
	}
	if in.ID == "" {
		in.ID = newUUID()
	}
	if _, dup := s.byID[in.ID]; dup {
		return fmt.Errorf("integration ID %q used twice", in.ID)
	}
	if in.Name == "" {
		in.Name = strings.ToUpper(in.Type[:1]) + in.Type[1:]
	}
	if in.BrandColor == "" {
		in.BrandColor = "#2F6BFF"
	}
	if in.Icon == "" {
		in.Icon = "https://cdn.useparagon.com/paragontest/dashboard/public/integrations/" + in.Type + ".svg"
	}
	if in.AuthenticationType == "" {
		in.AuthenticationType = "oauth"
	}
	in.Workflows = append([]Workflow(nil), in.Workflows...)
	in.configID = newUUID()
	p := &in
	for _, wf := range in.Workflows {
		if wf.ID == "" {
			return fmt.Errorf("integration %q has a workflow without an ID", in.Type)
		}
		if _, dup := s.wfOwner[wf.ID]; dup {
			return fmt.Errorf("workflow %q is in two integrations", wf.ID)
		}
		s.wfOwner[wf.ID] = p
	}
	s.integrations = append(s.integrations, p)
	s.byType[in.Type] = p
	s.byID[in.ID] = p
	return nil
}

// HTTPClient returns an *http.Client for the server, for requests made
// without package paragon. Its connections are closed by [Server.Close].
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// URL returns the server's base URL, e.g. "http://127.0.0.1:53211". All
// services are served under it.
func (s *Server) URL() string { return s.ts.URL }

// ProjectID returns the project's ID.
func (s *Server) ProjectID() string { return s.projectID }

// SigningKeyPEM returns the RSA private key that signs valid user tokens, as
// PKCS#8 PEM, for [paragon.WithSigningKey].
func (s *Server) SigningKeyPEM() []byte { return append([]byte(nil), s.keyPEM...) }

// CloseCRM returns the fake Close API served behind the proxy at
// /projects/{id}/sdk/proxy/close/. All the project's users share it.
func (s *Server) CloseCRM() *CloseCRM { return s.crm }

// Close stops the server: it cancels the contexts of running workflow
// handlers, waits for them to return, closes the listener and the
// connections of the server's HTTP client, and waits for the fake Close's
// webhook deliveries in flight.
func (s *Server) Close() {
	s.cancel()
	s.ts.Close()
	s.wg.Wait()
	s.crm.Close()
}

func validProjectID(id string) bool {
	if id == "" || len(id) > 128 || id == "." || id == ".." {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
