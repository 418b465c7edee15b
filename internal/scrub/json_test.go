package scrub

import (
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{
			`{"msg":"login ok","user":{"name":"bob","password":"hunter2","X-Auth-Token":"t"},"n":1}`,
			`{"msg":"login ok","n":1,"user":{"X-Auth-Token":"[REDACTED]","name":"bob","password":"[REDACTED]"}}`,
		},
		{
			`{"card":4111111111111111,"amount":1234567.89,"big":123456789012345678901234567890,"e":1e400}`,
			`{"amount":1234567.89,"big":123456789012345678901234567890,"card":"[REDACTED:card]","e":1e400}`,
		},
		{
			`[{"authorization":{"scheme":"Basic","user":"u"}},{"tokens":["t1",3]},{"token_count":42}]`,
			`[{"authorization":"[REDACTED]"},{"tokens":["[REDACTED]",3]},{"token_count":42}]`,
		},
		{
			`{"error":"dial postgres://app:pw@db/x: refused","html":"<b>&</b>"}`,
			`{"error":"dial postgres://app:[REDACTED]@db/x: refused","html":"<b>&</b>"}`,
		},
		{`"NO93 8601 1117 947"`, `"[REDACTED:iban]"`},
		{`15076500565`, `"[REDACTED:national_id]"`},
	}
	for _, tt := range tests {
		got, err := JSON([]byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("JSON(%s)\n got %s (%v)\nwant %s", tt.in, got, err, tt.want)
		}
	}
}

func TestJSONUnchangedIsIdentical(t *testing.T) {
	// Key order, spacing and number spelling survive when nothing is redacted.
	in := `{ "z": 1.50, "a": [1e3, -0], "ts": "2026-11-23T01:02:03.123456789Z", "id": 1795000000000 }`
	got, n, err := std.JSONCount([]byte(in))
	if err != nil || n != 0 || string(got) != in {
		t.Errorf("got %s (%d, %v), want the input", got, n, err)
	}
}

func TestJSONErrors(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":1} {"b":2}`, `{"a":1}x`, `nul`} {
		if _, err := JSON([]byte(in)); err == nil || !strings.HasPrefix(err.Error(), "scrub: ") {
			t.Errorf("JSON(%q) error = %v, want a scrub error", in, err)
		}
	}
}
