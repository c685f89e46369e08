package managedsync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/paragon-go/paragon"
)

// Role is a permission a user may hold on a synced object.
type Role string

// Roles of the Permissions API.
const (
	RoleCanRead  Role = "can_read"
	RoleCanWrite Role = "can_write"
	RoleIsOwner  Role = "is_owner"
)

// ObjectType is the kind of object [Client.ListObjects] lists.
type ObjectType string

// Object types of the Permissions API.
const (
	ObjectFile   ObjectType = "file"
	ObjectFolder ObjectType = "folder"
)

// MaxBatchCheck is how many checks [Client.BatchCheckAccess] sends in one
// request; longer lists are sent in chunks of this size, one after the
// other. Paragon documents no limit: 50 is the default batch limit of
// OpenFGA, the authorization model whose "user:<email>" form the endpoint
// uses, so chunks of 50 stay within what such a server accepts.
const MaxBatchCheck = 50

// MaxLineBytes bounds one line of the ndjson stream of
// [Client.ListObjects]; a longer line ends the sequence with
// [ErrLineTooLong].
const MaxLineBytes = 64 << 10

// maxEmail bounds a user's email (RFC 5321 allows 254 characters in a path).
const maxEmail = 320

// AccessCheck asks whether User (an email) holds Role on Object (a synced
// object's ID, the ID of a [Record]).
type AccessCheck struct {
	Object string
	User   string
	Role   Role
}

// AccessResult is the answer to one [AccessCheck] of a batch.
type AccessResult struct {
	// Check is the check answered (User as given, a bare email).
	Check AccessCheck
	// Allowed is Paragon's answer.
	Allowed bool
	// Error is Paragon's error for this check, if it could not answer it.
	Error string
}

func checkRole(r Role) error {
	switch r {
	case RoleCanRead, RoleCanWrite, RoleIsOwner:
		return nil
	case "":
		return invalid("empty role")
	}
	return invalid("unknown role %q (want can_read, can_write or is_owner)", string(r))
}

// bareEmail validates an email and drops a "user:" prefix.
func bareEmail(email string) (string, error) {
	e := strings.TrimPrefix(email, "user:")
	switch {
	case e == "":
		return "", invalid("empty user email")
	case len(e) > maxEmail:
		return "", invalid("user email is %d bytes long", len(e))
	case !utf8.ValidString(e):
		return "", invalid("user email is not valid UTF-8")
	case !strings.Contains(e, "@"):
		return "", invalid("user %q is not an email address", e)
	}
	for _, r := range e {
		if r <= ' ' || r == 0x7f {
			return "", invalid("user email contains a space or control character")
		}
	}
	return e, nil
}

func (a AccessCheck) validate() (AccessCheck, error) {
	if err := checkID("object", a.Object); err != nil {
		return a, err
	}
	e, err := bareEmail(a.User)
	if err != nil {
		return a, err
	}
	a.User = e
	return a, checkRole(a.Role)
}

func permPath(syncID, op string) string {
	return "/api/permissions/" + url.PathEscape(syncID) + "/" + op
}

// CheckAccess reports whether a user (an email) holds a role on a synced
// object (POST /api/permissions/{syncId}/check).
//
// Docs: https://docs.useparagon.com/api-reference/check-access
func (c *Client) CheckAccess(ctx context.Context, syncID string, check AccessCheck, opts ...paragon.CallOption) (bool, error) {
	if err := c.check(ctx); err != nil {
		return false, err
	}
	if err := checkID("sync ID", syncID); err != nil {
		return false, err
	}
	check, err := check.validate()
	if err != nil {
		return false, err
	}
	var out struct {
		HasAccess *bool `json:"hasAccess"`
	}
	body := map[string]string{"object": check.Object, "user": check.User, "role": string(check.Role)}
	if err := c.call(ctx, http.MethodPost, permPath(syncID, "check"), "/api/permissions/{syncId}/check", body, &out, idempotent(opts)); err != nil {
		return false, err
	}
	if out.HasAccess == nil {
		return false, invalidResponse("POST /api/permissions/{syncId}/check", "no hasAccess in the answer")
	}
	return *out.HasAccess, nil
}

// idempotent marks a read-only POST as safe to retry.
func idempotent(opts []paragon.CallOption) []paragon.CallOption {
	return append([]paragon.CallOption{paragon.WithIdempotent()}, opts...)
}

type wireCheck struct {
	Object string `json:"object"`
	User   string `json:"user"`
	Role   string `json:"role"`
}

// BatchCheckAccess answers many checks (POST
// /api/permissions/{syncId}/batch-check), in request chunks of at most
// [MaxBatchCheck], and returns one result per check, in the order given.
// Users are bare emails, as for [Client.CheckAccess]; the "user:<email>"
// form the endpoint takes is made here. All checks are validated before
// anything is sent. A failed chunk ends the call with its error (the
// results of earlier chunks are dropped).
//
// Docs: https://docs.useparagon.com/api-reference/batch-check-access
func (c *Client) BatchCheckAccess(ctx context.Context, syncID string, checks []AccessCheck, opts ...paragon.CallOption) ([]AccessResult, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	if err := checkID("sync ID", syncID); err != nil {
		return nil, err
	}
	valid := make([]AccessCheck, len(checks))
	for i, ch := range checks {
		v, err := ch.validate()
		if err != nil {
			return nil, fmt.Errorf("check %d: %w", i, err)
		}
		valid[i] = v
	}
	out := make([]AccessResult, 0, len(valid))
	for start := 0; start < len(valid); start += MaxBatchCheck {
		chunk := valid[start:min(start+MaxBatchCheck, len(valid))]
		res, err := c.batchChunk(ctx, syncID, chunk, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func (c *Client) batchChunk(ctx context.Context, syncID string, chunk []AccessCheck, opts []paragon.CallOption) ([]AccessResult, error) {
	const what = "POST /api/permissions/{syncId}/batch-check"
	req := struct {
		Checks []wireCheck `json:"checks"`
	}{Checks: make([]wireCheck, len(chunk))}
	for i, ch := range chunk {
		req.Checks[i] = wireCheck{Object: ch.Object, User: "user:" + ch.User, Role: string(ch.Role)}
	}
	var resp struct {
		Result []struct {
			Allowed bool            `json:"allowed"`
			Request wireCheck       `json:"request"`
			Error   json.RawMessage `json:"error"`
		} `json:"result"`
	}
	if err := c.call(ctx, http.MethodPost, permPath(syncID, "batch-check"), "/api/permissions/{syncId}/batch-check", &req, &resp, idempotent(opts)); err != nil {
		return nil, err
	}
	if len(resp.Result) != len(chunk) {
		return nil, invalidResponse(what, fmt.Sprintf("%d results for %d checks", len(resp.Result), len(chunk)))
	}
	// Match results to checks by their request (the order of the answer
	// is not documented); fall back to position for a result whose request
	// is missing.
	pending := make(map[wireCheck][]int, len(chunk))
	for i, w := range req.Checks {
		pending[w] = append(pending[w], i)
	}
	out := make([]AccessResult, len(chunk))
	filled := make([]bool, len(chunk))
	for j, r := range resp.Result {
		i := j
		if q := pending[r.Request]; len(q) > 0 {
			i, pending[r.Request] = q[0], q[1:]
		} else if r.Request != (wireCheck{}) || filled[i] {
			return nil, invalidResponse(what, fmt.Sprintf("result %d answers a check that was not asked", j))
		}
		if filled[i] {
			return nil, invalidResponse(what, fmt.Sprintf("check %d answered twice", i))
		}
		filled[i] = true
		out[i] = AccessResult{Check: chunk[i], Allowed: r.Allowed, Error: errorText(r.Error)}
	}
	return out, nil
}

// errorText turns an error given as a string or an object into text.
func errorText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Message != "" {
		return obj.Message
	}
	return string(raw)
}

// ListUsers returns the emails of the users who hold role on an object
// (POST /api/permissions/{syncId}/list-users).
//
// Docs: https://docs.useparagon.com/api-reference/list-users
func (c *Client) ListUsers(ctx context.Context, syncID, object string, role Role, opts ...paragon.CallOption) ([]string, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	if err := checkID("sync ID", syncID); err != nil {
		return nil, err
	}
	if err := checkID("object", object); err != nil {
		return nil, err
	}
	if err := checkRole(role); err != nil {
		return nil, err
	}
	var out struct {
		Users []string `json:"users"`
	}
	body := map[string]string{"object": object, "role": string(role)}
	if err := c.call(ctx, http.MethodPost, permPath(syncID, "list-users"), "/api/permissions/{syncId}/list-users", body, &out, idempotent(opts)); err != nil {
		return nil, err
	}
	for i, u := range out.Users {
		out.Users[i] = strings.TrimPrefix(u, "user:")
	}
	if out.Users == nil {
		out.Users = []string{}
	}
	return out.Users, nil
}

// ListObjectsParams select the objects of [Client.ListObjects].
type ListObjectsParams struct {
	// User is the user's email. Required.
	User string
	// Role is the role the user must hold. Required.
	Role Role
	// ObjectType is file or folder; default file.
	ObjectType ObjectType
}

// ListObjects returns the IDs of the objects a user holds a role on, as a
// lazy sequence over Paragon's streamed list
// (POST /api/permissions/{syncId}/streamed-list-objects, ndjson): each
// line is decoded as it arrives, so there is no 1,000-object cap and memory
// stays flat. Breaking out of the loop closes the stream. A line of
// [MaxLineBytes] or more yields [ErrLineTooLong]; an {"error": …} line
// yields an error matching [paragon.ErrInvalidResponse]; either ends the
// sequence.
//
// Docs: https://docs.useparagon.com/managed-sync/api/streamed-list-objects
func (c *Client) ListObjects(ctx context.Context, syncID string, p *ListObjectsParams, opts ...paragon.CallOption) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		body, err := c.listObjectsBody(ctx, syncID, p)
		if err != nil {
			yield("", err)
			return
		}
		resp, err := c.u.Call(ctx, paragon.ServiceManagedSync, http.MethodPost, permPath(syncID, "streamed-list-objects"), &paragon.CallParams{
			Body:     body,
			Stream:   true,
			Header:   http.Header{"Accept": {"application/x-ndjson"}},
			Template: "/api/permissions/{syncId}/streamed-list-objects",
		}, idempotent(opts)...)
		if err != nil {
			yield("", err)
			return
		}
		defer func() { _ = resp.Body.Close() }()
		for line, err := range ndjsonLines(resp.Body) {
			if err == nil {
				err = ctx.Err()
			}
			if err != nil {
				yield("", err)
				return
			}
			var l struct {
				Object string          `json:"object"`
				Error  json.RawMessage `json:"error"`
			}
			if err := json.Unmarshal(line, &l); err != nil {
				yield("", invalidResponseErr("streamed-list-objects line", err))
				return
			}
			if msg := errorText(l.Error); msg != "" {
				yield("", invalidResponse("streamed-list-objects", "Paragon sent an error line: "+msg))
				return
			}
			if l.Object == "" {
				continue
			}
			if !yield(l.Object, nil) {
				return
			}
		}
	}
}

func (c *Client) listObjectsBody(ctx context.Context, syncID string, p *ListObjectsParams) (map[string]string, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	if err := checkID("sync ID", syncID); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, invalid("nil ListObjectsParams")
	}
	email, err := bareEmail(p.User)
	if err != nil {
		return nil, err
	}
	if err := checkRole(p.Role); err != nil {
		return nil, err
	}
	typ := p.ObjectType
	switch typ {
	case "":
		typ = ObjectFile
	case ObjectFile, ObjectFolder:
	default:
		return nil, invalid("unknown object type %q (want file or folder)", string(typ))
	}
	return map[string]string{"objectType": string(typ), "user": email, "role": string(p.Role)}, nil
}
