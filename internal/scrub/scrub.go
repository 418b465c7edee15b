// Package scrub redacts sensitive values from everything Warden ingests —
// log lines, error events, audit details — before it is stored.
//
// It finds payment card numbers, Norwegian national identity numbers
// (fødselsnummer, D- and H-numbers), IBANs, values under sensitive keys
// (password, token, authorization, cookie, ...) both in decoded JSON and as
// key=value or key: value pairs in free text, credentials in URLs
// (scheme://user:password@host) and HTTP Bearer/Basic credentials.
//
// Redaction is whole: a card keeps no last four digits, because a partial
// number plus the other fields of an event is often enough to identify it.
//
// Every ingest path runs through here, so false positives cost as much as
// misses: a redacted order id or timestamp makes a log useless. The rules
// that keep near misses intact are:
//
//   - A number only counts if it stands alone: a digit run glued to a letter
//     (hex ids, git SHAs, UUIDs) or to a decimal point or comma (amounts,
//     versions, IP addresses) is never a card or national id.
//   - Cards are 13-19 digits, plain or in groups of 3-6 digits separated by
//     single spaces or dashes, must pass Luhn AND start with a known issuer
//     prefix with a length that fits the brand (Visa 4: 13/16/19,
//     Mastercard 51-55 and 2221-2720: 16, Amex 34/37: 15, Diners
//     300-305/3095/36/38/39: 14-19, JCB 3528-3589: 16-19, Mir 2200-2204:
//     16-19, Discover/Maestro/UnionPay 50 and 56-69: 13-19). The prefix rule
//     keeps Unix timestamps in ms, µs and ns (which start with 1) safe.
//   - National ids are 11 digits (or DDMMYY NNNNN) with both mod-11 check
//     digits valid and a plausible date (day 01-31 or 41-71, month 01-12,
//     41-52 or 81-92), which rules out nearly all phone numbers and ids.
//   - IBANs need a known country code, the exact length for that country
//     and a valid ISO 13616 mod-97 checksum.
//   - Key matching works on the key's components (split at -, _, ., and
//     camelCase), so "db_password" and "X-Auth-Token" match while
//     "tokenizer" and "spin" do not. A key whose last component is a
//     qualifier such as count, length, ttl or expires ("token_count",
//     "password_length") and keys like "prompt_tokens" keep numeric and
//     boolean values; their strings are still redacted.
//
// Under a sensitive key the whole value goes, even an object or array:
// "authorization": {"user": "x", "pass": "y"} has no safe part. Empty
// strings and nulls are kept, since they reveal nothing but that the value
// was missing, which is what one debugs.
package scrub

// Markers replace what was redacted. They contain no digits and no
// sensitive keyword, so scrubbing scrubbed output changes nothing.
const (
	// Redacted replaces key values, URL passwords and auth credentials.
	Redacted = "[REDACTED]"
	// RedactedCard replaces a payment card number.
	RedactedCard = "[REDACTED:card]"
	// RedactedNationalID replaces a Norwegian national identity number.
	RedactedNationalID = "[REDACTED:national_id]"
	// RedactedIBAN replaces an IBAN.
	RedactedIBAN = "[REDACTED:iban]"
)

// Options configures a Scrubber.
type Options struct {
	// ExtraKeys are sensitive keys in addition to the built-in ones, for
	// example from config: "bankid_pnr". They are matched like the built-in
	// keys, by components, case-insensitively.
	ExtraKeys []string
}

// Scrubber redacts sensitive values. It is immutable after New and safe for
// concurrent use.
type Scrubber struct {
	words   map[string]wordKind // single key components, lowercase
	phrases [][]string          // multi-component keys such as api key
	filter  trigrams            // rules out most keys before they are split
}

// std backs the package-level functions.
var std = New(Options{})

// New returns a Scrubber that knows the built-in sensitive keys plus
// opts.ExtraKeys.
func New(opts Options) *Scrubber {
	s := &Scrubber{words: make(map[string]wordKind)}
	for w, k := range builtinWords {
		s.words[w] = k
	}
	for _, k := range builtinPhrases {
		s.addKey(k)
	}
	for _, k := range opts.ExtraKeys {
		s.addKey(k)
	}
	for w := range s.words {
		s.filter.add(w)
	}
	return s
}

// String scrubs free text with the default Scrubber.
func String(text string) string { return std.String(text) }

// Value scrubs a decoded JSON value found under key with the default
// Scrubber.
func Value(key string, v any) any { return std.Value(key, v) }

// Map scrubs a decoded JSON object with the default Scrubber.
func Map(m map[string]any) map[string]any { return std.Map(m) }

// JSON scrubs a JSON document with the default Scrubber.
func JSON(b []byte) ([]byte, error) { return std.JSON(b) }
