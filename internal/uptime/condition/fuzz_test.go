package condition

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary conditions to the parser and evaluator: neither
// may panic, an error must carry a column inside the input, and a parsed
// condition must evaluate against probes of every kind.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`status == 200`, `body contains "ok"`, `json.status == "ok"`, `response_time < 500ms`,
		`cert_expiry > 14d`, `status == 200 and (json.a[0].b != null or not connected)`,
		`len(json.items) >= 1`, `body =~ "v[0-9]+"`, `header.Content-Type contains "json"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("error %T is not a SyntaxError: %v", err, err)
			}
			if n := utf8.RuneCountInString(src) + 1; utf8.ValidString(src) && len(src) <= maxLen && (se.Col < 1 || se.Col > n) {
				t.Fatalf("column %d outside 1..%d for %q", se.Col, n, src)
			}
			return
		}
		if e.String() != src {
			t.Fatalf("String() = %q", e.String())
		}
		for _, body := range []string{`{"status":"ok","items":[1,2]}`, `[1,"a",null]`, `not json`, strings.Repeat("[", 100)} {
			e.Eval(&Facts{HasStatus: true, Status: 200, Body: []byte(body)})
		}
		e.Eval(&Facts{})
	})
}
