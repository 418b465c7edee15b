package condition

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func facts() *Facts {
	exp := 20 * 24 * time.Hour
	return &Facts{
		HasStatus: true, Status: 200,
		Body:         []byte(`{"status":"ok","db":{"up":true,"lag":3},"items":[{"id":7},{"id":8}],"count":"3"}`),
		Header:       map[string][]string{"Content-Type": {"application/json"}},
		ResponseTime: 120 * time.Millisecond,
		CertExpiry:   &exp,
	}
}

func TestEval(t *testing.T) {
	cases := []struct {
		src  string
		want bool
	}{
		{`status == 200`, true},
		{`status != 200`, false},
		{`status >= 200 and status < 300`, true},
		{`body contains "ok"`, true},
		{`body contains "error"`, false},
		{`body not contains "error"`, true},
		{`json.status == "ok"`, true},
		{`json.status == 'ok'`, true},
		{`json.db.up == true`, true},
		{`json.db.up`, true},
		{`json.db.lag < 5`, true},
		{`json.items[1].id == 8`, true},
		{`json.items[5].id == 8`, false},
		{`json.missing == null`, true},
		{`json.missing != null`, false},
		{`json.missing == "x"`, false},
		{`json.count == 3`, true},
		{`len(json.items) == 2`, true},
		{`len(json.status) == 2`, true},
		{`response_time < 500ms`, true},
		{`response_time < 100`, false},
		{`response_time < 0.5s`, true},
		{`cert_expiry > 14d`, true},
		{`cert_expiry > 3w`, false},
		{`header.Content-Type contains "json"`, true},
		{`header.content-type == "application/json"`, true},
		{`header.X-Missing == null`, true},
		{`body =~ "\"id\":[0-9]+"`, true},
		{`body !~ "fatal"`, true},
		{`status == 500 or json.status == "ok"`, true},
		{`status == 500 or (json.status == "ok" and status == 201)`, false},
		{`(status == 500 or json.status == "ok") and status == 200`, true},
		{`not status == 500`, true},
		{`status == 200 && body contains "ok" || status == 0`, true},
		{`connected`, false},
		{`dns_rcode == "NOERROR"`, false},
	}
	for _, c := range cases {
		e, err := Parse(c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		if got := e.Eval(facts()); got.OK != c.want {
			t.Errorf("%s = %v, want %v (values %v)", c.src, got.OK, c.want, got.Values)
		}
	}
}

func TestEvalOtherProbes(t *testing.T) {
	f := &Facts{HasConnect: true, Connected: true, DNSRcode: "NOERROR", Addrs: []string{"127.0.0.1", "::1"}}
	for _, src := range []string{`connected`, `connected == true`, `dns_rcode == "NOERROR"`, `addrs contains "127.0.0.1"`, `cert_expiry == null`, `status == null`} {
		e, err := Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if !e.Eval(f).OK {
			t.Errorf("%s: false", src)
		}
	}
	// Not JSON: every json path is null, nothing panics.
	e, _ := Parse(`json.status == "ok"`)
	if got := e.Eval(&Facts{Body: []byte("<html>")}); got.OK || got.Values[0] != "json.status = null" {
		t.Errorf("non-JSON body: %+v", got)
	}
}

func TestValuesExplainFailure(t *testing.T) {
	e, err := Parse(`status == 200 and json.status == "ok"`)
	if err != nil {
		t.Fatal(err)
	}
	f := &Facts{HasStatus: true, Status: 503, Body: []byte(`{"status":"degraded"}`)}
	got := e.Eval(f)
	want := []string{"status = 503", `json.status = "degraded"`}
	if got.OK || strings.Join(got.Values, "|") != strings.Join(want, "|") {
		t.Errorf("got %+v, want values %v", got, want)
	}
}

func TestParseErrorsNameColumn(t *testing.T) {
	cases := []struct {
		src, msg string
		col      int
	}{
		{``, "empty", 1},
		{`status = 200`, `use "=="`, 8},
		{`staus == 200`, `unknown name "staus"`, 1},
		{`status_code == 200`, `did you mean "status"`, 1},
		{`status == "200"`, "write 200 without quotes", 11},
		{`response_time < "fast"`, "duration", 17},
		{`body contains 5`, "string on its right", 15},
		{`status contains "2"`, "string on its left", 1},
		{`body contains "ok`, "not closed", 15},
		{`status == 200 and`, "ends too early", 18},
		{`status == 200 status == 201`, `unexpected "status"`, 15},
		{`(status == 200`, `close the "(" at column 1`, 15},
		{`status`, "not true or false", 1},
		{`response_time < 5parsecs`, "not a duration unit", 18},
		{`json.items[x] == 1`, "array index", 11},
		{`json..a == 1`, "empty key", 5},
		{`body =~ "("`, "bad regular expression", 9},
		{`status < null`, "null", 8},
		{`connected > true`, "true and false", 11},
		{`status == 200 & body contains "x"`, `use "and"`, 15},
		{`len(status) > 1`, "len needs", 5},
		{`status == 200 and and`, "expected a value", 19},
		{`body contains "\q"`, "unknown escape", 16},
		{`  ünknown == 1`, `unexpected 'ü'`, 3},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a SyntaxError", c.src, err)
			continue
		}
		if !strings.Contains(se.Msg, c.msg) || se.Col != c.col {
			t.Errorf("Parse(%q) = %q at column %d, want %q at column %d", c.src, se.Msg, se.Col, c.msg, c.col)
		}
	}
}

func TestDeepNestingIsAnError(t *testing.T) {
	src := strings.Repeat("(", 1000) + "status == 200" + strings.Repeat(")", 1000)
	if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Fatalf("got %v", err)
	}
}
