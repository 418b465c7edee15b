package gateway

import (
	"strings"
	"unicode/utf8"

	"github.com/wasilibs/go-re2/experimental"
)

// An re2Gate answers "can this expression match this value?" with RE2 (the
// C++ library compiled to Go by wasilibs/go-re2), whose lazy DFA reads each
// byte once where Go's regexp runs an NFA over every state. The CRS's large
// expressions without a literal prefix (the Unix command lists of
// 932230-932260, the 931/934/942 families) cost Go 20-100 µs per short value
// and RE2 2-5 µs.
//
// The gate only ever says no. A yes is confirmed by Go's regexp, which also
// finds the captures, so a rule matches exactly when Coraza's would, as long
// as RE2 never says no where Go says yes. That is kept by using the gate
// only where the two engines agree by construction:
//
//   - Valid UTF-8 only. Go reads an invalid byte as U+FFFD, which `.` and
//     negated classes match; RE2 stops there. Other values go to Go.
//   - Expressions without Unicode tables: ASCII source with no \p or \P,
//     so both engines read the same classes. ASCII letters under (?i) fold
//     to the same runes in both (the Kelvin sign for k, long s for s).
//   - No literal prefix: where Go has one it skips to it with a fast
//     search and usually beats the gate's call overhead (~300 ns).
//   - RE2 evaluation errors (its memory limit reached) fall back to Go.
//
// TestLiteralFilterSoundOnCRS checks the gate against every @rx of the CRS
// on every value of the CRS corpus, FuzzLiteralFilter on arbitrary values,
// and the CRS corpus itself must pass.
type re2Gate struct {
	set *experimental.Set
}

// re2MaxMem bounds what RE2 may hold for one expression: the compiled
// program and its DFA cache, which it resets when full. The CRS's largest
// expression needs about 1 MiB of program; RE2's own default is 8 MiB.
const re2MaxMem = 4 << 20

// newRE2Gate returns nil when the gate must not or need not be used for the
// expression (Go's syntax, with Coraza's (?sm) prefix); goPrefix is Go's
// literal prefix of it.
func newRE2Gate(expr, goPrefix string) *re2Gate {
	if goPrefix != "" || !re2Agrees(expr) {
		return nil
	}
	// A one-expression set: RE2's plain regexp API has no memory option,
	// and a set answers only whether it matched, which is all that is
	// asked.
	set, err := experimental.CompileSetWithOptions([]string{expr}, experimental.CompileOptions{MaxMem: re2MaxMem})
	if err != nil {
		return nil
	}
	return &re2Gate{set: set}
}

// re2Agrees reports whether the expression's source uses nothing whose
// meaning depends on an engine's Unicode tables.
func re2Agrees(expr string) bool {
	for i := 0; i < len(expr); i++ {
		if expr[i] >= utf8.RuneSelf {
			return false
		}
	}
	return !strings.Contains(expr, `\p`) && !strings.Contains(expr, `\P`)
}

// mayMatch is false only when the expression cannot match the value.
func (g *re2Gate) mayMatch(value string) bool {
	if !utf8.ValidString(value) {
		return true
	}
	m, err := g.set.FindAllStringWithError(value, 1)
	return err != nil || len(m) > 0
}
