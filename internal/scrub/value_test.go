package scrub

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestValue(t *testing.T) {
	const R = Redacted
	tests := []struct {
		key  string
		in   any
		want any
	}{
		{"password", "hunter2", R},
		{"password", json.Number("1234"), R},
		{"pin", 1234.0, R},
		{"secret", true, R},
		{"password", nil, nil},
		{"password", "", ""},
		{"password", R, R},
		{"authorization", map[string]any{"user": "u", "pass": "p"}, R},
		{"tokens", []any{"abc", json.Number("3")}, []any{R, json.Number("3")}},
		{"token_count", json.Number("42"), json.Number("42")},
		{"token_count", "42", R},
		{"token_count", true, true},
		{"token_count", json.Number("4111111111111111"), R},
		{"n", json.Number("4111111111111111"), RedactedCard},
		{"n", 4111111111111111.0, RedactedCard},
		{"n", int64(4111111111111111), RedactedCard},
		{"n", uint64(4111111111111111), RedactedCard},
		{"n", json.Number("15076500565"), RedactedNationalID},
		{"n", json.Number("1795000000000"), json.Number("1795000000000")},
		{"n", json.Number("4111111111111111.5"), json.Number("4111111111111111.5")},
		{"n", 1234.5, 1234.5},
		{"msg", "paid 4111 1111 1111 1111", "paid " + RedactedCard},
		{"headers", map[string]string{"Cookie": "a=b", "Accept": "*/*"}, map[string]string{"Cookie": R, "Accept": "*/*"}},
		{"args", []string{"--password=x", "-v"}, []string{"--password=" + R, "-v"}},
		{"other", struct{ Password string }{"x"}, struct{ Password string }{"x"}}, // documented: marshal structs first
	}
	for _, tt := range tests {
		if got := Value(tt.key, tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Value(%q, %#v) = %#v, want %#v", tt.key, tt.in, got, tt.want)
		}
	}
}

func TestMapNested(t *testing.T) {
	in := map[string]any{
		"user": map[string]any{
			"name":         "bob",
			"db_password":  "x",
			"X-Auth-Token": "t",
			"cards":        []any{"4111111111111111", map[string]any{"cvc": json.Number("123"), "brand": "visa"}},
		},
		"usage": map[string]any{"prompt_tokens": json.Number("12"), "total_tokens": json.Number("20")},
		"n":     json.Number("7"),
	}
	want := map[string]any{
		"user": map[string]any{
			"name":         "bob",
			"db_password":  Redacted,
			"X-Auth-Token": Redacted,
			"cards":        []any{RedactedCard, map[string]any{"cvc": Redacted, "brand": "visa"}},
		},
		"usage": map[string]any{"prompt_tokens": json.Number("12"), "total_tokens": json.Number("20")},
		"n":     json.Number("7"),
	}
	orig := clone(in)
	in = clone(in).(map[string]any)
	got := Map(in)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Map =\n%#v\nwant\n%#v", got, want)
	}
	if !reflect.DeepEqual(in, orig) {
		t.Errorf("Map modified its input")
	}
	clean := map[string]any{"a": "b", "c": []any{json.Number("1")}}
	if got := Map(clean); reflect.ValueOf(got).UnsafePointer() != reflect.ValueOf(clean).UnsafePointer() {
		t.Errorf("Map copied a map with nothing to redact")
	}
}

func TestMapKeys(t *testing.T) {
	in := map[string]any{
		"4111111111111111": json.Number("1"),
		"4012888888881881": json.Number("2"),
		"NO9386011117947":  map[string]any{"balance": json.Number("10")},
		"plain":            "x",
	}
	got, n := std.ValueCount("", in)
	want := map[string]any{
		RedactedCard:        json.Number("2"), // renamed keys go in by their old sort order
		RedactedCard + "#2": json.Number("1"),
		RedactedIBAN:        map[string]any{"balance": json.Number("10")},
		"plain":             "x",
	}
	if !reflect.DeepEqual(got, want) || n != 3 {
		t.Errorf("got %#v (%d), want %#v (3)", got, n, want)
	}
}

// clone deep-copies decoded JSON.
func clone(v any) any {
	b, _ := json.Marshal(v)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	_ = dec.Decode(&out)
	return out
}
