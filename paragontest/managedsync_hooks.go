package paragontest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// WebhookDelivery is one Managed Sync webhook the server sent.
type WebhookDelivery struct {
	// Event is the event type, e.g. "sync_complete".
	Event string
	// Body is the JSON the server posted.
	Body []byte
	// StatusCode is the receiver's answer (0 when the post failed).
	StatusCode int
	// Response is the start of the receiver's answer body (at most 4 KiB).
	Response []byte
	// Err describes a failed post ("" on any answer).
	Err string
}

type webhookQueue struct {
	url        string
	pending    [][]byte
	running    bool
	deliveries []WebhookDelivery
	notify     chan struct{} // closed and replaced after each delivery
	client     *http.Client
}

func (q *webhookQueue) resetLocked() {
	q.url, q.pending, q.deliveries = "", nil, nil
}

// SetWebhookURL makes the server post Managed Sync webhooks to rawURL, an
// http(s) URL on a loopback host (an httptest.Server's, say), in the order
// the events happen, one at a time, in the background; "" stops them. It
// first sends the webhook_verification probe,
// {"event": "webhook_verification", "challenge": "<random hex>"}. See
// [ManagedSync.WaitWebhooks].
func (m *ManagedSync) SetWebhookURL(rawURL string) error {
	if rawURL != "" {
		u, err := url.Parse(rawURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !loopbackHost(u.Hostname()) {
			return fmt.Errorf("paragontest: webhook URL must be http(s) on a loopback host")
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hooks.url = rawURL
	if rawURL != "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		m.enqueueLocked(map[string]any{"event": "webhook_verification", "challenge": hex.EncodeToString(b[:])})
	}
	return nil
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// WebhookDeliveries returns the webhooks sent so far, oldest first.
func (m *ManagedSync) WebhookDeliveries() []WebhookDelivery {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]WebhookDelivery(nil), m.hooks.deliveries...)
}

// WaitWebhooks waits until at least n webhooks have been sent (answered or
// failed) and returns them all, or returns ctx's error.
func (m *ManagedSync) WaitWebhooks(ctx context.Context, n int) ([]WebhookDelivery, error) {
	for {
		m.mu.Lock()
		if len(m.hooks.deliveries) >= n {
			out := append([]WebhookDelivery(nil), m.hooks.deliveries...)
			m.mu.Unlock()
			return out, nil
		}
		if m.hooks.notify == nil {
			m.hooks.notify = make(chan struct{})
		}
		ch := m.hooks.notify
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ch:
		}
	}
}

// sendLocked queues a sync event with the standard properties.
func (m *ManagedSync) sendLocked(fs *fakeSync, event string, data, errObj map[string]any) {
	ev := map[string]any{
		"event": event, "sync": fs.integration, "syncInstanceId": fs.id,
		"credentialId": fs.credentialID, "user": map[string]any{"id": fs.userID},
	}
	if data != nil {
		ev["data"] = data
	}
	if errObj != nil {
		ev["error"] = errObj
	}
	m.enqueueLocked(ev)
}

func (m *ManagedSync) enqueueLocked(ev map[string]any) {
	q := &m.hooks
	if q.url == "" {
		return
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return
	}
	q.pending = append(q.pending, body)
	if q.running || m.s.ctx == nil || m.s.ctx.Err() != nil {
		return
	}
	q.running = true
	if q.client == nil {
		// No keep-alive: nothing outlives a delivery, so Server.Close
		// leaves no connection behind.
		q.client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	}
	m.s.wg.Add(1)
	go m.deliverAll()
}

// deliverAll posts the queued events in order until the queue is empty.
func (m *ManagedSync) deliverAll() {
	defer m.s.wg.Done()
	for {
		m.mu.Lock()
		q := &m.hooks
		if len(q.pending) == 0 || q.url == "" || m.s.ctx.Err() != nil {
			q.running, q.pending = false, nil
			m.mu.Unlock()
			return
		}
		body, target, client := q.pending[0], q.url, q.client
		q.pending = q.pending[1:]
		m.mu.Unlock()

		d := post(m.s.ctx, client, target, body)

		m.mu.Lock()
		q.deliveries = append(q.deliveries, d)
		if q.notify != nil {
			close(q.notify)
			q.notify = nil
		}
		m.mu.Unlock()
	}
}

func post(ctx context.Context, client *http.Client, target string, body []byte) WebhookDelivery {
	var ev struct {
		Event string `json:"event"`
	}
	_ = json.Unmarshal(body, &ev)
	d := WebhookDelivery{Event: ev.Event, Body: body}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		d.Err = err.Error()
		return d
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "paragontest-managed-sync")
	resp, err := client.Do(req)
	if err != nil {
		d.Err = err.Error()
		return d
	}
	defer func() { _ = resp.Body.Close() }()
	d.StatusCode = resp.StatusCode
	d.Response, _ = io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return d
}
