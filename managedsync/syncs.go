package managedsync

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/paragon-go/paragon"
)

// Status is a sync's state. Values Paragon adds later (or the PENDING,
// SYNCING and ERROR of Paragon's own samples) are kept as they come; see
// [Status.Known].
type Status string

// Sync statuses.
const (
	// StatusInitializing: created, waiting for its first run.
	StatusInitializing Status = "INITIALIZING"
	// StatusActive: fetching records.
	StatusActive Status = "ACTIVE"
	// StatusIdle: done and watching for changes. Summary.LastSyncedAt tells
	// whether the first sync has finished.
	StatusIdle Status = "IDLE"
	// StatusDisabled: paused with [Client.Disable].
	StatusDisabled Status = "DISABLED"
	// StatusErrored: suspended after a permanent failure; the details come
	// in the sync_errored webhook.
	StatusErrored Status = "ERRORED"
)

// Known reports whether s is one of the documented statuses.
func (s Status) Known() bool {
	switch s {
	case StatusInitializing, StatusActive, StatusIdle, StatusDisabled, StatusErrored:
		return true
	}
	return false
}

// Sync is one sync of a user's data, as the Sync API describes it. Which
// fields are set depends on the call: Create answers the IDs and status,
// List adds dates and the configuration name, Get the status and Summary.
type Sync struct {
	ID                string    `json:"id,omitzero"`
	UserID            string    `json:"userId,omitzero"`
	ProjectID         string    `json:"projectId,omitzero"`
	Integration       string    `json:"integration,omitzero"`
	Pipeline          string    `json:"pipeline,omitzero"`
	Status            Status    `json:"status,omitzero"`
	ConfigurationName string    `json:"configurationName,omitzero"`
	CredentialID      string    `json:"credentialId,omitzero"`
	DateCreated       time.Time `json:"dateCreated,omitzero"`
	DateUpdated       time.Time `json:"dateUpdated,omitzero"`
	// Summary is the progress of the sync (Get only).
	Summary Summary `json:"summary,omitzero"`
	// Error is the failure of an ERRORED sync, when the answer carries one
	// (an "error" string or object; the shape is not documented).
	Error *SyncFailure `json:"-"`
	// Raw is the sync as Paragon sent it, for fields not modelled here.
	Raw json.RawMessage `json:"-"`
}

// Summary is a sync's progress, from GET /api/syncs/{syncId}.
type Summary struct {
	TotalRecords       int64     `json:"totalRecords,omitzero"`
	SyncedRecordsCount int64     `json:"syncedRecordsCount,omitzero"`
	LastSyncedAt       time.Time `json:"lastSyncedAt,omitzero"`
	LatestCursor       string    `json:"latestCursor,omitzero"`
}

// UnmarshalJSON decodes a summary, reading lastSyncedAt leniently (an
// RFC 3339 string or epoch milliseconds; anything else is left zero).
func (m *Summary) UnmarshalJSON(b []byte) error {
	type plain Summary
	var aux struct {
		*plain
		LastSyncedAt json.RawMessage `json:"lastSyncedAt"`
	}
	aux.plain = (*plain)(m)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	m.LastSyncedAt = lenientTime(aux.LastSyncedAt)
	return nil
}

// lenientTime reads a JSON time given as an RFC 3339 string or as epoch
// milliseconds (as a number or a string of digits); anything else is zero.
func lenientTime(raw json.RawMessage) time.Time {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}
	}
	var str string
	if json.Unmarshal(raw, &str) != nil {
		str = string(raw)
	}
	if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
		return t
	}
	if ms, err := strconv.ParseInt(str, 10, 64); err == nil && ms > 0 {
		return time.UnixMilli(ms).UTC()
	}
	return time.Time{}
}

// SyncFailure is Paragon's description of why a sync errored.
type SyncFailure struct {
	Message string
	Code    string
	Raw     json.RawMessage
}

// UnmarshalJSON decodes a sync and keeps the raw JSON. A sync whose id is
// in "syncId" or "syncInstanceId" gets it too.
func (s *Sync) UnmarshalJSON(b []byte) error {
	type plain Sync
	var aux struct {
		*plain
		SyncID         string          `json:"syncId"`
		SyncInstanceID string          `json:"syncInstanceId"`
		Err            json.RawMessage `json:"error"`
		// Dates are read leniently: their format is not documented.
		DateCreated json.RawMessage `json:"dateCreated"`
		DateUpdated json.RawMessage `json:"dateUpdated"`
	}
	aux.plain = (*plain)(s)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	s.DateCreated, s.DateUpdated = lenientTime(aux.DateCreated), lenientTime(aux.DateUpdated)
	if s.ID == "" {
		s.ID = aux.SyncID
	}
	if s.ID == "" {
		s.ID = aux.SyncInstanceID
	}
	s.Error = decodeFailure(aux.Err)
	s.Raw = append(json.RawMessage(nil), b...)
	return nil
}

func decodeFailure(raw json.RawMessage) *SyncFailure {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	f := &SyncFailure{Raw: append(json.RawMessage(nil), raw...)}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		f.Message = str
		return f
	}
	var obj struct {
		Message json.RawMessage `json:"message"`
		Code    any             `json:"code"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		if json.Unmarshal(obj.Message, &str) == nil {
			f.Message = str
		} else if len(obj.Message) > 0 {
			f.Message = string(obj.Message)
		}
		switch c := obj.Code.(type) {
		case string:
			f.Code = c
		case float64:
			f.Code = strconv.FormatFloat(c, 'f', -1, 64)
		}
	}
	return f
}

// CreateParams describe a new sync (POST /api/syncs).
type CreateParams struct {
	// Integration is the integration type, e.g. "googledrive". Required.
	Integration string `json:"integration"`
	// Pipeline is what to sync, e.g. "files", "contacts". Required.
	Pipeline string `json:"pipeline"`
	// Configuration holds the pipeline's options; {} when nil.
	Configuration map[string]any `json:"configuration"`
	// ConfigurationName names the configuration (Paragon's default:
	// "default").
	ConfigurationName string `json:"configurationName,omitzero"`
	// CredentialID picks one of the user's accounts when several are
	// connected.
	CredentialID string `json:"credentialId,omitzero"`
}

// Create starts a sync of the user's data (POST /api/syncs). The sync
// starts INITIALIZING; see [Client.WaitIdle].
//
// Docs: https://docs.useparagon.com/managed-sync/sync-api
func (c *Client) Create(ctx context.Context, p *CreateParams, opts ...paragon.CallOption) (*Sync, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, invalid("nil CreateParams")
	}
	if err := checkID("integration", p.Integration); err != nil {
		return nil, err
	}
	if err := checkID("pipeline", p.Pipeline); err != nil {
		return nil, err
	}
	if p.CredentialID != "" {
		if err := checkID("credential ID", p.CredentialID); err != nil {
			return nil, err
		}
	}
	body := *p
	if body.Configuration == nil {
		body.Configuration = map[string]any{}
	}
	s := new(Sync)
	if err := c.call(ctx, http.MethodPost, "/api/syncs", "/api/syncs", &body, s, opts); err != nil {
		return nil, err
	}
	return s, nil
}

// Get returns a sync's status and summary (GET /api/syncs/{syncId}). The
// answer has no ID of its own; the returned Sync's ID is syncID.
//
// Docs: https://docs.useparagon.com/managed-sync/api/get-sync-status
func (c *Client) Get(ctx context.Context, syncID string, opts ...paragon.CallOption) (*Sync, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	if err := checkID("sync ID", syncID); err != nil {
		return nil, err
	}
	s := new(Sync)
	if err := c.call(ctx, http.MethodGet, syncPath(syncID), "/api/syncs/{syncId}", nil, s, opts); err != nil {
		return nil, err
	}
	if s.ID == "" {
		s.ID = syncID
	}
	return s, nil
}

// ListParams filter [Client.List].
type ListParams struct {
	// CredentialID lists the syncs of one of the user's accounts.
	CredentialID string
}

// List returns the user's syncs (GET /api/syncs). Paragon answers them all
// at once, without paging.
//
// Docs: https://docs.useparagon.com/managed-sync/api/list-syncs
func (c *Client) List(ctx context.Context, p *ListParams, opts ...paragon.CallOption) ([]Sync, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	var q url.Values
	if p != nil && p.CredentialID != "" {
		if err := checkID("credential ID", p.CredentialID); err != nil {
			return nil, err
		}
		q = url.Values{"credentialId": {p.CredentialID}}
	}
	resp, err := c.u.Call(ctx, paragon.ServiceManagedSync, http.MethodGet, "/api/syncs", &paragon.CallParams{
		Query: q, Template: "/api/syncs",
	}, opts...)
	if err != nil {
		return nil, err
	}
	var out struct {
		Data []Sync `json:"data"`
	}
	if err := decodeOutput(resp, "GET /api/syncs", &out); err != nil {
		return nil, err
	}
	if out.Data == nil {
		out.Data = []Sync{}
	}
	return out.Data, nil
}

// UpdateParams change a sync (PATCH /api/syncs/{syncId}).
type UpdateParams struct {
	// CredentialID moves the sync to another of the user's accounts.
	// Required.
	CredentialID string `json:"credentialId"`
}

// Update changes which of the user's accounts a sync reads
// (PATCH /api/syncs/{syncId}). The answer's shape is not documented: the
// returned Sync holds what Paragon sent, with ID syncID when it sent none.
//
// Docs: https://docs.useparagon.com/managed-sync/api/update-sync
func (c *Client) Update(ctx context.Context, syncID string, p *UpdateParams, opts ...paragon.CallOption) (*Sync, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	if err := checkID("sync ID", syncID); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, invalid("nil UpdateParams")
	}
	if err := checkID("credential ID", p.CredentialID); err != nil {
		return nil, err
	}
	resp, err := c.u.Call(ctx, paragon.ServiceManagedSync, http.MethodPatch, syncPath(syncID), &paragon.CallParams{
		Body: p, Template: "/api/syncs/{syncId}",
	}, opts...)
	if err != nil {
		return nil, err
	}
	s := new(Sync)
	if len(resp.Output) > 0 {
		if err := decodeOutput(resp, "PATCH /api/syncs/{syncId}", s); err != nil {
			return nil, err
		}
	}
	if s.ID == "" {
		s.ID = syncID
	}
	return s, nil
}

// Disable pauses a sync (POST /api/syncs/{syncId}/disable); its status
// becomes DISABLED.
func (c *Client) Disable(ctx context.Context, syncID string, opts ...paragon.CallOption) error {
	return c.action(ctx, http.MethodPost, syncID, "disable", "/api/syncs/{syncId}/disable", opts)
}

// Reenable resumes a disabled or errored sync
// (POST /api/syncs/{syncId}/reenable).
//
// Docs: https://docs.useparagon.com/managed-sync/api/reenable-sync
func (c *Client) Reenable(ctx context.Context, syncID string, opts ...paragon.CallOption) error {
	return c.action(ctx, http.MethodPost, syncID, "reenable", "/api/syncs/{syncId}/reenable", opts)
}

// Delete removes a sync and its records (DELETE /api/syncs/{syncId}).
func (c *Client) Delete(ctx context.Context, syncID string, opts ...paragon.CallOption) error {
	return c.action(ctx, http.MethodDelete, syncID, "", "/api/syncs/{syncId}", opts)
}

func (c *Client) action(ctx context.Context, method, syncID, suffix, template string, opts []paragon.CallOption) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	if err := checkID("sync ID", syncID); err != nil {
		return err
	}
	path := syncPath(syncID)
	if suffix != "" {
		path = syncPath(syncID, suffix)
	}
	return c.call(ctx, method, path, template, nil, nil, opts)
}

// decodeOutput decodes a JSON answer with a clear error for an empty or
// malformed one.
func decodeOutput(resp *paragon.Response, what string, v any) error {
	if len(resp.Output) == 0 {
		return invalidResponse(what, "empty response body")
	}
	if err := json.Unmarshal(resp.Output, v); err != nil {
		return invalidResponseErr(what, err)
	}
	return nil
}
