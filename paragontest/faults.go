package paragontest

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// faults holds the fault injection of a Server.
type faults struct {
	mu         sync.Mutex
	latMin     time.Duration
	latMax     time.Duration
	failN      int
	failStatus int
	rate       float64
	rateStatus int
	dropN      int
}

// InjectLatency delays every request by a random duration between min and
// max before it is handled. The wait ends early if the client goes away or
// the server closes. InjectLatency(0, 0) turns it off.
func (s *Server) InjectLatency(min, max time.Duration) {
	if min < 0 {
		min = 0
	}
	if max < min {
		max = min
	}
	s.faults.mu.Lock()
	s.faults.latMin, s.faults.latMax = min, max
	s.faults.mu.Unlock()
}

// FailNext makes the next n requests, on any route, fail with status in
// Paragon's error shape before they are handled, so they change no state and
// record no event. 429 and 5xx answers carry "Retry-After: 0", so a client
// that honours it retries at once. For failures
// of Close itself behind the proxy, use [CloseCRM.FailNext].
func (s *Server) FailNext(n, status int) {
	s.faults.mu.Lock()
	s.faults.failN, s.faults.failStatus = max(n, 0), status
	s.faults.mu.Unlock()
}

// FailRate makes a random fraction p (0 to 1) of requests fail with status,
// like [Server.FailNext]. FailRate(0, 0) turns it off.
func (s *Server) FailRate(p float64, status int) {
	s.faults.mu.Lock()
	s.faults.rate, s.faults.rateStatus = min(max(p, 0), 1), status
	s.faults.mu.Unlock()
}

// DropNext makes the server read the next n requests and then close their
// connections without answering, as a crashed server or a broken network
// would. Those requests change no state.
func (s *Server) DropNext(n int) {
	s.faults.mu.Lock()
	s.faults.dropN = max(n, 0)
	s.faults.mu.Unlock()
}

// ResetFaults turns off every fault set with [Server.InjectLatency],
// [Server.FailNext], [Server.FailRate] and [Server.DropNext].
func (s *Server) ResetFaults() {
	f := &s.faults
	f.mu.Lock()
	f.latMin, f.latMax, f.failN, f.failStatus, f.rate, f.rateStatus, f.dropN = 0, 0, 0, 0, 0, 0, 0
	f.mu.Unlock()
}

// faultAction is what the fault injection decided for one request.
type faultAction struct {
	delay  time.Duration
	drop   bool
	status int // fail with this status when non-zero
}

// next decides the faults for one request.
func (f *faults) next() faultAction {
	f.mu.Lock()
	defer f.mu.Unlock()
	var a faultAction
	if f.latMax > 0 {
		a.delay = f.latMin
		if span := f.latMax - f.latMin; span > 0 {
			a.delay += rand.N(span + 1)
		}
	}
	switch {
	case f.dropN > 0:
		f.dropN--
		a.drop = true
	case f.failN > 0:
		f.failN--
		a.status = f.failStatus
	case f.rate > 0 && rand.Float64() < f.rate:
		a.status = f.rateStatus
	}
	return a
}

// applyFaults runs the fault injection for r. It reports whether the request
// should be handled; when not, it has answered (or dropped) it.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request) bool {
	a := s.faults.next()
	if !sleep(a.delay, r.Context(), s.ctx) {
		return false
	}
	switch {
	case a.drop:
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBody))
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return false
		}
		// Not hijackable (HTTP/2): abort the response instead.
		panic(http.ErrAbortHandler)
	case a.status != 0:
		if a.status == http.StatusTooManyRequests || a.status >= 500 {
			w.Header().Set("Retry-After", "0")
		}
		writeError(w, r, a.status, codeInjected, "Injected failure ("+strconv.Itoa(a.status)+") from paragontest.", nil)
		return false
	}
	return true
}

// RecordedRequest is one request the server received. See [Server.Requests].
type RecordedRequest struct {
	// Method and Path are the request's method and URL path.
	Method, Path string
	// Query is the raw query string.
	Query string
	// UserID is the subject of the request's token, when it was valid.
	UserID string
	// Status is the status the server answered; 0 if the request was
	// dropped or is still being handled.
	Status int
	// RequestID is the X-Request-Id the server gave the request.
	RequestID string
	// Credential and Configuration are the request's X-Paragon-Credential
	// and X-Paragon-Configuration-Id headers, if sent.
	Credential, Configuration string
	// Origin is the request's Origin header: set on a browser's
	// cross-origin calls.
	Origin string
	// Time is when the request arrived.
	Time time.Time
}

// maxRequestLog is how many requests [Server.Requests] keeps.
const maxRequestLog = 100_000

// requestLog records requests, keeping the latest maxRequestLog.
type requestLog struct {
	mu    sync.Mutex
	reqs  []RecordedRequest
	base  int // sequence number of reqs[0]
	total int // requests ever added
}

// add records r and returns its sequence number, for finish.
func (l *requestLog) add(r RecordedRequest) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.reqs) >= maxRequestLog {
		half := len(l.reqs) / 2
		l.reqs = append(l.reqs[:0:0], l.reqs[half:]...)
		l.base += half
	}
	l.reqs = append(l.reqs, r)
	l.total++
	return l.base + len(l.reqs) - 1
}

// finish sets the user and status of request seq, if it is still kept.
func (l *requestLog) finish(seq int, userID string, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := seq - l.base; i >= 0 && i < len(l.reqs) {
		l.reqs[i].UserID, l.reqs[i].Status = userID, status
	}
}

// reset empties the log.
func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.base += len(l.reqs)
	l.reqs, l.total = nil, 0
}

// Requests returns the requests the server has received, oldest first,
// including those that failed or were dropped by fault injection. A request
// is recorded as soon as it arrives, and its Status once it is answered. The
// log keeps the latest 100,000 requests; [Server.RequestCount] counts all.
func (s *Server) Requests() []RecordedRequest {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return append([]RecordedRequest(nil), s.log.reqs...)
}

// RequestCount returns the number of requests the server has received
// (since [Server.Reset]).
func (s *Server) RequestCount() int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.total
}

// reqInfo is what handlers tell serveHTTP about a request.
type reqInfo struct {
	userID string
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush flushes the response, for streamed raw proxy answers.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serveHTTP is the server's root handler: request ID, CORS (a preflight is
// answered here, before the log, authentication and faults), request log,
// faults, then the routes.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	id := newUUID()
	info := &reqInfo{}
	ctx := context.WithValue(r.Context(), ctxRequestID, id)
	ctx = context.WithValue(ctx, ctxUserID, info)
	r = r.WithContext(ctx)
	w.Header().Set("X-Request-Id", id)
	if s.cors(w, r) {
		return
	}
	i := s.log.add(RecordedRequest{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, RequestID: id, Time: time.Now(),
		Credential: r.Header.Get(headerCredential), Configuration: r.Header.Get(headerConfiguration),
		Origin: r.Header.Get("Origin"),
	})
	sw := &statusWriter{ResponseWriter: w}
	defer func() { s.log.finish(i, info.userID, sw.status) }()
	if !s.applyFaults(sw, r) {
		return
	}
	s.routes.ServeHTTP(sw, r)
}

// Reset puts the server back as [NewServer] left it: users back to their
// seeds ([WithUser]), no recorded events or requests, an empty fake Close
// ([CloseCRM.Reset]) and no faults ([Server.ResetFaults]). Workflow and proxy
// handlers stay registered. Use it between subtests that share a server.
func (s *Server) Reset() {
	s.ResetFaults()
	s.resetTaskHistory()
	s.crm.Reset()
	s.ak.reset()
	s.msync.reset()
	s.log.reset()
	s.preflights.Store(0)
	s.mu.Lock()
	s.users = map[string]*user{}
	s.events = nil
	s.mu.Unlock()
	for _, seed := range s.seeds {
		_ = s.AddUser(seed) // validated by NewServer
	}
}
