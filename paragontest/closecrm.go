package paragontest

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fixed values of the fake Close organization.
const (
	// CloseOrganizationID is the fake Close organization's ID.
	CloseOrganizationID = "orga_PtFakeOrganization0000000000000"
	// CloseUserID is the fake Close user that owns and creates objects.
	CloseUserID = "user_PtFakeCloseUser000000000000000"
	// ClosePipelineID is the fake organization's one opportunity pipeline.
	ClosePipelineID = "pipe_PtFakeSalesPipeline00000000000"

	// CloseLeadStatusPotential is the lead status "Potential", which a lead
	// created without a status gets.
	CloseLeadStatusPotential = "stat_PtLeadPotential000000000000000"
	// CloseLeadStatusQualified is the lead status "Qualified".
	CloseLeadStatusQualified = "stat_PtLeadQualified000000000000000"
	// CloseLeadStatusCustomer is the lead status "Customer".
	CloseLeadStatusCustomer = "stat_PtLeadCustomer0000000000000000"
	// CloseLeadStatusBadFit is the lead status "Bad Fit".
	CloseLeadStatusBadFit = "stat_PtLeadBadFit000000000000000000"

	// CloseOpportunityStatusActive is the opportunity status "Active" (type
	// active), which an opportunity created without a status gets.
	CloseOpportunityStatusActive = "stat_PtOppoActive00000000000000000"
	// CloseOpportunityStatusWon is the opportunity status "Won" (type won).
	CloseOpportunityStatusWon = "stat_PtOppoWon0000000000000000000"
	// CloseOpportunityStatusLost is the opportunity status "Lost" (type lost).
	CloseOpportunityStatusLost = "stat_PtOppoLost000000000000000000"

	// DefaultCloseMaxSkip is the largest _skip the fake Close accepts
	// unless [CloseCRM.SetMaxSkip] changes it.
	DefaultCloseMaxSkip = 250000

	// Default rate limit advertised in the RateLimit header; it is enforced
	// only after [CloseCRM.SetRateLimit].
	defaultRateLimit  = 240
	defaultRateWindow = time.Second

	closeUserName   = "Paragon Test"
	closeMaxLimit   = 200
	closeTimeLayout = "2006-01-02T15:04:05.000000+00:00"
)

type closeStatus struct{ id, label, typ string }

var (
	closeLeadStatuses = []closeStatus{
		{CloseLeadStatusPotential, "Potential", ""},
		{CloseLeadStatusQualified, "Qualified", ""},
		{CloseLeadStatusCustomer, "Customer", ""},
		{CloseLeadStatusBadFit, "Bad Fit", ""},
	}
	closeOppStatuses = []closeStatus{
		{CloseOpportunityStatusActive, "Active", "active"},
		{CloseOpportunityStatusWon, "Won", "won"},
		{CloseOpportunityStatusLost, "Lost", "lost"},
	}
)

// CloseCRM is a fake Close API (https://developer.close.com/) that keeps
// leads, contacts and opportunities in memory. A [Server] serves one behind
// its proxy; it is also an http.Handler of its own, for tests of code that
// calls Close directly.
//
// It serves, relative to Close's /api/v1 (which it also accepts as a
// prefix): GET and POST /contact/, /lead/ and /opportunity/; GET, PUT and
// DELETE /contact/{id}/, /lead/{id}/ and /opportunity/{id}/; POST
// /lead/merge/; POST /data/search/; GET /status/lead/ and
// /status/opportunity/. Like Close it pages with _skip and _limit (at most
// 200; has_more, and total_results on leads and opportunities), refuses a
// _skip over max_skip, answers validation errors as {"errors": [],
// "field-errors": {…}} and unknown objects as {"error": "Empty query: …"},
// redirects paths without a trailing slash (301 for GET and HEAD, 308
// otherwise), keeps custom.cf_* fields, treats PUT as a partial update
// (arrays replace), and sends a RateLimit header on every answer. Objects
// are listed oldest first. Contact lists filter on lead_id; lead lists on
// query (a substring of the name or description); opportunity lists on
// lead_id, status_id, status_type, status_label, user_id, value_period and
// contact_id (also as <field>__in comma lists), on date_created,
// date_updated and date_won ranges (__gt, __gte, __lt, __lte), and sort
// with _order_by. Other parameters are ignored.
//
// The fake is stricter than Close in one way: an opportunity needs lead_id
// (Close creates an "Untitled" lead instead). A contact without lead_id gets
// a new lead named after it, as in Close.
//
// All methods are safe for concurrent use. Maps it returns hold JSON values:
// map[string]any, []any, string, bool, nil and json.Number.
type CloseCRM struct {
	mu       sync.Mutex
	maxSkip  int
	leads    closeStore
	contacts closeStore
	opps     closeStore

	failN      int
	failStatus int

	rlLimit   int
	rlWindow  time.Duration
	rlEnforce bool
	rlStart   time.Time
	rlCount   int
}

// closeStore keeps objects of one type by ID, in creation order, indexed
// by their lead_id (for contacts and opportunities).
type closeStore struct {
	byID   map[string]map[string]any
	order  []string
	byLead map[string][]string
}

// put adds o, or replaces the object with its ID.
func (s *closeStore) put(o map[string]any) {
	id := o["id"].(string)
	if s.byID == nil {
		s.byID, s.byLead = map[string]map[string]any{}, map[string][]string{}
	}
	if _, ok := s.byID[id]; !ok {
		s.order = append(s.order, id)
		if lead := str(o["lead_id"]); lead != "" {
			s.byLead[lead] = append(s.byLead[lead], id)
		}
	}
	s.byID[id] = o
}

// del removes object id.
func (s *closeStore) del(id string) {
	o, ok := s.byID[id]
	if !ok {
		return
	}
	s.unindex(id, str(o["lead_id"]))
	delete(s.byID, id)
	s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
}

// relink moves object id to lead.
func (s *closeStore) relink(id, lead string) {
	o := s.byID[id]
	if o == nil || str(o["lead_id"]) == lead {
		return
	}
	s.unindex(id, str(o["lead_id"]))
	o["lead_id"] = lead
	s.byLead[lead] = append(s.byLead[lead], id)
}

func (s *closeStore) unindex(id, lead string) {
	if lead == "" {
		return
	}
	ids := slices.DeleteFunc(s.byLead[lead], func(x string) bool { return x == id })
	if len(ids) == 0 {
		delete(s.byLead, lead)
	} else {
		s.byLead[lead] = ids
	}
}

// all returns the objects in creation order.
func (s *closeStore) all() []map[string]any {
	out := make([]map[string]any, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.byID[id])
	}
	return out
}

// ofLead returns the objects of lead, in the order they joined it.
func (s *closeStore) ofLead(lead string) []map[string]any {
	ids := s.byLead[lead]
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.byID[id])
	}
	return out
}

// NewCloseCRM returns an empty fake Close organization.
func NewCloseCRM() *CloseCRM {
	return &CloseCRM{maxSkip: DefaultCloseMaxSkip, rlLimit: defaultRateLimit, rlWindow: defaultRateWindow}
}

// FailNext makes the next n requests fail with status before they are
// handled. A 429 carries Close's rate-limit answer: "RateLimit: limit=…,
// remaining=0, reset=0.01", "Retry-After: 1" and the legacy body; other
// statuses carry {"error": "<status text>"}.
func (c *CloseCRM) FailNext(n, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failN, c.failStatus = max(n, 0), status
}

// SetMaxSkip sets the largest _skip list calls accept (default
// [DefaultCloseMaxSkip]); past it they answer 400 with "max_skip = n".
func (c *CloseCRM) SetMaxSkip(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxSkip = max(n, 0)
}

// SetRateLimit enforces a limit of limit requests per window over all
// routes: past it, requests get 429 with RateLimit and Retry-After headers
// until the window ends. SetRateLimit(0, 0) stops enforcing (the RateLimit
// header is still sent).
func (c *CloseCRM) SetRateLimit(limit int, window time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if limit <= 0 || window <= 0 {
		c.rlLimit, c.rlWindow, c.rlEnforce = defaultRateLimit, defaultRateWindow, false
	} else {
		c.rlLimit, c.rlWindow, c.rlEnforce = limit, window, true
	}
	c.rlStart, c.rlCount = time.Time{}, 0
}

// Reset deletes every object and turns off FailNext and SetRateLimit; the
// max_skip is set back to [DefaultCloseMaxSkip].
func (c *CloseCRM) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.leads, c.contacts, c.opps = closeStore{}, closeStore{}, closeStore{}
	c.failN, c.failStatus, c.maxSkip = 0, 0, DefaultCloseMaxSkip
	c.rlLimit, c.rlWindow, c.rlEnforce, c.rlStart, c.rlCount = defaultRateLimit, defaultRateWindow, false, time.Time{}, 0
}

// closeReply is an answer computed under the lock and written after it.
type closeReply struct {
	status int
	body   any
	header http.Header
}

func reply(status int, body any) closeReply { return closeReply{status: status, body: body} }

func closeNotFound(kind string) closeReply {
	return reply(http.StatusNotFound, map[string]any{"error": "Empty query: " + kind + " matching query does not exist."})
}

func closeFieldErrors(fe map[string]any) closeReply {
	return reply(http.StatusBadRequest, map[string]any{"errors": []any{}, "field-errors": fe})
}

func closeBadRequest(msg string) closeReply {
	return reply(http.StatusBadRequest, map[string]any{"error": msg})
}

// ServeHTTP serves the Close API.
func (c *CloseCRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/api/v1/"); ok {
		path = "/" + rest
	}
	var body map[string]any
	var bodyErr error
	if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
		b, err := readBody(r)
		if err == nil {
			body, err = decodeObject(b)
		}
		bodyErr = err
	}

	c.mu.Lock()
	rl, limited := c.rateLocked(time.Now())
	var rep closeReply
	switch {
	case c.failN > 0:
		c.failN--
		rep = c.failure(c.failStatus)
	case limited:
		rep = c.failure(http.StatusTooManyRequests)
	case !strings.HasSuffix(path, "/"):
		rep = redirect(r)
	case bodyErr != nil:
		rep = reply(http.StatusBadRequest, map[string]any{"errors": []any{"Invalid JSON body."}, "field-errors": map[string]any{}})
	default:
		rep = c.routeLocked(r.Method, path, r.URL.Query(), body)
	}
	c.mu.Unlock()

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
	writeJSON(w, rep.status, rep.body)
}

// rateLocked counts a request and returns the RateLimit header value and
// whether an enforced limit is exceeded.
func (c *CloseCRM) rateLocked(now time.Time) (string, bool) {
	if c.rlStart.IsZero() || now.Sub(c.rlStart) >= c.rlWindow {
		c.rlStart, c.rlCount = now, 0
	}
	c.rlCount++
	reset := c.rlStart.Add(c.rlWindow).Sub(now).Seconds()
	remaining := max(c.rlLimit-c.rlCount, 0)
	return fmt.Sprintf("limit=%d, remaining=%d, reset=%.3f", c.rlLimit, remaining, reset), c.rlEnforce && c.rlCount > c.rlLimit
}

// failure answers an injected or rate-limit failure.
func (c *CloseCRM) failure(status int) closeReply {
	if status != http.StatusTooManyRequests {
		text := http.StatusText(status)
		if text == "" {
			text = "Error " + strconv.Itoa(status)
		}
		return reply(status, map[string]any{"error": text})
	}
	reset := 0.01
	if c.rlEnforce && c.rlCount > c.rlLimit {
		reset = max(time.Until(c.rlStart.Add(c.rlWindow)).Seconds(), 0.001)
	}
	h := http.Header{}
	h.Set("RateLimit", fmt.Sprintf("limit=%d, remaining=0, reset=%.3f", c.rlLimit, reset))
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(reset))))
	return closeReply{status: status, header: h, body: map[string]any{
		"message":             "API call count exceeded for this period",
		"rate_reset":          strconv.FormatFloat(reset, 'f', 6, 64),
		"rate_limit":          c.rlLimit,
		"rate_window":         c.rlWindow.Seconds(),
		"rate_limit_type":     "key",
		"rate_endpoint_group": "paragontest",
	}}
}

// redirect answers a path without its trailing slash as Close does, with a
// relative Location that works under any prefix (such as Paragon's proxy).
func redirect(r *http.Request) closeReply {
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
	return closeReply{status: status, header: h}
}

// routeLocked dispatches one request. c.mu must be held.
func (c *CloseCRM) routeLocked(method, path string, q url.Values, body map[string]any) closeReply {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	notAllowed := reply(http.StatusMethodNotAllowed, map[string]any{"error": fmt.Sprintf("Method %q not allowed.", method)})
	switch {
	case len(segs) == 1 && (segs[0] == "contact" || segs[0] == "lead" || segs[0] == "opportunity"):
		switch method {
		case http.MethodGet:
			return c.listLocked(segs[0], q)
		case http.MethodPost:
			var rep closeReply
			switch segs[0] {
			case "contact":
				rep = c.createContactLocked(body)
			case "lead":
				rep = c.createLeadLocked(body)
			default:
				rep = c.createOppLocked(body)
			}
			return project(rep, q)
		}
		return notAllowed
	case len(segs) == 2 && segs[0] == "lead" && segs[1] == "merge":
		if method != http.MethodPost {
			return notAllowed
		}
		return c.mergeLocked(body)
	case len(segs) == 2 && (segs[0] == "contact" || segs[0] == "lead" || segs[0] == "opportunity"):
		id := segs[1]
		switch method {
		case http.MethodGet:
			o := c.getLocked(segs[0], id)
			if o == nil {
				return closeNotFound(kindName(segs[0]))
			}
			return project(reply(http.StatusOK, o), q)
		case http.MethodPut:
			return project(c.updateLocked(segs[0], id, body), q)
		case http.MethodDelete:
			return c.deleteLocked(segs[0], id)
		}
		return notAllowed
	case len(segs) == 2 && segs[0] == "data" && segs[1] == "search":
		if method != http.MethodPost {
			return notAllowed
		}
		return c.searchLocked(body)
	case len(segs) == 2 && segs[0] == "status" && (segs[1] == "lead" || segs[1] == "opportunity"):
		if method != http.MethodGet {
			return notAllowed
		}
		return reply(http.StatusOK, map[string]any{"data": statusList(segs[1]), "has_more": false})
	}
	return reply(http.StatusNotFound, map[string]any{"error": "Not found."})
}

func kindName(kind string) string {
	switch kind {
	case "contact":
		return "Contact"
	case "lead":
		return "Lead"
	}
	return "Opportunity"
}

func statusList(kind string) []any {
	var out []any
	if kind == "lead" {
		for _, s := range closeLeadStatuses {
			out = append(out, map[string]any{"id": s.id, "label": s.label, "organization_id": CloseOrganizationID})
		}
		return out
	}
	for _, s := range closeOppStatuses {
		out = append(out, map[string]any{
			"id": s.id, "label": s.label, "type": s.typ, "status_type": s.typ,
			"pipeline_id": ClosePipelineID, "organization_id": CloseOrganizationID,
		})
	}
	return out
}

// project trims a 2xx object answer to the fields in _fields.
func project(rep closeReply, q url.Values) closeReply {
	if rep.status/100 != 2 || q.Get("_fields") == "" {
		return rep
	}
	if o, ok := rep.body.(map[string]any); ok {
		rep.body = pick(o, q.Get("_fields"))
	}
	return rep
}

// pick keeps the comma-separated fields of o ("custom" keeps every custom
// field, "_all" keeps everything).
func pick(o map[string]any, fields string) map[string]any {
	out := map[string]any{}
	for _, f := range strings.Split(fields, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "_all":
			return o
		case f == "custom":
			for k, v := range o {
				if strings.HasPrefix(k, "custom.") {
					out[k] = v
				}
			}
		default:
			if v, ok := o[f]; ok {
				out[f] = v
			}
		}
	}
	return out
}

// getLocked renders one object, or returns nil.
func (c *CloseCRM) getLocked(kind, id string) map[string]any {
	switch kind {
	case "contact":
		if o := c.contacts.byID[id]; o != nil {
			return copyMap(o)
		}
	case "lead":
		if o := c.leads.byID[id]; o != nil {
			return c.renderLeadLocked(o)
		}
	case "opportunity":
		if o := c.opps.byID[id]; o != nil {
			return c.renderOppLocked(o)
		}
	}
	return nil
}

// ---- paging and lists ----

// page parses _skip and _limit.
func (c *CloseCRM) page(q url.Values) (skip, limit int, rep *closeReply) {
	limit = 100
	if v := q.Get("_skip"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			r := closeBadRequest("_skip must be a non-negative integer.")
			return 0, 0, &r
		}
		skip = n
	}
	if v := q.Get("_limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			r := closeBadRequest("_limit must be a non-negative integer.")
			return 0, 0, &r
		}
		if n > closeMaxLimit {
			r := closeBadRequest(fmt.Sprintf("_limit must not be greater than %d.", closeMaxLimit))
			return 0, 0, &r
		}
		limit = n
	}
	if skip > c.maxSkip {
		r := closeBadRequest(fmt.Sprintf("The skip value is too large (max_skip = %d). Narrow the query with a date range.", c.maxSkip))
		return 0, 0, &r
	}
	return skip, limit, nil
}

// listLocked answers GET /contact/, /lead/ and /opportunity/.
func (c *CloseCRM) listLocked(kind string, q url.Values) closeReply {
	skip, limit, bad := c.page(q)
	if bad != nil {
		return *bad
	}
	var matches []map[string]any
	switch kind {
	case "contact":
		pool := c.contacts.all()
		if lead, ok := q["lead_id"]; ok {
			pool = c.contacts.ofLead(lead[0])
		}
		for _, o := range pool {
			if filterMatch(o, q, "lead_id") {
				matches = append(matches, o)
			}
		}
	case "lead":
		text := strings.ToLower(q.Get("query"))
		for _, o := range c.leads.all() {
			if text == "" || strings.Contains(strings.ToLower(str(o["display_name"])+" "+str(o["description"])), text) {
				matches = append(matches, o)
			}
		}
	case "opportunity":
		pool := c.opps.all()
		if lead, ok := q["lead_id"]; ok {
			pool = c.opps.ofLead(lead[0])
		}
		for _, o := range pool {
			r := c.renderOppLocked(o)
			if filterMatch(r, q, "lead_id", "status_id", "status_type", "status_label", "user_id", "value_period", "contact_id") &&
				rangeMatch(r, q, "date_created", "date_updated", "date_won") {
				matches = append(matches, r)
			}
		}
		if by := q.Get("_order_by"); by != "" {
			desc := strings.HasPrefix(by, "-")
			field := strings.TrimPrefix(by, "-")
			slices.SortStableFunc(matches, func(a, b map[string]any) int {
				r := compareValues(a[field], b[field])
				if desc {
					r = -r
				}
				return r
			})
		}
	}
	end := min(skip+limit, len(matches))
	data := []any{}
	for i := skip; i < end; i++ {
		var o map[string]any
		switch kind {
		case "contact":
			o = copyMap(matches[i])
		case "lead":
			o = c.renderLeadLocked(matches[i])
		default:
			o = matches[i]
		}
		if f := q.Get("_fields"); f != "" {
			o = pick(o, f)
		}
		data = append(data, o)
	}
	out := map[string]any{"data": data, "has_more": end < len(matches)}
	if kind != "contact" {
		out["total_results"] = len(matches)
	}
	if kind == "opportunity" {
		addAggregates(out, matches)
	}
	return reply(http.StatusOK, out)
}

// filterMatch applies the equality filters named in keys (and their
// <key>__in comma-list forms) that q carries.
func filterMatch(o map[string]any, q url.Values, keys ...string) bool {
	for _, k := range keys {
		if v, ok := q[k]; ok && str(o[k]) != v[0] {
			return false
		}
		if v, ok := q[k+"__in"]; ok && !slices.Contains(strings.Split(v[0], ","), str(o[k])) {
			return false
		}
	}
	return true
}

// rangeMatch applies the <field>__gt, __gte, __lt and __lte filters that q
// carries for the given date or time fields. An object without the field
// never matches a range.
func rangeMatch(o map[string]any, q url.Values, fields ...string) bool {
	for _, f := range fields {
		for _, op := range []string{"__gt", "__gte", "__lt", "__lte"} {
			bound, ok := q[f+op]
			if !ok {
				continue
			}
			if o[f] == nil {
				return false
			}
			c := compareValues(o[f], bound[0])
			if op == "__gt" && c <= 0 || op == "__gte" && c < 0 || op == "__lt" && c >= 0 || op == "__lte" && c > 0 {
				return false
			}
		}
	}
	return true
}

// compareValues orders two JSON values: as numbers when both are, as times
// when both parse as dates or timestamps, and as strings otherwise. nil sorts
// first.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if x, ok := toFloat(a); ok {
		if y, ok := toFloat(b); ok {
			return cmp.Compare(x, y)
		}
	}
	if x, ok := parseCloseTime(str(a)); ok {
		if y, ok := parseCloseTime(str(b)); ok {
			return x.Compare(y)
		}
	}
	return strings.Compare(str(a), str(b))
}

// parseCloseTime parses the date and time layouts Close and its clients use.
func parseCloseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ---- helpers for JSON values ----

// str returns v as a string ("" for nil; numbers and bools in JSON form).
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// toInt returns v as an integer when it is a whole JSON number.
func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true
		}
		if f, err := x.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	case int:
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}

// closeID returns a new ID with Close's prefix for kind.
func closeID(prefix string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [32]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b[:])
}

// closeNow returns the current time in Close's object timestamp layout.
func closeNow() string { return time.Now().UTC().Format(closeTimeLayout) }

// applyCustom applies the custom-field keys of in to o: "custom.cf_x" sets
// (null clears), "custom.cf_x.add" and ".remove" change a multi-value field.
func applyCustom(o, in map[string]any) {
	for k, v := range in {
		if !strings.HasPrefix(k, "custom.") {
			continue
		}
		switch {
		case strings.HasSuffix(k, ".add"):
			key := strings.TrimSuffix(k, ".add")
			o[key] = append(asList(o[key]), v)
		case strings.HasSuffix(k, ".remove"):
			key := strings.TrimSuffix(k, ".remove")
			list := slices.DeleteFunc(asList(o[key]), func(x any) bool { return str(x) == str(v) })
			o[key] = list
		case v == nil:
			delete(o, k)
		default:
			o[k] = v
		}
	}
}

func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return []any{}
	case []any:
		return slices.Clone(x)
	}
	return []any{v}
}
