package closetest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Delivery is one webhook delivery the fake made (or refused to make).
type Delivery struct {
	// SubscriptionID is the subscription delivered to.
	SubscriptionID string
	// EventID is the delivered event's ID.
	EventID string
	// URL is the subscription's URL.
	URL string
	// Header holds the request headers sent, close-sig-hash and
	// close-sig-timestamp included.
	Header http.Header
	// Body is the request body: {"subscription_id", "event"}.
	Body []byte
	// StatusCode is the receiver's answer, 0 when none came.
	StatusCode int
	// Err is why no answer came (a refused non-loopback URL, a dial error,
	// a timeout).
	Err error
}

// ErrNotLoopback is the [Delivery.Err] of a delivery to a URL whose host is
// not a loopback address: the fake delivers only to servers on this machine.
var ErrNotLoopback = errors.New("closetest: webhook URL is not a loopback address; not delivered")

// pending is a queued delivery.
type pending struct {
	sub, url, key, event string
	body                 []byte
}

// deliverer sends queued deliveries one at a time on a goroutine that runs
// only while there is work.
type deliverer struct {
	mu      sync.Mutex
	queue   []pending
	running bool
	idle    chan struct{} // closed when the worker stops
	log     []Delivery
	client  *http.Client // set by SetWebhookClient
	own     *http.Client
}

func (d *deliverer) add(p pending) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queue = append(d.queue, p)
}

// kick starts the worker if there is work and none runs.
func (d *deliverer) kick() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running || len(d.queue) == 0 {
		return
	}
	d.running, d.idle = true, make(chan struct{})
	go d.work()
}

func (d *deliverer) work() {
	for {
		d.mu.Lock()
		if len(d.queue) == 0 {
			d.running = false
			close(d.idle)
			hc := d.own
			d.mu.Unlock()
			if hc != nil {
				hc.CloseIdleConnections()
			}
			return
		}
		p := d.queue[0]
		d.queue = d.queue[1:]
		hc := d.clientLocked()
		d.mu.Unlock()
		rec := send(hc, p)
		d.mu.Lock()
		d.log = append(d.log, rec)
		d.mu.Unlock()
	}
}

// clientLocked returns the client for a delivery: the one given to
// SetWebhookClient, or the fake's own, which dials loopback addresses only.
func (d *deliverer) clientLocked() *http.Client {
	if d.client != nil {
		return d.client
	}
	if d.own == nil {
		dialer := &net.Dialer{Timeout: 5 * time.Second}
		tr := &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, _, err := net.SplitHostPort(addr)
				if err != nil || !isLoopback(host) {
					return nil, ErrNotLoopback
				}
				return dialer.DialContext(ctx, network, addr)
			},
			// Loopback test servers use self-signed certificates.
			TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback only
			ForceAttemptHTTP2: false,
		}
		d.own = &http.Client{Transport: tr, Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return d.own
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// send makes one delivery.
func send(hc *http.Client, p pending) Delivery {
	rec := Delivery{SubscriptionID: p.sub, EventID: p.event, URL: p.url, Body: p.body}
	u, err := url.Parse(p.url)
	if err != nil || !isLoopback(u.Hostname()) {
		rec.Err = ErrNotLoopback
		return rec
	}
	h, err := SignWebhook(p.key, p.body, time.Now())
	if err != nil {
		rec.Err = err
		return rec
	}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "closetest-webhooks")
	rec.Header = h
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, p.url, bytes.NewReader(p.body))
	if err != nil {
		rec.Err = err
		return rec
	}
	req.Header = h.Clone()
	resp, err := hc.Do(req)
	if err != nil {
		rec.Err = err
		return rec
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	rec.StatusCode = resp.StatusCode
	return rec
}

func (d *deliverer) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queue, d.log = nil, nil
}

// FlushWebhooks waits until every webhook delivery queued so far has been
// made, or ctx is done. Deliveries are asynchronous, as Close's are; call
// it before looking at what a receiver got.
func (c *Fake) FlushWebhooks(ctx context.Context) error {
	c.hooks.kick()
	c.hooks.mu.Lock()
	if !c.hooks.running {
		c.hooks.mu.Unlock()
		return nil
	}
	idle := c.hooks.idle
	c.hooks.mu.Unlock()
	select {
	case <-idle:
		return c.FlushWebhooks(ctx) // more may have been queued meanwhile
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Deliveries returns the webhook deliveries made so far, oldest first.
func (c *Fake) Deliveries() []Delivery {
	c.hooks.mu.Lock()
	defer c.hooks.mu.Unlock()
	out := make([]Delivery, len(c.hooks.log))
	for i, d := range c.hooks.log {
		d.Header, d.Body = d.Header.Clone(), bytes.Clone(d.Body)
		out[i] = d
	}
	return out
}

// SetWebhookClient makes the fake deliver webhooks with hc (for example an
// httptest TLS server's client) instead of its own client, which dials
// loopback addresses only. A nil hc restores the fake's own. Deliveries to
// URLs whose host is not a loopback address are refused either way.
func (c *Fake) SetWebhookClient(hc *http.Client) {
	c.hooks.mu.Lock()
	defer c.hooks.mu.Unlock()
	c.hooks.client = hc
}

// Close waits for the webhook deliveries in flight and closes the fake's
// idle delivery connections. The fake keeps serving; Close only makes sure
// no goroutine of it outlives a test.
func (c *Fake) Close() {
	_ = c.FlushWebhooks(context.Background())
}

// SignWebhook signs a Close webhook delivery as Close does: it returns the
// close-sig-timestamp header (at, in Unix seconds) and the close-sig-hash
// header, the lowercase hex HMAC-SHA256 of the timestamp followed by body,
// keyed by the hex-decoded signatureKey. It fails only when signatureKey is
// not hex.
func SignWebhook(signatureKey string, body []byte, at time.Time) (http.Header, error) {
	key, err := hex.DecodeString(signatureKey)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("closetest: SignWebhook: the signature key is not a hex string")
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(ts))
	mac.Write(body)
	h := http.Header{}
	h.Set("close-sig-timestamp", ts)
	h.Set("close-sig-hash", hex.EncodeToString(mac.Sum(nil)))
	return h, nil
}

// NewWebhookRequest builds a signed Close webhook delivery of body to
// target, as a request for a handler under test (httptest style: it has no
// context deadline and is not meant for a client).
func NewWebhookRequest(target, signatureKey string, body []byte, at time.Time) (*http.Request, error) {
	h, err := SignWebhook(signatureKey, body, at)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("closetest: NewWebhookRequest: %w", err)
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
