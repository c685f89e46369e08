package paragon

import (
	"context"
	"unicode/utf8"
)

// maxEventName bounds App Event names.
const maxEventName = 256

// Event sends the App Event name with payload for the user (POST
// /v2/projects/{id}/sdk/events/trigger on the events host, body
// {"name": …, "payload": …}). Every workflow of the user that listens for it
// runs; when the user has several configurations, pin the event with
// [WithCredential] and [WithConfiguration] to avoid duplicate runs. A nil
// payload is sent as {}.
//
// An App Event is not idempotent: a failed send is not retried unless the
// failure is a 429 or the request provably was not processed (it never
// reached the server, or HTTP/2 said REFUSED_STREAM or GOAWAY below it).
// A 2xx status is the acceptance: Event then returns nil, even if the body
// breaks off or the context ends while it is dropped.
//
// Docs: https://docs.useparagon.com/workflows/triggers/app-events
func (u *User) Event(ctx context.Context, name string, payload any, opts ...CallOption) error {
	if err := checkName("event name", name, maxEventName); err != nil {
		return err
	}
	if payload == nil {
		payload = struct{}{}
	}
	body, err := marshalBody(eventBody{Name: name, Payload: payload})
	if err != nil {
		return err
	}
	_, err = u.do(ctx, &apiRequest{
		svc: ServiceEvents, method: "POST", path: "/v2" + u.projectPath("/sdk/events/trigger"),
		template: "/sdk/events/trigger", rawBody: body, ctype: "application/json",
		statusOnly: true, // a 2xx is the acceptance; the body is not read
	}, opts)
	return err
}

type eventBody struct {
	Name    string `json:"name"`
	Payload any    `json:"payload"`
}

// checkName validates a human-readable name sent in a body.
func checkName(what, s string, max int) error {
	if s == "" {
		return invalid("empty %s", what)
	}
	if len(s) > max {
		return invalid("%s is %d bytes long (max %d)", what, len(s), max)
	}
	if !utf8.ValidString(s) {
		return invalid("%s is not valid UTF-8", what)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return invalid("%s contains a control character", what)
		}
	}
	return nil
}
