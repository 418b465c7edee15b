package scrub

// number handles the digit at i, the first of its run, and returns where
// scanning resumes.
func (w *scanner) number(i int) int {
	in := w.in
	if p := w.before(i - 1); isLetter(p) {
		// Two letters in front may be an IBAN country code; any other
		// letter makes this part of an identifier (hex, base64, SKU).
		if isLetter(w.before(i-2)) && !isAlnum(w.before(i-3)) {
			if end := ibanAt(in, i-2); end > 0 {
				w.redact(i-2, end, RedactedIBAN, false)
				return end
			}
		}
		return skip(in, i, isAlnum)
	} else if (p == '.' || p == ',') && isDigit(w.before(i-2)) {
		return skip(in, i, isDigit) // the decimals of an amount or version
	}
	var buf [8]group
	groups, end := digitGroups(in, i, buf[:0])
	w.findNumbers(groups)
	return end
}

// numberAt reports the end of the number (with its groups) at j, which may
// start with a sign, and whether it holds a card or national id, without
// redacting anything.
func (w *scanner) numberAt(j int) (end int, found bool) {
	in := w.in
	if in[j] == '-' || in[j] == '+' {
		j++
	}
	if j >= len(in) || !isDigit(in[j]) {
		return j, false
	}
	var buf [8]group
	groups, end := digitGroups(in, j, buf[:0])
	for s := range groups {
		if w.cardAt(groups, s) >= 0 || w.nationalIDAt(groups, s) >= 0 {
			return end, true
		}
	}
	return end, false
}

// group is one run of digits in[a:b].
type group struct{ a, b int }

// digitGroups splits the number starting at i into runs of digits joined by
// single spaces or dashes ("4111 1111 1111 1111", "2026-11-23"), appended
// to groups. A last run glued to a letter or a decimal part is dropped:
// "1111abc" and "1234.50" are not pieces of a card.
func digitGroups(in string, i int, groups []group) ([]group, int) {
	j := i
	for {
		a := j
		j = skip(in, j, isDigit)
		groups = append(groups, group{a, j})
		if j+1 < len(in) && (in[j] == ' ' || in[j] == '-') && isDigit(in[j+1]) {
			j++
			continue
		}
		break
	}
	if j < len(in) {
		c := in[j]
		if isLetter(c) || (c == '.' || c == ',') && j+1 < len(in) && isDigit(in[j+1]) {
			groups = groups[:len(groups)-1]
		}
	}
	return groups, j
}

// findNumbers redacts cards and national ids made of whole groups, taking
// the earliest start and then the longest card, so the result does not
// depend on what follows and a second pass finds nothing new.
func (w *scanner) findNumbers(groups []group) {
	for s := 0; s < len(groups); {
		if e := w.cardAt(groups, s); e >= 0 {
			w.redact(groups[s].a, groups[e].b, RedactedCard, false)
			s = e + 1
			continue
		}
		if e := w.nationalIDAt(groups, s); e >= 0 {
			w.redact(groups[s].a, groups[e].b, RedactedNationalID, false)
			s = e + 1
			continue
		}
		s++
	}
}

// cardAt returns the last group of the longest card starting at group s,
// or -1. A card is one run of 13-19 digits, or several runs of 3-6 digits:
// that is how cards are printed, while dates, phone numbers and amounts
// have shorter or longer pieces.
func (w *scanner) cardAt(groups []group, s int) int {
	var d [19]byte
	n, best := 0, -1
	for e := s; e < len(groups); e++ {
		g := groups[e]
		l := g.b - g.a
		if e > s && (!cardGroup(groups[s]) || !cardGroup(g)) || n+l > len(d) {
			break
		}
		n += copy(d[n:], w.in[g.a:g.b])
		if isCard(d[:n]) {
			best = e
		}
	}
	return best
}

func cardGroup(g group) bool { return g.b-g.a >= 3 && g.b-g.a <= 6 }

// nationalIDAt returns the last group of a national id starting at group
// s, or -1: eleven digits, or DDMMYY NNNNN as printed on Norwegian forms.
func (w *scanner) nationalIDAt(groups []group, s int) int {
	var d [11]byte
	g := groups[s]
	switch {
	case g.b-g.a == 11:
		copy(d[:], w.in[g.a:g.b])
		if isNationalID(d[:]) {
			return s
		}
	case g.b-g.a == 6 && s+1 < len(groups) && w.in[g.b] == ' ':
		h := groups[s+1]
		if h.b-h.a != 5 {
			return -1
		}
		copy(d[:6], w.in[g.a:g.b])
		copy(d[6:], w.in[h.a:h.b])
		if isNationalID(d[:]) {
			return s + 1
		}
	}
	return -1
}

// skip returns the end of the run of bytes matching class from i.
func skip(in string, i int, class func(byte) bool) int {
	for i < len(in) && class(in[i]) {
		i++
	}
	return i
}
