package close

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"net/http"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/internal/jsonscan"
)

// Paging errors. Both also match paragon.ErrInvalidResponse: the server's
// answer, not the caller's input, is at fault.
var (
	// ErrNoProgress: a list, search or event-log iteration stopped because
	// the server made no progress: a page repeated an earlier page (a server
	// that ignores _skip), a cursor came back that was already followed (a
	// cycle such as A, B, A, B), or pages kept coming empty with a fresh
	// cursor or has_more set. Nothing from the offending page was yielded.
	ErrNoProgress = errors.New("close: paging made no progress")
	// ErrPageTooLarge: a page held more items than the _limit asked for, or
	// more JSON objects and arrays than [MaxNestingPerItem] per item asked
	// for, so decoding it would use memory out of proportion to the
	// request. It is refused before it is decoded.
	ErrPageTooLarge = errors.New("close: page larger than requested")
)

// MaxNestingPerItem bounds the JSON objects and arrays a page may hold per
// item asked for (_limit): a page of limit n may hold at most
// (n+1)*MaxNestingPerItem of them. A real lead with dozens of contacts,
// addresses and opportunities stays far below it; a page of millions of
// empty objects does not, and is refused with [ErrPageTooLarge] instead of
// being decoded into millions of structs.
const MaxNestingPerItem = 1000

// maxEmptyPages is how many empty pages in a row a cursor iteration follows
// before it gives up with ErrNoProgress.
const maxEmptyPages = 2

// pageScan is what scanPage learns about a page body without decoding it.
type pageScan struct {
	items      int    // elements of the top-level "data" array
	containers int    // JSON objects and arrays anywhere in the body
	data       []byte // the "data" array's bytes (nil if none)
}

// scanPage walks the JSON text b once, without allocating: it counts the
// objects and arrays, and the elements of the top-level object's "data"
// array. It does not validate b; decoding it does that afterwards.
func scanPage(b []byte) pageScan {
	var p pageScan
	depth := 0
	expectKey := false
	lastKey := []byte(nil)
	dataDepth, dataStart := -1, 0
	first := false
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' {
			continue
		}
		if first && depth == dataDepth {
			first = false
			if ch != ']' {
				p.items = 1
			}
		}
		switch ch {
		case '"':
			end, _, err := jsonscan.StringEnd(b, i)
			if err != nil {
				return p // decoding reports it
			}
			if depth == 1 && expectKey {
				lastKey = b[i+1 : end-1]
				expectKey = false
			}
			i = end - 1
		case '{', '[':
			p.containers++
			depth++
			if depth == 1 && ch == '{' {
				expectKey = true
			}
			if depth == 2 && ch == '[' && dataDepth == -1 && string(lastKey) == "data" {
				dataDepth, dataStart, first = 2, i, true
			}
		case '}', ']':
			if depth == dataDepth && ch == ']' {
				p.data = b[dataStart : i+1]
				dataDepth = -2 // done; a second "data" key is not counted
			}
			depth--
		case ',':
			if depth == 1 {
				expectKey = true
			}
			if depth == dataDepth {
				p.items++
			}
		}
	}
	return p
}

// checkPage refuses a page body that holds more than limit items or more
// nesting than limit allows (see [MaxNestingPerItem]).
func checkPage(what string, body []byte, limit int) (pageScan, error) {
	p := scanPage(body)
	if limit < 1 {
		limit = 1
	}
	if p.items > limit {
		return p, fmt.Errorf("%w: %w: %s: page holds %d items, %d asked for", ErrPageTooLarge, paragon.ErrInvalidResponse, what, p.items, limit)
	}
	if max := (limit + 1) * MaxNestingPerItem; p.containers > max {
		return p, fmt.Errorf("%w: %w: %s: page holds %d JSON objects and arrays (max %d for %d items)", ErrPageTooLarge, paragon.ErrInvalidResponse, what, p.containers, max, limit)
	}
	return p, nil
}

// decodePage checks body (see checkPage), decodes it into out, and checks
// the decoded item count again (n returns it), so that a "data" key the
// scan did not see (an escaped key name, a duplicate) is still caught.
func decodePage(what string, body []byte, limit int, out any, n func() int) (pageScan, error) {
	p, err := checkPage(what, body, limit)
	if err != nil {
		return p, err
	}
	if !fastPage(body, out) {
		if err := unmarshal(body, out); err != nil {
			return p, fmt.Errorf("close: %s: decoding page: %w", what, err)
		}
	}
	if got := n(); got > limit {
		return p, fmt.Errorf("%w: %w: %s: page holds %d items, %d asked for", ErrPageTooLarge, paragon.ErrInvalidResponse, what, got, limit)
	}
	return p, nil
}

// progress detects a paging iteration that goes nowhere: a page that
// repeats an earlier one, a cursor already followed, or too many empty
// pages in a row. It keeps one 8-byte hash per page and per cursor.
type progress struct {
	what    string
	seed    maphash.Seed
	pages   map[uint64]struct{}
	cursors map[uint64]struct{}
	empty   int
}

func newProgress(what string) *progress {
	return &progress{what: what, seed: maphash.MakeSeed(), pages: map[uint64]struct{}{}, cursors: map[uint64]struct{}{}}
}

func (g *progress) stalled(format string, args ...any) error {
	return fmt.Errorf("%w: %w: %s: "+format, append([]any{ErrNoProgress, paragon.ErrInvalidResponse, g.what}, args...)...)
}

// page records a page's data; items is its length.
func (g *progress) page(data []byte, items int) error {
	if items == 0 {
		g.empty++
		return nil
	}
	g.empty = 0
	h := maphash.Bytes(g.seed, data)
	if _, dup := g.pages[h]; dup {
		return g.stalled("a page repeated an earlier page (%d items); the server may be ignoring _skip or the cursor", items)
	}
	g.pages[h] = struct{}{}
	return nil
}

// cursor records the cursor about to be followed; "" is never recorded.
func (g *progress) cursor(c string) error {
	if c == "" {
		return nil
	}
	if g.empty > maxEmptyPages {
		return g.stalled("%d empty pages in a row, each with a new cursor", g.empty)
	}
	h := maphash.String(g.seed, c)
	if _, dup := g.cursors[h]; dup {
		return g.stalled("the server sent a cursor that was already followed (a cycle)")
	}
	g.cursors[h] = struct{}{}
	return nil
}

// iter2 is the sequence every list returns.
type iter2[T any] = iter.Seq2[T, error]

// offsetPage is the shape of an offset-paged list answer.
type offsetPage[T any] struct {
	Data    []T  `json:"data"`
	HasMore bool `json:"has_more"`
}

// listAll returns every item of an offset-paged list (GET path), fetching
// pages lazily with _skip advanced by each page's length, until has_more is
// false, the consumer stops, the context ends or a call fails (yielded
// once, then the sequence ends). No goroutines are involved. Each page is
// checked against its _limit before it is decoded ([ErrPageTooLarge]), and
// a page that repeats an earlier one, or an empty page with has_more, ends
// the iteration with [ErrNoProgress]. qerr, if set, is yielded at once.
func listAll[T any](ctx context.Context, c *Client, what, path string, l listQuery, qerr error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if qerr == nil && ctx == nil {
			qerr = invalid("nil context")
		}
		if qerr == nil {
			qerr = c.check()
		}
		if qerr != nil {
			yield(zero, qerr)
			return
		}
		g := newProgress("listing " + what)
		limit := l.limit
		if limit == 0 {
			limit = c.pageSize
		}
		for skip := l.skip; ; {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			body, err := c.fetch(ctx, call{method: http.MethodGet, path: path, query: l.page(skip, c.pageSize)})
			// A page holds at most limit items (decodePage refuses more):
			// room for them spares the decoder growing the slice.
			pg := offsetPage[T]{Data: make([]T, 0, limit)}
			var scan pageScan
			if err == nil {
				scan, err = decodePage("listing "+what, body, limit, &pg, func() int { return len(pg.Data) })
			}
			if err == nil {
				err = g.page(scan.data, len(pg.Data))
			}
			if err == nil && pg.HasMore && len(pg.Data) == 0 {
				err = g.stalled("has_more is true on an empty page at _skip=%d", skip)
			}
			if err != nil {
				if errors.Is(err, ErrMaxSkip) {
					err = fmt.Errorf("close: listing %s stopped at _skip=%d: %w", what, skip, err)
				}
				yield(zero, err)
				return
			}
			for _, v := range pg.Data {
				if !yield(v, nil) {
					return
				}
			}
			if !pg.HasMore {
				return
			}
			skip += len(pg.Data)
		}
	}
}

// listPage fetches the page of an offset list at l.skip, refusing one
// larger than its _limit (see checkPage).
func listPage[P any](ctx context.Context, c *Client, path string, l listQuery, n func(*P) int) (*P, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	body, err := c.fetch(ctx, call{method: http.MethodGet, path: path, query: l.page(l.skip, c.pageSize)})
	if err != nil {
		return nil, err
	}
	limit := l.limit
	if limit == 0 {
		limit = c.pageSize
	}
	var pg P
	if _, err := decodePage("listing "+path, body, limit, &pg, func() int { return n(&pg) }); err != nil {
		return nil, err
	}
	return &pg, nil
}
