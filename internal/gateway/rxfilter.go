package gateway

import (
	"regexp/syntax"
	"slices"
	"unicode"
	"unicode/utf8"
)

// A literalFilter answers, before a regular expression runs, whether the
// value could match at all: it holds a set of strings of which every match
// of the expression contains at least one (compared without regard to ASCII
// case). If the value contains none of them the expression cannot match.
//
// Why it is sound. The set is derived bottom-up from the parsed,
// simplified expression (the same tree regexp.Compile builds), with two
// facts per node:
//
//   - exact: a finite set E such that every string the node matches, ASCII
//     lower-cased, is in E (unknown when the node can match unboundedly
//     many strings);
//   - req: a set R such that every string the node matches, ASCII
//     lower-cased, contains some element of R (unknown when there is none).
//
// Literals contribute their runes; a case-folded rune contributes every
// member of its Unicode fold orbit (Go's (?i) matches 'ſ' for 's' and the
// Kelvin sign for 'k'), so folding never escapes the set. A literal or
// class that contains U+FFFD makes the node unknown: Go matches it against
// any invalid UTF-8 byte. Concatenation multiplies exact sets (up to a
// bound) and may take the requirement of any one of its parts;
// alternation unions its branches' sets and is unknown if any branch is;
// *, ? and repetitions that may be empty add nothing; + keeps its
// operand's requirement. Every rule only weakens or keeps a true
// statement, so "the value contains no element of R" implies "the
// expression cannot match". The tests check it against every @rx of the
// CRS and every payload of the CRS regression corpus, and a fuzz test
// checks it on arbitrary values; the CRS corpus itself must pass.
type literalFilter struct {
	sets []*setMatcher // every one must be present
	strs [][]string    // the sets, for messages
}

// setMatcher finds any of a set of ASCII-lower-case strings in a value,
// ignoring ASCII case.
type setMatcher struct {
	// first marks the bytes (both ASCII cases) a string of the set starts
	// with; byFirst lists, per lower-cased first byte, the rest of each
	// string that starts with it.
	first   [256]bool
	byFirst [256][]string
}

func (f *literalFilter) mayMatch(value string) bool {
	for _, m := range f.sets {
		if !m.in(value) {
			return false
		}
	}
	return true
}

// in reports whether value contains an element of the set, ignoring ASCII
// case. It does not allocate.
func (m *setMatcher) in(value string) bool {
	for i := 0; i < len(value); i++ {
		c := value[i]
		if !m.first[c] {
			continue
		}
		rest := value[i+1:]
		for _, s := range m.byFirst[lowerByte(c)] {
			if hasPrefixFold(rest, s) {
				return true
			}
		}
	}
	return false
}

func newSetMatcher(strs []string) *setMatcher {
	m := &setMatcher{}
	for _, s := range strs {
		c := s[0]
		m.first[c] = true
		if 'a' <= c && c <= 'z' {
			m.first[c-'a'+'A'] = true
		}
		m.byFirst[c] = append(m.byFirst[c], s[1:])
	}
	for c := range m.byFirst {
		// The shortest rest first: "ab" answers before "abc" is tried.
		slices.SortStableFunc(m.byFirst[c], func(a, b string) int { return len(a) - len(b) })
	}
	return m
}

// hasPrefixFold reports whether s starts with prefix, which is ASCII
// lower-case, ignoring ASCII case in s.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerByte(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// newLiteralFilter returns the filter for a Go regular expression, or nil
// when the expression has no useful required literal.
func newLiteralFilter(expr string) *literalFilter {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	_, reqs := analyzeLiterals(re.Simplify())
	if len(reqs) == 0 {
		return nil
	}
	f := &literalFilter{}
	for _, r := range reqs {
		strs := slices.Clone(r.strs)
		slices.Sort(strs)
		strs = slices.Compact(strs)
		if slices.ContainsFunc(f.strs, func(o []string) bool { return slices.Equal(o, strs) }) {
			continue
		}
		f.sets = append(f.sets, newSetMatcher(strs))
		f.strs = append(f.strs, strs)
	}
	return f
}

const (
	maxExactSet = 64   // bound on a product or union of exact sets
	maxReqSet   = 1024 // bound on a union of requirements
	maxClass    = 16   // character classes with more runes are unknown
)

// litSet is a set of ASCII-lower-cased strings; ok false means unknown.
type litSet struct {
	ok   bool
	strs []string
}

var unknown = litSet{}

// weight estimates how often a value of ordinary text contains an element
// of the set (the sum of each string's chance, a product of per-byte
// frequencies): the smaller, the more often the filter saves the
// expression's run. An unknown set, or one that holds the empty string,
// weighs 1 or more and is useless.
func (s litSet) weight() float64 {
	if !s.ok || len(s.strs) == 0 {
		return 2
	}
	w := 0.0
	for _, x := range s.strs {
		p := 1.0
		for i := 0; i < len(x); i++ {
			p *= byteFreq[x[i]]
		}
		w += p
	}
	return w
}

// byteFreq is a rough frequency of each (lower-cased) byte in names,
// payment references, JSON and URLs.
var byteFreq = func() (f [256]float64) {
	for c := range f {
		f[c] = 0.003 // punctuation, controls
	}
	letters := "etaoinshrdlcumwfgypbvkjxqz"
	common := []float64{.12, .09, .08, .075, .07, .07, .063, .06, .06, .043, .04, .028, .028, .024, .024, .022, .02, .02, .019, .015, .01, .008, .002, .002, .001, .001}
	for i := range letters {
		f[letters[i]] = common[i]
	}
	for c := '0'; c <= '9'; c++ {
		f[c] = 0.02
	}
	for _, c := range " .-/_:,=" {
		f[c] = 0.03
	}
	for c := 0x80; c < 0x100; c++ {
		f[c] = 0.01
	}
	return f
}()

// maxReqs bounds how many sets a requirement keeps (all must be present).
const maxReqs = 4

// addReq adds a true requirement to a conjunction, keeping the lightest
// maxReqs sets and dropping useless ones.
func addReq(conj []litSet, s litSet) []litSet {
	if s.weight() >= 1 {
		return conj
	}
	conj = append(conj, s)
	slices.SortStableFunc(conj, func(a, b litSet) int {
		wa, wb := a.weight(), b.weight()
		switch {
		case wa < wb:
			return -1
		case wa > wb:
			return 1
		}
		return 0
	})
	if len(conj) > maxReqs {
		conj = conj[:maxReqs]
	}
	return conj
}

// lightest is the single most selective set of a conjunction.
func lightest(conj []litSet) litSet {
	if len(conj) == 0 {
		return unknown
	}
	return conj[0] // addReq keeps them sorted
}

func union(a, b litSet, limit int) litSet {
	if !a.ok || !b.ok || len(a.strs)+len(b.strs) > limit {
		return unknown
	}
	out := make([]string, 0, len(a.strs)+len(b.strs))
	out = append(append(out, a.strs...), b.strs...)
	return litSet{ok: true, strs: out}
}

func cross(a, b litSet) litSet {
	if !a.ok || !b.ok || len(a.strs)*len(b.strs) > maxExactSet {
		return unknown
	}
	out := make([]string, 0, len(a.strs)*len(b.strs))
	for _, x := range a.strs {
		for _, y := range b.strs {
			out = append(out, x+y)
		}
	}
	return litSet{ok: true, strs: out}
}

// runeSet is the set of ASCII-lower-cased encodings a literal rune can
// match.
func runeSet(r rune, fold bool) litSet {
	if r == utf8.RuneError || r < 0 || r > unicode.MaxRune {
		return unknown
	}
	strs := []string{asciiLower(string(r))}
	if fold {
		for x := unicode.SimpleFold(r); x != r; x = unicode.SimpleFold(x) {
			if x == utf8.RuneError {
				return unknown
			}
			if s := asciiLower(string(x)); !slices.Contains(strs, s) {
				strs = append(strs, s)
			}
		}
	}
	return litSet{ok: true, strs: strs}
}

// analyzeLiterals returns the exact set of a node and its requirement: a
// conjunction of sets, each of which has an element in every match.
func analyzeLiterals(re *syntax.Regexp) (exact litSet, req []litSet) {
	switch re.Op {
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		parts := make([]litSet, len(re.Rune))
		reqs := make([][]litSet, len(re.Rune))
		for i, r := range re.Rune {
			parts[i] = runeSet(r, fold)
		}
		exact, req = concat(parts, reqs)
	case syntax.OpCharClass:
		exact = classSet(re.Rune, re.Flags&syntax.FoldCase != 0)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		exact = litSet{ok: true, strs: []string{""}}
	case syntax.OpCapture:
		exact, req = analyzeLiterals(re.Sub[0])
	case syntax.OpQuest:
		e, _ := analyzeLiterals(re.Sub[0])
		exact = union(e, litSet{ok: true, strs: []string{""}}, maxExactSet)
	case syntax.OpPlus:
		_, req = analyzeLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			_, req = analyzeLiterals(re.Sub[0])
		}
	case syntax.OpConcat:
		exacts := make([]litSet, len(re.Sub))
		reqs := make([][]litSet, len(re.Sub))
		for i, sub := range re.Sub {
			exacts[i], reqs[i] = analyzeLiterals(sub)
		}
		exact, req = concat(exacts, reqs)
	case syntax.OpAlternate:
		// Every match is a match of one branch, so it contains an element
		// of the union of one set from each branch.
		exact = litSet{ok: true}
		alt := litSet{ok: true}
		for _, sub := range re.Sub {
			e, r := analyzeLiterals(sub)
			exact = union(exact, e, maxExactSet)
			alt = union(alt, lightest(addReq(slices.Clone(r), e)), maxReqSet)
		}
		req = addReq(nil, alt)
	default:
		// OpAnyChar, OpAnyCharNotNL, OpStar, OpNoMatch and anything else:
		// nothing known.
	}
	if exact.ok {
		req = addReq(req, exact)
	}
	return exact, req
}

// concat combines the parts of a concatenation: adjacent exact parts
// multiply; every part's requirement, and every product of adjacent exact
// parts, is a requirement of the whole.
func concat(exacts []litSet, reqs [][]litSet) (exact litSet, req []litSet) {
	cur := litSet{ok: true, strs: []string{""}}
	whole := true
	for i := range exacts {
		for _, r := range reqs[i] {
			req = addReq(req, r)
		}
		if next := cross(cur, exacts[i]); next.ok {
			cur = next
			continue
		}
		whole = false
		req = addReq(req, cur)
		cur = exacts[i]
		if !cur.ok {
			cur = litSet{ok: true, strs: []string{""}}
		}
	}
	req = addReq(req, cur)
	if whole {
		exact = cur
	}
	return exact, req
}

// A one-rune class with the fold flag matches the rune's fold orbit (see
// regexp/syntax's compiler), so folded classes take their runes' orbits.
func classSet(ranges []rune, fold bool) litSet {
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if lo <= utf8.RuneError && utf8.RuneError <= hi {
			return unknown
		}
		n += int(hi-lo) + 1
		if n > maxClass {
			return unknown
		}
	}
	if n == 0 {
		return unknown
	}
	var strs []string
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			rs := runeSet(r, fold)
			if !rs.ok {
				return unknown
			}
			for _, s := range rs.strs {
				if !slices.Contains(strs, s) {
					strs = append(strs, s)
				}
			}
		}
	}
	return litSet{ok: true, strs: strs}
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
