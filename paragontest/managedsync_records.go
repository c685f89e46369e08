package paragontest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

func encodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("rec:" + strconv.FormatInt(seq, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "rec:") {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b[4:]), 10, 64)
	return n, err == nil && n >= 0
}

func (m *ManagedSync) records(w http.ResponseWriter, r *http.Request, userID string) {
	q := r.URL.Query()
	size := syncDefaultPageSize
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > syncMaxPageSize {
			writeValidation(w, r, "pageSize", "max", "pageSize must be an integer from 1 to "+strconv.Itoa(syncMaxPageSize))
			return
		}
		size = n
	}
	after := int64(0)
	if v := q.Get("cursor"); v != "" {
		n, ok := decodeCursor(v)
		if !ok {
			writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "Invalid cursor.", nil)
			return
		}
		after = n
	}
	m.mu.Lock()
	fs := m.syncOfLocked(w, r, userID)
	if fs == nil {
		m.mu.Unlock()
		return
	}
	start, _ := slices.BinarySearchFunc(fs.records, after+1, func(rec *fakeRecord, seq int64) int {
		return int(min(max(rec.seq-seq, -1), 1))
	})
	end := min(start+size, len(fs.records))
	data := make([]json.RawMessage, 0, end-start)
	cursor := q.Get("cursor")
	for _, rec := range fs.records[start:end] {
		data = append(data, rec.body)
		cursor = encodeCursor(rec.seq)
	}
	lastSeen := after
	if end > start {
		lastSeen = fs.records[end-1].seq
	}
	total := len(fs.records)
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"data": data,
		"paging": map[string]any{
			"totalRecords": total, "totalActiveRecords": total, "remainingRecords": total - end,
			"cursor": cursor, "lastSeen": lastSeen,
		},
	})
}

// recordOfLocked finds the record named in the path, answering 404 when
// there is none. m.mu must be held.
func (m *ManagedSync) recordOfLocked(w http.ResponseWriter, r *http.Request, userID string) *fakeRecord {
	fs := m.syncOfLocked(w, r, userID)
	if fs == nil {
		return nil
	}
	rid := r.PathValue("rid")
	for _, rec := range fs.records {
		if rec.id == rid {
			return rec
		}
	}
	writeError(w, r, http.StatusNotFound, codeNotFound, "Record not found.", nil)
	return nil
}

func (m *ManagedSync) record(w http.ResponseWriter, r *http.Request, userID string) {
	m.mu.Lock()
	rec := m.recordOfLocked(w, r, userID)
	m.mu.Unlock()
	if rec != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(append(rec.body, '\n'))
	}
}

func (m *ManagedSync) content(w http.ResponseWriter, r *http.Request, userID string) {
	m.mu.Lock()
	rec := m.recordOfLocked(w, r, userID)
	m.mu.Unlock()
	if rec == nil {
		return
	}
	w.Header().Set("Content-Type", rec.ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(rec.content)))
	_, _ = w.Write(rec.content)
}
