package scrub

import "strings"

// wordKind says what a key component means for the value under the key.
type wordKind uint8

const (
	wordNone   wordKind = iota
	wordSecret          // the value is a secret
	wordLine            // a secret that runs to the end of a text line (cookies)
	wordCount           // "tokens" counts things (LLM usage); numbers stay
)

// builtinWords are the sensitive single components. Plurals are listed
// where they still name secrets; "tokens" is special because prompt_tokens
// and max_tokens are counters everyone logs.
var builtinWords = map[string]wordKind{
	"password":      wordSecret,
	"passwords":     wordSecret,
	"passwd":        wordSecret,
	"secret":        wordSecret,
	"secrets":       wordSecret,
	"token":         wordSecret,
	"tokens":        wordCount,
	"authorization": wordSecret,
	"cookie":        wordLine,
	"cookies":       wordLine,
	"apikey":        wordSecret,
	"cvv":           wordSecret,
	"cvc":           wordSecret,
	"pin":           wordSecret,
	"ssn":           wordSecret,
}

// builtinPhrases are the sensitive keys of several components. Keys such as
// access_token or client_secret need no entry: they contain token or secret.
var builtinPhrases = []string{"api_key", "private_key", "card_number"}

// qualifiers end keys that describe a secret rather than hold it
// (token_count, password_length, token_expires_in); such keys keep numbers
// and booleans.
var qualifiers = map[string]bool{
	"count": true, "counts": true, "total": true, "len": true, "length": true,
	"size": true, "limit": true, "max": true, "min": true, "ttl": true,
	"type": true, "kind": true, "expires": true, "expiry": true,
	"expiration": true, "exp": true, "at": true, "in": true, "age": true,
	"id": true, "ids": true, "version": true, "enabled": true,
	"required": true, "set": true, "present": true, "valid": true,
	"verified": true, "attempts": true, "retries": true,
}

// keyClass is how a key's value is treated.
type keyClass uint8

const (
	plainKey  keyClass = iota // scrub the value for patterns only
	countKey                  // keep numbers and booleans, redact strings
	secretKey                 // redact the whole value
)

// keyInfo is the classification of one key.
type keyInfo struct {
	class keyClass
	line  bool // in text, the value runs to the end of the line
}

// span is a component of a key, as byte offsets.
type span struct{ a, b int }

// addKey registers a sensitive key given in any spelling.
func (s *Scrubber) addKey(key string) {
	comps := splitKey(key, nil)
	if len(comps) == 0 {
		return
	}
	low := strings.ToLower(key)
	words := make([]string, len(comps))
	for i, c := range comps {
		words[i] = low[c.a:c.b]
	}
	// The joined form catches spellings without separators: "apikey".
	if joined := strings.Join(words, ""); s.words[joined] == wordNone {
		s.words[joined] = wordSecret
	}
	if len(words) > 1 {
		s.phrases = append(s.phrases, words)
	}
}

// classify decides how the value under key is treated. It does not
// allocate for keys up to 64 bytes and 16 components.
func (s *Scrubber) classify(key string) keyInfo {
	if !s.filter.mayMatch(key) {
		return keyInfo{}
	}
	var lowBuf [64]byte
	low := lowBuf[:0]
	if len(key) > len(lowBuf) {
		low = make([]byte, 0, len(key))
	}
	for i := 0; i < len(key); i++ {
		low = append(low, lower(key[i]))
	}
	var spanBuf [16]span
	comps := splitKey(key, spanBuf[:0])

	var secret, count, line bool
	for _, c := range comps {
		switch s.words[string(low[c.a:c.b])] {
		case wordSecret:
			secret = true
		case wordLine:
			secret, line = true, true
		case wordCount:
			count = true
		}
	}
	if !secret {
		secret = s.hasPhrase(low, comps)
	}
	switch {
	case secret && !endsInQualifier(low, comps):
		return keyInfo{class: secretKey, line: line}
	case secret || count:
		return keyInfo{class: countKey}
	}
	return keyInfo{}
}

// hasPhrase reports whether the components contain a multi-component key
// in order, such as api, key in "x-api-key".
func (s *Scrubber) hasPhrase(low []byte, comps []span) bool {
	for _, p := range s.phrases {
	next:
		for i := 0; i+len(p) <= len(comps); i++ {
			for j, w := range p {
				c := comps[i+j]
				if string(low[c.a:c.b]) != w {
					continue next
				}
			}
			return true
		}
	}
	return false
}

// endsInQualifier reports whether the last component that is not a number
// is a qualifier. Numbers are skipped so "token_count2" stays a counter.
func endsInQualifier(low []byte, comps []span) bool {
	for i := len(comps) - 1; i >= 0; i-- {
		c := comps[i]
		if isDigit(low[c.a]) {
			continue
		}
		return qualifiers[string(low[c.a:c.b])]
	}
	return false
}

// splitKey appends the components of key to dst: runs of letters and
// digits, split where camelCase or a digit starts a new word, so
// "XAPIKey2" gives X, API, Key, 2.
func splitKey(key string, dst []span) []span {
	n := len(key)
	for i := 0; i < n; {
		for i < n && !isAlnum(key[i]) {
			i++
		}
		start := i
		for ; i < n && isAlnum(key[i]); i++ {
			if i > start && wordBreak(key, i) {
				dst = append(dst, span{start, i})
				start = i
			}
		}
		if i > start {
			dst = append(dst, span{start, i})
		}
	}
	return dst
}

// wordBreak reports whether a new key component starts at i.
func wordBreak(key string, i int) bool {
	p, c := key[i-1], key[i]
	switch {
	case isDigit(p) != isDigit(c):
		return true
	case isLower(p) && isUpper(c):
		return true
	case isUpper(p) && isUpper(c) && i+1 < len(key) && isLower(key[i+1]):
		return true // the K in "APIKey"
	}
	return false
}

// trigrams is a bit set of the first three letters of every sensitive
// word. A key with none of them in it cannot match, and most keys in a log
// line ("time", "status", "user_id") are ruled out by it without being
// lowercased or split. Bytes fold to their low five bits, which merges
// letters with their upper case (and some digits, harmlessly).
type trigrams struct {
	bits [1 << 15 / 8]uint8
	off  bool // a word shorter than three letters was added
}

func trigram(a, b, c byte) uint16 {
	return uint16(a&31)<<10 | uint16(b&31)<<5 | uint16(c&31)
}

func (t *trigrams) add(w string) {
	if len(w) < 3 {
		t.off = true
		return
	}
	h := trigram(w[0], w[1], w[2])
	t.bits[h/8] |= 1 << (h % 8)
}

func (t *trigrams) mayMatch(key string) bool {
	if t.off {
		return key != ""
	}
	for i := 0; i+3 <= len(key); i++ {
		h := trigram(key[i], key[i+1], key[i+2])
		if t.bits[h/8]&(1<<(h%8)) != 0 {
			return true
		}
	}
	return false
}
