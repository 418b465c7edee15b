package scrub

import "encoding/base64"

// authScheme handles a 'b' or 'B' at i: the credential after "Bearer " or
// "Basic " goes, wherever it appears (headers dumped into a log line, curl
// commands). It returns where scanning resumes.
func (w *scanner) authScheme(i int) int {
	in := w.in
	if isAlnum(w.before(i - 1)) {
		return i + 1
	}
	var basic bool
	switch {
	case hasPrefixFold(in[i:], "bearer "):
	case hasPrefixFold(in[i:], "basic "):
		basic = true
	default:
		return i + 1
	}
	a := skip(in, indexBlank(in, i), isBlank)
	b := skip(in, a, isToken68)
	cred := in[a:b]
	switch {
	case b == a:
		return a
	case b < len(in) && in[b] == '"' && isParamName(cred):
		return a // an auth-param, as in Bearer error="invalid_token"
	case !isTokenLike(cred) && !(basic && isBasicCredential(cred)):
		// Prose. Only short runs of letters get here, so nothing in them
		// can be redacted later, and a second pass decides alike.
		return a
	}
	w.redact(a, b, Redacted, false)
	return b
}

func indexBlank(in string, i int) int {
	for in[i] != ' ' {
		i++
	}
	return i
}

// isTokenLike tells a token from prose: "missing bearer token" must
// survive. Real tokens (JWTs, opaque ids) contain a digit or punctuation,
// or are long.
func isTokenLike(cred string) bool {
	if len(cred) >= 16 {
		return true
	}
	for i := 0; i < len(cred); i++ {
		if !isLetter(cred[i]) {
			return true
		}
	}
	return false
}

// isBasicCredential reports whether cred is base64 of "user:password",
// which catches short all-letter credentials such as dXNlcjpwYXNz that
// isTokenLike lets through.
func isBasicCredential(cred string) bool {
	enc := base64.StdEncoding
	if len(cred)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	var buf [96]byte
	dst := buf[:]
	if enc.DecodedLen(len(cred)) > len(buf) {
		dst = make([]byte, enc.DecodedLen(len(cred)))
	}
	n, err := enc.Decode(dst, []byte(cred))
	if err != nil {
		return false
	}
	for _, c := range dst[:n] {
		if c == ':' {
			return true
		}
	}
	return false
}

// isParamName reports whether cred is "name=" with a name of letters,
// '-' and '_'. Nothing in it can be redacted later (its value is quoted and
// follows it), so a second pass sees it unchanged and decides alike.
func isParamName(cred string) bool {
	n := len(cred) - 1
	if n < 1 || cred[n] != '=' {
		return false
	}
	for i := range n {
		if c := cred[i]; !isLetter(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// isToken68 reports whether c may appear in an RFC 7235 token68 credential.
func isToken68(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
}
