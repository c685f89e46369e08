package closetest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"reflect"
	"strings"
)

// maxSubscriptions is Close's cap of webhook subscriptions per organization.
const maxSubscriptions = 40

// subscriptionFields validates a webhook subscription body; create requires
// url and events.
func subscriptionFields(in map[string]any, create bool, fe map[string]any) map[string]any {
	out := map[string]any{}
	if v, has := in["url"]; has || create {
		s, _ := v.(string)
		u, err := url.Parse(s)
		switch {
		case !has || v == nil:
			fe["url"] = errRequired
		case s == "" || err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
			fe["url"] = "Enter a valid URL."
		default:
			out["url"] = s
		}
	}
	if v, has := in["events"]; has || create {
		list, isList := v.([]any)
		switch {
		case !has:
			fe["events"] = errRequired
		case !isList || len(list) == 0:
			fe["events"] = "Expected a non-empty list of events."
		default:
			evs := []any{}
			for i, e := range list {
				m, isObj := e.(map[string]any)
				ot, _ := m["object_type"].(string)
				act, _ := m["action"].(string)
				if !isObj || ot == "" || act == "" {
					fe["events"] = map[string]any{itoa(i): "Each event needs object_type and action."}
					break
				}
				n := map[string]any{"object_type": ot, "action": act}
				if f, has := m["extra_filter"]; has && f != nil {
					n["extra_filter"] = deepCopy(f)
				}
				evs = append(evs, n)
			}
			out["events"] = evs
		}
	}
	if v, has := in["verify_ssl"]; has {
		if _, isBool := v.(bool); !isBool {
			fe["verify_ssl"] = errNotBool
		}
		out["verify_ssl"] = v
	}
	if v, has := in["status"]; has {
		if create || (v != "active" && v != "paused") {
			fe["status"] = errNotChoice
		}
		out["status"] = v
	}
	return out
}

// webhookRoutesLocked serves /webhook/ and /webhook/{id}/.
func (c *Fake) webhookRoutesLocked(cl *call, id string) reply {
	switch {
	case id == "" && cl.method == http.MethodGet:
		data := []any{}
		for _, s := range c.subs.all() {
			data = append(data, copyMap(s))
		}
		return ok(map[string]any{"data": data, "has_more": false})
	case id == "" && cl.method == http.MethodPost:
		fe := map[string]any{}
		fields := subscriptionFields(cl.body, true, fe)
		if len(fe) > 0 {
			return fieldErrors(fe)
		}
		if len(c.subs.order) >= maxSubscriptions {
			return replyStatus(http.StatusBadRequest, map[string]any{"errors": []any{"You have reached the maximum number of webhook subscriptions."}})
		}
		now := nowString()
		s := map[string]any{
			"id": newID("whsub_"), "status": "active", "verify_ssl": true, "organization_id": OrganizationID,
			"created_by": UserID, "updated_by": UserID, "date_created": now, "date_updated": now,
		}
		for k, v := range fields {
			s[k] = v
		}
		var key [32]byte
		_, _ = rand.Read(key[:])
		c.subKeys[s["id"].(string)] = hex.EncodeToString(key[:])
		c.subs.put(s)
		out := copyMap(s)
		out["signature_key"] = c.subKeys[s["id"].(string)]
		return replyStatus(http.StatusCreated, out)
	case id == "":
		return notAllowed(cl.method)
	}
	s := c.subs.get(id)
	if s == nil {
		return notFound("WebhookSubscription")
	}
	switch cl.method {
	case http.MethodGet:
		return ok(copyMap(s))
	case http.MethodPut:
		fe := map[string]any{}
		fields := subscriptionFields(cl.body, false, fe)
		if len(fe) > 0 {
			return fieldErrors(fe)
		}
		for k, v := range fields {
			s[k] = v
		}
		s["date_updated"] = nowString()
		return ok(copyMap(s))
	case http.MethodDelete:
		c.subs.del(id)
		delete(c.subKeys, id)
		return ok(map[string]any{})
	}
	return notAllowed(cl.method)
}

// queueDeliveriesLocked queues a delivery of event m to every active
// subscription with a matching event entry.
func (c *Fake) queueDeliveriesLocked(m map[string]any) {
	for _, s := range c.subs.all() {
		if s["status"] != "active" {
			continue
		}
		for _, e := range asList(s["events"]) {
			em, _ := e.(map[string]any)
			if em["object_type"] != m["object_type"] || em["action"] != m["action"] {
				continue
			}
			if f, has := em["extra_filter"]; has && !evalFilter(f, m) {
				continue
			}
			id := s["id"].(string)
			body := rawJSON(map[string]any{"subscription_id": id, "event": m})
			c.hooks.add(pending{sub: id, url: str(s["url"]), key: c.subKeys[id], event: str(m["id"]), body: body})
			break
		}
	}
}

// evalFilter evaluates a webhook extra_filter node against v.
func evalFilter(node, v any) bool {
	n, _ := node.(map[string]any)
	switch str(n["type"]) {
	case "equals":
		return sameValue(v, n["value"])
	case "not_equals":
		return !sameValue(v, n["value"])
	case "is_null":
		return v == nil
	case "non_null":
		return v != nil
	case "contains":
		if list, isList := v.([]any); isList {
			for _, x := range list {
				if sameValue(x, n["value"]) {
					return true
				}
			}
			return false
		}
		s, isStr := v.(string)
		return isStr && strings.Contains(s, str(n["value"]))
	case "and", "or":
		and := n["type"] == "and"
		for _, f := range asList(n["filters"]) {
			if evalFilter(f, v) != and {
				return !and
			}
		}
		return and
	case "not":
		return !evalFilter(n["filter"], v)
	case "field_accessor":
		m, _ := v.(map[string]any)
		return evalFilter(n["filter"], m[str(n["field"])])
	case "any_array_value":
		for _, x := range asList(v) {
			if evalFilter(n["filter"], x) {
				return true
			}
		}
	}
	return false
}

func sameValue(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	_, ma := a.(map[string]any)
	_, mb := b.(map[string]any)
	return !ma && !mb && a != nil && b != nil && str(a) == str(b)
}
