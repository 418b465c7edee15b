package logql

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Well-known fields every record has.
const (
	FieldTime = "_time"
	FieldMsg  = "_msg"
)

// Getter reads one record's fields for a filter. A missing field reads as
// the empty string, as in LogsQL.
type Getter interface {
	Get(field string) string
	// Time is the record's time in Unix nanoseconds.
	Time() int64
}

// Expr is a filter.
type Expr interface {
	// Match reports whether the record passes; now anchors relative time
	// filters such as _time:1h.
	Match(g Getter, now int64) bool
	// MayMatch answers from a block's token filter: false means no record
	// of the block can match. has reports whether a key may be present.
	MayMatch(has func(key string) bool) bool
	String() string
}

// TokenKey is what a block's token filter holds for a word in a field.
func TokenKey(field, word string) string { return field + "\x00" + word }

// ValueKey is what a block's token filter held for a whole field value in
// parts written before filters held words only.
func ValueKey(field, value string) string { return field + "\x01" + value }

// All matches every record (`*` or an empty query).
type All struct{}

// And matches when every part matches.
type And []Expr

// Or matches when any part matches.
type Or []Expr

// Not inverts X.
type Not struct{ X Expr }

// Word matches a word, a word prefix (Prefix) or a phrase (several words)
// in a field, on token boundaries.
type Word struct {
	Field, Text string
	Prefix      bool
}

// Exact matches a field equal to Value, or starting with it (Prefix).
type Exact struct {
	Field, Value string
	Prefix       bool
}

// In matches a field equal to one of Values.
type In struct {
	Field  string
	Values []string
}

// Cmp compares a field numerically; records whose field is not a number do
// not match.
type Cmp struct {
	Field string
	Op    string // > >= < <=
	Num   float64
}

// Exists matches records that have a non-empty field (`field:*`).
type Exists struct{ Field string }

// Since matches records of the last D before now (`_time:1h`).
type Since struct{ D time.Duration }

func (All) Match(Getter, int64) bool { return true }
func (e And) Match(g Getter, now int64) bool {
	for _, x := range e {
		if !x.Match(g, now) {
			return false
		}
	}
	return true
}
func (e Or) Match(g Getter, now int64) bool {
	for _, x := range e {
		if x.Match(g, now) {
			return true
		}
	}
	return false
}
func (e Not) Match(g Getter, now int64) bool { return !e.X.Match(g, now) }
func (e Word) Match(g Getter, _ int64) bool {
	return containsWord(g.Get(e.Field), e.Text, e.Prefix)
}
func (e Exact) Match(g Getter, _ int64) bool {
	v := g.Get(e.Field)
	if e.Prefix {
		return strings.HasPrefix(v, e.Value)
	}
	return v == e.Value
}
func (e In) Match(g Getter, _ int64) bool {
	v := g.Get(e.Field)
	for _, x := range e.Values {
		if v == x {
			return true
		}
	}
	return false
}
func (e Cmp) Match(g Getter, _ int64) bool {
	f, err := strconv.ParseFloat(g.Get(e.Field), 64)
	if err != nil {
		return false
	}
	switch e.Op {
	case ">":
		return f > e.Num
	case ">=":
		return f >= e.Num
	case "<":
		return f < e.Num
	default:
		return f <= e.Num
	}
}
func (e Exists) Match(g Getter, _ int64) bool { return g.Get(e.Field) != "" }
func (e Since) Match(g Getter, now int64) bool {
	t := g.Time()
	return t > now-int64(e.D) && t <= now
}

func (All) MayMatch(func(string) bool) bool { return true }
func (e And) MayMatch(has func(string) bool) bool {
	for _, x := range e {
		if !x.MayMatch(has) {
			return false
		}
	}
	return true
}
func (e Or) MayMatch(has func(string) bool) bool {
	for _, x := range e {
		if x.MayMatch(has) {
			return true
		}
	}
	return len(e) == 0
}
func (Not) MayMatch(func(string) bool) bool { return true }
func (e Word) MayMatch(has func(string) bool) bool {
	toks := Tokens(e.Text, nil)
	for i, t := range toks {
		if e.Prefix && i == len(toks)-1 {
			break // a prefix is not a whole token
		}
		if !has(TokenKey(e.Field, t)) {
			return false
		}
	}
	return true
}
func (e Exact) MayMatch(has func(string) bool) bool {
	return e.Prefix || hasAllTokens(e.Field, e.Value, has)
}
func (e In) MayMatch(has func(string) bool) bool {
	for _, v := range e.Values {
		if hasAllTokens(e.Field, v, has) {
			return true
		}
	}
	return false
}

// hasAllTokens: a field equal to v holds every word of v, so a block
// whose filter lacks one of them cannot hold the value.
func hasAllTokens(field, v string, has func(string) bool) bool {
	for _, t := range Tokens(v, nil) {
		if !has(TokenKey(field, t)) {
			return false
		}
	}
	return true
}
func (Cmp) MayMatch(func(string) bool) bool    { return true }
func (Exists) MayMatch(func(string) bool) bool { return true }
func (Since) MayMatch(func(string) bool) bool  { return true }

func (All) String() string { return "*" }
func (e And) String() string {
	parts := make([]string, len(e))
	for i, x := range e {
		parts[i] = x.String()
	}
	return "(" + strings.Join(parts, " and ") + ")"
}
func (e Or) String() string {
	parts := make([]string, len(e))
	for i, x := range e {
		parts[i] = x.String()
	}
	return "(" + strings.Join(parts, " or ") + ")"
}
func (e Not) String() string { return "not " + e.X.String() }
func (e Word) String() string {
	s := fieldPrefix(e.Field) + quote(e.Text)
	if e.Prefix {
		s += "*"
	}
	return s
}
func (e Exact) String() string {
	s := name(e.Field) + ":=" + quote(e.Value)
	if e.Prefix {
		s += "*"
	}
	return s
}
func (e In) String() string {
	q := make([]string, len(e.Values))
	for i, v := range e.Values {
		q[i] = quote(v)
	}
	return name(e.Field) + ":in(" + strings.Join(q, ", ") + ")"
}
func (e Cmp) String() string {
	return name(e.Field) + ":" + e.Op + strconv.FormatFloat(e.Num, 'g', -1, 64)
}
func (e Exists) String() string { return name(e.Field) + ":*" }
func (e Since) String() string  { return "_time:" + formatDuration(e.D) }

func fieldPrefix(f string) string {
	if f == FieldMsg {
		return ""
	}
	return name(f) + ":"
}

// IsWordRune says which characters make up tokens: letters, digits and _.
func IsWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// Tokens appends the words of s (maximal runs of word characters) to dst.
func Tokens(s string, dst []string) []string {
	start := -1
	for i := 0; i < len(s); i++ { // ASCII, the usual case, byte by byte
		c := s[i]
		if c >= 0x80 {
			return tokensUnicode(s, dst, start, i)
		}
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			dst = append(dst, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// tokensUnicode goes on from byte from of s, where a word may have
// started at start (-1 if not).
func tokensUnicode(s string, dst []string, start, from int) []string {
	for j, r := range s[from:] {
		i := from + j
		if IsWordRune(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			dst = append(dst, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// containsWord finds phrase in v on token boundaries: the characters around
// a match must not continue a word that the phrase starts or ends with.
func containsWord(v, phrase string, prefix bool) bool {
	if phrase == "" {
		return v == "" || prefix
	}
	from := 0
	for {
		i := strings.Index(v[from:], phrase)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(phrase)
		if boundaryBefore(v, i, phrase) && (prefix || boundaryAfter(v, end, phrase)) {
			return true
		}
		from = i + 1
	}
}

func boundaryBefore(v string, i int, phrase string) bool {
	first, _ := utf8.DecodeRuneInString(phrase)
	if i == 0 || !IsWordRune(first) {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(v[:i])
	return !IsWordRune(prev)
}

func boundaryAfter(v string, end int, phrase string) bool {
	last, _ := utf8.DecodeLastRuneInString(phrase)
	if end >= len(v) || !IsWordRune(last) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(v[end:])
	return !IsWordRune(next)
}

// ValueFilter is a filter that reads one field and nothing else, so that a
// store can decide it once per distinct value of a dictionary column
// instead of once per line.
type ValueFilter interface {
	Expr
	FilterField() string
	MatchValue(v string) bool
}

func (e Word) FilterField() string   { return e.Field }
func (e Exact) FilterField() string  { return e.Field }
func (e In) FilterField() string     { return e.Field }
func (e Cmp) FilterField() string    { return e.Field }
func (e Exists) FilterField() string { return e.Field }

func (e Word) MatchValue(v string) bool   { return e.Match(value(v), 0) }
func (e Exact) MatchValue(v string) bool  { return e.Match(value(v), 0) }
func (e In) MatchValue(v string) bool     { return e.Match(value(v), 0) }
func (e Cmp) MatchValue(v string) bool    { return e.Match(value(v), 0) }
func (e Exists) MatchValue(v string) bool { return v != "" }

// value is a Getter whose every field reads as one value.
type value string

func (v value) Get(string) string { return string(v) }
func (value) Time() int64         { return 0 }
