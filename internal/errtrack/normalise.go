package errtrack

import (
	"path"
	"regexp"
	"strings"
)

// Message placeholders replace the parts of a message that change from one
// occurrence of the same bug to the next.
var messageRules = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?`), "<date>"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}`), "<date>"},
	{regexp.MustCompile(`(?i)\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b`), "<uuid>"},
	{regexp.MustCompile(`(?i)\b0x[0-9a-f]+\b`), "<hex>"},
	{regexp.MustCompile(`(?i)\b[0-9a-f]*[0-9][0-9a-f]*[a-f][0-9a-f]*\b|\b[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*\b`), "<hex?>"},
	{regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`), "<ip>"},
	// A number glued to a unit (3000ms, 2.5s) is still a number; one glued
	// to a letter before it (E1001, utf8) is part of a name.
	{regexp.MustCompile(`(^|[^A-Za-z0-9_.])\d+\.\d+`), "${1}<float>"},
	{regexp.MustCompile(`(^|[^A-Za-z0-9_])\d+`), "${1}<int>"},
}

// NormaliseMessage replaces timestamps, UUIDs, hex ids, IP addresses and
// numbers with placeholders, so "order 1234 failed" and "order 98 failed"
// group together.
func NormaliseMessage(s string) string {
	for _, r := range messageRules {
		if r.repl == "<hex?>" {
			// Only long runs are ids; "dead" or "a1" are words and codes.
			s = r.re.ReplaceAllStringFunc(s, func(m string) string {
				if len(m) >= 8 {
					return "<hex>"
				}
				return m
			})
			continue
		}
		s = r.re.ReplaceAllString(s, r.repl)
	}
	return s
}

var (
	// A content hash or version in a file name changes with every deploy:
	// main.3f2a9c1b.js, chunk-5a6b7c8d.js, app-v1.2.3/, /releases/20261122/.
	fileHash    = regexp.MustCompile(`(?i)([.-])[0-9a-f]{6,}(\.|$)`)
	fileVersion = regexp.MustCompile(`v?\d+(\.\d+)+`)
	digitRun    = regexp.MustCompile(`\d{6,}`)
	fileScheme  = regexp.MustCompile(`^[a-z][a-z0-9+.-]*://[^/]*`)
	funcAddr    = regexp.MustCompile(`(?i)0x[0-9a-f]+`)
	moduleAt    = regexp.MustCompile(`@[^/\s]+`)
)

// NormaliseFilename reduces a frame's file to what stays the same across
// deploys: no scheme or host, query, content hashes, versions or long digit
// runs, and only the last two path segments (the checkout directory of a
// deploy is not part of the bug).
func NormaliseFilename(f string) string {
	f = fileScheme.ReplaceAllString(f, "")
	if i := strings.IndexAny(f, "?#"); i >= 0 {
		f = f[:i]
	}
	f = strings.ReplaceAll(f, `\`, "/")
	f = fileHash.ReplaceAllString(f, "$1<hash>$2")
	f = fileVersion.ReplaceAllString(f, "<v>")
	f = digitRun.ReplaceAllString(f, "<n>")
	f = path.Clean("/" + f)
	parts := strings.Split(strings.Trim(f, "/"), "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}

// NormaliseModule drops version suffixes such as @1.2.3.
func NormaliseModule(m string) string { return moduleAt.ReplaceAllString(m, "") }

// NormaliseFunction drops addresses that differ per build.
func NormaliseFunction(f string) string { return funcAddr.ReplaceAllString(f, "<addr>") }
