package paragontest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// PermissionGrant gives User (an email) Role on Object (a record ID of the
// sync, or any object ID) in the fake Permissions API. Roles nest as in
// file storage: is_owner implies can_write, which implies can_read.
type PermissionGrant struct {
	// Object is the object's ID. Required.
	Object string
	// ObjectType is "file" (default) or "folder".
	ObjectType string
	// User is the user's email. Required.
	User string
	// Role is "can_read", "can_write" or "is_owner". Required.
	Role string
}

var permRoles = map[string]int{"can_read": 1, "can_write": 2, "is_owner": 3}

// Grant adds permission data to a sync, for its /api/permissions routes.
func (m *ManagedSync) Grant(syncID string, grants ...PermissionGrant) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.syncs[syncID]; !ok {
		return fmt.Errorf("paragontest: no sync %q", syncID)
	}
	for _, g := range grants {
		if g.Object == "" || g.User == "" || permRoles[g.Role] == 0 {
			return fmt.Errorf("paragontest: grant %+v needs an object, a user and a known role", g)
		}
		if g.ObjectType == "" {
			g.ObjectType = "file"
		}
		if g.ObjectType != "file" && g.ObjectType != "folder" {
			return fmt.Errorf("paragontest: object type %q", g.ObjectType)
		}
		m.grants[syncID] = append(m.grants[syncID], g)
	}
	return nil
}

func (m *ManagedSync) permissionRoutes(h func(string, authedHandler)) {
	h("POST /api/permissions/{id}/check", m.permCheck)
	h("POST /api/permissions/{id}/batch-check", m.permBatch)
	h("POST /api/permissions/{id}/list-users", m.permUsers)
	h("POST /api/permissions/{id}/list-objects", m.permObjects(false))
	h("POST /api/permissions/{id}/streamed-list-objects", m.permObjects(true))
}

// hasLocked reports whether user holds role (or a stronger one) on object.
func (m *ManagedSync) hasLocked(syncID, object, user, role string) bool {
	for _, g := range m.grants[syncID] {
		if g.Object == object && strings.EqualFold(g.User, user) && permRoles[g.Role] >= permRoles[role] {
			return true
		}
	}
	return false
}

// permBody reads a permissions request and checks its sync; fields are
// required string fields. It answers and returns nil on failure.
func (m *ManagedSync) permBody(w http.ResponseWriter, r *http.Request, userID string, fields ...string) map[string]any {
	body, ok := readObject(w, r)
	if !ok {
		return nil
	}
	for _, f := range fields {
		v, _ := body[f].(string)
		if v == "" {
			writeValidation(w, r, f, "isNotEmpty", f+" should not be empty")
			return nil
		}
		if f == "role" && permRoles[v] == 0 {
			writeValidation(w, r, "role", "isIn", "role must be one of the following values: can_read, can_write, is_owner")
			return nil
		}
	}
	m.mu.Lock()
	fs := m.syncOfLocked(w, r, userID)
	m.mu.Unlock()
	if fs == nil {
		return nil
	}
	return body
}

func (m *ManagedSync) permCheck(w http.ResponseWriter, r *http.Request, userID string) {
	b := m.permBody(w, r, userID, "object", "user", "role")
	if b == nil {
		return
	}
	user := b["user"].(string)
	if strings.HasPrefix(user, "user:") {
		writeValidation(w, r, "user", "isEmail", "user must be an email")
		return
	}
	m.mu.Lock()
	ok := m.hasLocked(r.PathValue("id"), b["object"].(string), user, b["role"].(string))
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"hasAccess": ok})
}

func (m *ManagedSync) permBatch(w http.ResponseWriter, r *http.Request, userID string) {
	b := m.permBody(w, r, userID)
	if b == nil {
		return
	}
	checks, ok := b["checks"].([]any)
	if !ok {
		writeValidation(w, r, "checks", "isArray", "checks must be an array")
		return
	}
	syncID := r.PathValue("id")
	result := make([]any, 0, len(checks))
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range checks {
		cm, _ := c.(map[string]any)
		obj, _ := cm["object"].(string)
		user, _ := cm["user"].(string)
		role, _ := cm["role"].(string)
		req := map[string]any{"object": obj, "user": user, "role": role}
		email, isUser := strings.CutPrefix(user, "user:")
		switch {
		case obj == "" || !isUser || email == "" || permRoles[role] == 0:
			result = append(result, map[string]any{"allowed": false, "request": req,
				"error": map[string]any{"message": "invalid check: want object, user \"user:<email>\" and a known role"}})
		default:
			result = append(result, map[string]any{"allowed": m.hasLocked(syncID, obj, email, role), "request": req})
		}
	}
	// Answer in reverse order: nothing documents the order, so clients
	// must match results by their request.
	slices.Reverse(result)
	writeJSON(w, http.StatusOK, map[string]any{"result": result})
}

func (m *ManagedSync) permUsers(w http.ResponseWriter, r *http.Request, userID string) {
	b := m.permBody(w, r, userID, "object", "role")
	if b == nil {
		return
	}
	obj, role := b["object"].(string), b["role"].(string)
	m.mu.Lock()
	users := []string{}
	for _, g := range m.grants[r.PathValue("id")] {
		if g.Object == obj && permRoles[g.Role] >= permRoles[role] && !slices.Contains(users, g.User) {
			users = append(users, g.User)
		}
	}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

// permObjects answers list-objects (JSON, at most 1,000) or its streamed
// form (ndjson, flushed line by line).
func (m *ManagedSync) permObjects(streamed bool) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, userID string) {
		b := m.permBody(w, r, userID, "objectType", "user", "role")
		if b == nil {
			return
		}
		typ, user, role := b["objectType"].(string), b["user"].(string), b["role"].(string)
		if typ != "file" && typ != "folder" {
			writeValidation(w, r, "objectType", "isIn", "objectType must be one of the following values: file, folder")
			return
		}
		m.mu.Lock()
		objs := []string{}
		for _, g := range m.grants[r.PathValue("id")] {
			if g.ObjectType == typ && strings.EqualFold(g.User, user) && permRoles[g.Role] >= permRoles[role] && !slices.Contains(objs, g.Object) {
				objs = append(objs, g.Object)
			}
		}
		m.mu.Unlock()
		if !streamed {
			writeJSON(w, http.StatusOK, map[string]any{"objects": objs[:min(len(objs), 1000)]})
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		fl, _ := w.(http.Flusher)
		for _, o := range objs {
			line, _ := json.Marshal(map[string]string{"object": o})
			_, _ = w.Write(append(line, '\n'))
			if fl != nil {
				fl.Flush()
			}
		}
	}
}
