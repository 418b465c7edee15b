package scrub

// ASCII classes. Bytes of multi-byte UTF-8 characters are none of these, so
// a no-break space or a typographic quote next to a number is a boundary.

const (
	cDigit = 1 << iota
	cLower
	cUpper
	cLetter = cLower | cUpper
	cAlnum  = cDigit | cLetter
)

// class holds the ASCII classes of each byte; a table beats the range
// comparisons on the scanner's hot path.
var class = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = cLower
		t[c-'a'+'A'] = cUpper
	}
	return t
}()

func isDigit(c byte) bool  { return class[c]&cDigit != 0 }
func isLower(c byte) bool  { return class[c]&cLower != 0 }
func isUpper(c byte) bool  { return class[c]&cUpper != 0 }
func isLetter(c byte) bool { return class[c]&cLetter != 0 }
func isAlnum(c byte) bool  { return class[c]&cAlnum != 0 }

func lower(c byte) byte {
	if isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}

func upper(c byte) byte {
	if isLower(c) {
		return c - ('a' - 'A')
	}
	return c
}

// hasPrefixFold reports whether s starts with the lowercase ASCII prefix,
// ignoring case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// markerLen returns the length of the redaction marker s starts with, or 0.
func markerLen(s string) int {
	for _, m := range [...]string{Redacted, RedactedCard, RedactedNationalID, RedactedIBAN} {
		if len(s) >= len(m) && s[:len(m)] == m {
			return len(m)
		}
	}
	return 0
}

// isMarker reports whether s is exactly a redaction marker, which is left
// alone so that scrubbing scrubbed output counts nothing.
func isMarker(s string) bool { return s != "" && markerLen(s) == len(s) }
