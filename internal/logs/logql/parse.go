package logql

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Query is a parsed query: a filter and the pipes that shape its results.
type Query struct {
	Filter Expr
	Pipes  []Pipe
}

// String prints the query in a canonical form.
func (q *Query) String() string {
	s := q.Filter.String()
	for _, p := range q.Pipes {
		s += " | " + p.String()
	}
	return s
}

// Since returns the widest _time:D filter that every match must pass (a
// top-level one), or 0 when there is none: the store skips older data.
func (q *Query) Since() time.Duration {
	switch f := q.Filter.(type) {
	case Since:
		return f.D
	case And:
		var d time.Duration
		for _, x := range f {
			if s, ok := x.(Since); ok && (d == 0 || s.D < d) {
				d = s.D
			}
		}
		return d
	}
	return 0
}

// HasBarrier reports whether a pipe reorders or aggregates results (sort,
// stats), so that the caller need not add its own order and limit.
func (q *Query) HasBarrier() bool {
	for _, p := range q.Pipes {
		switch p.(type) {
		case *SortPipe, *StatsPipe, *LimitPipe:
			return true
		}
	}
	return false
}

type parser struct {
	src  string
	toks []token
	i    int
}

// maxDepth bounds nesting, so that a hostile query cannot exhaust the stack.
const maxDepth = 100

// Parse reads a query. Errors are *SyntaxError, naming the column.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	q := &Query{Filter: All{}}
	if !p.at(tPunct, "|") && p.peek().kind != tEOF {
		if q.Filter, err = p.parseOr(0); err != nil {
			return nil, err
		}
	}
	for p.at(tPunct, "|") {
		p.next()
		pipe, err := p.parsePipe()
		if err != nil {
			return nil, err
		}
		q.Pipes = append(q.Pipes, pipe)
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "unexpected %s; expected a filter, 'and', 'or' or '|'", describe(t))
	}
	return q, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}
func (p *parser) at(k tokKind, text string) bool {
	t := p.peek()
	return t.kind == k && (text == "" || t.text == text)
}
func (p *parser) atKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tWord && strings.EqualFold(t.text, kw)
}

func (p *parser) errAt(t token, format string, args ...any) error {
	return &SyntaxError{Col: col(p.src, t.pos), Msg: fmt.Sprintf(format, args...)}
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return fmt.Sprintf("string %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

func (p *parser) parseOr(depth int) (Expr, error) {
	if depth > maxDepth {
		return nil, p.errAt(p.peek(), "the query nests deeper than %d levels", maxDepth)
	}
	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	or := Or{left}
	for p.atKeyword("or") {
		p.next()
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		or = append(or, right)
	}
	if len(or) == 1 {
		return left, nil
	}
	return or, nil
}

func (p *parser) parseAnd(depth int) (Expr, error) {
	left, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	and := And{left}
	for {
		t := p.peek()
		if t.kind == tEOF || p.at(tPunct, "|") || p.at(tPunct, ")") || p.atKeyword("or") {
			break
		}
		if p.atKeyword("and") {
			p.next()
		}
		right, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		and = append(and, right)
	}
	if len(and) == 1 {
		return left, nil
	}
	return and, nil
}

func (p *parser) parseUnary(depth int) (Expr, error) {
	if depth > maxDepth {
		return nil, p.errAt(p.peek(), "the query nests deeper than %d levels", maxDepth)
	}
	t := p.peek()
	switch {
	case p.atKeyword("not") || p.at(tPunct, "!") || p.at(tPunct, "-"):
		p.next()
		x, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	case p.at(tPunct, "("):
		p.next()
		x, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if !p.at(tPunct, ")") {
			return nil, p.errAt(p.peek(), "expected ')' to close the '(' at column %d, found %s", col(p.src, t.pos), describe(p.peek()))
		}
		p.next()
		return x, nil
	case p.at(tPunct, "*"):
		p.next()
		return All{}, nil
	case t.kind == tWord || t.kind == tString:
		return p.parseTerm()
	}
	return nil, p.errAt(t, "expected a filter (a word, \"phrase\", field:value or '('), found %s", describe(t))
}

// adjacentStar consumes a '*' written right after the previous token.
func (p *parser) adjacentStar(prev token) bool {
	t := p.peek()
	if t.kind == tPunct && t.text == "*" && t.pos == prev.pos+tokLen(p.src, prev) {
		p.next()
		return true
	}
	return false
}

// tokLen is the length of a token in the source (quotes included).
func tokLen(src string, t token) int {
	if t.kind != tString {
		return len(t.text)
	}
	_, n, _ := unquote(src, t.pos)
	return n
}

func (p *parser) parseTerm() (Expr, error) {
	t := p.next()
	if p.at(tPunct, ":") && p.peek().pos == t.pos+tokLen(p.src, t) {
		p.next()
		return p.parseFieldFilter(t)
	}
	return Word{Field: FieldMsg, Text: t.text, Prefix: p.adjacentStar(t)}, nil
}

func (p *parser) parseFieldFilter(ft token) (Expr, error) {
	field := ft.text
	if field == "" {
		return nil, p.errAt(ft, "the field name is empty")
	}
	t := p.peek()
	if field == FieldTime {
		return p.parseTime(ft)
	}
	switch {
	case p.at(tPunct, "=") || p.at(tPunct, "!="):
		op := p.next()
		v := p.peek()
		if v.kind != tWord && v.kind != tString {
			return nil, p.errAt(v, "%s%s needs a value, found %s", field, op.text, describe(v))
		}
		p.next()
		var e Expr = Exact{Field: field, Value: v.text, Prefix: p.adjacentStar(v)}
		if op.text == "!=" {
			e = Not{e}
		}
		return e, nil
	case p.at(tPunct, ">") || p.at(tPunct, ">=") || p.at(tPunct, "<") || p.at(tPunct, "<="):
		op := p.next()
		v := p.peek()
		n, err := strconv.ParseFloat(v.text, 64)
		if v.kind != tWord || err != nil {
			return nil, p.errAt(v, "%s:%s needs a number, found %s", field, op.text, describe(v))
		}
		p.next()
		return Cmp{Field: field, Op: op.text, Num: n}, nil
	case p.at(tPunct, "*"):
		p.next()
		return Exists{Field: field}, nil
	case p.atKeyword("in") && p.toks[p.i+1].kind == tPunct && p.toks[p.i+1].text == "(":
		p.next()
		p.next()
		var vals []string
		for {
			v := p.peek()
			if v.kind != tWord && v.kind != tString {
				return nil, p.errAt(v, "%s:in(...) needs values separated by commas, found %s", field, describe(v))
			}
			vals = append(vals, p.next().text)
			if p.at(tPunct, ",") {
				p.next()
				continue
			}
			if p.at(tPunct, ")") {
				p.next()
				return In{Field: field, Values: vals}, nil
			}
			return nil, p.errAt(p.peek(), "expected ',' or ')' in %s:in(...), found %s", field, describe(p.peek()))
		}
	case t.kind == tWord || t.kind == tString:
		p.next()
		return Word{Field: field, Text: t.text, Prefix: p.adjacentStar(t)}, nil
	}
	return nil, p.errAt(t, "expected a value after %q (like %s:=value, %s:word, %s:>5 or %s:in(a, b)), found %s",
		field+":", field, field, field, field, describe(t))
}

func (p *parser) parseTime(ft token) (Expr, error) {
	t := p.peek()
	if t.kind != tWord {
		return nil, p.errAt(t, "_time: needs a duration such as 5m, 1h or 7d, found %s", describe(t))
	}
	d, err := ParseDuration(t.text)
	if err != nil || d <= 0 {
		return nil, p.errAt(t, "_time: %q is not a duration (use 5m, 1h, 7d)", t.text)
	}
	p.next()
	return Since{D: d}, nil
}

var units = []struct {
	s string
	d time.Duration
}{{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour},
	{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}, {"y", 365 * 24 * time.Hour}}

// ParseDuration reads LogsQL durations: 500ms, 30s, 5m, 1h, 7d, 2w, 1y and
// sums such as 1h30m.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if i == 0 || err != nil {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		rest = rest[i:]
		found := false
		for _, u := range units {
			if strings.HasPrefix(rest, u.s) {
				if n*float64(u.d) > float64(100*365*24*time.Hour) {
					return 0, fmt.Errorf("%q is too long", s)
				}
				total += time.Duration(n * float64(u.d))
				rest = rest[len(u.s):]
				found = true
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
	}
	return total, nil
}

func formatDuration(d time.Duration) string {
	for i := len(units) - 1; i >= 0; i-- {
		if d%units[i].d == 0 {
			return strconv.FormatInt(int64(d/units[i].d), 10) + units[i].s
		}
	}
	return d.String()
}

// Fields lists the fields the pipes read from matching records, so that a
// store can skip decoding the others; nil means all of them.
func (q *Query) Fields() []string {
	var need []string
	add := func(f string) {
		for _, x := range need {
			if x == f {
				return
			}
		}
		need = append(need, f)
	}
	for _, p := range q.Pipes {
		switch p := p.(type) {
		case *SortPipe:
			for _, f := range p.By {
				add(f.Field)
			}
		case *FieldsPipe:
			for _, f := range p.Fields {
				add(f)
			}
			return need
		case *StatsPipe:
			for _, b := range p.By {
				add(b.Field)
			}
			for _, f := range p.Funcs {
				if f.Field != "" {
					add(f.Field)
				}
			}
			if need == nil {
				need = []string{} // count() alone reads no field
			}
			return need
		}
	}
	return nil
}
