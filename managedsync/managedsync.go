// Package managedsync is a client for Paragon's Managed Sync (syncs of a
// Connected User's third-party data, their records and file contents) and
// its Permissions API (may this user read this object?), built on
// [paragon.User.Call].
//
// A [Client] acts as one Connected User:
//
//	ms := managedsync.New(c.User("acct-1042"))
//	s, err := ms.Create(ctx, &managedsync.CreateParams{Integration: "googledrive", Pipeline: "files"})
//	s, err = ms.WaitIdle(ctx, s.ID)
//	for rec, err := range ms.Records(ctx, s.ID, nil) { … }
//
// Every call goes to the Managed Sync host (https://sync.useparagon.com, or
// ms-sync.<host> on-prem; see [paragon.ServiceManagedSync]) with the user's
// token, which must carry an aud claim: a user whose token has none (a token
// signed elsewhere, given to [paragon.Client.Authenticate]) gets
// [ErrNoAudience] before anything is sent.
//
// Records and the objects of a user are lazy [iter.Seq2] sequences: pages
// (or ndjson lines) are fetched as the loop asks for them, one at a time, so
// memory stays flat however large the sync; breaking out of the loop stops
// fetching.
//
// Errors from Paragon are *[paragon.Error] (match them with errors.Is
// against [paragon.ErrNotFound], [paragon.ErrUnauthorized], …); bad input
// matches [paragon.ErrInvalidInput] and sends nothing.
//
// Docs: https://docs.useparagon.com/managed-sync/sync-api
package managedsync

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/paragon-go/paragon"
)

// Errors of this package. [ErrNoAudience] comes wrapped with
// [paragon.ErrInvalidInput] (nothing was sent); the others come from the
// answers.
var (
	// ErrNoAudience: the user's token has no aud claim, which Managed Sync
	// and the Permissions API require. A User made with Client.User always
	// has one; a token given to Client.Authenticate must have been signed
	// with aud "<instance host>/<projectID>" ("useparagon.com/<projectID>"
	// on US cloud). Nothing is sent.
	ErrNoAudience = errors.New("managedsync: the user token has no aud claim; Managed Sync requires aud \"useparagon.com/<projectID>\"")
	// ErrCursorCycle: the records cursor did not advance (a page came back
	// with the cursor that was sent, or an earlier one): following it would
	// loop for ever. See [CursorError].
	ErrCursorCycle = errors.New("managedsync: records cursor does not advance")
	// ErrSyncErrored: a sync's status is ERRORED. See [SyncError].
	ErrSyncErrored = errors.New("managedsync: sync errored")
	// ErrSyncDisabled: a sync waited on is DISABLED, so it will not become
	// idle until it is re-enabled. See [SyncError].
	ErrSyncDisabled = errors.New("managedsync: sync disabled")
	// ErrLineTooLong: a line of an ndjson stream was longer than
	// [MaxLineBytes].
	ErrLineTooLong = errors.New("managedsync: ndjson line too long")
)

// Client calls Managed Sync and the Permissions API as one Connected User.
// It is cheap to create and safe for concurrent use.
type Client struct {
	u *paragon.User
}

// New returns a Client acting as u. A nil u is reported by every call, with
// [paragon.ErrInvalidInput].
func New(u *paragon.User) *Client { return &Client{u: u} }

// User returns the user the client acts as.
func (c *Client) User() *paragon.User {
	if c == nil {
		return nil
	}
	return c.u
}

// maxID bounds the IDs (sync, record, credential, object) put in paths and bodies.
const maxID = 512

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: managedsync: "+format, append([]any{paragon.ErrInvalidInput}, args...)...)
}

// check validates the client before a call: a user, and an audience.
func (c *Client) check(ctx context.Context) error {
	if c == nil || c.u == nil {
		return invalid("nil client or user")
	}
	if ctx == nil {
		return invalid("nil context")
	}
	if c.u.Audience() == "" {
		return fmt.Errorf("%w: %w", paragon.ErrInvalidInput, ErrNoAudience)
	}
	return nil
}

// checkID validates an ID that goes into a path or a body.
func checkID(what, id string) error {
	switch {
	case id == "":
		return invalid("empty %s", what)
	case len(id) > maxID:
		return invalid("%s is %d bytes long", what, len(id))
	case !utf8.ValidString(id):
		return invalid("%s is not valid UTF-8", what)
	case id == "." || id == "..":
		return invalid("%s %q is not an ID", what, id)
	}
	for _, r := range id {
		if r < ' ' || r == 0x7f || r == '/' || r == '\\' {
			return invalid("%s contains a slash or control character", what)
		}
	}
	return nil
}

// call sends one JSON request and decodes the JSON answer into out (when
// out is not nil).
func (c *Client) call(ctx context.Context, method, path, template string, body any, out any, opts []paragon.CallOption) error {
	resp, err := c.u.Call(ctx, paragon.ServiceManagedSync, method, path, &paragon.CallParams{
		Body: body, Template: template,
	}, opts...)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return decodeOutput(resp, method+" "+template, out)
}

func invalidResponse(what, msg string) error {
	return fmt.Errorf("%w: managedsync: %s: %s", paragon.ErrInvalidResponse, what, msg)
}

func invalidResponseErr(what string, err error) error {
	return fmt.Errorf("%w: managedsync: %s: %w", paragon.ErrInvalidResponse, what, err)
}

// syncPath returns "/api/syncs/<id>" + the suffix segments, escaped.
func syncPath(id string, suffix ...string) string {
	var b strings.Builder
	b.WriteString("/api/syncs/")
	b.WriteString(url.PathEscape(id))
	for _, s := range suffix {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
