package actionkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/paragon-go/paragon"
)

// TriggerModel tells how ActionKit learns of a trigger's events.
type TriggerModel string

// Trigger models.
const (
	// TriggerModelPolling: Paragon polls the provider.
	TriggerModelPolling TriggerModel = "POLLING"
	// TriggerModelWebhook: Paragon registers a webhook with the provider.
	TriggerModelWebhook TriggerModel = "WEBHOOK"
)

// SubscriptionStatus is a trigger subscription's status.
type SubscriptionStatus string

// Subscription statuses.
const (
	// SubscriptionActive: events are delivered.
	SubscriptionActive SubscriptionStatus = "ACTIVE"
	// SubscriptionErrored: the subscription failed (e.g. the provider
	// refused its webhook); it delivers nothing until fixed.
	SubscriptionErrored SubscriptionStatus = "ERRORED"
)

// TriggerParameter is one input of a trigger type.
type TriggerParameter struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Label    string `json:"label"`
	Required bool   `json:"required"`
}

// TriggerType is one trigger in the catalogue.
type TriggerType struct {
	// Integration is the integration the trigger belongs to.
	Integration string `json:"-"`
	// Type is the trigger's name, what a subscription's Type takes.
	Type        string             `json:"type"`
	Model       TriggerModel       `json:"triggerModel"`
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Parameters  []TriggerParameter `json:"parameters"`
	// Raw is the entry as sent.
	Raw json.RawMessage `json:"-"`
}

// TriggerList is the answer of [Client.ListTriggers].
type TriggerList struct {
	// Triggers lists every trigger type, sorted by integration, in
	// ActionKit's order within an integration.
	Triggers []TriggerType
	// Errors are the per-integration errors ActionKit reported.
	Errors []IntegrationError
}

// ListTriggersParams filter [Client.ListTriggers].
type ListTriggersParams struct {
	// Integrations limits the catalogue to these integrations (query
	// integrations=a,b).
	Integrations []string
	// IncludeUnavailable lists triggers of integrations the user has not
	// connected too (query limit_to_available=false).
	IncludeUnavailable bool
}

// ListTriggers reads the trigger catalogue (GET /projects/{id}/triggers).
//
// See https://docs.useparagon.com/actionkit/triggers.
func (c *Client) ListTriggers(ctx context.Context, p *ListTriggersParams, opts ...paragon.CallOption) (*TriggerList, error) {
	var q url.Values
	if p != nil {
		q = url.Values{}
		if len(p.Integrations) > 0 {
			s, err := checkList("integration", p.Integrations)
			if err != nil {
				return nil, err
			}
			q.Set("integrations", s)
		}
		if p.IncludeUnavailable {
			q.Set("limit_to_available", "false")
		}
		if len(q) == 0 {
			q = nil
		}
	}
	var w struct {
		Triggers map[string][]json.RawMessage `json:"triggers"`
		Errors   []IntegrationError           `json:"errors"`
	}
	if err := c.callJSON(ctx, http.MethodGet, c.pathOrEmpty("/triggers"), &paragon.CallParams{Query: q, Template: "/projects/{id}/triggers"}, opts, "list triggers", &w); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(w.Triggers))
	for k := range w.Triggers {
		names = append(names, k)
	}
	slices.Sort(names)
	out := &TriggerList{Triggers: []TriggerType{}, Errors: w.Errors}
	for _, integ := range names {
		for _, raw := range w.Triggers[integ] {
			var t TriggerType
			if err := json.Unmarshal(raw, &t); err != nil {
				return nil, fmt.Errorf("%w: actionkit: list triggers: %s: %w", paragon.ErrInvalidResponse, integ, err)
			}
			t.Integration, t.Raw = integ, raw
			out.Triggers = append(out.Triggers, t)
		}
	}
	return out, nil
}

// WebhookOverride sends a subscription's events to a URL of its own
// instead of the project's ActionKit webhook URL. Header values are not
// printed by the package's errors; they are sent to Paragon as given.
type WebhookOverride struct {
	// URL receives the events. Required.
	URL string `json:"url"`
	// Headers are sent with every delivery (e.g. your own auth header).
	Headers map[string]string `json:"headers,omitzero"`
	// Metadata comes back in each event's triggerSubscriptionMetadata.
	Metadata map[string]any `json:"metadata,omitzero"`
}

// String describes the override with its header values redacted (they
// often hold the receiver's own secret); the JSON encoding, sent to
// Paragon, keeps them.
func (o WebhookOverride) String() string {
	names := make([]string, 0, len(o.Headers))
	for k := range o.Headers {
		names = append(names, k+": [redacted]")
	}
	slices.Sort(names)
	return fmt.Sprintf("actionkit.WebhookOverride{URL: %q, Headers: %v, Metadata: %v}", o.URL, names, o.Metadata)
}

// GoString is String, so %#v redacts too.
func (o WebhookOverride) GoString() string { return o.String() }

// Format writes String for every verb.
func (o WebhookOverride) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(o.String())) }

// LogValue logs the URL and the header names only.
func (o WebhookOverride) LogValue() slog.Value {
	names := make([]string, 0, len(o.Headers))
	for k := range o.Headers {
		names = append(names, k)
	}
	slices.Sort(names)
	return slog.GroupValue(slog.String("url", o.URL), slog.Any("headers", names))
}

func (o *WebhookOverride) check() error {
	if o == nil {
		return nil
	}
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalid("webhook override URL must be an absolute http(s) URL")
	}
	for k := range o.Headers {
		if err := checkName("webhook override header name", k); err != nil {
			return err
		}
	}
	return nil
}

// SubscriptionParams create a trigger subscription.
//
// See https://docs.useparagon.com/actionkit/triggers/api-reference/subscribe-to-trigger.
type SubscriptionParams struct {
	// Integration names the integration; optional when Type implies it.
	Integration string `json:"integration,omitzero"`
	// Type is the trigger type from the catalogue, e.g.
	// "SALESFORCE_TRIGGER_RECORD_CREATED". Required.
	Type string `json:"type"`
	// Parameters are the trigger's inputs (a JSON object; nil sends {}).
	Parameters any `json:"parameters"`
	// WebhookOverride, if set, sends the events to a URL of your own.
	WebhookOverride *WebhookOverride `json:"webhookOverride,omitzero"`
}

// Subscription is a trigger subscription of the user.
type Subscription struct {
	ID         string             `json:"id"`
	Type       string             `json:"type"`
	Parameters json.RawMessage    `json:"parameters,omitzero"`
	Status     SubscriptionStatus `json:"status"`
	// DateCreated and DateLastReceivedEvent are zero when ActionKit sent
	// none (or null).
	DateCreated           time.Time `json:"-"`
	DateLastReceivedEvent time.Time `json:"-"`
	CredentialID          string    `json:"credentialId,omitzero"`
	// Raw is the subscription as sent (webhookOverride included, when
	// ActionKit echoes it).
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a subscription, tolerating null or odd dates.
func (s *Subscription) UnmarshalJSON(b []byte) error {
	type plain Subscription
	var w struct {
		plain
		DateCreated           json.RawMessage `json:"dateCreated"`
		DateLastReceivedEvent json.RawMessage `json:"dateLastReceivedEvent"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Subscription(w.plain)
	s.DateCreated = parseTime(w.DateCreated)
	s.DateLastReceivedEvent = parseTime(w.DateLastReceivedEvent)
	s.Raw = append(json.RawMessage(nil), b...)
	return nil
}

func parseTime(raw json.RawMessage) time.Time {
	var str string
	if json.Unmarshal(raw, &str) != nil || str == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, str)
	if err != nil {
		return time.Time{}
	}
	return t
}

// CreateSubscription subscribes the user to a trigger (POST
// /projects/{id}/trigger-subscriptions). With several accounts of the
// integration, pick one with paragon.WithCredential. It is a write, sent at
// most once unless it certainly did not reach Paragon.
//
// See https://docs.useparagon.com/actionkit/triggers/api-reference/subscribe-to-trigger.
func (c *Client) CreateSubscription(ctx context.Context, p *SubscriptionParams, opts ...paragon.CallOption) (*Subscription, error) {
	if p == nil {
		return nil, invalid("nil *SubscriptionParams")
	}
	if err := checkName("trigger type", p.Type); err != nil {
		return nil, err
	}
	if p.Integration != "" {
		if err := checkName("integration", p.Integration); err != nil {
			return nil, err
		}
	}
	params, err := encodeObject("parameters", p.Parameters)
	if err != nil {
		return nil, err
	}
	if err := p.WebhookOverride.check(); err != nil {
		return nil, err
	}
	body := *p
	body.Parameters = params
	sub := new(Subscription)
	if err := c.callJSON(ctx, http.MethodPost, c.pathOrEmpty("/trigger-subscriptions"), &paragon.CallParams{Body: body, Template: "/projects/{id}/trigger-subscriptions"}, opts, "create trigger subscription", sub); err != nil {
		return nil, err
	}
	return sub, nil
}

// SubscriptionUpdate changes a subscription with PATCH semantics: what is
// left unset stays as it is.
//
// See https://docs.useparagon.com/actionkit/triggers/api-reference/update-trigger-subscription.
type SubscriptionUpdate struct {
	// Parameters, when not nil, are sent as the "parameters" object: keys
	// it names are set, and a key whose value is nil is sent as null, which
	// removes it.
	Parameters map[string]any
	// WebhookOverride, when not nil, sets the webhook override.
	WebhookOverride *WebhookOverride
	// RemoveWebhookOverride sends "webhookOverride": null, which removes the
	// override so events go to the project's webhook URL again.
	RemoveWebhookOverride bool
}

// UpdateSubscription changes the subscription id (PATCH
// /projects/{id}/trigger-subscriptions/{subscriptionId}).
func (c *Client) UpdateSubscription(ctx context.Context, id string, p *SubscriptionUpdate, opts ...paragon.CallOption) (*Subscription, error) {
	if err := checkName("subscription ID", id); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, invalid("nil *SubscriptionUpdate")
	}
	body := map[string]json.RawMessage{}
	if p.Parameters != nil {
		raw, err := encodeObject("parameters", p.Parameters)
		if err != nil {
			return nil, err
		}
		body["parameters"] = raw
	}
	switch {
	case p.RemoveWebhookOverride && p.WebhookOverride != nil:
		return nil, invalid("both WebhookOverride and RemoveWebhookOverride are set")
	case p.RemoveWebhookOverride:
		body["webhookOverride"] = json.RawMessage("null")
	case p.WebhookOverride != nil:
		if err := p.WebhookOverride.check(); err != nil {
			return nil, err
		}
		raw, err := encodeObject("webhook override", p.WebhookOverride)
		if err != nil {
			return nil, err
		}
		body["webhookOverride"] = raw
	}
	if len(body) == 0 {
		return nil, invalid("empty subscription update")
	}
	sub := new(Subscription)
	path := c.pathOrEmpty("/trigger-subscriptions/" + url.PathEscape(id))
	if err := c.callJSON(ctx, http.MethodPatch, path, &paragon.CallParams{Body: body, Template: "/projects/{id}/trigger-subscriptions/{subscriptionId}"}, opts, "update trigger subscription", sub); err != nil {
		return nil, err
	}
	return sub, nil
}

// DeleteResult is the answer of [Client.DeleteSubscription].
type DeleteResult struct {
	Success bool `json:"success"`
	// Warning is ActionKit's note on the teardown, if any (e.g. a provider
	// webhook it could not remove).
	Warning string `json:"warning,omitzero"`
}

// DeleteSubscription removes the subscription id (DELETE
// /projects/{id}/trigger-subscriptions/{subscriptionId}). It returns once
// ActionKit has torn it down. DELETE is retried like any idempotent call,
// so an error matching paragon.ErrNotFound means the subscription does not
// exist (any more), possibly because an earlier attempt removed it.
//
// See https://docs.useparagon.com/actionkit/triggers/api-reference/unsubscribe-from-trigger.
func (c *Client) DeleteSubscription(ctx context.Context, id string, opts ...paragon.CallOption) (*DeleteResult, error) {
	if err := checkName("subscription ID", id); err != nil {
		return nil, err
	}
	resp, err := c.call(ctx, http.MethodDelete, c.pathOrEmpty("/trigger-subscriptions/"+url.PathEscape(id)), &paragon.CallParams{Template: "/projects/{id}/trigger-subscriptions/{subscriptionId}"}, opts)
	if err != nil {
		return nil, err
	}
	out := &DeleteResult{Success: true}
	if len(resp.Output) == 0 {
		return out, nil // an empty 2xx answer is a success too
	}
	if err := json.Unmarshal(resp.Output, out); err != nil {
		return nil, fmt.Errorf("%w: actionkit: delete trigger subscription: %w", paragon.ErrInvalidResponse, err)
	}
	return out, nil
}

// ListSubscriptionsParams filter [Client.ListSubscriptions].
type ListSubscriptionsParams struct {
	// Integrations limits the list to these integrations.
	Integrations []string
	// Status limits the list to one status ("" lists both).
	Status SubscriptionStatus
	// Type limits the list to one trigger type.
	Type string
}

// ListSubscriptions lists the user's trigger subscriptions (GET
// /projects/{id}/trigger-subscriptions). With paragon.WithCredential only
// that account's are listed; without, those of all the user's accounts.
// ActionKit does not page this list.
//
// See https://docs.useparagon.com/actionkit/triggers/api-reference/list-subscribed-triggers.
func (c *Client) ListSubscriptions(ctx context.Context, p *ListSubscriptionsParams, opts ...paragon.CallOption) ([]Subscription, error) {
	var q url.Values
	if p != nil {
		q = url.Values{}
		if len(p.Integrations) > 0 {
			s, err := checkList("integration", p.Integrations)
			if err != nil {
				return nil, err
			}
			q.Set("integrations", s)
		}
		switch p.Status {
		case "":
		case SubscriptionActive, SubscriptionErrored:
			q.Set("status", string(p.Status))
		default:
			return nil, invalid("unknown subscription status %q", p.Status)
		}
		if p.Type != "" {
			if err := checkName("trigger type", p.Type); err != nil {
				return nil, err
			}
			q.Set("type", p.Type)
		}
		if len(q) == 0 {
			q = nil
		}
	}
	var raw json.RawMessage
	if err := c.callJSON(ctx, http.MethodGet, c.pathOrEmpty("/trigger-subscriptions"), &paragon.CallParams{Query: q, Template: "/projects/{id}/trigger-subscriptions"}, opts, "list trigger subscriptions", &raw); err != nil {
		return nil, err
	}
	subs, err := decodeSubscriptions(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: actionkit: list trigger subscriptions: %w", paragon.ErrInvalidResponse, err)
	}
	return subs, nil
}

// decodeSubscriptions reads a list of subscriptions: a bare array (as
// paragontest sends it), or an object wrapping one under "data",
// "subscriptions" or "triggerSubscriptions" (the docs do not pin the shape).
func decodeSubscriptions(raw json.RawMessage) ([]Subscription, error) {
	raw = bytes.TrimSpace(raw)
	out := []Subscription{}
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, err
		}
		return out, nil
	}
	var w map[string]json.RawMessage
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	for _, k := range []string{"data", "subscriptions", "triggerSubscriptions"} {
		if v, ok := w[k]; ok {
			if err := json.Unmarshal(v, &out); err != nil {
				return nil, err
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("no list of subscriptions in the answer")
}
