package actionkit

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/paragon-go/paragon"
)

// NotConnectedError is returned when ActionKit answers that the user has not
// connected the integration a call needs ("Integration not enabled for
// user."). Turn it into a Setup Link or a Connect Portal prompt for
// Integration. It wraps the *paragon.Error, so errors.Is(err,
// paragon.ErrIntegrationNotEnabled) and errors.As(err, **paragon.Error)
// hold too.
type NotConnectedError struct {
	// Integration is the integration to connect, e.g. "close". It is
	// empty when neither ActionKit's answer nor an earlier ListTools named
	// it.
	Integration string
	// Tool is the tool that was run, if any.
	Tool string
	// Err is ActionKit's answer.
	Err *paragon.Error
}

// Error says which integration the user must connect.
func (e *NotConnectedError) Error() string {
	var b strings.Builder
	b.WriteString("actionkit: ")
	if e.Tool != "" {
		b.WriteString("tool ")
		b.WriteString(e.Tool)
		b.WriteString(": ")
	}
	if e.Integration != "" {
		b.WriteString("the user has not connected ")
		b.WriteString(e.Integration)
	} else {
		b.WriteString("the user has not connected the integration")
	}
	if e.Err != nil {
		b.WriteString(" (")
		b.WriteString(e.Err.Error())
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns ActionKit's answer.
func (e *NotConnectedError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// Is matches paragon.ErrIntegrationNotEnabled even without Err.
func (e *NotConnectedError) Is(target error) bool {
	return target == paragon.ErrIntegrationNotEnabled
}

// ErrorMessage returns the most readable message of an ActionKit failure:
// for a *paragon.Error, its message, unwrapped when ActionKit sent a
// JSON-encoded object as the message (it does for some provider errors);
// for other errors, their text.
func ErrorMessage(err error) string {
	var pe *paragon.Error
	if !errors.As(err, &pe) {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	msg := pe.Message
	for range 3 { // a message inside a message inside a message
		var inner struct {
			Message json.RawMessage `json:"message"`
			Error   json.RawMessage `json:"error"`
		}
		t := strings.TrimSpace(msg)
		if !strings.HasPrefix(t, "{") || json.Unmarshal([]byte(t), &inner) != nil {
			break
		}
		var s string
		switch {
		case json.Unmarshal(inner.Message, &s) == nil && s != "":
		case json.Unmarshal(inner.Error, &s) == nil && s != "":
		default:
			return msg
		}
		msg = s
	}
	if msg == "" {
		return pe.Error()
	}
	return msg
}
