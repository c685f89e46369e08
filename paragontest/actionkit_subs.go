package paragontest

import (
	"net/http"
	"strings"
	"time"
)

// akListTriggers answers GET /triggers: the catalogue, by integration. An
// X-Paragon-Credential header (the browser SDK always sends one) must name
// one of the user's credentials.
func (s *Server) akListTriggers(w http.ResponseWriter, r *http.Request, userID string) {
	f, ok := akParseFilter(w, r)
	if !ok {
		return
	}
	if xc := r.Header.Get(headerCredential); xc != "" {
		s.mu.Lock()
		known := s.userLocked(userID).cred(xc) != nil
		s.mu.Unlock()
		if !known {
			writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
			return
		}
	}
	show, errs := s.akScope(userID, f)
	out := map[string][]any{}
	for _, t := range akTriggers() {
		if !show[t.integration] {
			continue
		}
		params := make([]any, 0, len(t.params))
		for _, p := range t.params {
			params = append(params, copyMap(p))
		}
		out[t.integration] = append(out[t.integration], map[string]any{
			"type": t.typ, "triggerModel": t.model, "title": t.title, "description": t.description, "parameters": params,
		})
	}
	body := map[string]any{"triggers": out}
	if len(errs) > 0 {
		body["errors"] = errs
	}
	writeJSON(w, http.StatusOK, body)
}

// akSubJSON renders a subscription as ActionKit does. a.mu must be held.
func akSubJSON(sub *akSub) map[string]any {
	out := map[string]any{
		"id": sub.id, "type": sub.typ, "parameters": orEmpty(copyMap(sub.params)), "status": sub.status,
		"dateCreated": isoTime(sub.created), "dateLastReceivedEvent": nil, "credentialId": sub.credID,
	}
	if !sub.lastEvent.IsZero() {
		out["dateLastReceivedEvent"] = isoTime(sub.lastEvent)
	}
	if sub.override != nil {
		// Echo where events go, never the override's headers (they often
		// hold the receiver's own secret).
		o := map[string]any{"url": sub.override["url"]}
		if m, ok := sub.override["metadata"]; ok {
			o["metadata"] = deepCopy(m)
		}
		out["webhookOverride"] = o
	}
	return out
}

// akCheckOverride validates a webhookOverride object; it answers 400 and
// returns false when it is not usable.
func akCheckOverride(w http.ResponseWriter, r *http.Request, v any) (map[string]any, bool) {
	o, isObj := v.(map[string]any)
	if !isObj {
		writeValidation(w, r, "webhookOverride", "isObject", "webhookOverride must be an object")
		return nil, false
	}
	u, _ := o["url"].(string)
	if err := loopbackURL(u); err != nil {
		writeValidation(w, r, "webhookOverride.url", "isUrl", "webhookOverride.url: "+err.Error())
		return nil, false
	}
	if h, present := o["headers"]; present && h != nil {
		hm, isMap := h.(map[string]any)
		if !isMap {
			writeValidation(w, r, "webhookOverride.headers", "isObject", "webhookOverride.headers must be an object")
			return nil, false
		}
		for k, v := range hm {
			if _, isStr := v.(string); !isStr || k == "" || strings.ContainsAny(k, " :\r\n") {
				writeValidation(w, r, "webhookOverride.headers", "isHeaders", "webhookOverride.headers must map header names to strings")
				return nil, false
			}
		}
	}
	if m, present := o["metadata"]; present && m != nil {
		if _, isMap := m.(map[string]any); !isMap {
			writeValidation(w, r, "webhookOverride.metadata", "isObject", "webhookOverride.metadata must be an object")
			return nil, false
		}
	}
	return copyMap(o), true
}

// akCreateSub answers POST /trigger-subscriptions.
func (s *Server) akCreateSub(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	typ, _ := body["type"].(string)
	var trig *akTrigger
	for _, t := range akTriggers() {
		if t.typ == typ && s.byType[t.integration] != nil {
			trig = &t
			break
		}
	}
	if trig == nil {
		writeValidation(w, r, "type", "isTriggerType", "type must be a trigger type of the catalogue")
		return
	}
	if integ, present := body["integration"]; present && integ != trig.integration {
		writeValidation(w, r, "integration", "matchesType", "integration does not match the trigger type")
		return
	}
	params := map[string]any{}
	if p, present := body["parameters"]; present && p != nil {
		m, isObj := p.(map[string]any)
		if !isObj {
			writeValidation(w, r, "parameters", "isObject", "parameters must be an object")
			return
		}
		params = m
	}
	for _, p := range trig.params {
		id := p["id"].(string)
		if req, _ := p["required"].(bool); req {
			if v, present := params[id]; !present || v == nil || v == "" {
				writeValidation(w, r, "parameters."+id, "isNotEmpty", id+" should not be empty")
				return
			}
		}
	}
	var override map[string]any
	if o, present := body["webhookOverride"]; present && o != nil {
		if override, ok = akCheckOverride(w, r, o); !ok {
			return
		}
	}
	cred, ok := s.akCredential(w, r, userID, trig.integration)
	if !ok {
		return
	}
	sub := &akSub{
		id: newUUID(), userID: userID, credID: cred, integ: trig.integration, typ: trig.typ,
		params: copyMap(params), override: override, status: TriggerStatusActive, created: time.Now(),
	}
	a := s.ak
	a.mu.Lock()
	a.subs[sub.id] = sub
	a.order = append(a.order, sub.id)
	out := akSubJSON(sub)
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// akListSubs answers GET /trigger-subscriptions with a JSON array.
func (s *Server) akListSubs(w http.ResponseWriter, r *http.Request, userID string) {
	q := r.URL.Query()
	var only map[string]bool
	if v := q.Get("integrations"); v != "" {
		only = map[string]bool{}
		for _, x := range strings.Split(v, ",") {
			only[strings.TrimSpace(x)] = true
		}
	}
	status := q.Get("status")
	if status != "" && status != TriggerStatusActive && status != TriggerStatusErrored {
		writeValidation(w, r, "status", "isIn", "status must be one of the following values: ACTIVE, ERRORED")
		return
	}
	typ, xc := q.Get("type"), r.Header.Get(headerCredential)
	a := s.ak
	a.mu.Lock()
	out := []any{}
	for _, id := range a.order {
		sub := a.subs[id]
		if sub.userID != userID || only != nil && !only[sub.integ] || status != "" && sub.status != status ||
			typ != "" && sub.typ != typ || xc != "" && sub.credID != xc {
			continue
		}
		out = append(out, akSubJSON(sub))
	}
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// akUserSub returns the user's subscription named in the path, answering
// 404 when there is none. a.mu must be held.
func (s *Server) akUserSubLocked(w http.ResponseWriter, r *http.Request, userID string) *akSub {
	sub := s.ak.subs[r.PathValue("id")]
	if sub == nil || sub.userID != userID {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Trigger subscription not found.", nil)
		return nil
	}
	return sub
}

// akPatchSub answers PATCH /trigger-subscriptions/{id}: keys of
// "parameters" are set (null removes one), "webhookOverride" replaces the
// override (null removes it); omitted keys stay.
func (s *Server) akPatchSub(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	var override map[string]any
	o, hasOverride := body["webhookOverride"]
	if hasOverride && o != nil {
		if override, ok = akCheckOverride(w, r, o); !ok {
			return
		}
	}
	p, hasParams := body["parameters"]
	params, isObj := p.(map[string]any)
	if hasParams && p != nil && !isObj {
		writeValidation(w, r, "parameters", "isObject", "parameters must be an object")
		return
	}
	a := s.ak
	a.mu.Lock()
	defer a.mu.Unlock()
	sub := s.akUserSubLocked(w, r, userID)
	if sub == nil {
		return
	}
	if hasParams && p == nil {
		sub.params = map[string]any{}
	}
	for k, v := range params {
		if v == nil {
			delete(sub.params, k)
		} else {
			sub.params[k] = deepCopy(v)
		}
	}
	if hasOverride {
		sub.override = override
	}
	writeJSON(w, http.StatusOK, akSubJSON(sub))
}

// akDeleteSub answers DELETE /trigger-subscriptions/{id} with {"success": true}.
func (s *Server) akDeleteSub(w http.ResponseWriter, r *http.Request, userID string) {
	a := s.ak
	a.mu.Lock()
	defer a.mu.Unlock()
	sub := s.akUserSubLocked(w, r, userID)
	if sub == nil {
		return
	}
	delete(a.subs, sub.id)
	for i, id := range a.order {
		if id == sub.id {
			a.order = append(a.order[:i], a.order[i+1:]...)
			break
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}
