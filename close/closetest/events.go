package closetest

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// event is one entry of the event log.
type event struct {
	seq     int64
	created time.Time
	updated time.Time
	m       map[string]any
}

// watched lists, per object type, the fields whose change makes Close emit
// an updated event ("custom." stands for every custom field).
var watched = map[string][]string{
	"lead":        {"name", "url", "description", "status_id", "contact_ids", "addresses", "source", "custom."},
	"contact":     {"name", "title", "emails", "phones", "urls", "lead_id", "custom."},
	"opportunity": {"status_id", "date_won", "value", "value_period", "confidence"},
}

// notDiffed are the embedded or derived lead fields that are not the lead's
// own and so never make a lead event.
var notDiffed = map[string]bool{
	"contacts": true, "opportunities": true, "tasks": true, "primary_email": true, "primary_phone": true,
	"integration_links": true,
}

func (c *Fake) emitCreatedLocked(cl *call, objectType string, data map[string]any) {
	c.emitLocked(cl, objectType, "created", str(data["id"]), leadOf(objectType, data), copyMap(data), map[string]any{}, nil, nil)
}

func (c *Fake) emitDeletedLocked(cl *call, objectType string, prev map[string]any) {
	c.emitLocked(cl, objectType, "deleted", str(prev["id"]), leadOf(objectType, prev), nil, copyMap(prev), nil, nil)
}

// emitUpdatedLocked emits an updated event with the changed fields and their
// previous values, if a watched field changed.
func (c *Fake) emitUpdatedLocked(cl *call, objectType string, prev, now map[string]any) {
	var changed []string
	hit := false
	keys := map[string]bool{}
	for k := range prev {
		keys[k] = true
	}
	for k := range now {
		keys[k] = true
	}
	w, hasWatch := watched[eventKind(objectType)]
	for k := range keys {
		if notDiffed[k] || reflect.DeepEqual(prev[k], now[k]) {
			continue
		}
		changed = append(changed, k)
		if !hasWatch || slices.Contains(w, k) || strings.HasPrefix(k, "custom.") && slices.Contains(w, "custom.") {
			hit = true
		}
	}
	if !hit {
		return
	}
	slices.Sort(changed)
	before := map[string]any{}
	for _, k := range changed {
		before[k] = deepCopy(prev[k])
	}
	c.emitLocked(cl, objectType, "updated", str(now["id"]), leadOf(objectType, now), copyMap(now), before, changed, nil)
}

// eventObjectType is the event object type of o, of kind.
func eventObjectType(kind string, o map[string]any) string {
	switch kind {
	case "activity":
		return activityObjectType(str(o["_type"]))
	case "task":
		return "task." + str(o["_type"])
	}
	return kind
}

func eventKind(objectType string) string {
	if i := strings.IndexByte(objectType, '.'); i >= 0 {
		return objectType[:i]
	}
	return objectType
}

func leadOf(objectType string, o map[string]any) string {
	if objectType == "lead" {
		return str(o["id"])
	}
	return str(o["lead_id"])
}

// emitLocked appends an event to the log and queues its webhook deliveries.
func (c *Fake) emitLocked(cl *call, objectType, action, objectID, leadID string, data, prev map[string]any, changed []string, extraMeta map[string]any) {
	now := time.Now().UTC()
	c.eventSeq++
	meta := map[string]any{"request_method": cl.method, "request_path": "/api/v1" + cl.path}
	if cl.bulkID != "" {
		meta["bulk_action_id"] = cl.bulkID
	}
	for k, v := range extraMeta {
		meta[k] = v
	}
	var lead, apiKey, reqID any
	if leadID != "" {
		lead = leadID
	}
	if !cl.seed {
		apiKey, reqID = APIKeyID, cl.reqID
	}
	fields := []any{}
	for _, f := range changed {
		fields = append(fields, f)
	}
	var d any
	if data != nil {
		d = data
	}
	m := map[string]any{
		"id": newID("ev_"), "object_type": objectType, "action": action, "object_id": objectID,
		"lead_id": lead, "organization_id": OrganizationID, "user_id": UserID, "request_id": reqID,
		"api_key_id": apiKey, "oauth_client_id": nil, "oauth_scope": nil,
		"date_created": now.Format(eventTimeLayout), "date_updated": now.Format(eventTimeLayout),
		"changed_fields": fields, "previous_data": orEmpty(prev), "data": d, "meta": meta,
	}
	c.queueDeliveriesLocked(m)
	if action == "updated" && c.consolidate > 0 && c.consolidateLocked(m, now) {
		return
	}
	c.events = append(c.events, &event{seq: c.eventSeq, created: now, updated: now, m: m})
}

// consolidateLocked folds update m into the object's last updated event if
// that one is younger than the consolidation window, as Close does: the
// event keeps its ID and date_created, its date_updated moves (so it is the
// newest in the log again), changed_fields are merged and previous_data
// keeps the oldest values.
func (c *Fake) consolidateLocked(m map[string]any, now time.Time) bool {
	for i := len(c.events) - 1; i >= 0; i-- {
		e := c.events[i]
		if e.m["object_type"] != m["object_type"] || e.m["object_id"] != m["object_id"] {
			continue
		}
		if e.m["action"] != "updated" || now.Sub(e.created) >= c.consolidate {
			return false
		}
		prev, _ := e.m["previous_data"].(map[string]any)
		fields := map[string]bool{}
		for _, f := range asList(e.m["changed_fields"]) {
			fields[str(f)] = true
		}
		for k, v := range orEmpty(asMap(m["previous_data"])) {
			if _, has := prev[k]; !has {
				prev[k] = v
			}
		}
		for _, f := range asList(m["changed_fields"]) {
			fields[str(f)] = true
		}
		names := make([]string, 0, len(fields))
		for f := range fields {
			names = append(names, f)
		}
		slices.Sort(names)
		merged := []any{}
		for _, f := range names {
			merged = append(merged, f)
		}
		e.m["changed_fields"], e.m["data"], e.m["meta"] = merged, m["data"], m["meta"]
		e.m["request_id"], e.m["date_updated"] = m["request_id"], m["date_updated"]
		e.updated, e.seq = now, c.eventSeq
		c.events = append(slices.Delete(c.events, i, i+1), e)
		return true
	}
	return false
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// SetConsolidation makes the event log consolidate, as Close does, the
// updates of one object that come within window of its last updated
// event into that event (0, the default, turns it off: every change is an
// event of its own). Webhook deliveries are not consolidated.
func (c *Fake) SetConsolidation(window time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.consolidate = max(window, 0)
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// eventFilters are the equality filters of GET /event/.
var eventFilters = []string{"object_type", "object_id", "action", "lead_id", "user_id", "request_id"}

// listEventsLocked answers GET /event/: newest first, paged by _cursor and
// _limit (at most 50), filtered by the documented filters.
func (c *Fake) listEventsLocked(cl *call) reply {
	q := cl.q
	limit := 50
	if v := q.Get("_limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return badRequest("_limit must be an integer between 1 and 50.")
		}
		limit = n
	}
	if q.Has("_skip") {
		return badRequest("_skip is not supported by the event log; page with _cursor.")
	}
	var bounds [4]*time.Time
	for i, op := range []string{"__gt", "__gte", "__lt", "__lte"} {
		if v := q.Get("date_updated" + op); v != "" {
			t, good := parseTime(v)
			if !good {
				return badRequest("date_updated%s: %q is not a valid date or datetime.", op, v)
			}
			bounds[i] = &t
		}
	}
	before, after := int64(-1), int64(-1)
	if cur := q.Get("_cursor"); cur != "" {
		b, err := base64.RawURLEncoding.DecodeString(cur)
		dir, n, found := strings.Cut(string(b), ":")
		seq, err2 := strconv.ParseInt(n, 10, 64)
		if err != nil || err2 != nil || !found || (dir != "before" && dir != "after") {
			return badRequest("Invalid cursor.")
		}
		if dir == "before" {
			before = seq
		} else {
			after = seq
		}
	}
	match := func(e *event) bool {
		for _, f := range eventFilters {
			if v := q.Get(f); v != "" && str(e.m[f]) != v {
				return false
			}
		}
		t := e.updated.Truncate(time.Microsecond)
		return (bounds[0] == nil || t.After(*bounds[0])) && (bounds[1] == nil || !t.Before(*bounds[1])) &&
			(bounds[2] == nil || t.Before(*bounds[2])) && (bounds[3] == nil || !t.After(*bounds[3]))
	}
	var page []*event
	if after >= 0 {
		for _, e := range c.events {
			if e.seq > after && match(e) && len(page) < limit {
				page = append(page, e)
			}
		}
		slices.Reverse(page)
	} else {
		for i := len(c.events) - 1; i >= 0 && len(page) < limit; i-- {
			if e := c.events[i]; (before < 0 || e.seq < before) && match(e) {
				page = append(page, e)
			}
		}
	}
	data := []any{}
	for _, e := range page {
		data = append(data, deepCopy(e.m))
	}
	out := map[string]any{"data": data, "cursor_next": nil, "cursor_previous": nil}
	if len(page) > 0 {
		last, first := page[len(page)-1].seq, page[0].seq
		if c.anyEventLocked(match, func(s int64) bool { return s < last }) {
			out["cursor_next"] = eventCursor("before", last)
		}
		if before >= 0 || after >= 0 {
			out["cursor_previous"] = eventCursor("after", first)
		}
	}
	return ok(out)
}

func (c *Fake) anyEventLocked(match func(*event) bool, seq func(int64) bool) bool {
	for _, e := range c.events {
		if seq(e.seq) && match(e) {
			return true
		}
	}
	return false
}

func eventCursor(dir string, seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(dir + ":" + strconv.FormatInt(seq, 10)))
}

// getEventLocked answers GET /event/{id}/.
func (c *Fake) getEventLocked(id string) reply {
	for _, e := range c.events {
		if e.m["id"] == id {
			return ok(deepCopy(e.m))
		}
	}
	return notFound("Event")
}

// Events returns the event log, newest first, as GET /event/ pages it.
func (c *Fake) Events() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]map[string]any, 0, len(c.events))
	for i := len(c.events) - 1; i >= 0; i-- {
		out = append(out, copyMap(c.events[i].m))
	}
	return out
}

// rawJSON encodes v for a webhook body.
func rawJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b
}
