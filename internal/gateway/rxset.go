package gateway

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/wasilibs/go-re2/experimental"
)

// The CRS tests each value with 100-200 expressions, one rule at a time,
// and most rules see the same values after the same transformations. An
// rxSet runs every @rx expression and @pm dictionary (pmop.go) over a
// value in ONE pass of RE2's DFA (an RE2::Set; RE2 is the C++ library,
// compiled to pure Go by github.com/wasilibs/go-re2), about 1.5 µs for a
// short value and all of the CRS, where Go's regexp spends 20-100 µs on
// one large expression. A transaction keeps the answer for each value it
// has seen (rxMemo), so each rule's operator starts with a map lookup that
// says "cannot match" or "ask Go".
//
// The set only ever rules a match out: it says which expressions match
// somewhere in the value, and Go's regexp still confirms every match and
// finds the captures, so rules match exactly as in Coraza as long as RE2
// never misses a match Go finds. That holds where the two engines agree by
// construction:
//
//   - Valid UTF-8 only. Go reads an invalid byte as U+FFFD, which `.` and
//     negated classes match; RE2 stops there. Other values go to Go.
//   - Expressions without Unicode tables (re2Agrees): ASCII source with no
//     \p or \P, so both engines read the same classes. ASCII letters under
//     (?i) fold to the same runes in both (the Kelvin sign for k, long s
//     for s).
//   - An RE2 error (its memory limit reached) is no answer.
//
// With no answer the value goes the way it went before: the literal
// filter, then Go. TestLiteralFilterSoundOnCRS checks the set against
// every @rx of the CRS on every value of the CRS corpus, FuzzLiteralFilter
// on arbitrary values, and the CRS corpus itself must pass.

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

// rxSetMaxMem bounds RE2's memory for the whole set: the compiled program
// and the DFA cache, which RE2 resets when full and gives up on (an error,
// so Go decides) when it fills too often. rxSetMaxExpr keeps any one
// expression from taking the set's room (the CRS's largest, the @pm
// dictionary of file names, is 237 KB as an expression); a larger one is
// left to Go, or to Coraza's matcher, alone.
const (
	rxSetMaxMem  = 64 << 20
	rxSetMaxExpr = 1 << 20
)

// rxSet is a compiled set over the registry's first n expressions.
type rxSet struct {
	set   *experimental.Set // nil: RE2 could not compile them; never used
	n     int
	words int // bitset length in 64-bit words
}

func compileRXSet(exprs []string) *rxSet {
	s := &rxSet{n: len(exprs), words: (len(exprs) + 63) / 64}
	if len(exprs) == 0 {
		return s
	}
	set, err := experimental.CompileSetWithOptions(exprs, experimental.CompileOptions{MaxMem: rxSetMaxMem})
	if err == nil {
		s.set = set
	}
	return s
}

// match sets in bits (s.words long, zeroed) the expressions that match
// somewhere in value; false when RE2 cannot say.
func (s *rxSet) match(value string, bits []uint64) bool {
	if s.set == nil || !utf8.ValidString(value) {
		return false
	}
	ids, err := s.set.FindAllStringWithError(value, -1)
	if err != nil {
		return false
	}
	for _, id := range ids {
		bits[id/64] |= 1 << (id % 64)
	}
	return true
}

// rxRegistry numbers every expression a Warden @rx or @pm operator was
// built with (once each, in the order first seen) and holds the set over
// them. Building a WAF adds its expressions; the set is compiled in the
// background (about 0.3 s for the CRS; until it is ready the operators
// work as if RE2 had no answer) and again when an operator asks for an
// expression it does not cover yet. Expressions stay for the life of the
// process: the CRS and a team's own rules are a bounded list.
type rxRegistry struct {
	mu       sync.Mutex
	exprs    []string
	index    map[string]int
	current  atomic.Pointer[rxSet]
	building atomic.Bool
}

var rxExprs = &rxRegistry{index: map[string]int{}}

// add returns the expression's number, or -1 if the set must not take it.
func (r *rxRegistry) add(expr string) int {
	if len(expr) > rxSetMaxExpr || !re2Agrees(expr) {
		return -1
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, ok := r.index[expr]; ok {
		return i
	}
	r.index[expr] = len(r.exprs)
	r.exprs = append(r.exprs, expr)
	return len(r.exprs) - 1
}

// setFor returns the set if it covers expression i; otherwise nil, and a
// set that covers it is being compiled.
func (r *rxRegistry) setFor(i int) *rxSet {
	if s := r.current.Load(); s != nil && i < s.n {
		return s
	}
	r.buildSoon()
	return nil
}

// buildSoon compiles the set in the background unless that is under way;
// the gateway calls it once the WAF is built.
func (r *rxRegistry) buildSoon() {
	if r.building.CompareAndSwap(false, true) {
		go func() {
			defer r.building.Store(false)
			r.build()
		}()
	}
}

// build compiles the set over every expression added so far, unless the
// current one already covers them, and returns it.
func (r *rxRegistry) build() *rxSet {
	for {
		r.mu.Lock()
		exprs := r.exprs // append-only: this prefix never changes
		r.mu.Unlock()
		if s := r.current.Load(); s != nil && s.n == len(exprs) {
			return s
		}
		s := compileRXSet(exprs)
		r.mu.Lock()
		if cur := r.current.Load(); cur == nil || cur.n < s.n {
			r.current.Store(s)
		}
		r.mu.Unlock()
	}
}

// rxMemo is one transaction's answers from one set: per value, the offset
// of its bitset in bits, or -1 when RE2 could not say.
type rxMemo struct {
	set    *rxSet
	offset map[string]int
	bits   []uint64
}

func (m *rxMemo) Reset() {
	m.set = nil
	clear(m.offset)
	m.bits = m.bits[:0]
}

// rxVerdict is what the set says about one expression and one value.
type rxVerdict int

const (
	rxUnknown  rxVerdict = iota // decide without the set
	rxNoMatch                   // cannot match
	rxMayMatch                  // matches somewhere: the operator decides and captures
)

// verdict looks the value up in the transaction's memo, running the set
// over it the first time. tx is Coraza's transaction, which offers a slot
// for the memo (Warden's Coraza patch 14).
func (r *rxRegistry) verdict(tx any, expr int, value string) rxVerdict {
	holder, ok := tx.(interface{ OperatorScratch() *any })
	if expr < 0 || !ok {
		return rxUnknown
	}
	set := r.setFor(expr)
	if set == nil || set.set == nil {
		return rxUnknown
	}
	slot := holder.OperatorScratch()
	memo, _ := (*slot).(*rxMemo)
	if memo == nil {
		memo = &rxMemo{offset: map[string]int{}}
		*slot = memo
	}
	if memo.set != set {
		memo.Reset()
		memo.set = set
	}
	off, seen := memo.offset[value]
	if !seen {
		off = len(memo.bits)
		memo.bits = append(memo.bits, make([]uint64, set.words)...)
		if !set.match(value, memo.bits[off:]) {
			memo.bits = memo.bits[:off]
			off = -1
		}
		memo.offset[value] = off
	}
	switch {
	case off < 0:
		return rxUnknown
	case memo.bits[off+expr/64]&(1<<(expr%64)) != 0:
		return rxMayMatch
	default:
		return rxNoMatch
	}
}
