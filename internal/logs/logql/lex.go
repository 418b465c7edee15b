// Package logql parses and runs Warden's log query language, a subset of
// VictoriaLogs' LogsQL, so that queries carry over unchanged to a
// VictoriaLogs cluster:
//
//	error                           the word "error" in _msg
//	"connection refused"            a phrase in _msg
//	err*                            a word prefix in _msg
//	level:=error                    the field equals a value
//	path:="/api/"*                  the field starts with a value
//	level:error                     the word in the field
//	status:>=500                    numeric comparison (>, >=, <, <=)
//	user_id:in(u1, u2)              one of several exact values
//	_time:1h                        the last hour
//	a and b, a or b, not a, -a, !a, (a or b) c
//
// followed by pipes: fields a, b | sort by (f desc) | limit 10 |
// stats by (_time:1m, path) count() n, sum(f), avg(f), min(f), max(f),
// count_uniq(f), quantile(0.95, f).
package logql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SyntaxError is a parse error at a column (1-based, in characters).
type SyntaxError struct {
	Col int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("column %d: %s", e.Col, e.Msg) }

type tokKind int

const (
	tEOF    tokKind = iota
	tWord           // a bare word
	tString         // a quoted string
	tPunct          // one of ( ) , | : = > < ! * - and the two-char >= <= !=
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset
}

// special characters end a bare word.
const special = "()|,:=<>!*\"'`"

type lexer struct {
	src  string
	toks []token
}

func lex(src string) ([]token, error) {
	l := &lexer{src: src}
	i := 0
	for i < len(src) {
		r, w := utf8.DecodeRuneInString(src[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
		case r == '"' || r == '\'' || r == '`':
			s, n, err := unquote(src, i)
			if err != nil {
				return nil, err
			}
			l.toks = append(l.toks, token{tString, s, i})
			i += n
		case strings.ContainsRune(special, r) || (r == '-' && negAt(src, i)):
			if (r == '>' || r == '<' || r == '!') && i+1 < len(src) && src[i+1] == '=' {
				l.toks = append(l.toks, token{tPunct, src[i : i+2], i})
				i += 2
				continue
			}
			l.toks = append(l.toks, token{tPunct, string(r), i})
			i += w
		default:
			j := i
			for j < len(src) {
				r, w := utf8.DecodeRuneInString(src[j:])
				if unicode.IsSpace(r) || strings.ContainsRune(special, r) {
					break
				}
				j += w
			}
			l.toks = append(l.toks, token{tWord, src[i:j], i})
			i = j
		}
	}
	l.toks = append(l.toks, token{tEOF, "", len(src)})
	return l.toks, nil
}

// negAt says whether a '-' at src[i] negates what follows (-word, -(a or b))
// rather than being part of a value such as foo-bar or status:>-1: it must
// start a term, after a space, '(' or '|' or at the start.
func negAt(src string, i int) bool {
	if i+1 >= len(src) || !isWordStart(src, i+1) {
		return false
	}
	if i == 0 {
		return true
	}
	p := src[i-1]
	return p == ' ' || p == '\t' || p == '\n' || p == '(' || p == '|'
}

func isWordStart(src string, i int) bool {
	r, _ := utf8.DecodeRuneInString(src[i:])
	return !unicode.IsSpace(r) && r != '-' && r != '|' && r != ')' && r != ','
}

// unquote reads a quoted string starting at src[i]: "..." and '...' with
// Go-style backslash escapes, `...` raw.
func unquote(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		c := src[j]
		switch {
		case c == q:
			return b.String(), j + 1 - i, nil
		case c == '\\' && q != '`' && j+1 < len(src):
			j++
			switch src[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(src[j])
			}
			j++
		default:
			b.WriteByte(c)
			j++
		}
	}
	return "", 0, &SyntaxError{Col: col(src, i), Msg: fmt.Sprintf("the string opened with %c is never closed", q)}
}

// col turns a byte offset into a 1-based character column.
func col(src string, off int) int {
	if off > len(src) {
		off = len(src)
	}
	return utf8.RuneCountInString(src[:off]) + 1
}

// quote writes s as a double-quoted string that unquote reads back.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// name prints a field name bare when it lexes as one word, else quoted.
func name(s string) string {
	if s != "" && !strings.ContainsAny(s, special+" \t\r\n\v\f\u0085\u00a0") && s[0] != '-' &&
		utf8.ValidString(s) && !isKeyword(s) {
		for _, r := range s {
			if unicode.IsSpace(r) {
				return quote(s)
			}
		}
		return s
	}
	return quote(s)
}

func isKeyword(s string) bool {
	switch strings.ToLower(s) {
	case "and", "or", "not", "by", "as", "in", "desc", "asc":
		return true
	}
	return false
}
