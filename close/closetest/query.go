package closetest

import (
	"fmt"
	"strings"
	"unicode"
)

// The text query language of GET /lead/?query= and GET /opportunity/?query=
// (Close's search syntax): clauses joined by juxtaposition or AND, OR,
// NOT or a leading "-", parentheses; a clause is a word or "quoted phrase"
// (full-text), field:value, field:"quoted value", field:* (has a value),
// field<op>value with op one of < <= > >= =, has:<related>,
// <related>(<query>) for related objects, sort:[-]field and slice:i/n.

// qexpr is a parsed query, evaluated against one rendered object.
type qexpr func(o map[string]any) (bool, error)

// parsedQuery is a query with its directives.
type parsedQuery struct {
	match qexpr
	sort  []string // fields, "-" first for descending
	slice [2]int   // i of n; zero when absent
}

// Limits on query strings, so that no query costs the fake unbounded
// time or stack.
const (
	maxQueryLen   = 10000
	maxQueryDepth = 32
)

type qparser struct {
	s     string
	pos   int
	depth int
	c     *Fake
	cl    *call
	out   *parsedQuery
	kind  string
}

// parseQuery parses q for objects of kind ("lead" or "opportunity").
func (c *Fake) parseQuery(cl *call, kind, q string) (*parsedQuery, error) {
	if len(q) > maxQueryLen {
		return nil, fmt.Errorf("query longer than %d characters", maxQueryLen)
	}
	out := &parsedQuery{}
	p := &qparser{s: q, c: c, cl: cl, out: out, kind: kind}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.s) {
		return nil, fmt.Errorf("unexpected %q at position %d", p.s[p.pos:p.pos+1], p.pos)
	}
	out.match = e
	return out, nil
}

func (p *qparser) skipSpace() {
	for p.pos < len(p.s) && unicode.IsSpace(rune(p.s[p.pos])) {
		p.pos++
	}
}

func (p *qparser) peekWord(w string) bool {
	p.skipSpace()
	rest := p.s[p.pos:]
	if !strings.HasPrefix(rest, w) {
		return false
	}
	after := rest[len(w):]
	return after == "" || unicode.IsSpace(rune(after[0])) || after[0] == '('
}

func (p *qparser) parseOr() (qexpr, error) {
	if p.depth++; p.depth > maxQueryDepth {
		return nil, fmt.Errorf("query nested deeper than %d levels", maxQueryDepth)
	}
	defer func() { p.depth-- }()
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peekWord("OR") {
		p.pos += 2
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(o map[string]any) (bool, error) {
			a, err := l(o)
			if err != nil || a {
				return a, err
			}
			return right(o)
		}
	}
	return left, nil
}

func (p *qparser) parseAnd() (qexpr, error) {
	var parts []qexpr
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] == ')' || p.peekWord("OR") {
			break
		}
		if p.peekWord("AND") {
			p.pos += 3
			continue
		}
		e, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		parts = append(parts, e)
	}
	return func(o map[string]any) (bool, error) {
		for _, e := range parts {
			hit, err := e(o)
			if err != nil || !hit {
				return false, err
			}
		}
		return true, nil
	}, nil
}

func (p *qparser) parseUnary() (qexpr, error) {
	p.skipSpace()
	neg := false
	if p.peekWord("NOT") {
		p.pos += 3
		neg = true
	} else if p.pos+1 < len(p.s) && p.s[p.pos] == '-' && !unicode.IsSpace(rune(p.s[p.pos+1])) {
		p.pos++
		neg = true
	}
	e, err := p.parsePrimary()
	if err != nil || !neg {
		return e, err
	}
	return func(o map[string]any) (bool, error) {
		hit, err := e(o)
		return !hit, err
	}, nil
}

// token reads a quoted string or a bare word (stopping at space, parens,
// ':' and comparison signs); quoted reports which.
func (p *qparser) token() (tok string, quoted bool, err error) {
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '"' {
		var b strings.Builder
		for p.pos++; p.pos < len(p.s); p.pos++ {
			ch := p.s[p.pos]
			if ch == '\\' && p.pos+1 < len(p.s) {
				p.pos++
				b.WriteByte(p.s[p.pos])
				continue
			}
			if ch == '"' {
				p.pos++
				return b.String(), true, nil
			}
			b.WriteByte(ch)
		}
		return "", false, fmt.Errorf("unterminated quoted string")
	}
	start := p.pos
	for p.pos < len(p.s) && !strings.ContainsRune(" \t\r\n():<>=\"", rune(p.s[p.pos])) {
		p.pos++
	}
	return p.s[start:p.pos], false, nil
}

// value reads a clause's value: a quoted string, or a bare word that may
// hold ':' (as timestamps do).
func (p *qparser) value() (string, bool, error) {
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '"' {
		return p.token()
	}
	start := p.pos
	for p.pos < len(p.s) && !strings.ContainsRune(" \t\r\n()", rune(p.s[p.pos])) {
		p.pos++
	}
	if start == p.pos {
		return "", false, fmt.Errorf("missing value at position %d", start)
	}
	return p.s[start:p.pos], false, nil
}

func (p *qparser) operator() string {
	for _, op := range []string{">=", "<=", ">", "<", "=", ":"} {
		if strings.HasPrefix(p.s[p.pos:], op) {
			p.pos += len(op)
			return op
		}
	}
	return ""
}

func (p *qparser) parsePrimary() (qexpr, error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, fmt.Errorf("query ends early")
	}
	if p.s[p.pos] == '(' {
		p.pos++
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ')' {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return e, nil
	}
	name, quoted, err := p.token()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !quoted && p.pos < len(p.s) && p.s[p.pos] == '(' && name != "" {
		return p.related(name)
	}
	op := ""
	if p.pos < len(p.s) {
		op = p.operator()
	}
	if op == "" {
		switch {
		case name == "" && quoted:
			return nil, fmt.Errorf("empty phrase at position %d", p.pos)
		case name == "" && p.pos < len(p.s):
			return nil, fmt.Errorf("unexpected %q at position %d", p.s[p.pos:p.pos+1], p.pos)
		case name == "":
			return nil, fmt.Errorf("query ends early")
		}
		mode := "full_words"
		if quoted {
			mode = "phrase"
		}
		return func(o map[string]any) (bool, error) { return anyText(o, name, mode), nil }, nil
	}
	val, valQuoted, err := p.value()
	if err != nil {
		return nil, err
	}
	if op == ":" && !quoted {
		switch name {
		case "sort":
			p.out.sort = append(p.out.sort, val)
			return always, nil
		case "slice":
			var i, n int
			if _, err := fmt.Sscanf(val, "%d/%d", &i, &n); err != nil || n < 1 || i < 1 || i > n {
				return nil, fmt.Errorf("slice must be i/n with 1 <= i <= n, not %q", val)
			}
			p.out.slice = [2]int{i, n}
			return always, nil
		case "has":
			kind := p.kind
			return func(o map[string]any) (bool, error) {
				objs, err := p.c.relatedByNameLocked(kind, val, o)
				return len(objs) > 0, err
			}, nil
		}
	}
	return p.c.clause(p.cl, p.kind, name, quoted, op, val, valQuoted)
}

func always(map[string]any) (bool, error) { return true, nil }

// related parses name(<query>): objects related by name that match.
func (p *qparser) related(name string) (qexpr, error) {
	relKind, err := relatedKind(p.kind, name)
	if err != nil {
		return nil, err
	}
	p.pos++ // (
	inner := &qparser{s: p.s, pos: p.pos, depth: p.depth, c: p.c, cl: p.cl, out: &parsedQuery{}, kind: relKind}
	e, err := inner.parseOr()
	if err != nil {
		return nil, err
	}
	inner.skipSpace()
	if inner.pos >= len(p.s) || p.s[inner.pos] != ')' {
		return nil, fmt.Errorf("missing ) after %s(", name)
	}
	p.pos = inner.pos + 1
	kind := p.kind
	return func(o map[string]any) (bool, error) {
		objs, err := p.c.relatedByNameLocked(kind, name, o)
		if err != nil {
			return false, err
		}
		for _, r := range objs {
			if hit, err := e(r); err != nil || hit {
				return hit, err
			}
		}
		return false, nil
	}, nil
}
