package condition

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SyntaxError is a condition that does not parse or cannot be true for any
// probe. Col is the 1-based column (in characters) of the offending token,
// so that config errors can point at it.
type SyntaxError struct {
	Col int
	Msg string
}

// Error formats the problem as "column N: message".
func (e *SyntaxError) Error() string { return fmt.Sprintf("column %d: %s", e.Col, e.Msg) }

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tNumber
	tDuration
	tString
	tOp     // == != < <= > >=
	tLParen // (
	tRParen // )
	tComma
)

type token struct {
	kind tokKind
	text string // identifier, operator, or the literal as written
	str  string // the unquoted value of a string
	num  float64
	dur  time.Duration
	col  int // 1-based, in runes
}

// maxLen bounds a condition: a config line, not a program.
const maxLen = 4096

var durUnits = []struct {
	suffix string
	unit   time.Duration
}{
	{"ms", time.Millisecond}, {"us", time.Microsecond}, {"µs", time.Microsecond},
	{"s", time.Second}, {"m", time.Minute}, {"h", time.Hour},
	{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour},
}

func lex(src string) ([]token, error) {
	if len(src) > maxLen {
		return nil, &SyntaxError{Col: 1, Msg: fmt.Sprintf("a condition is at most %d bytes long", maxLen)}
	}
	if !utf8.ValidString(src) {
		return nil, &SyntaxError{Col: 1, Msg: "not valid UTF-8"}
	}
	var toks []token
	i := 0
	col := func(i int) int { return utf8.RuneCountInString(src[:i]) + 1 }
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{kind: tLParen, text: "(", col: col(i)})
			i++
		case c == ')':
			toks = append(toks, token{kind: tRParen, text: ")", col: col(i)})
			i++
		case c == ',':
			toks = append(toks, token{kind: tComma, text: ",", col: col(i)})
			i++
		case c == '=' || c == '!' || c == '<' || c == '>':
			op := string(c)
			if i+1 < len(src) && src[i+1] == '=' {
				op += "="
			} else if c == '=' && i+1 < len(src) && src[i+1] == '~' {
				op = "=~"
			} else if c == '!' && i+1 < len(src) && src[i+1] == '~' {
				op = "!~"
			}
			switch op {
			case "=":
				return nil, &SyntaxError{Col: col(i), Msg: `"=" is not an operator; use "==" to compare`}
			case "!":
				return nil, &SyntaxError{Col: col(i), Msg: `"!" is not an operator; use "!=" or "not"`}
			}
			toks = append(toks, token{kind: tOp, text: op, col: col(i)})
			i += len(op)
		case c == '&' || c == '|':
			if i+1 < len(src) && src[i+1] == c {
				word := "and"
				if c == '|' {
					word = "or"
				}
				toks = append(toks, token{kind: tIdent, text: word, col: col(i)})
				i += 2
				continue
			}
			return nil, &SyntaxError{Col: col(i), Msg: fmt.Sprintf("unexpected %q; use \"and\" or \"or\"", c)}
		case c == '"' || c == '\'':
			t, n, err := lexString(src[i:], col(i))
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += n
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			t, n, err := lexNumber(src[i:], col(i))
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += n
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tIdent, text: src[i:j], col: col(i)})
			i = j
		default:
			r, _ := utf8.DecodeRuneInString(src[i:])
			return nil, &SyntaxError{Col: col(i), Msg: fmt.Sprintf("unexpected %q", r)}
		}
	}
	toks = append(toks, token{kind: tEOF, col: col(len(src))})
	return toks, nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isIdentPart admits dots, brackets and dashes so that json.items[0].id and
// header.Content-Type are one token.
func isIdentPart(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '.' || c == '[' || c == ']' || c == '-'
}

func lexString(s string, col int) (token, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return token{kind: tString, text: s[:i+1], str: b.String(), col: col}, i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '"', '\'':
				b.WriteByte(s[i])
			default:
				return token{}, 0, &SyntaxError{Col: col + utf8.RuneCountInString(s[:i]) - 1, Msg: fmt.Sprintf(`unknown escape "\%c" (use \", \', \\, \n or \t)`, s[i])}
			}
		default:
			b.WriteByte(c)
		}
	}
	return token{}, 0, &SyntaxError{Col: col, Msg: "the string is not closed; add " + string(q)}
}

func lexNumber(s string, col int) (token, int, error) {
	i := 0
	if s[0] == '-' {
		i++
	}
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	numText := s[:i]
	n, err := strconv.ParseFloat(numText, 64)
	if err != nil {
		return token{}, 0, &SyntaxError{Col: col, Msg: fmt.Sprintf("%q is not a number", numText)}
	}
	j := i
	for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] == 0xc2 || s[j] == 0xb5) {
		j++
	}
	if j == i {
		return token{kind: tNumber, text: numText, num: n, col: col}, i, nil
	}
	unit := s[i:j]
	for _, u := range durUnits {
		if unit == u.suffix {
			d := n * float64(u.unit)
			if d > float64(1<<62) || d < -float64(1<<62) {
				return token{}, 0, &SyntaxError{Col: col, Msg: fmt.Sprintf("%q is too long a duration", s[:j])}
			}
			return token{kind: tDuration, text: s[:j], dur: time.Duration(d), col: col}, j, nil
		}
	}
	return token{}, 0, &SyntaxError{Col: col + utf8.RuneCountInString(numText), Msg: fmt.Sprintf("%q is not a duration unit (use ms, s, m, h, d or w)", unit)}
}
