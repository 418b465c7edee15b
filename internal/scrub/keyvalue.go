package scrub

import "strings"

// keyValue handles the '=' or ':' at i: a URL password, or the value of a
// sensitive key in "password=x", "token: x", `"secret":"x"`. It returns
// where scanning resumes.
func (w *scanner) keyValue(i int) int {
	in := w.in
	if in[i] == ':' {
		if end := w.userinfo(i); end > 0 {
			return end
		}
	}
	k := i
	for k > w.last && (in[k-1] == ' ' || in[k-1] == '\t') {
		k-- // "password = x", "Password : x"
	}
	spaced := k < i
	quoted := false
	if k > w.last && (in[k-1] == '"' || in[k-1] == '\'') {
		quoted = in[k-1] == '"'
		k--
		if k > w.last && in[k-1] == '\\' {
			k-- // escaped JSON inside a string: {\"token\":\"x\"}
		}
	}
	end := k
	k = skipBack(in, k, w.last, isKeyChar)
	if k == end || k > 0 && in[k-1] == '[' && in[k:end] == "REDACTED" {
		return i + 1 // no key, or the ':' inside "[REDACTED:card]"
	}
	info := w.sc.classify(in[k:end])
	if info.class == plainKey {
		return i + 1
	}
	return w.value(i, info, spaced, quoted)
}

// value redacts the value after the separator at i and returns where
// scanning resumes.
func (w *scanner) value(i int, info keyInfo, spaced, quotedKey bool) int {
	in := w.in
	n := len(in)
	j := i + 1
	if in[i] == ':' || spaced {
		j = skip(in, j, isBlank)
	}
	if j >= n {
		return j
	}
	switch c := in[j]; {
	case c == '"' || c == '\'':
		end := closingQuote(in, j+1, c)
		w.quotedValue(j+1, end)
		return end
	case c == '\\' && j+1 < n && in[j+1] == '"':
		end := closingEscapedQuote(in, j+2)
		w.quotedValue(j+2, end)
		return end
	case c == '{':
		return i + 1 // an object: its own keys decide
	case c == '[':
		// A list, as in Go's map[Authorization:[Bearer x]] or JSON.
		if end := indexLine(in, j, ']'); end > 0 {
			w.redact(j, end+1, Redacted, quotedKey)
			return end + 1
		}
	}
	if info.line && in[i] == ':' {
		end := lineEnd(in, j) // "Cookie: a=1; b=2" is one secret
		w.redact(j, end, Redacted, quotedKey)
		return end
	}
	end := valueEnd(in, j)
	if end < n && in[end] == ' ' && isScheme(in[j:end]) {
		a := skip(in, end, isBlank)
		if b := credentialEnd(in, a, in[j:end]); b > a {
			w.redact(a, b, Redacted, false) // keep "Bearer", it helps debugging
			return b
		}
	}
	if info.class == countKey && isNumberOrBool(in[j:end]) {
		numEnd, found := w.numberAt(j)
		if !found {
			return max(end, numEnd) // a count
		}
		// A card number under a counting key: redact the value whole, as
		// a partial "-[REDACTED:card]" would not read as a number again.
		end = max(end, numEnd)
	}
	w.redact(j, end, Redacted, quotedKey)
	return end
}

// quotedValue redacts the contents of a quoted value in[a:b], keeping an
// auth scheme in front. Quoted values are strings, so they go even under a
// counting key such as token_count, as in the JSON rules.
func (w *scanner) quotedValue(a, b int) {
	in := w.in
	if sp := strings.IndexByte(in[a:b], ' '); sp > 0 && isScheme(in[a:a+sp]) {
		a = skip(in, a+sp, isBlank)
	}
	w.redact(a, b, Redacted, false)
}

// userinfo redacts the password in scheme://user:password@host when the
// ':' at i follows the user name, and returns the end of the password, or
// 0 if this is no such URL.
func (w *scanner) userinfo(i int) int {
	in := w.in
	k := skipBack(in, i, w.last, isUserChar)
	if k-3 < w.last || in[k-3:k] != "://" {
		return 0
	}
	at := 0
	// '[' is no password character here, so that a marker left by another
	// rule ("://u:[REDACTED:card]@") is not taken for one in a second pass.
	for j := i + 1; j < len(in) && !isURLEnd(in[j]) && in[j] != '['; j++ {
		if in[j] == '@' {
			at = j // the last '@' ends the password, as in net/url
		}
	}
	if at == 0 {
		return 0
	}
	w.redact(i+1, at, Redacted, false)
	return at
}

// valueEnd returns the end of an unquoted value starting at j. A value that
// opens a bracket may contain its closer.
func valueEnd(in string, j int) int {
	if m := markerLen(in[j:]); m > 0 {
		return j + m // a marker from an earlier pass ends here, whatever follows
	}
	var closer byte
	switch in[j] {
	case '(':
		closer = ')'
	case '[':
		closer = ']'
	}
	for k := j; k < len(in); k++ {
		switch c := in[k]; c {
		case ' ', '\t', '\n', '\r', '&', ',', ';', '"', '\'', '<', '>':
			return k
		case ')', ']', '}':
			if c != closer {
				return k
			}
		}
	}
	return len(in)
}

// credentialEnd returns the end of the credential after an auth scheme.
// Digest credentials are a list of parameters and run to the end of line.
func credentialEnd(in string, a int, scheme string) int {
	if a >= len(in) {
		return a
	}
	if hasPrefixFold(scheme, "digest") {
		return lineEnd(in, a)
	}
	return valueEnd(in, a)
}

// isScheme reports whether w is an HTTP auth scheme.
func isScheme(w string) bool {
	for _, s := range [...]string{"bearer", "basic", "digest", "negotiate", "ntlm", "token"} {
		if len(w) == len(s) && hasPrefixFold(w, s) {
			return true
		}
	}
	return false
}

// isNumberOrBool reports whether v is a plain decimal number or a boolean,
// the values a counting key keeps.
func isNumberOrBool(v string) bool {
	if v == "true" || v == "false" {
		return true
	}
	if v != "" && (v[0] == '-' || v[0] == '+') {
		v = v[1:]
	}
	dot := false
	for i := 0; i < len(v); i++ {
		switch {
		case isDigit(v[i]):
		case v[i] == '.' && !dot && i > 0 && i < len(v)-1:
			dot = true
		default:
			return false
		}
	}
	return v != ""
}

// closingQuote returns the index of the quote q closing a value that
// starts at a, skipping backslash escapes; an unclosed value runs to the
// end of the line.
func closingQuote(in string, a int, q byte) int {
	for k := a; k < len(in); k++ {
		switch in[k] {
		case '\\':
			k++
		case q:
			return k
		case '\n', '\r':
			return k
		}
	}
	return len(in)
}

// closingEscapedQuote is closingQuote for values quoted as \" inside a
// JSON string.
func closingEscapedQuote(in string, a int) int {
	for k := a; k < len(in); k++ {
		switch in[k] {
		case '\\':
			if k+1 < len(in) && in[k+1] == '"' {
				return k
			}
			k++
		case '\n', '\r':
			return k
		}
	}
	return len(in)
}

// lineEnd returns the end of the line containing j, without trailing blanks.
func lineEnd(in string, j int) int {
	k := j
	for k < len(in) && in[k] != '\n' && in[k] != '\r' {
		k++
	}
	for k > j && isBlank(in[k-1]) {
		k--
	}
	return k
}

// indexLine returns the index of c in the line from j, or -1. It looks
// no further than maxList bytes, so that text full of unclosed brackets
// costs linear time.
func indexLine(in string, j int, c byte) int {
	for k := j; k < len(in) && k-j < maxList && in[k] != '\n' && in[k] != '\r'; k++ {
		if in[k] == c {
			return k
		}
	}
	return -1
}

// skipBack returns the start of the run of bytes matching class that ends
// at i, not going below min.
func skipBack(in string, i, min int, class func(byte) bool) int {
	for i > min && class(in[i-1]) {
		i--
	}
	return i
}

// maxList bounds the length of a bracketed value such as [Bearer x].
const maxList = 1024

func isBlank(c byte) bool   { return c == ' ' || c == '\t' }
func isKeyChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// isUserChar reports whether c may appear in the user part of a URL.
func isUserChar(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '%' || c == '+' || c == '!' || c == '$' || c == '*'
}

// isURLEnd reports whether c ends the authority part of a URL.
func isURLEnd(c byte) bool {
	switch c {
	case '/', '?', '#', ' ', '\t', '\n', '\r', '"', '\'', '<', '>':
		return true
	}
	return false
}
