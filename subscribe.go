package paragon

import (
	"log/slog"
	"sync"
)

// EventType names an SDK event, as in the browser SDK's subscribe().
type EventType string

// SDK events. Paragon has no server push for these: the client raises them
// for the actions it performs itself (Connect, UninstallIntegration,
// EnableWorkflow, DisableWorkflow).
const (
	EventIntegrationInstall   EventType = "onIntegrationInstall"
	EventIntegrationUninstall EventType = "onIntegrationUninstall"
	EventWorkflowChange       EventType = "onWorkflowChange"
)

// SDKEvent is delivered to [Client.Subscribe] handlers. It is named SDKEvent
// rather than Event so it can't be confused with App Events ([User.Event]).
type SDKEvent struct {
	Type            EventType
	UserID          string
	IntegrationID   string // install and uninstall
	IntegrationType string // install and uninstall
	CredentialID    string // install
	WorkflowID      string // workflow change
	Enabled         bool   // workflow change: the new state
}

type subscribers struct {
	mu     sync.Mutex
	next   int
	byType map[EventType]map[int]func(SDKEvent)
	logger *slog.Logger
}

// Subscribe calls handler for every event of type t raised by this client,
// and returns a function that unsubscribes it (safe to call more than once).
// Handlers run on their own goroutine, so they never delay or block the call
// that raised the event; a handler that panics is recovered (and logged to
// the client's logger, if any).
func (c *Client) Subscribe(t EventType, handler func(SDKEvent)) (unsubscribe func()) {
	if handler == nil {
		return func() {}
	}
	s := &c.subs
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byType == nil {
		s.byType = make(map[EventType]map[int]func(SDKEvent))
	}
	if s.byType[t] == nil {
		s.byType[t] = make(map[int]func(SDKEvent))
	}
	s.next++
	id := s.next
	s.byType[t][id] = handler
	s.logger = c.logger
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.byType[t], id)
	}
}

func (s *subscribers) publish(ev SDKEvent) {
	s.mu.Lock()
	hs := s.byType[ev.Type]
	if len(hs) == 0 {
		s.mu.Unlock()
		return
	}
	handlers := make([]func(SDKEvent), 0, len(hs))
	for _, h := range hs {
		handlers = append(handlers, h)
	}
	logger := s.logger
	s.mu.Unlock()
	for _, h := range handlers {
		go func() {
			defer func() {
				if r := recover(); r != nil && logger != nil {
					logger.Error("paragon: event handler panicked", "event", string(ev.Type))
				}
			}()
			h(ev)
		}()
	}
}
