package closetest

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fixed values of the fake Close organization.
const (
	// OrganizationID is the fake Close organization's ID.
	OrganizationID = "orga_PtFakeOrganization0000000000000"
	// OrganizationName is the fake organization's name.
	OrganizationName = "Paragon Test"
	// UserID is the fake Close user that owns and creates objects: the
	// user of the API key.
	UserID = "user_PtFakeCloseUser000000000000000"
	// APIKeyID is the ID of the API key every API call is made with; events
	// of API calls carry it as api_key_id.
	APIKeyID = "api_PtFakeApiKey00000000000000000000" //nolint:gosec // an ID, not a secret
	// PipelineID is the fake organization's default opportunity pipeline,
	// "Sales".
	PipelineID = "pipe_PtFakeSalesPipeline00000000000"

	// LeadStatusPotential is the lead status "Potential", which a lead
	// created without a status gets.
	LeadStatusPotential = "stat_PtLeadPotential000000000000000"
	// LeadStatusQualified is the lead status "Qualified".
	LeadStatusQualified = "stat_PtLeadQualified000000000000000"
	// LeadStatusCustomer is the lead status "Customer".
	LeadStatusCustomer = "stat_PtLeadCustomer0000000000000000"
	// LeadStatusBadFit is the lead status "Bad Fit".
	LeadStatusBadFit = "stat_PtLeadBadFit000000000000000000"

	// OpportunityStatusActive is the opportunity status "Active" (type
	// active), which an opportunity created without a status gets.
	OpportunityStatusActive = "stat_PtOppoActive00000000000000000"
	// OpportunityStatusWon is the opportunity status "Won" (type won).
	OpportunityStatusWon = "stat_PtOppoWon0000000000000000000"
	// OpportunityStatusLost is the opportunity status "Lost" (type lost).
	OpportunityStatusLost = "stat_PtOppoLost000000000000000000"

	// DefaultMaxSkip is the largest _skip the fake accepts unless
	// [Fake.SetMaxSkip] changes it.
	DefaultMaxSkip = 250000

	// Default rate limit advertised in the RateLimit header; it is enforced
	// only after [Fake.SetRateLimit].
	defaultRateLimit  = 240
	defaultRateWindow = time.Second

	userName = "Paragon Test"
	maxLimit = 200
)

type status struct{ id, label, typ, pipeline string }

type pipeline struct{ id, name string }

func defaultLeadStatuses() []status {
	return []status{
		{LeadStatusPotential, "Potential", "", ""},
		{LeadStatusQualified, "Qualified", "", ""},
		{LeadStatusCustomer, "Customer", "", ""},
		{LeadStatusBadFit, "Bad Fit", "", ""},
	}
}

func defaultOppStatuses() []status {
	return []status{
		{OpportunityStatusActive, "Active", "active", PipelineID},
		{OpportunityStatusWon, "Won", "won", PipelineID},
		{OpportunityStatusLost, "Lost", "lost", PipelineID},
	}
}

// Fake is a fake Close API (https://developer.close.com/) that keeps an
// organization's data in memory. It is an http.Handler serving Close's
// /api/v1 routes, with or without the /api/v1 prefix; [NewServer] starts
// one on a loopback server, and paragontest serves one behind its proxy.
// The package doc lists what it serves and where it differs from Close.
//
// All methods are safe for concurrent use. Maps it returns hold JSON values:
// map[string]any, []any, string, bool, nil and json.Number.
type Fake struct {
	mu          sync.Mutex
	maxSkip     int
	leads       store
	contacts    store
	opps        store
	acts        store
	tasks       store
	fields      store // custom field definitions
	users       store
	exports     store
	bulks       store
	files       map[string][]byte // export ID → gzip file
	leadSt      []status
	oppSt       []status
	pipes       []pipeline
	events      []*event
	eventSeq    int64
	consolidate time.Duration
	subs        store
	subKeys     map[string]string

	failN      int
	failStatus int

	rlLimit   int
	rlWindow  time.Duration
	rlEnforce bool
	rlStart   time.Time
	rlCount   int

	hooks deliverer
}

// New returns an empty fake Close organization: one user ([UserID]), the
// lead statuses Potential, Qualified, Customer and Bad Fit, and one
// pipeline ("Sales", [PipelineID]) with the opportunity statuses Active,
// Won and Lost. Call [Fake.Close] when done if it may have delivered
// webhooks.
func New() *Fake {
	c := &Fake{}
	c.resetLocked()
	return c
}

func (c *Fake) resetLocked() {
	c.leads, c.contacts, c.opps, c.acts, c.tasks = store{}, store{}, store{}, store{}, store{}
	c.fields, c.users, c.exports, c.bulks, c.subs = store{}, store{}, store{}, store{}, store{}
	c.files, c.subKeys = map[string][]byte{}, map[string]string{}
	c.leadSt, c.oppSt, c.pipes = defaultLeadStatuses(), defaultOppStatuses(), []pipeline{{PipelineID, "Sales"}}
	c.events, c.eventSeq, c.consolidate = nil, 0, 0
	c.failN, c.failStatus, c.maxSkip = 0, 0, DefaultMaxSkip
	c.rlLimit, c.rlWindow, c.rlEnforce, c.rlStart, c.rlCount = defaultRateLimit, defaultRateWindow, false, time.Time{}, 0
	now := objectTime(time.Now())
	c.users.put(map[string]any{
		"id": UserID, "email": "test@paragontest.example", "first_name": "Paragon", "last_name": "Test",
		"display_name": userName, "image": nil, "date_created": now, "date_updated": now,
		"organizations": []any{map[string]any{"id": OrganizationID, "name": OrganizationName}},
	})
}

// FailNext makes the next n requests fail with status before they are
// handled. A 429 carries Close's rate-limit answer ("RateLimit: limit=…,
// remaining=0, reset=1", "Retry-After: 1" and the legacy body); other
// statuses carry {"error": "<status text>"}.
func (c *Fake) FailNext(n, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failN, c.failStatus = max(n, 0), status
}

// SetMaxSkip sets the largest _skip list calls accept (default
// [DefaultMaxSkip]); past it they answer 400 with "max_skip = n".
func (c *Fake) SetMaxSkip(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxSkip = max(n, 0)
}

// SetRateLimit enforces a limit of limit requests per window over all
// routes: past it, requests get 429 with RateLimit and Retry-After headers
// until the window ends. SetRateLimit(0, 0) stops enforcing (the RateLimit
// header is still sent).
func (c *Fake) SetRateLimit(limit int, window time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if limit <= 0 || window <= 0 {
		c.rlLimit, c.rlWindow, c.rlEnforce = defaultRateLimit, defaultRateWindow, false
	} else {
		c.rlLimit, c.rlWindow, c.rlEnforce = limit, window, true
	}
	c.rlStart, c.rlCount = time.Time{}, 0
}

// Reset deletes every object, event, webhook subscription and recorded
// delivery, puts statuses, pipelines and users back as [New] made them, and
// turns off FailNext and SetRateLimit. Deliveries in flight still finish.
func (c *Fake) Reset() {
	c.mu.Lock()
	c.resetLocked()
	c.mu.Unlock()
	c.hooks.reset()
}

// call is one request as the routes see it.
type call struct {
	method string
	path   string // without /api/v1, with its trailing slash
	q      url.Values
	body   map[string]any
	header http.Header
	base   string // scheme://host of the request
	reqID  string
	bulkID string // set while a bulk action applies its changes
	seed   bool   // a Go-API seeding call, not an HTTP request
}

// tzOffset returns the X-Tz-Offset of the request in hours (0 if absent).
func (cl *call) tzOffset() time.Duration {
	v := strings.TrimSpace(cl.header.Get("X-Tz-Offset"))
	h, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(h) || math.Abs(h) > 14 {
		return 0
	}
	return time.Duration(h * float64(time.Hour))
}

// reply is an answer computed under the lock and written after it.
type reply struct {
	status int
	body   any
	header http.Header
}

func ok(body any) reply { return reply{status: http.StatusOK, body: body} }

func replyStatus(status int, body any) reply { return reply{status: status, body: body} }

func notFound(kind string) reply {
	return replyStatus(http.StatusNotFound, map[string]any{"error": "Empty query: " + kind + " matching query does not exist."})
}

func fieldErrors(fe map[string]any) reply {
	return replyStatus(http.StatusBadRequest, map[string]any{"errors": []any{}, "field-errors": fe})
}

func badRequest(format string, a ...any) reply {
	return replyStatus(http.StatusBadRequest, map[string]any{"error": fmt.Sprintf(format, a...)})
}

func notAllowed(method string) reply {
	return replyStatus(http.StatusMethodNotAllowed, map[string]any{"error": fmt.Sprintf("Method %q not allowed.", method)})
}

// ServeHTTP serves the Close API.
func (c *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rest, found := strings.CutPrefix(path, "/api/v1/"); found {
		path = "/" + rest
	}
	if strings.HasPrefix(path, downloadPrefix) {
		c.serveDownload(w, r, path)
		return
	}
	cl := &call{method: r.Method, path: path, q: r.URL.Query(), header: r.Header, reqID: newID("req_")}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	cl.base = scheme + "://" + r.Host
	var bodyErr error
	if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
		b, err := readBody(r)
		if err == nil {
			cl.body, err = decodeObject(b)
		}
		bodyErr = err
	}

	c.mu.Lock()
	rl, limited := c.rateLocked(time.Now())
	var rep reply
	switch {
	case c.failN > 0:
		c.failN--
		rep = c.failure(c.failStatus)
	case limited:
		rep = c.failure(http.StatusTooManyRequests)
	case !strings.HasSuffix(path, "/"):
		rep = redirect(r)
	case bodyErr != nil:
		rep = replyStatus(http.StatusBadRequest, map[string]any{"errors": []any{"Invalid JSON body."}, "field-errors": map[string]any{}})
	default:
		rep = c.routeLocked(cl)
	}
	c.mu.Unlock()
	c.hooks.kick()

	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	if w.Header().Get("RateLimit") == "" {
		w.Header().Set("RateLimit", rl)
	}
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_, _ = w.Write(encodeJSON(rep.body))
}

// rateLocked counts a request and returns the RateLimit header value and
// whether an enforced limit is exceeded. reset is in whole seconds, rounded
// up, as Close sends it.
func (c *Fake) rateLocked(now time.Time) (string, bool) {
	if c.rlStart.IsZero() || now.Sub(c.rlStart) >= c.rlWindow {
		c.rlStart, c.rlCount = now, 0
	}
	c.rlCount++
	remaining := max(c.rlLimit-c.rlCount, 0)
	return fmt.Sprintf("limit=%d, remaining=%d, reset=%d", c.rlLimit, remaining, c.resetSecondsLocked(now)), c.rlEnforce && c.rlCount > c.rlLimit
}

// resetSecondsLocked is the time to the end of the rate window in whole
// seconds, rounded up, at least 1.
func (c *Fake) resetSecondsLocked(now time.Time) int {
	return max(int(math.Ceil(c.rlStart.Add(c.rlWindow).Sub(now).Seconds())), 1)
}

// failure answers an injected or rate-limit failure.
func (c *Fake) failure(status int) reply {
	if status != http.StatusTooManyRequests {
		text := http.StatusText(status)
		if text == "" {
			text = "Error " + strconv.Itoa(status)
		}
		return replyStatus(status, map[string]any{"error": text})
	}
	reset := 1
	if c.rlEnforce && c.rlCount > c.rlLimit {
		reset = c.resetSecondsLocked(time.Now())
	}
	h := http.Header{}
	h.Set("RateLimit", fmt.Sprintf("limit=%d, remaining=0, reset=%d", c.rlLimit, reset))
	h.Set("Retry-After", strconv.Itoa(reset))
	return reply{status: status, header: h, body: map[string]any{
		"message":             "API call count exceeded for this period",
		"rate_reset":          strconv.FormatFloat(float64(reset), 'f', 6, 64),
		"rate_limit":          c.rlLimit,
		"rate_window":         c.rlWindow.Seconds(),
		"rate_limit_type":     "key",
		"rate_endpoint_group": "closetest",
	}}
}

// redirect answers a path without its trailing slash as Close does, with a
// relative Location that works under any prefix (such as Paragon's proxy).
func redirect(r *http.Request) reply {
	p := r.URL.EscapedPath()
	loc := p[strings.LastIndex(p, "/")+1:] + "/"
	if loc == "/" {
		loc = "./"
	}
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	status := http.StatusPermanentRedirect
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		status = http.StatusMovedPermanently
	}
	h := http.Header{}
	h.Set("Location", loc)
	return reply{status: status, header: h}
}

// objectTime formats t in Close's object timestamp layout.
func objectTime(t time.Time) string { return t.UTC().Format(objectTimeLayout) }

func nowString() string { return objectTime(time.Now()) }
