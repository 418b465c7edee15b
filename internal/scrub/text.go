package scrub

import "strings"

// trigger marks the bytes where a redaction can start. Everything else is
// copied without a look, which keeps ordinary text close to memchr speed.
var trigger = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['='], t[':'] = true, true // key=value, key: value, user:password@
	t['b'], t['B'] = true, true // Bearer, Basic
	return t
}()

// String returns text with sensitive values replaced by markers. When
// nothing is redacted it returns text itself without allocating.
func (s *Scrubber) String(text string) string {
	out, _ := s.StringCount(text)
	return out
}

// StringCount is String that also reports the number of redactions, for
// metrics.
func (s *Scrubber) StringCount(text string) (string, int) {
	w := scanner{sc: s, in: text}
	for i := 0; i < len(text); {
		for i < len(text) && !trigger[text[i]] {
			i++
		}
		if i == len(text) {
			break
		}
		switch c := text[i]; {
		case isDigit(c):
			i = w.number(i)
		case c == '=' || c == ':':
			i = w.keyValue(i)
		default:
			i = w.authScheme(i)
		}
	}
	return w.result()
}

// scanner is the state of one StringCount call. The output is built only
// once something is redacted.
type scanner struct {
	sc   *Scrubber
	in   string
	out  strings.Builder
	last int // in[:last] has been written to out
	n    int // redactions so far
}

// redact replaces in[a:b] with marker, quoted if the value was a bare JSON
// value under a quoted key, so that JSON embedded in text stays valid.
// An existing marker is left alone and not counted.
func (w *scanner) redact(a, b int, marker string, quote bool) {
	if a < w.last || a >= b || isMarker(w.in[a:b]) {
		return
	}
	if w.n == 0 {
		w.out.Grow(len(w.in) + len(marker))
	}
	w.out.WriteString(w.in[w.last:a])
	if quote {
		w.out.WriteByte('"')
	}
	w.out.WriteString(marker)
	if quote {
		w.out.WriteByte('"')
	}
	w.last = b
	w.n++
}

// before returns in[j] for a look-behind, or 0 where j is before the start
// or inside text already redacted. Redacted text must not count as
// context: a second pass sees a marker there, and has to decide alike.
func (w *scanner) before(j int) byte {
	if j < w.last || j < 0 {
		return 0
	}
	return w.in[j]
}

func (w *scanner) result() (string, int) {
	if w.n == 0 {
		return w.in, 0
	}
	w.out.WriteString(w.in[w.last:])
	return w.out.String(), w.n
}
