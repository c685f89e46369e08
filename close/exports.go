package close

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Export and bulk-action states.
const (
	JobCreated    = "created"
	JobStarted    = "started"
	JobInProgress = "in_progress"
	JobDone       = "done"
	JobError      = "error"
)

// ErrJobFailed reports an export or bulk action that ended in Close's
// "error" state.
var ErrJobFailed = errors.New("close: export or bulk action failed")

// Export is an export job. When Status is "done", DownloadURL points at
// the gzip-compressed file.
//
// See https://developer.close.com/api/resources/exports.
type Export struct {
	ID          string          `json:"id"`
	Type        string          `json:"type,omitzero"`
	Format      string          `json:"format,omitzero"`
	Status      string          `json:"status"`
	DownloadURL string          `json:"download_url,omitzero"`
	DateCreated Time            `json:"date_created,omitzero"`
	DateUpdated Time            `json:"date_updated,omitzero"`
	Raw         json.RawMessage `json:"-"`
}

type exportJSON Export

// UnmarshalJSON decodes an export and keeps it in Raw.
func (e *Export) UnmarshalJSON(b []byte) error { return keepRaw(b, (*exportJSON)(e), &e.Raw) }

// LeadExportParams starts a lead export: the leads matching Query (an
// Advanced Filtering query; zero means all) as Format "json" or "csv", of
// Type "leads", "contacts" or "lead_opps".
//
// See https://developer.close.com/api/resources/exports.
type LeadExportParams struct {
	Query              Query          `json:"s_query,omitzero"`
	ResultsLimit       int            `json:"results_limit,omitzero"`
	Sort               []SearchSort   `json:"sort,omitzero"`
	Format             string         `json:"format,omitzero"`
	Type               string         `json:"type,omitzero"`
	DateFormat         string         `json:"date_format,omitzero"`
	Fields             []string       `json:"fields,omitzero"`
	IncludeActivities  bool           `json:"include_activities,omitzero"`
	IncludeSmartFields bool           `json:"include_smart_fields,omitzero"`
	SendDoneEmail      Optional[bool] `json:"send_done_email,omitzero"`
}

// OpportunityExportParams starts an opportunity export. Close's exact key
// list is not published; Params is sent as the body, e.g.
// {"format": "json", "params": {...}}.
//
// See https://developer.close.com/api/resources/exports.
type OpportunityExportParams struct {
	Format        string         `json:"format,omitzero"`
	Params        map[string]any `json:"params,omitzero"`
	SendDoneEmail Optional[bool] `json:"send_done_email,omitzero"`
}

// ExportsService starts exports, waits for them and streams their files:
// the way to backfill past Close's max_skip. Get it from [Client].Exports.
//
// See https://developer.close.com/api/resources/exports.
type ExportsService struct{ svc }

// StartLeads starts a lead export (POST /export/lead/).
//
// See https://developer.close.com/api/resources/exports.
func (s *ExportsService) StartLeads(ctx context.Context, p *LeadExportParams) (*Export, error) {
	if p == nil {
		p = &LeadExportParams{}
	}
	if p.Query.err != nil {
		return nil, p.Query.err
	}
	if p.ResultsLimit < 0 {
		return nil, invalid("negative results limit")
	}
	return sendObject[Export](ctx, &s.svc, http.MethodPost, "/export/lead/", p)
}

// StartOpportunities starts an opportunity export (POST
// /export/opportunity/).
//
// See https://developer.close.com/api/resources/exports.
func (s *ExportsService) StartOpportunities(ctx context.Context, p *OpportunityExportParams) (*Export, error) {
	if p == nil {
		p = &OpportunityExportParams{}
	}
	return sendObject[Export](ctx, &s.svc, http.MethodPost, "/export/opportunity/", p)
}

// Get returns export id with its status (GET /export/{id}/).
//
// See https://developer.close.com/api/resources/exports.
func (s *ExportsService) Get(ctx context.Context, id string) (*Export, error) {
	p, err := objectPath("export", "export", id)
	if err != nil {
		return nil, err
	}
	return getObject[Export](ctx, &s.svc, p, nil)
}

// List returns the organization's exports (GET /export/).
//
// See https://developer.close.com/api/resources/exports.
func (s *ExportsService) List(ctx context.Context) iter2[Export] {
	l, err := simpleQuery(0, 0)
	return list[Export](ctx, &s.svc, "exports", "/export/", l, err)
}

// PollOptions tune waiting for an export or bulk action. The zero value
// polls after 1 s, then 1.5 times longer each time, at most every 30 s.
//
// See https://developer.close.com/api/resources/exports.
type PollOptions struct {
	Interval    time.Duration
	MaxInterval time.Duration
}

// poll calls get until done reports true, waiting between calls on a timer
// that also watches ctx.
func poll[T any](ctx context.Context, o *PollOptions, get func() (*T, error), done func(*T) (bool, error)) (*T, error) {
	if ctx == nil {
		return nil, invalid("nil context")
	}
	var opts PollOptions
	if o != nil {
		opts = *o
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.MaxInterval <= 0 {
		opts.MaxInterval = 30 * time.Second
	}
	wait := opts.Interval
	for {
		v, err := get()
		if err != nil {
			return nil, err
		}
		if ok, err := done(v); ok || err != nil {
			return v, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return v, ctx.Err()
		case <-t.C:
		}
		wait = min(wait*3/2, opts.MaxInterval)
	}
}

// Wait polls export id until it is done (or failed, [ErrJobFailed]), with
// a growing interval; the wait ends early when ctx does, returning the last
// state seen with ctx's error.
//
// See https://developer.close.com/api/resources/exports.
func (s *ExportsService) Wait(ctx context.Context, id string, o *PollOptions) (*Export, error) {
	if err := checkID("export", id); err != nil {
		return nil, err
	}
	return poll(ctx, o, func() (*Export, error) { return s.Get(ctx, id) }, func(e *Export) (bool, error) {
		switch e.Status {
		case JobDone:
			if e.DownloadURL == "" {
				return true, fmt.Errorf("close: export %s is done but has no download_url", id)
			}
			return true, nil
		case JobError:
			return true, fmt.Errorf("%w: export %s", ErrJobFailed, id)
		}
		return false, nil
	})
}

// Download streams the file of a finished export, decompressed: nothing is
// buffered beyond a small read buffer, so a multi-gigabyte export passes
// through in constant memory. The caller must Close the reader.
//
// Close's download_url lies outside the API (/api/v1), so Paragon's proxy,
// which only reaches paths under the integration's base URL, cannot fetch
// it, and no request with a path given as a full URL is allowed. Download
// therefore fetches the URL directly with the client's download HTTP
// client ([WithDownloadClient]; by default a private client with its own
// transport, never http.DefaultClient) and sends no credential at all: not
// the Paragon user token, not the Close key. The URL must be https (http
// only for loopback hosts); redirects are followed under the same rule, at
// most 5. Close does not document whether the URL needs authentication
// (it is believed to be pre-signed); if Close answers 401 or 403, the error
// is a *Error matching [ErrUnauthorized].
//
// See https://developer.close.com/api/resources/exports.
func (s *ExportsService) Download(ctx context.Context, e *Export) (io.ReadCloser, error) {
	c := s.cl()
	if err := c.check(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, invalid("nil context")
	}
	if e == nil || e.DownloadURL == "" {
		return nil, invalid("export has no download URL (wait until it is done)")
	}
	u, err := checkDownloadURL(e.DownloadURL)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, invalid("bad download URL")
	}
	resp, err := c.downloadClient().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry a signature; keep it out of the text
		}
		return nil, fmt.Errorf("close: downloading export %s from %s: %w", e.ID, u.Host, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
		pe := parseError(resp.StatusCode, resp.Header, b)
		pe.Method, pe.Path = http.MethodGet, u.Host+u.Path
		return nil, pe
	}
	br := bufio.NewReader(resp.Body)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			_ = resp.Body.Close()
			return nil, fmt.Errorf("close: export %s: %w", e.ID, err)
		}
		return &gzipBody{zr: zr, body: resp.Body}, nil
	}
	return &plainBody{r: br, body: resp.Body}, nil
}

type gzipBody struct {
	zr   *gzip.Reader
	body io.Closer
}

func (g *gzipBody) Read(p []byte) (int, error) { return g.zr.Read(p) }
func (g *gzipBody) Close() error {
	err := g.zr.Close()
	if cerr := g.body.Close(); err == nil {
		err = cerr
	}
	return err
}

type plainBody struct {
	r    io.Reader
	body io.Closer
}

func (p *plainBody) Read(b []byte) (int, error) { return p.r.Read(b) }
func (p *plainBody) Close() error               { return p.body.Close() }

// checkDownloadURL accepts an absolute https URL, or http to a loopback
// host, without user info.
func checkDownloadURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return nil, invalid("download URL is not an absolute URL without credentials")
	}
	switch u.Scheme {
	case "https":
		return u, nil
	case "http":
		if isLoopback(u.Hostname()) {
			return u, nil
		}
	}
	return nil, invalid("download URL must be https (http only to a loopback host), got %q", u.Scheme)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WithDownloadClient sets the HTTP client [ExportsService.Download] uses
// to fetch export files, which live outside Close's API and Paragon's
// proxy. No credential is added to its requests. The default is a private
// client with its own transport and a 30 s header timeout.
//
// See https://developer.close.com/api/resources/exports.
func WithDownloadClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return invalid("nil download HTTP client")
		}
		cp := *hc
		cp.CheckRedirect = checkDownloadRedirect
		c.download = &cp
		return nil
	}
}

func checkDownloadRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("close: export download: too many redirects")
	}
	if _, err := checkDownloadURL(req.URL.String()); err != nil {
		return fmt.Errorf("close: export download redirected off https: %w", err)
	}
	return nil
}

func (c *Client) downloadClient() *http.Client {
	if c.download != nil {
		return c.download
	}
	return &http.Client{
		CheckRedirect: checkDownloadRedirect,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			ResponseHeaderTimeout: 30 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			IdleConnTimeout:       30 * time.Second,
			ForceAttemptHTTP2:     true,
			DisableCompression:    true, // Download decompresses itself
		},
	}
}

// BulkAction is a bulk edit, delete, email or sequence subscription job.
//
// See https://developer.close.com/api/resources/bulk-actions.
type BulkAction struct {
	ID          string          `json:"id"`
	Type        string          `json:"type,omitzero"`
	Status      string          `json:"status"`
	DateCreated Time            `json:"date_created,omitzero"`
	DateUpdated Time            `json:"date_updated,omitzero"`
	Raw         json.RawMessage `json:"-"`
}

type bulkJSON BulkAction

// UnmarshalJSON decodes a bulk action and keeps it in Raw.
func (b *BulkAction) UnmarshalJSON(data []byte) error { return keepRaw(data, (*bulkJSON)(b), &b.Raw) }

// BulkKind is a kind of bulk action.
//
// See https://developer.close.com/api/resources/bulk-actions.
type BulkKind string

// Bulk action kinds (their paths under /bulk_action/).
const (
	BulkEdit                 BulkKind = "edit"
	BulkDelete               BulkKind = "delete"
	BulkEmail                BulkKind = "email"
	BulkSequenceSubscription BulkKind = "sequence_subscription"
)

func (k BulkKind) path(id string) (string, error) {
	switch k {
	case BulkEdit, BulkDelete, BulkEmail, BulkSequenceSubscription:
	default:
		return "", invalid("unknown bulk action kind %q", k)
	}
	if id == "" {
		return "/bulk_action/" + string(k) + "/", nil
	}
	return objectPath("bulk_action/"+string(k), "bulk action", id)
}

// BulkEditParams edits every lead matching Query: Type is
// "set_lead_status" (with LeadStatusID), "set_custom_field" (with
// CustomFieldID and CustomFieldValue or CustomFieldValues, and optionally
// CustomFieldOperation) or "clear_custom_field" (with CustomFieldID).
//
// See https://developer.close.com/api/resources/bulk-actions.
type BulkEditParams struct {
	Type                 string         `json:"type"`
	Query                Query          `json:"s_query"`
	LeadStatusID         string         `json:"lead_status_id,omitzero"`
	CustomFieldID        string         `json:"custom_field_id,omitzero"`
	CustomFieldName      string         `json:"custom_field_name,omitzero"`
	CustomFieldValue     any            `json:"custom_field_value,omitempty"`
	CustomFieldValues    []any          `json:"custom_field_values,omitzero"`
	CustomFieldOperation string         `json:"custom_field_operation,omitzero"`
	SendDoneEmail        Optional[bool] `json:"send_done_email,omitzero"`
}

// BulkDeleteParams deletes every lead matching Query.
//
// See https://developer.close.com/api/resources/bulk-actions.
type BulkDeleteParams struct {
	Query         Query          `json:"s_query"`
	SendDoneEmail Optional[bool] `json:"send_done_email,omitzero"`
}

// BulkActionsService starts and follows bulk actions; each runs
// asynchronously and its changes carry meta.bulk_action_id in their
// events. Get it from [Client].BulkActions.
//
// See https://developer.close.com/api/resources/bulk-actions.
type BulkActionsService struct{ svc }

// Edit starts a bulk edit (POST /bulk_action/edit/).
//
// See https://developer.close.com/api/resources/bulk-actions.
func (s *BulkActionsService) Edit(ctx context.Context, p *BulkEditParams) (*BulkAction, error) {
	if p == nil || p.Type == "" || p.Query.IsZero() {
		return nil, invalid("a bulk edit needs a type and a query")
	}
	if p.Query.err != nil {
		return nil, p.Query.err
	}
	switch p.Type {
	case "set_lead_status":
		if p.LeadStatusID == "" {
			return nil, invalid("set_lead_status needs LeadStatusID")
		}
	case "set_custom_field", "clear_custom_field":
		if p.CustomFieldID == "" && p.CustomFieldName == "" {
			return nil, invalid("%s needs a custom field", p.Type)
		}
	}
	return sendObject[BulkAction](ctx, &s.svc, http.MethodPost, "/bulk_action/edit/", p)
}

// Delete starts a bulk delete of every lead matching p.Query (POST
// /bulk_action/delete/). It cannot be undone.
//
// See https://developer.close.com/api/resources/bulk-actions.
func (s *BulkActionsService) Delete(ctx context.Context, p *BulkDeleteParams) (*BulkAction, error) {
	if p == nil || p.Query.IsZero() {
		return nil, invalid("a bulk delete needs a query")
	}
	if p.Query.err != nil {
		return nil, p.Query.err
	}
	return sendObject[BulkAction](ctx, &s.svc, http.MethodPost, "/bulk_action/delete/", p)
}

// Get returns bulk action id of kind k (GET /bulk_action/<kind>/{id}/).
//
// See https://developer.close.com/api/resources/bulk-actions.
func (s *BulkActionsService) Get(ctx context.Context, k BulkKind, id string) (*BulkAction, error) {
	p, err := k.path(id)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, invalid("empty bulk action ID")
	}
	return getObject[BulkAction](ctx, &s.svc, p, nil)
}

// List returns the bulk actions of kind k (GET /bulk_action/<kind>/).
//
// See https://developer.close.com/api/resources/bulk-actions.
func (s *BulkActionsService) List(ctx context.Context, k BulkKind) iter2[BulkAction] {
	p, err := k.path("")
	l, qerr := simpleQuery(0, 0)
	if err == nil {
		err = qerr
	}
	return list[BulkAction](ctx, &s.svc, "bulk actions", p, l, err)
}

// Wait polls bulk action id until it is done (or failed, [ErrJobFailed]);
// see [ExportsService.Wait].
//
// See https://developer.close.com/api/resources/bulk-actions.
func (s *BulkActionsService) Wait(ctx context.Context, k BulkKind, id string, o *PollOptions) (*BulkAction, error) {
	if _, err := k.path(id); err != nil || id == "" {
		if err == nil {
			err = invalid("empty bulk action ID")
		}
		return nil, err
	}
	return poll(ctx, o, func() (*BulkAction, error) { return s.Get(ctx, k, id) }, func(b *BulkAction) (bool, error) {
		switch b.Status {
		case JobDone:
			return true, nil
		case JobError:
			return true, fmt.Errorf("%w: bulk %s %s", ErrJobFailed, k, id)
		}
		return false, nil
	})
}
