package gateway

import (
	"regexp"
	"strings"

	"github.com/corazawaf/coraza/v3/experimental/plugins"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
)

// Warden's @pm, @pmFromFile and @pmf wrap Coraza's own: the same
// Aho-Corasick matcher decides every match and fills the captures, but
// first the transaction's RE2 set pass over the value (rxset.go) answers
// whether any word of the dictionary occurs in it at all. The CRS has a
// dozen such dictionaries (Unix commands, PHP functions, SQL keywords),
// tested on every argument; without the set each runs its automaton over
// every value.
//
// A dictionary goes into the set as one expression that matches exactly
// the inputs Coraza's matcher does: the alternation of its words, each
// ASCII letter as a class of its two cases (Coraza matches without regard
// to ASCII case, and only ASCII case: not (?i), which folds more), every
// other character quoted. Only dictionaries of ASCII words go in
// (re2Agrees); for the others, and where the set cannot answer, Coraza's
// matcher runs as before.

// wrapPM registers the wrapper under name, around the factory Coraza has
// under that name.
func wrapPM(name string) {
	builtin, ok := plugins.OperatorFactory(name)
	if !ok {
		return
	}
	plugins.RegisterOperator(name, func(options plugintypes.OperatorOptions) (plugintypes.Operator, error) {
		op, err := builtin(options)
		if err != nil {
			return nil, err
		}
		d, ok := op.(interface{ Dictionary() []string })
		if !ok || len(d.Dictionary()) == 0 {
			return op, nil
		}
		idx := rxExprs.add(pmExpression(d.Dictionary()))
		if idx < 0 {
			return op, nil
		}
		return &pmOperator{builtin: op, setIndex: idx}, nil
	})
}

type pmOperator struct {
	builtin  plugintypes.Operator
	setIndex int
}

func (o *pmOperator) Evaluate(tx plugintypes.TransactionState, value string) bool {
	if rxExprs.verdict(tx, o.setIndex, value) == rxNoMatch {
		return false
	}
	return o.builtin.Evaluate(tx, value)
}

// pmExpression is the regular expression (RE2 and Go syntax) that matches
// a value exactly when Coraza's matcher finds one of words in it.
func pmExpression(words []string) string {
	var b strings.Builder
	b.WriteString("(?:")
	for i, w := range words {
		if i > 0 {
			b.WriteByte('|')
		}
		for _, r := range w {
			switch {
			case 'a' <= r && r <= 'z':
				b.WriteString("[" + string(r) + string(r-'a'+'A') + "]")
			case 'A' <= r && r <= 'Z':
				b.WriteString("[" + string(r-'A'+'a') + string(r) + "]")
			default:
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
	}
	b.WriteString(")")
	return b.String()
}
