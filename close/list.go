package close

import (
	"maps"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxIDLen caps the IDs accepted in paths; Close IDs are about 50 bytes.
const maxIDLen = 256

// objectPath returns "/<resource>/<escaped id>/" after validating id: not
// empty, at most 256 bytes, valid UTF-8, not "." or "..", and free of
// slashes, backslashes and control characters.
func objectPath(resource, what, id string) (string, error) {
	if err := checkID(what, id); err != nil {
		return "", err
	}
	return "/" + resource + "/" + url.PathEscape(id) + "/", nil
}

// checkID validates an object ID (see objectPath).
func checkID(what, id string) error {
	switch {
	case id == "":
		return invalid("empty %s ID", what)
	case len(id) > maxIDLen:
		return invalid("%s ID is %d bytes long (max %d)", what, len(id), maxIDLen)
	case !utf8.ValidString(id):
		return invalid("%s ID is not valid UTF-8", what)
	case id == "." || id == "..":
		return invalid("%s ID %q is a relative path element", what, id)
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return invalid("%s ID %q contains a slash or control character", what, id)
		}
	}
	return nil
}

// Page is one page of a Close list: the objects, whether more follow, and
// the total number of matches when Close sends it (leads and opportunities;
// nil when absent).
//
// See https://developer.close.com/api/overview/pagination.
type Page[T any] struct {
	Data         []T  `json:"data"`
	HasMore      bool `json:"has_more"`
	TotalResults *int `json:"total_results,omitempty"`
}

// TimeRange filters a timestamp field of a list call: each non-zero bound
// becomes <field>__gt, __gte, __lt or __lte. Bounds are sent in RFC 3339
// with their offset.
//
// See https://developer.close.com/api/resources/opportunities.
type TimeRange struct {
	Gt, Gte, Lt, Lte time.Time
}

// DateRange filters a date field (date_won) of a list call: each non-zero
// bound becomes <field>__gt, __gte, __lt or __lte as "2006-01-02".
//
// See https://developer.close.com/api/resources/opportunities.
type DateRange struct {
	Gt, Gte, Lt, Lte Date
}

func (r TimeRange) addTo(q url.Values, field string) {
	for suffix, t := range map[string]time.Time{"__gt": r.Gt, "__gte": r.Gte, "__lt": r.Lt, "__lte": r.Lte} {
		if !t.IsZero() {
			q.Set(field+suffix, t.Format(wireTimeLayout))
		}
	}
}

func (r DateRange) addTo(q url.Values, field string) {
	for suffix, d := range map[string]Date{"__gt": r.Gt, "__gte": r.Gte, "__lt": r.Lt, "__lte": r.Lte} {
		if !d.IsZero() {
			q.Set(field+suffix, d.String())
		}
	}
}

// listQuery holds what every list call shares; params types convert to it.
type listQuery struct {
	q     url.Values
	skip  int
	limit int
}

// newListQuery validates the shared list parameters and starts a query with
// _fields and the caller's Extra values (copied, never modified).
func newListQuery(skip, limit int, fields []string, extra url.Values) (listQuery, error) {
	if skip < 0 {
		return listQuery{}, invalid("negative skip %d", skip)
	}
	if limit < 0 || limit > MaxPageSize {
		return listQuery{}, invalid("limit %d is outside 0..%d", limit, MaxPageSize)
	}
	q := url.Values{}
	for k, vs := range extra {
		switch k {
		case "_skip", "_limit":
			return listQuery{}, invalid("set %s with the Skip and Limit fields, not Extra", k)
		case "_group_by":
			return listQuery{}, invalid("_group_by changes the page shape and is not supported")
		}
		q[k] = append([]string(nil), vs...)
	}
	if len(fields) > 0 {
		q.Set("_fields", strings.Join(fields, ","))
	}
	return listQuery{q: q, skip: skip, limit: limit}, nil
}

// setIf sets q[key] when v is not empty.
func setIf(q url.Values, key, v string) {
	if v != "" {
		q.Set(key, v)
	}
}

// page returns the query for one page at skip.
func (l listQuery) page(skip, defaultLimit int) url.Values {
	q := maps.Clone(l.q)
	if q == nil {
		q = url.Values{}
	}
	limit := l.limit
	if limit == 0 {
		limit = defaultLimit
	}
	q.Set("_skip", strconv.Itoa(skip))
	q.Set("_limit", strconv.Itoa(limit))
	return q
}
