package paragontest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Trigger subscription statuses, as ActionKit reports them.
const (
	TriggerStatusActive  = "ACTIVE"
	TriggerStatusErrored = "ERRORED"
)

// akTrigger is one trigger type of the fake catalogue.
type akTrigger struct {
	integration, typ, model, title, description string
	params                                      []map[string]any
}

func akTriggers() []akTrigger {
	return []akTrigger{
		{integration: "close", typ: "CLOSE_TRIGGER_RECORD_CREATED", model: "WEBHOOK", title: "New record",
			description: "Trigger when a lead, contact or opportunity is created in Close",
			params:      []map[string]any{{"id": "objectType", "type": "ENUM", "label": "Object type", "required": true}}},
		{integration: "close", typ: "CLOSE_TRIGGER_RECORD_UPDATED", model: "POLLING", title: "Updated record",
			description: "Trigger when a Close record is updated",
			params:      []map[string]any{{"id": "objectType", "type": "ENUM", "label": "Object type", "required": true}}},
		{integration: "slack", typ: "SLACK_TRIGGER_MESSAGE_POSTED", model: "WEBHOOK", title: "New message",
			description: "Trigger when a message is posted to a channel",
			params:      []map[string]any{{"id": "channel", "type": "TEXT_NO_VARS", "label": "Channel", "required": false}}},
	}
}

// TriggerDelivery is one signed trigger webhook the server sent (or tried
// to send), as [Server.TriggerDeliveries] reports it.
type TriggerDelivery struct {
	// EventID is the event's eventId.
	EventID string
	// SubscriptionID is the subscription the event was delivered for.
	SubscriptionID string
	// URL is where it was sent: the subscription's webhook override, or the
	// project's URL ([Server.SetActionKitWebhookURL]).
	URL string
	// Body is the delivery body exactly as signed; Header the request
	// headers sent with it (x-paragon-signature, the override's headers).
	Body   []byte
	Header http.Header
	// StatusCode is the receiver's answer (0 when it could not be reached);
	// Err describes a failure to send.
	StatusCode int
	Err        string
}

// akSub is one trigger subscription. Guarded by actionKitState.mu.
type akSub struct {
	id, userID, credID, integ, typ string
	params                         map[string]any
	override                       map[string]any // url, headers, metadata; nil = none
	status                         string
	created                        time.Time
	lastEvent                      time.Time
}

// actionKitState is the fake ActionKit's own state.
type actionKitState struct {
	secret string
	client *http.Client // delivers webhooks; no keep-alives, so nothing lingers

	mu         sync.Mutex
	webhookURL string
	subs       map[string]*akSub
	order      []string // subscription IDs, oldest first
	deliveries []TriggerDelivery
	pending    int
	changed    chan struct{} // closed and replaced when a delivery finishes
}

func newActionKitState() *actionKitState {
	secret := newUUID() + newUUID()
	return &actionKitState{
		secret: "paragontest-signing-" + strings.ReplaceAll(secret, "-", "")[:32],
		client: &http.Client{
			Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil, ResponseHeaderTimeout: 10 * time.Second},
			Timeout:   15 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		subs:    map[string]*akSub{},
		changed: make(chan struct{}),
	}
}

func (a *actionKitState) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.subs, a.order, a.deliveries, a.webhookURL = map[string]*akSub{}, nil, nil, ""
}

// ActionKitSigningSecret returns the secret the server signs trigger
// webhooks with (x-paragon-signature: v1=<hex HMAC-SHA256 of the body>), as
// Settings > ActionKit shows it in Paragon's dashboard.
func (s *Server) ActionKitSigningSecret() string { return s.ak.secret }

// SetActionKitWebhookURL sets the project's ActionKit webhook URL, where
// events of subscriptions without a webhook override go. The fake delivers
// only to loopback addresses.
func (s *Server) SetActionKitWebhookURL(u string) error {
	if err := loopbackURL(u); err != nil {
		return fmt.Errorf("paragontest: SetActionKitWebhookURL: %w", err)
	}
	s.ak.mu.Lock()
	defer s.ak.mu.Unlock()
	s.ak.webhookURL = u
	return nil
}

// loopbackURL accepts http(s) URLs whose host is a loopback address or
// localhost.
func loopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	h := u.Hostname()
	if ip := net.ParseIP(h); h != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("the fake delivers webhooks only to loopback hosts, not %q", h)
	}
	return nil
}

// SetTriggerSubscriptionStatus sets a subscription's status
// ([TriggerStatusActive] or [TriggerStatusErrored]), e.g. to test how your
// code handles an ERRORED one. An ERRORED subscription delivers nothing.
func (s *Server) SetTriggerSubscriptionStatus(id, status string) error {
	if status != TriggerStatusActive && status != TriggerStatusErrored {
		return fmt.Errorf("paragontest: unknown trigger subscription status %q", status)
	}
	s.ak.mu.Lock()
	defer s.ak.mu.Unlock()
	sub := s.ak.subs[id]
	if sub == nil {
		return fmt.Errorf("paragontest: no trigger subscription %q", id)
	}
	sub.status = status
	return nil
}

// FireTrigger makes an event of triggerType happen for userID with payload
// (any JSON value): every ACTIVE subscription of that user to that type gets
// a signed delivery, sent in the background. It returns the event IDs, one
// per subscription; wait for the deliveries with
// [Server.WaitTriggerDeliveries].
func (s *Server) FireTrigger(userID, triggerType string, payload any) ([]string, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("paragontest: FireTrigger: payload: %w", err)
	}
	return s.akFire(userID, triggerType, raw), nil
}

// TriggerDeliveries returns the finished deliveries, oldest first.
func (s *Server) TriggerDeliveries() []TriggerDelivery {
	s.ak.mu.Lock()
	defer s.ak.mu.Unlock()
	return slices.Clone(s.ak.deliveries)
}

// WaitTriggerDeliveries waits until at least n deliveries have finished
// (successfully or not), or ctx is done, and returns the finished ones.
func (s *Server) WaitTriggerDeliveries(ctx context.Context, n int) ([]TriggerDelivery, error) {
	for {
		s.ak.mu.Lock()
		if len(s.ak.deliveries) >= n {
			out := slices.Clone(s.ak.deliveries)
			s.ak.mu.Unlock()
			return out, nil
		}
		ch := s.ak.changed
		s.ak.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return s.TriggerDeliveries(), fmt.Errorf("paragontest: waiting for %d trigger deliveries: %w", n, ctx.Err())
		}
	}
}

// akFire queues one delivery per matching subscription.
func (s *Server) akFire(userID, triggerType string, payload json.RawMessage) []string {
	a := s.ak
	type job struct {
		url  string
		hdr  map[string]any
		body []byte
		ev   string
		sub  string
	}
	var jobs []job
	now := time.Now()
	a.mu.Lock()
	for _, id := range a.order {
		sub := a.subs[id]
		if sub.userID != userID || sub.typ != triggerType || sub.status != TriggerStatusActive {
			continue
		}
		ev := "evt_" + strings.ReplaceAll(newUUID(), "-", "")[:16]
		meta := map[string]any{}
		target := a.webhookURL
		var hdr map[string]any
		if sub.override != nil {
			target, _ = sub.override["url"].(string)
			hdr, _ = sub.override["headers"].(map[string]any)
			if m, ok := sub.override["metadata"].(map[string]any); ok {
				meta = m
			}
		}
		body, _ := json.Marshal(map[string]any{
			"eventId": ev, "userId": userID, "integration": sub.integ, "triggerType": sub.typ,
			"triggerSubscriptionId": sub.id, "credentialId": sub.credID, "projectId": s.projectID,
			"dateReceived": isoTime(now), "payload": payload, "triggerSubscriptionMetadata": meta,
		})
		sub.lastEvent = now
		jobs = append(jobs, job{url: target, hdr: copyMap(hdr), body: body, ev: ev, sub: sub.id})
	}
	a.pending += len(jobs)
	a.mu.Unlock()
	ids := make([]string, 0, len(jobs))
	for _, j := range jobs {
		ids = append(ids, j.ev)
		if s.ctx.Err() != nil { // the server is closing: record, don't send
			a.mu.Lock()
			a.deliveries = append(a.deliveries, TriggerDelivery{EventID: j.ev, SubscriptionID: j.sub, URL: j.url, Body: j.body, Err: "server closed"})
			a.pending--
			a.mu.Unlock()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			d := s.akDeliver(j.url, j.hdr, j.body)
			d.EventID, d.SubscriptionID = j.ev, j.sub
			a.mu.Lock()
			a.deliveries = append(a.deliveries, d)
			a.pending--
			close(a.changed)
			a.changed = make(chan struct{})
			a.mu.Unlock()
		}()
	}
	return ids
}

// akDeliver POSTs one signed delivery.
func (s *Server) akDeliver(target string, hdr map[string]any, body []byte) TriggerDelivery {
	d := TriggerDelivery{URL: target, Body: body, Header: http.Header{}}
	mac := hmac.New(sha256.New, []byte(s.ak.secret))
	mac.Write(body)
	d.Header.Set("Content-Type", "application/json")
	d.Header.Set("X-Paragon-Signature", "v1="+hex.EncodeToString(mac.Sum(nil)))
	for k, v := range hdr {
		if sv, ok := v.(string); ok {
			d.Header.Set(k, sv)
		}
	}
	if target == "" {
		d.Err = "no webhook URL: set one with SetActionKitWebhookURL or a subscription's webhookOverride"
		return d
	}
	if err := loopbackURL(target); err != nil {
		d.Err = err.Error()
		return d
	}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		d.Err = err.Error()
		return d
	}
	req.Header = d.Header.Clone()
	resp, err := s.ak.client.Do(req)
	if err != nil {
		d.Err = err.Error()
		return d
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	d.StatusCode = resp.StatusCode
	return d
}

// akFireHTTP answers POST /projects/{id}/paragontest/trigger-events
// {"type", "payload"}: FireTrigger for the token's user, over HTTP, for
// clients that are not Go. It answers 202 {"eventIds": […]}.
func (s *Server) akFireHTTP(w http.ResponseWriter, r *http.Request, userID string) {
	b, err := readBody(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "Could not read the request body.", nil)
		return
	}
	var in struct {
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(b, &in) != nil || in.Type == "" {
		writeValidation(w, r, "type", "isString", "type must be a string")
		return
	}
	if in.Payload == nil {
		in.Payload = json.RawMessage("{}")
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"eventIds": orEmptyStrings(s.akFire(userID, in.Type, in.Payload))})
}

func orEmptyStrings(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
