package scrub

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Value returns v, a value decoded from JSON that was found under key, with
// sensitive parts redacted; key may be "" for a top-level value. It
// understands the types encoding/json produces (with or without
// UseNumber), Go integers, []string and map[string]string; other types are
// returned as they are unless key is sensitive, so marshal structs to JSON
// first. v is never modified: containers that change are copied, and
// unchanged ones are returned as they are.
//
// A card number or national id stored as a JSON number becomes a string
// marker. Object keys are scrubbed as text too, since maps keyed by
// account numbers exist; two keys that scrub to the same text are kept
// apart with a "#2", "#3" suffix.
func (s *Scrubber) Value(key string, v any) any {
	r, _ := s.ValueCount(key, v)
	return r
}

// ValueCount is Value that also reports the number of redactions.
func (s *Scrubber) ValueCount(key string, v any) (any, int) {
	return s.value(s.classify(key), v)
}

// Map returns m with sensitive parts redacted, by the rules of Value. It
// returns m itself when nothing is redacted and a scrubbed copy otherwise.
func (s *Scrubber) Map(m map[string]any) map[string]any {
	r, _ := scrubMap(s, m, s.value)
	return r
}

func (s *Scrubber) value(info keyInfo, v any) (any, int) {
	if info.class == secretKey {
		return redactWhole(v)
	}
	switch x := v.(type) {
	case string:
		if r, n := s.stringValue(info, x); n > 0 {
			return r, n
		}
	case json.Number:
		return s.number(info, v, string(x))
	case float64:
		return s.float(info, v, x)
	case float32:
		return s.float(info, v, float64(x))
	case int:
		return s.integer(info, v, int64(x))
	case int64:
		return s.integer(info, v, x)
	case uint64:
		if x <= math.MaxInt64 {
			return s.integer(info, v, int64(x))
		}
		return s.number(info, v, strconv.FormatUint(x, 10))
	case map[string]any:
		if r, n := scrubMap(s, x, s.value); n > 0 {
			return r, n
		}
	case []any:
		if r, n := scrubSlice(s, info, x, s.value); n > 0 {
			return r, n
		}
	case map[string]string:
		if r, n := scrubMap(s, x, s.stringValue); n > 0 {
			return r, n
		}
	case []string:
		if r, n := scrubSlice(s, info, x, s.stringValue); n > 0 {
			return r, n
		}
	}
	return v, 0
}

// redactWhole is the value under a secret key: everything goes but null,
// the empty string and a marker from an earlier pass.
func redactWhole(v any) (any, int) {
	switch x := v.(type) {
	case nil:
		return v, 0
	case string:
		if x == "" || isMarker(x) {
			return v, 0
		}
	}
	return Redacted, 1
}

// stringValue scrubs a string under a key of the given class.
func (s *Scrubber) stringValue(info keyInfo, v string) (string, int) {
	if info.class == plainKey {
		return s.StringCount(v)
	}
	if v == "" || isMarker(v) {
		return v, 0
	}
	return Redacted, 1
}

// number checks a number, spelled as text, for a card or national id.
// Shorter numbers cannot be either and are skipped without formatting.
func (s *Scrubber) number(info keyInfo, v any, text string) (any, int) {
	if len(text) < 11 {
		return v, 0
	}
	r, n := s.StringCount(text)
	switch {
	case n == 0:
		return v, 0
	case info.class == countKey:
		// A card under token_count: "-[REDACTED:card]" would be a string
		// there, which a second pass redacts, so redact it whole now.
		return Redacted, n
	}
	return r, n
}

func (s *Scrubber) float(info keyInfo, v any, f float64) (any, int) {
	if a := math.Abs(f); a < 1e10 || a >= 1e19 || f != math.Trunc(f) {
		return v, 0
	}
	return s.number(info, v, strconv.FormatFloat(f, 'f', -1, 64))
}

func (s *Scrubber) integer(info keyInfo, v any, i int64) (any, int) {
	if i > -1e10 && i < 1e10 {
		return v, 0
	}
	return s.number(info, v, strconv.FormatInt(i, 10))
}

// scrubMap scrubs the keys and values of m, copying it on the first change.
func scrubMap[V any](s *Scrubber, m map[string]V, f func(keyInfo, V) (V, int)) (map[string]V, int) {
	type moved struct {
		old, key string
		v        V
	}
	var out map[string]V
	var renamed []moved
	total := 0
	for k, v := range m {
		nk, kn := s.StringCount(k)
		info := s.classify(k)
		if kn > 0 {
			info = stronger(info, s.classify(nk))
		}
		nv, vn := f(info, v)
		if kn+vn == 0 {
			continue
		}
		if out == nil {
			out = maps.Clone(m)
		}
		total += kn + vn
		if kn == 0 {
			out[k] = nv
			continue
		}
		delete(out, k)
		renamed = append(renamed, moved{k, nk, nv})
	}
	if out == nil {
		return m, 0
	}
	// Renamed keys go in last and in a fixed order, so collisions resolve
	// the same way every time.
	slices.SortFunc(renamed, func(a, b moved) int { return strings.Compare(a.old, b.old) })
	for _, e := range renamed {
		key := e.key
		for i := 2; ; i++ {
			if _, dup := out[key]; !dup {
				break
			}
			key = e.key + "#" + strconv.Itoa(i)
		}
		out[key] = e.v
	}
	return out, total
}

// scrubSlice scrubs the elements of x, which inherit the key of the slice,
// copying it on the first change.
func scrubSlice[V any](s *Scrubber, info keyInfo, x []V, f func(keyInfo, V) (V, int)) ([]V, int) {
	var out []V
	total := 0
	for i, v := range x {
		nv, n := f(info, v)
		if n == 0 {
			continue
		}
		if out == nil {
			out = slices.Clone(x)
		}
		out[i] = nv
		total += n
	}
	if out == nil {
		return x, 0
	}
	return out, total
}

// stronger returns the stricter of two key classifications.
func stronger(a, b keyInfo) keyInfo {
	if b.class > a.class {
		a.class = b.class
	}
	a.line = a.line || b.line
	return a
}
