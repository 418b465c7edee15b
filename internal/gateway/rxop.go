package gateway

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/corazawaf/coraza/v3/experimental/plugins"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
	"rsc.io/binaryregexp"
)

// Warden's @rx operator replaces Coraza's (registered once, before the
// first WAF is built). It matches exactly what Coraza's does, with the same
// regular expression, Go's regexp with (?sm) prepended, and the same
// captures, and it is cheaper in these ways:
//
//   - One pass of RE2 over a value answers for every expression at once,
//     and the transaction keeps the answer for the other rules that test
//     the same value (rxset.go). Where RE2 cannot answer (a value of
//     invalid UTF-8, its memory limit reached, the set still compiling
//     just after start), the literal pre-filter below applies.
//   - A sound literal pre-filter (rxfilter.go): most CRS expressions can
//     only match text that contains one of a set of literal strings, found
//     by walking the parsed expression. When the value contains none of
//     them, the expression cannot match and is not run. Unlike Coraza's
//     SecRxPreFilter it never skips an expression that could match (that
//     one missed CRS corpus tests 932311-7 and 942220-2).
//   - Without a match no captures are needed: it runs MatchString first and
//     FindStringSubmatchIndex only when that matched. Most CRS rules set
//     `capture`, which made Coraza run the dearer submatch search on every
//     value.
//
// Expressions that match arbitrary bytes go, as in Coraza, to
// rsc.io/binaryregexp without the (?sm) prefix and without a pre-filter.

var registerRX sync.Once

func registerOperators() {
	registerRX.Do(func() {
		plugins.RegisterOperator("rx", newRXOperator)
		for _, name := range []string{"pm", "pmFromFile", "pmf"} {
			wrapPM(name) // pmop.go
		}
	})
}

type rxOperator struct {
	*rxCompiled
}

type rxCompiled struct {
	re       *regexp.Regexp
	setIndex int            // in rxExprs; -1: not in the set
	filter   *literalFilter // nil: no pre-filter
}

func newRXOperator(options plugintypes.OperatorOptions) (plugintypes.Operator, error) {
	// Coraza's default build prepends (?sm): dot matches newlines and ^/$
	// match at line breaks, as ModSecurity does.
	data := "(?sm)" + options.Arguments
	if matchesArbitraryBytes(data) {
		re, err := memoize(options.Memoizer, "warden-binrx:"+options.Arguments, func() (any, error) {
			return binaryregexp.Compile(options.Arguments)
		})
		if err != nil {
			return nil, err
		}
		return &binaryRXOperator{re: re.(*binaryregexp.Regexp)}, nil
	}
	c, err := memoize(options.Memoizer, "warden-rx:"+data, func() (any, error) {
		re, err := regexp.Compile(data)
		if err != nil {
			return nil, err
		}
		return &rxCompiled{re: re, setIndex: rxExprs.add(data), filter: newLiteralFilter(data)}, nil
	})
	if err != nil {
		return nil, err
	}
	return &rxOperator{c.(*rxCompiled)}, nil
}

func (o *rxOperator) Evaluate(tx plugintypes.TransactionState, value string) bool {
	switch rxExprs.verdict(tx, o.setIndex, value) {
	case rxNoMatch:
		return false
	case rxUnknown:
		if o.filter != nil && !o.filter.mayMatch(value) {
			return false
		}
	}
	if !o.re.MatchString(value) {
		return false
	}
	if !tx.Capturing() {
		return true
	}
	match := o.re.FindStringSubmatchIndex(value)
	if match == nil { // cannot happen: MatchString said it matches
		return false
	}
	for i := 0; i < len(match)/2; i++ {
		if i == 9 {
			return true
		}
		if match[2*i] >= 0 {
			tx.CaptureField(i, value[match[2*i]:match[2*i+1]])
		} else {
			tx.CaptureField(i, "")
		}
	}
	return true
}

// binaryRXOperator is Coraza's binaryRX: expressions with byte escapes that
// are not valid UTF-8.
type binaryRXOperator struct {
	re *binaryregexp.Regexp
}

func (o *binaryRXOperator) Evaluate(tx plugintypes.TransactionState, value string) bool {
	// As for @rx: the submatch search only when there is a match.
	if !o.re.MatchString(value) {
		return false
	}
	if !tx.Capturing() {
		return true
	}
	match := o.re.FindStringSubmatch(value)
	if len(match) == 0 {
		return false
	}
	for i, c := range match {
		if i == 9 {
			return true
		}
		tx.CaptureField(i, c)
	}
	return true
}

func memoize(m plugintypes.Memoizer, key string, fn func() (any, error)) (any, error) {
	if m == nil {
		return fn()
	}
	return m.Do(key, fn)
}

// matchesArbitraryBytes is Coraza's test (operators/rx.go) for expressions
// whose \xNN escapes decode to bytes that are not valid UTF-8.
func matchesArbitraryBytes(expr string) bool {
	decoded := make([]byte, 0, len(expr))
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		if c != '\\' {
			decoded = append(decoded, c)
			continue
		}
		if i+3 >= len(expr) {
			decoded = append(decoded, expr[i:]...)
			break
		}
		if expr[i+1] != 'x' {
			decoded = append(decoded, expr[i])
			continue
		}
		sub := expr[i:]
		advance := 3
		if len(sub) >= 6 && sub[2] == '{' {
			if end := strings.IndexByte(sub, '}'); end != -1 {
				sub = `\x` + sub[3:end]
				advance = end
			}
		}
		v, mb, _, err := strconv.UnquoteChar(sub, 0)
		if err != nil || mb {
			decoded = append(decoded, expr[i])
			continue
		}
		decoded = append(decoded, byte(v))
		i += advance
	}
	return !utf8.Valid(decoded)
}
