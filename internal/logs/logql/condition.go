package logql

import (
	"fmt"
	"strconv"
	"strings"
)

// Condition is an alarm's test on a result row, such as "n > 10",
// "count() < 1", "> 10" (the row's last number) or "p95 > 500 and n >= 20".
type Condition struct {
	src string
	or  [][]comparison // any of these groups, each all of its comparisons
}

type comparison struct {
	field string // empty: the row's last numeric field
	op    string
	num   float64
}

// String returns the condition as written.
func (c *Condition) String() string { return c.src }

// ParseCondition reads a condition. Errors are *SyntaxError with a column.
func ParseCondition(src string) (*Condition, error) {
	c := &Condition{src: src}
	toks, err := condTokens(src)
	if err != nil {
		return nil, err
	}
	i := 0
	group := []comparison{}
	for {
		if i >= len(toks) {
			return nil, &SyntaxError{Col: col(src, len(src)), Msg: "expected a comparison such as n > 10"}
		}
		var cmp comparison
		if !isOp(toks[i].text) {
			cmp.field = toks[i].text
			i++
		}
		if i >= len(toks) || !isOp(toks[i].text) {
			at := len(src)
			if i < len(toks) {
				at = toks[i].pos
			}
			return nil, &SyntaxError{Col: col(src, at), Msg: "expected one of > >= < <= == != after the field"}
		}
		cmp.op = toks[i].text
		if cmp.op == "=" {
			cmp.op = "=="
		}
		i++
		if i >= len(toks) {
			return nil, &SyntaxError{Col: col(src, len(src)), Msg: "expected a number after " + cmp.op}
		}
		n, err := strconv.ParseFloat(toks[i].text, 64)
		if err != nil {
			return nil, &SyntaxError{Col: col(src, toks[i].pos), Msg: fmt.Sprintf("%q is not a number", toks[i].text)}
		}
		cmp.num = n
		i++
		group = append(group, cmp)
		if i == len(toks) {
			c.or = append(c.or, group)
			return c, nil
		}
		switch strings.ToLower(toks[i].text) {
		case "and":
		case "or":
			c.or = append(c.or, group)
			group = []comparison{}
		default:
			return nil, &SyntaxError{Col: col(src, toks[i].pos), Msg: fmt.Sprintf("expected 'and' or 'or', found %q", toks[i].text)}
		}
		i++
	}
}

func isOp(s string) bool {
	switch s {
	case ">", ">=", "<", "<=", "==", "!=", "=":
		return true
	}
	return false
}

func condTokens(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("<>=!", c) >= 0:
			j := i + 1
			if j < len(src) && src[j] == '=' {
				j++
			}
			if src[i:j] == "!" {
				return nil, &SyntaxError{Col: col(src, i), Msg: "'!' must be followed by '='"}
			}
			out = append(out, token{tPunct, src[i:j], i})
			i = j
		default:
			j := i
			for j < len(src) && strings.IndexByte(" \t\n\r<>=!", src[j]) < 0 {
				j++
			}
			out = append(out, token{tWord, src[i:j], i})
			i = j
		}
	}
	return out, nil
}

// Eval tests a row. It returns whether the condition holds and the value
// of its first comparison's field, for the alert's annotation.
func (c *Condition) Eval(row Row) (bool, float64) {
	var first float64
	firstSet := false
	for _, group := range c.or {
		all := true
		for _, cmp := range group {
			v, ok := cmp.value(row)
			if !firstSet && ok {
				first, firstSet = v, true
			}
			if !ok || !cmp.holds(v) {
				all = false
			}
		}
		if all {
			return true, first
		}
	}
	return false, first
}

func (c comparison) value(row Row) (float64, bool) {
	if c.field != "" {
		f, err := strconv.ParseFloat(row.Get(c.field), 64)
		return f, err == nil
	}
	for i := len(row) - 1; i >= 0; i-- {
		if f, err := strconv.ParseFloat(row[i].Value, 64); err == nil {
			return f, true
		}
	}
	return 0, false
}

func (c comparison) holds(v float64) bool {
	switch c.op {
	case ">":
		return v > c.num
	case ">=":
		return v >= c.num
	case "<":
		return v < c.num
	case "<=":
		return v <= c.num
	case "==":
		return v == c.num
	}
	return v != c.num
}
