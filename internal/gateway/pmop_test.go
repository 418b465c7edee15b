package gateway

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/experimental/plugins"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
)

// crsDictionaries are the dictionaries of every @pm and @pmFromFile of the
// CRS, as Coraza's own operators read them, with the expression the set
// gets for each and the RE2 set over those expressions.
var crsDictionaries = sync.OnceValue(func() (out struct {
	dicts [][]string
	exprs []*regexp.Regexp
	set   *rxSet
}) {
	registerOperators()
	crsOperators(regexp.MustCompile(`"@(pm|pmFromFile) ([^"]*)"`), func(m []string) {
		op, err := newPMOperator(m[1], m[2])
		if err != nil {
			return
		}
		w, ok := op.(*pmOperator)
		if !ok {
			return
		}
		dict := w.builtin.(interface{ Dictionary() []string }).Dictionary()
		out.dicts = append(out.dicts, dict)
		out.exprs = append(out.exprs, regexp.MustCompile(pmExpression(dict)))
	})
	var exprs []string
	for _, re := range out.exprs {
		exprs = append(exprs, re.String())
	}
	out.set = compileRXSet(exprs)
	return out
})

// newPMOperator builds the operator as Coraza does for a CRS rule.
func newPMOperator(name, args string) (plugintypes.Operator, error) {
	factory, _ := plugins.OperatorFactory(name)
	return factory(plugintypes.OperatorOptions{Arguments: args, Path: []string{"@owasp_crs"}, Root: coreruleset.FS})
}

// dictionaryFinds is the reference: a word of the dictionary occurs in the
// value, ASCII case ignored.
func dictionaryFinds(dict []string, value string) bool {
	lower := asciiLower(value)
	for _, w := range dict {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// checkPMSound fails when the set rules out a value in which a word of a
// dictionary occurs, or when the expression and the reference disagree.
func checkPMSound(t testing.TB, value string) {
	d := crsDictionaries()
	bits := make([]uint64, d.set.words)
	setSays := d.set.match(value, bits)
	for i, dict := range d.dicts {
		want := dictionaryFinds(dict, value)
		if setSays && want && bits[i/64]&(1<<(i%64)) == 0 {
			t.Errorf("the RE2 set rules out %q, in which a word of %q... occurs", value, dict[:min(3, len(dict))])
		}
		if utf8.ValidString(value) && d.exprs[i].MatchString(value) != want {
			t.Errorf("expression and dictionary %q... disagree on %q", dict[:min(3, len(dict))], value)
		}
	}
}

func TestPMWrapperOnCRS(t *testing.T) {
	d := crsDictionaries()
	if len(d.dicts) < 12 || d.set.set == nil {
		t.Fatalf("found %d dictionaries in the CRS, set compiled: %v", len(d.dicts), d.set.set != nil)
	}
	// The wrapped operator answers as Coraza's own on both sides of the
	// set: a value with a word, one without, one of invalid UTF-8.
	op, err := newPMOperator("pmFromFile", "unix-shell.data")
	if err != nil {
		t.Fatal(err)
	}
	builtin := op.(*pmOperator).builtin
	tx := newPlainTx(t)
	for _, v := range []string{"x; /bin/bash -c id", "Bjørn O'Neill", "\xff/BIN/BASH"} {
		if got, want := op.Evaluate(tx, v), builtin.Evaluate(tx, v); got != want {
			t.Errorf("%q: wrapper %v, Coraza %v", v, got, want)
		}
	}
	values := corpusSample(t)
	for _, v := range values {
		if len(v) <= 2048 {
			checkPMSound(t, v)
		}
	}
}

// newPlainTx is a transaction of an empty WAF, which captures nothing.
func newPlainTx(t *testing.T) plugintypes.TransactionState {
	waf, err := coraza.NewWAF(coraza.NewWAFConfig())
	if err != nil {
		t.Fatal(err)
	}
	tx := waf.NewTransaction()
	t.Cleanup(func() { tx.Close() })
	return tx.(plugintypes.TransactionState)
}

func TestPMExpression(t *testing.T) {
	if got, want := pmExpression([]string{"a.b", "c(d"}), `(?:[aA]\.[bB]|[cC]\([dD])`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	re := regexp.MustCompile(pmExpression([]string{"kill", "select"}))
	for v, want := range map[string]bool{"KiLL": true, "\u212aill": false, "ſelect": false, "sel ect": false} {
		// Coraza folds ASCII case only: neither the Kelvin sign nor the
		// long s counts, as they would under (?i).
		if re.MatchString(v) != want || dictionaryFinds([]string{"kill", "select"}, v) != want {
			t.Errorf("%q: want %v", v, want)
		}
	}
}

func FuzzPMSet(f *testing.F) {
	for _, s := range []string{"", "/bin/bash", "<?php system(", "document.cookie", "\xff", "ſelect"} {
		f.Add(s)
	}
	crsDictionaries()
	f.Fuzz(func(t *testing.T, value string) {
		checkPMSound(t, value)
	})
}
