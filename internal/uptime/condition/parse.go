// Package condition is the small expression language uptime checks judge a
// probe with, in the style of Gatus:
//
//	status == 200
//	body contains "ok"          body not contains "error"
//	json.status == "ok"         json.items[0].id != null
//	response_time < 500ms       cert_expiry > 14d
//	header.Content-Type contains "json"
//	connected                   dns_rcode == "NOERROR"    addrs contains "10.0.0.1"
//	len(json.items) >= 1        body =~ "v[0-9]+"
//	status == 200 and (json.db == "up" or json.degraded == true)
//
// Parse reports errors with the column of the offending token; Eval judges a
// probe's Facts and says which values it saw.
package condition

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Type is the static type of an operand, known at parse time where it can be.
type Type int

// Operand types. Any is a JSON value, whose type only the body tells.
const (
	Any Type = iota
	Null
	Bool
	Number
	String
	Duration
)

func (t Type) String() string {
	return [...]string{"a JSON value", "null", "true or false", "a number", "a string", "a duration"}[t]
}

// fields are the names a condition can read, with their types.
var fields = map[string]Type{
	"status":        Number,
	"body":          String,
	"response_time": Duration,
	"cert_expiry":   Duration,
	"connected":     Bool,
	"dns_rcode":     String,
	"addrs":         String,
}

// FieldNames lists the names a condition can use, for help text.
const FieldNames = "status, body, json.<path>, header.<Name>, response_time, cert_expiry, connected, dns_rcode, addrs"

// Expr is a parsed condition. It is safe for concurrent use.
type Expr struct {
	src  string
	root node
}

// String returns the condition as written.
func (e *Expr) String() string { return e.src }

// maxDepth bounds nesting so that a hostile condition cannot exhaust the stack.
const maxDepth = 50

type parser struct {
	toks  []token
	pos   int
	depth int
}

// Parse reads one condition. Errors are *SyntaxError with the column.
func Parse(src string) (*Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 1 {
		return nil, &SyntaxError{Col: 1, Msg: "the condition is empty (write e.g. status == 200)"}
	}
	p := &parser{toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, &SyntaxError{Col: t.col, Msg: fmt.Sprintf("unexpected %q; join conditions with \"and\" or \"or\"", t.text)}
	}
	return &Expr{src: src, root: n}, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token { t := p.toks[p.pos]; p.pos++; return t }
func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tIdent && t.text == w
}

func (p *parser) or() (node, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &logical{and: false, l: l, r: r}
	}
	return l, nil
}

func (p *parser) and() (node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &logical{and: true, l: l, r: r}
	}
	return l, nil
}

func (p *parser) unary() (node, error) {
	if p.depth++; p.depth > maxDepth {
		return nil, &SyntaxError{Col: p.peek().col, Msg: fmt.Sprintf("nested more than %d deep", maxDepth)}
	}
	defer func() { p.depth-- }()
	if p.isWord("not") {
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &not{x: x}, nil
	}
	if p.peek().kind == tLParen {
		open := p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != tRParen {
			return nil, &SyntaxError{Col: t.col, Msg: fmt.Sprintf("expected \")\" to close the \"(\" at column %d", open.col)}
		}
		return x, nil
	}
	return p.comparison()
}

var compareOps = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true, "=~": true, "!~": true}

func (p *parser) comparison() (node, error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	var op string
	switch {
	case t.kind == tOp && compareOps[t.text]:
		op = t.text
		p.next()
	case t.kind == tIdent && t.text == "contains":
		op = "contains"
		p.next()
	case t.kind == tIdent && t.text == "not" && p.toks[p.pos+1].kind == tIdent && p.toks[p.pos+1].text == "contains":
		op = "not contains"
		p.pos += 2
	default:
		// A bare operand is a test of truth: "connected".
		if l.typ() != Bool && l.typ() != Any {
			return nil, &SyntaxError{Col: l.column(), Msg: fmt.Sprintf("%s is %s, not true or false; compare it, e.g. %s", l.text(), l.typ(), example(l))}
		}
		return &truthy{x: l}, nil
	}
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	c := &compare{op: op, l: l, r: r, col: t.col}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

func example(o operand) string {
	switch o.typ() {
	case Number:
		return o.text() + " == 200"
	case Duration:
		return o.text() + " < 500ms"
	default:
		return o.text() + ` contains "ok"`
	}
}

func (p *parser) operand() (operand, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		return &literal{v: Value{Kind: Number, Num: t.num}, src: t.text, col: t.col}, nil
	case tDuration:
		return &literal{v: Value{Kind: Duration, Dur: t.dur}, src: t.text, col: t.col}, nil
	case tString:
		return &literal{v: Value{Kind: String, Str: t.str}, src: t.text, col: t.col}, nil
	case tIdent:
		switch t.text {
		case "true", "false":
			return &literal{v: Value{Kind: Bool, Bool: t.text == "true"}, src: t.text, col: t.col}, nil
		case "null":
			return &literal{v: Value{Kind: Null}, src: t.text, col: t.col}, nil
		case "len":
			return p.lenCall(t)
		case "and", "or", "not", "contains":
			return nil, &SyntaxError{Col: t.col, Msg: fmt.Sprintf("expected a value before %q", t.text)}
		}
		return parseField(t)
	case tEOF:
		return nil, &SyntaxError{Col: t.col, Msg: "the condition ends too early; expected a value"}
	default:
		return nil, &SyntaxError{Col: t.col, Msg: fmt.Sprintf("expected a value, not %q", t.text)}
	}
}

func (p *parser) lenCall(name token) (operand, error) {
	if t := p.next(); t.kind != tLParen {
		return nil, &SyntaxError{Col: t.col, Msg: `expected "(" after len`}
	}
	x, err := p.operand()
	if err != nil {
		return nil, err
	}
	if x.typ() != String && x.typ() != Any {
		return nil, &SyntaxError{Col: x.column(), Msg: fmt.Sprintf("len needs a string or a JSON value, and %s is %s", x.text(), x.typ())}
	}
	if t := p.next(); t.kind != tRParen {
		return nil, &SyntaxError{Col: t.col, Msg: `expected ")" to close len(`}
	}
	return &lenOf{x: x, col: name.col}, nil
}

func parseField(t token) (operand, error) {
	name := t.text
	switch {
	case name == "json" || strings.HasPrefix(name, "json.") || strings.HasPrefix(name, "json["):
		path, err := parseJSONPath(name[4:], t.col+4)
		if err != nil {
			return nil, err
		}
		return &field{name: name, kind: Any, path: path, col: t.col}, nil
	case strings.HasPrefix(name, "header."):
		h := name[len("header."):]
		if h == "" || strings.ContainsAny(h, ".[]") {
			return nil, &SyntaxError{Col: t.col, Msg: fmt.Sprintf("%q is not a header name (write header.Content-Type)", h)}
		}
		return &field{name: name, kind: String, header: h, col: t.col}, nil
	}
	typ, ok := fields[name]
	if !ok {
		return nil, &SyntaxError{Col: t.col, Msg: fmt.Sprintf("unknown name %q (use %s)%s", name, FieldNames, hintField(name))}
	}
	return &field{name: name, kind: typ, col: t.col}, nil
}

func hintField(name string) string {
	switch strings.ToLower(strings.Trim(name, "[]")) {
	case "status_code", "code", "statuscode":
		return `; did you mean "status"?`
	case "responsetime", "latency", "duration", "response":
		return `; did you mean "response_time"?`
	case "certificate_expiration", "cert", "certificate", "expiry":
		return `; did you mean "cert_expiry"?`
	}
	return ""
}

// parseJSONPath reads .a.b[0].c into steps; col is where the path starts.
func parseJSONPath(s string, col int) ([]step, error) {
	var out []step
	for i := 0; i < len(s); {
		switch s[i] {
		case '.':
			j := i + 1
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			if j == i+1 {
				return nil, &SyntaxError{Col: col + i, Msg: "empty key in the JSON path"}
			}
			out = append(out, step{key: s[i+1 : j], index: -1})
			i = j
		case '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, &SyntaxError{Col: col + i, Msg: `"[" is not closed in the JSON path`}
			}
			n, err := strconv.Atoi(s[i+1 : i+j])
			if err != nil || n < 0 {
				return nil, &SyntaxError{Col: col + i, Msg: fmt.Sprintf("%q is not an array index (write [0])", s[i:i+j+1])}
			}
			out = append(out, step{index: n})
			i += j + 1
		default:
			return nil, &SyntaxError{Col: col + i, Msg: fmt.Sprintf("unexpected %q in the JSON path", s[i])}
		}
	}
	return out, nil
}

// check rejects comparisons that no probe could make true, naming the column.
func (c *compare) check() error {
	lt, rt := c.l.typ(), c.r.typ()
	switch c.op {
	case "=~", "!~":
		lit, ok := c.r.(*literal)
		if !ok || lit.v.Kind != String {
			return &SyntaxError{Col: c.r.column(), Msg: fmt.Sprintf("%s needs a quoted regular expression on its right", c.op)}
		}
		re, err := regexp.Compile(lit.v.Str)
		if err != nil {
			return &SyntaxError{Col: c.r.column(), Msg: fmt.Sprintf("bad regular expression: %v", err)}
		}
		c.re = re
		return nil
	case "contains", "not contains":
		if rt != String && rt != Any {
			return &SyntaxError{Col: c.r.column(), Msg: fmt.Sprintf("%s needs a string on its right, like \"ok\"", c.op)}
		}
		if lt != String && lt != Any {
			return &SyntaxError{Col: c.l.column(), Msg: fmt.Sprintf("%s needs a string on its left, and %s is %s", c.op, c.l.text(), lt)}
		}
		return nil
	}
	if lt == Any || rt == Any || lt == Null || rt == Null {
		if (lt == Null || rt == Null) && c.op != "==" && c.op != "!=" {
			return &SyntaxError{Col: c.col, Msg: "null can only be compared with == or !="}
		}
		return nil
	}
	compatible := lt == rt || lt == Number && rt == Duration || lt == Duration && rt == Number
	if !compatible {
		col := c.r.column()
		return &SyntaxError{Col: col, Msg: fmt.Sprintf("%s is %s but %s is %s%s", c.l.text(), lt, c.r.text(), rt, typeHint(lt, c.r))}
	}
	if lt == Bool && c.op != "==" && c.op != "!=" {
		return &SyntaxError{Col: c.col, Msg: "true and false can only be compared with == or !="}
	}
	return nil
}

func typeHint(want Type, r operand) string {
	lit, ok := r.(*literal)
	if !ok || lit.v.Kind != String {
		return ""
	}
	switch want {
	case Number:
		return fmt.Sprintf("; write %s without quotes", lit.v.Str)
	case Duration:
		return "; write a duration without quotes, like 500ms or 14d"
	}
	return ""
}
