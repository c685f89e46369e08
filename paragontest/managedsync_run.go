package paragontest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Advance moves a sync one step on: INITIALIZING to ACTIVE, ACTIVE to IDLE
// (syncing its records and sending sync_complete), or, for an IDLE sync, a
// re-sync (see [ManagedSync.Resync]). It returns the new status.
func (m *ManagedSync) Advance(syncID string) (string, error) {
	m.mu.Lock()
	fs, ok := m.syncs[syncID]
	if !ok {
		m.mu.Unlock()
		return "", fmt.Errorf("paragontest: no sync %q", syncID)
	}
	switch fs.status {
	case SyncInitializing, SyncActive:
		if fs.running {
			m.mu.Unlock()
			return SyncActive, nil
		}
		run := m.stepLocked(fs)
		m.mu.Unlock()
		if run {
			m.runSync(syncID)
		}
	case SyncIdle:
		m.mu.Unlock()
		if err := m.Resync(syncID); err != nil {
			return "", err
		}
	default:
		st := fs.status
		m.mu.Unlock()
		return st, fmt.Errorf("paragontest: sync %q is %s", syncID, st)
	}
	st, _ := m.Status(syncID)
	return st, nil
}

// Resync reads an IDLE sync's source again (the user's Close leads, for a
// Close sync) and applies the differences: new leads become records at the
// end of the cursor order (record_created), changed ones move there
// (record_updated), gone ones are removed (record_deleted), each with a
// webhook.
func (m *ManagedSync) Resync(syncID string) error {
	m.mu.Lock()
	fs, ok := m.syncs[syncID]
	if !ok || fs.status != SyncIdle || fs.running {
		m.mu.Unlock()
		return fmt.Errorf("paragontest: sync %q is not idle", syncID)
	}
	fs.running = true
	m.mu.Unlock()
	m.runSync(syncID)
	return nil
}

// Fail puts a sync in ERRORED with message (as its status read then shows,
// under "error") and sends sync_errored.
func (m *ManagedSync) Fail(syncID, message string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	fs, ok := m.syncs[syncID]
	if !ok {
		return fmt.Errorf("paragontest: no sync %q", syncID)
	}
	m.failLocked(fs, "sync_failed", message)
	return nil
}

func (m *ManagedSync) failLocked(fs *fakeSync, code, message string) {
	fs.status, fs.failCode, fs.failMsg, fs.updated = SyncErrored, code, message, time.Now().UTC()
	m.sendLocked(fs, "sync_errored", nil, map[string]any{"message": message, "code": code})
}

// PutRecord adds a record to a sync, or replaces the one with the same
// externalId (moving it to the end of the cursor order), and sends
// record_created or record_updated. record is the Synced Object's JSON
// without "id" (it is set); content and contentType are what
// …/records/{id}/content serves.
func (m *ManagedSync) PutRecord(syncID string, record map[string]any, content []byte, contentType string) (id string, err error) {
	ext, _ := record["externalId"].(string)
	if ext == "" {
		return "", errors.New("paragontest: PutRecord: record without an externalId")
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	fs, ok := m.syncs[syncID]
	if !ok {
		return "", fmt.Errorf("paragontest: no sync %q", syncID)
	}
	old := fs.byExternal(ext)
	rec := &fakeRecord{externalID: ext, content: append([]byte(nil), content...), ctype: contentType}
	if old != nil {
		rec.id = old.id
	} else {
		rec.id = newUUID()
	}
	rec.body, err = recordJSON(rec.id, record)
	if err != nil {
		return "", err
	}
	rec.version = string(rec.body)
	m.putLocked(fs, rec, old)
	return rec.id, nil
}

func (fs *fakeSync) byExternal(ext string) *fakeRecord {
	for _, r := range fs.records {
		if r.externalID == ext {
			return r
		}
	}
	return nil
}

// putLocked appends rec (replacing old, if any) and sends its webhook.
func (m *ManagedSync) putLocked(fs *fakeSync, rec, old *fakeRecord) {
	event := "record_created"
	if old != nil {
		event = "record_updated"
		fs.records = deleteRecord(fs.records, old)
	}
	m.seq++
	rec.seq = m.seq
	fs.records = append(fs.records, rec)
	if fs.status == SyncIdle {
		m.sendLocked(fs, event, map[string]any{"recordId": rec.id, "externalId": rec.externalID}, nil)
	}
}

func deleteRecord(recs []*fakeRecord, r *fakeRecord) []*fakeRecord {
	for i, x := range recs {
		if x == r {
			return append(recs[:i], recs[i+1:]...)
		}
	}
	return recs
}

func recordJSON(id string, fields map[string]any) (json.RawMessage, error) {
	m := make(map[string]any, len(fields)+1)
	for k, v := range fields {
		m[k] = v
	}
	m["id"] = id
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("paragontest: record: %w", err)
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}

// runSync reads a running sync's source and applies it; it ends with the
// sync IDLE (sync_complete on its first run) or ERRORED. Called without
// m.mu, with fs.running set.
func (m *ManagedSync) runSync(syncID string) {
	m.mu.Lock()
	fs := m.syncs[syncID]
	if fs == nil {
		m.mu.Unlock()
		return
	}
	userID, integ, first := fs.userID, fs.integration, fs.lastSynced.IsZero()
	m.mu.Unlock()

	var leads []json.RawMessage
	var err error
	if integ == "close" {
		leads, err = m.fetchLeads(m.s.ctx, userID)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if fs = m.syncs[syncID]; fs == nil {
		return // deleted meanwhile
	}
	fs.running = false
	if err != nil {
		m.failLocked(fs, "source_failed", "Reading the user's Close leads failed: "+err.Error())
		return
	}
	if integ == "close" {
		m.applyLeadsLocked(fs, leads, !first)
	}
	fs.status, fs.lastSynced, fs.updated = SyncIdle, time.Now().UTC(), time.Now().UTC()
	if first {
		m.sendLocked(fs, "sync_complete", map[string]any{
			"model": fs.pipeline, "syncedAt": isoTime(fs.lastSynced), "numRecords": len(fs.records),
		}, nil)
	}
}

// applyLeadsLocked turns leads into Company records. With notify, each
// change sends its record_* webhook.
func (m *ManagedSync) applyLeadsLocked(fs *fakeSync, leads []json.RawMessage, notify bool) {
	seen := make(map[string]bool, len(leads))
	wasIdle := fs.status
	if !notify {
		fs.status = SyncActive // no record_* webhooks during the first run
	}
	for _, raw := range leads {
		var lead map[string]any
		if json.Unmarshal(raw, &lead) != nil {
			continue
		}
		ext, _ := lead["id"].(string)
		if ext == "" {
			continue
		}
		seen[ext] = true
		old := fs.byExternal(ext)
		if old != nil && old.version == string(raw) {
			continue
		}
		rec := &fakeRecord{externalID: ext, content: append([]byte(nil), raw...), ctype: "application/json", version: string(raw)}
		if old != nil {
			rec.id = old.id
		} else {
			rec.id = newUUID()
		}
		name, _ := lead["display_name"].(string)
		if name == "" {
			name, _ = lead["name"].(string)
		}
		body, err := recordJSON(rec.id, map[string]any{
			"externalId": ext, "name": name, "website": lead["url"], "description": lead["description"],
			"createdAt": lead["date_created"], "updatedAt": lead["date_updated"], "customFields": lead,
		})
		if err != nil {
			continue
		}
		rec.body = body
		m.putLocked(fs, rec, old)
	}
	for _, rec := range append([]*fakeRecord(nil), fs.records...) {
		if !seen[rec.externalID] {
			fs.records = deleteRecord(fs.records, rec)
			if notify {
				m.sendLocked(fs, "record_deleted", map[string]any{"recordId": rec.id, "externalId": rec.externalID}, nil)
			}
		}
	}
	fs.status = wasIdle
}

// fetchLeads reads all the user's Close leads through the server's own
// proxy route, with a token of the user, as Paragon's sync worker reads the
// integration with the user's credential.
func (m *ManagedSync) fetchLeads(ctx context.Context, userID string) ([]json.RawMessage, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	tok := m.s.UserToken(userID)
	var all []json.RawMessage
	for skip := 0; ; {
		path := "/projects/" + m.s.projectID + "/sdk/proxy/close/lead/?_limit=100&_skip=" + strconv.Itoa(skip)
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		m.s.routes.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return nil, fmt.Errorf("proxy answered %d", rec.Code)
		}
		var out struct {
			Output struct {
				Data    []json.RawMessage `json:"data"`
				HasMore bool              `json:"has_more"`
			} `json:"output"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			return nil, fmt.Errorf("decoding the proxy answer: %w", err)
		}
		all = append(all, out.Output.Data...)
		if !out.Output.HasMore || len(out.Output.Data) == 0 {
			return all, nil
		}
		skip += len(out.Output.Data)
	}
}
