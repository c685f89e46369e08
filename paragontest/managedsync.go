package paragontest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Statuses of a fake sync, as the Sync API spells them.
const (
	SyncInitializing = "INITIALIZING"
	SyncActive       = "ACTIVE"
	SyncIdle         = "IDLE"
	SyncDisabled     = "DISABLED"
	SyncErrored      = "ERRORED"
)

// Fake Managed Sync limits.
const (
	syncDefaultPageSize = 100
	syncMaxPageSize     = 1000
)

// ManagedSync is the fake Managed Sync and Permissions API of a [Server]
// (https://sync.useparagon.com/api/…, served under the server's URL). Get
// it with [Server.ManagedSync]. It is safe for concurrent use.
//
// Syncs: POST/GET /api/syncs, GET/PATCH/DELETE /api/syncs/{id}, POST
// …/disable and …/reenable. A sync of integration "close" with pipeline
// "companies" syncs the user's leads of the fake Close ([Server.CloseCRM]),
// read through the server's own proxy route with the user's token, as
// Company records (id, externalId = the lead's ID, name, website,
// description, createdAt, updatedAt, customFields = the whole lead); a
// record's content (…/records/{id}/content) is the lead's JSON. A sync of
// any other integration the user has connected has only the records added
// with [ManagedSync.PutRecord].
//
// A sync starts INITIALIZING and moves one step (to ACTIVE, then, syncing
// its records, to IDLE) every time its status is read (GET
// /api/syncs/{id}), or only by [ManagedSync.Advance] after
// SetStatusReads(0). Records are paged by an opaque cursor in the order
// they were synced; re-synced changes go to the end.
//
// Every /api route refuses a token without an aud claim (401), as Managed
// Sync does.
type ManagedSync struct {
	s *Server

	mu     sync.Mutex
	syncs  map[string]*fakeSync
	order  []string // sync IDs by creation
	reads  int      // status reads per step; 0: only Advance
	seq    int64    // last record sequence number
	grants map[string][]PermissionGrant
	hooks  webhookQueue
}

type fakeSync struct {
	id, userID, integration, pipeline string
	configName, credentialID          string
	status                            string
	reads                             int
	running                           bool
	created, updated, lastSynced      time.Time
	failMsg, failCode                 string
	records                           []*fakeRecord // by seq
}

type fakeRecord struct {
	seq        int64
	id         string
	externalID string
	body       json.RawMessage
	content    []byte
	ctype      string
	version    string // what decides "updated" on a re-sync
}

func newManagedSync(s *Server) *ManagedSync {
	return &ManagedSync{s: s, syncs: map[string]*fakeSync{}, reads: 1, grants: map[string][]PermissionGrant{}}
}

// ManagedSync returns the server's fake Managed Sync and Permissions API.
func (s *Server) ManagedSync() *ManagedSync { return s.msync }

// reset drops every sync, grant and webhook delivery.
func (m *ManagedSync) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncs, m.order, m.reads = map[string]*fakeSync{}, nil, 1
	m.grants = map[string][]PermissionGrant{}
	m.hooks.resetLocked()
}

// SetStatusReads sets how many status reads (GET /api/syncs/{id}) a sync
// spends in INITIALIZING and in ACTIVE before it moves on (default 1). 0
// leaves every move to [ManagedSync.Advance].
func (m *ManagedSync) SetStatusReads(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads = max(n, 0)
}

// Status returns a sync's status, and false when there is no such sync.
func (m *ManagedSync) Status(syncID string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fs, ok := m.syncs[syncID]
	if !ok {
		return "", false
	}
	return fs.status, true
}

// managedSyncRoutes adds the fake Managed Sync and Permissions routes.
func (s *Server) managedSyncRoutes(mux *http.ServeMux, handle func(pattern string, h authedHandler)) {
	_ = mux
	if s.msync == nil {
		s.msync = newManagedSync(s)
	}
	m := s.msync
	h := func(pattern string, fn authedHandler) { handle(pattern, requireAud(fn)) }
	h("POST /api/syncs", m.create)
	h("GET /api/syncs", m.list)
	h("GET /api/syncs/{id}", m.get)
	h("PATCH /api/syncs/{id}", m.patch)
	h("DELETE /api/syncs/{id}", m.delete)
	h("POST /api/syncs/{id}/disable", m.disable)
	h("POST /api/syncs/{id}/reenable", m.reenable)
	h("GET /api/syncs/{id}/records", m.records)
	h("GET /api/syncs/{id}/records/{rid}", m.record)
	h("GET /api/syncs/{id}/records/{rid}/content", m.content)
	m.permissionRoutes(h)
}

// requireAud refuses tokens without aud (verifyToken already refused a
// wrong one), as Managed Sync does.
func requireAud(fn authedHandler) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, userID string) {
		_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		var claims jwt.MapClaims
		_, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(tok), &claims)
		aud, aerr := claims.GetAudience()
		if err != nil || aerr != nil || len(aud) == 0 {
			writeError(w, r, http.StatusUnauthorized, codeUnauthorized,
				"Managed Sync requires an aud claim in the user token: <instance host>/<project ID>.", nil)
			return
		}
		fn(w, r, userID)
	}
}

// syncOf returns the user's sync named in the path, answering 404 when
// there is none. m.mu must be held.
func (m *ManagedSync) syncOfLocked(w http.ResponseWriter, r *http.Request, userID string) *fakeSync {
	fs, ok := m.syncs[r.PathValue("id")]
	if !ok || fs.userID != userID {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Sync not found.", nil)
		return nil
	}
	return fs
}

func (m *ManagedSync) create(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	integ, _ := body["integration"].(string)
	pipeline, _ := body["pipeline"].(string)
	if integ == "" {
		writeValidation(w, r, "integration", "isNotEmpty", "integration should not be empty")
		return
	}
	if pipeline == "" {
		writeValidation(w, r, "pipeline", "isNotEmpty", "pipeline should not be empty")
		return
	}
	if c, ok := body["configuration"]; ok {
		if _, isObj := c.(map[string]any); !isObj {
			writeValidation(w, r, "configuration", "isObject", "configuration must be an object")
			return
		}
	}
	if integ == "close" && pipeline != "companies" {
		writeError(w, r, http.StatusBadRequest, codeInvalidRequest,
			"The fake syncs Close leads with pipeline \"companies\" only.", nil)
		return
	}
	credID, _ := body["credentialId"].(string)
	cfgName, _ := body["configurationName"].(string)
	if cfgName == "" {
		cfgName = "default"
	}
	// The credential: the one named, or the user's oldest of the integration.
	m.s.mu.Lock()
	u := m.s.userLocked(userID)
	in := m.s.byType[integ]
	var cred *credential
	if credID != "" {
		if c := u.cred(credID); c != nil && c.integ == in {
			cred = c
		}
	} else if in != nil {
		if cs := u.credsOf(in); len(cs) > 0 {
			cred = cs[0]
		}
	}
	m.s.mu.Unlock()
	if cred == nil {
		writeError(w, r, http.StatusNotFound, codeIntegrationNotEnabled, "Integration not enabled for user.", nil)
		return
	}
	now := time.Now().UTC()
	fs := &fakeSync{
		id: newUUID(), userID: userID, integration: integ, pipeline: pipeline,
		configName: cfgName, credentialID: cred.id, status: SyncInitializing, created: now, updated: now,
	}
	m.mu.Lock()
	m.syncs[fs.id] = fs
	m.order = append(m.order, fs.id)
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"id": fs.id, "userId": userID, "integration": integ, "pipeline": pipeline,
		"projectId": m.s.projectID, "status": fs.status,
	})
}

// listItem is a sync as GET /api/syncs lists it.
func (fs *fakeSync) listItem() map[string]any {
	return map[string]any{
		"id": fs.id, "integration": fs.integration, "pipeline": fs.pipeline, "status": fs.status,
		"configurationName": fs.configName, "credentialId": fs.credentialID,
		"dateCreated": isoTime(fs.created), "dateUpdated": isoTime(fs.updated),
	}
}

func (m *ManagedSync) list(w http.ResponseWriter, r *http.Request, userID string) {
	cred := r.URL.Query().Get("credentialId")
	m.mu.Lock()
	data := []any{}
	for _, id := range m.order {
		if fs := m.syncs[id]; fs.userID == userID && (cred == "" || fs.credentialID == cred) {
			data = append(data, fs.listItem())
		}
	}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func (m *ManagedSync) get(w http.ResponseWriter, r *http.Request, userID string) {
	m.mu.Lock()
	fs := m.syncOfLocked(w, r, userID)
	if fs == nil {
		m.mu.Unlock()
		return
	}
	run := false
	if m.reads > 0 && (fs.status == SyncInitializing || fs.status == SyncActive) && !fs.running {
		if fs.reads++; fs.reads >= m.reads {
			run = m.stepLocked(fs)
		}
	}
	m.mu.Unlock()
	if run {
		m.runSync(fs.id)
	}
	m.mu.Lock()
	status := map[string]any{"status": fs.status, "summary": fs.summaryLocked()}
	if fs.status == SyncErrored {
		status["error"] = map[string]any{"message": fs.failMsg, "code": fs.failCode}
	}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, status)
}

func (fs *fakeSync) summaryLocked() map[string]any {
	var last any
	if !fs.lastSynced.IsZero() {
		last = isoTime(fs.lastSynced)
	}
	cursor := ""
	if n := len(fs.records); n > 0 {
		cursor = encodeCursor(fs.records[n-1].seq)
	}
	return map[string]any{
		"totalRecords": len(fs.records), "syncedRecordsCount": len(fs.records),
		"lastSyncedAt": last, "latestCursor": cursor,
	}
}

// stepLocked moves fs one step; it reports whether the sync must now run
// (ACTIVE → IDLE), which the caller does without m.mu.
func (m *ManagedSync) stepLocked(fs *fakeSync) (run bool) {
	fs.reads = 0
	switch fs.status {
	case SyncInitializing:
		fs.status, fs.updated = SyncActive, time.Now().UTC()
	case SyncActive:
		fs.running = true
		return true
	}
	return false
}

func (m *ManagedSync) patch(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	credID, _ := body["credentialId"].(string)
	if credID == "" {
		writeValidation(w, r, "credentialId", "isNotEmpty", "credentialId should not be empty")
		return
	}
	m.s.mu.Lock()
	c := m.s.userLocked(userID).cred(credID)
	m.s.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	fs := m.syncOfLocked(w, r, userID)
	if fs == nil {
		return
	}
	if c == nil || c.integ.Type != fs.integration {
		writeError(w, r, http.StatusNotFound, codeNotFound, "Credential not found.", nil)
		return
	}
	fs.credentialID, fs.updated = credID, time.Now().UTC()
	writeJSON(w, http.StatusOK, fs.listItem())
}

func (m *ManagedSync) delete(w http.ResponseWriter, r *http.Request, userID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fs := m.syncOfLocked(w, r, userID)
	if fs == nil {
		return
	}
	delete(m.syncs, fs.id)
	delete(m.grants, fs.id)
	m.order = slices.DeleteFunc(m.order, func(id string) bool { return id == fs.id })
	w.WriteHeader(http.StatusNoContent)
}

func (m *ManagedSync) disable(w http.ResponseWriter, r *http.Request, userID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fs := m.syncOfLocked(w, r, userID)
	if fs == nil {
		return
	}
	fs.status, fs.reads, fs.updated = SyncDisabled, 0, time.Now().UTC()
	w.WriteHeader(http.StatusNoContent)
}

func (m *ManagedSync) reenable(w http.ResponseWriter, r *http.Request, userID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fs := m.syncOfLocked(w, r, userID)
	if fs == nil {
		return
	}
	if fs.status == SyncDisabled || fs.status == SyncErrored {
		fs.status, fs.reads, fs.updated = SyncInitializing, 0, time.Now().UTC()
		fs.failMsg, fs.failCode = "", ""
	}
	w.WriteHeader(http.StatusNoContent)
}
