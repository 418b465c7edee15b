package envelope

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseRealSDKCaptures(t *testing.T) {
	for _, tc := range []struct {
		file       string
		types      []string
		wantTitle  string
		exceptions int
	}{
		{"testdata/go-exception.envelope", []string{"event"}, "*fmt.wrapError", 2},
		{"testdata/node-exception.envelope", []string{"event"}, "PaymentError", 1},
		{"testdata/node-session.envelope", []string{"session"}, "", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			env, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(env.Items) != len(tc.types) {
				t.Fatalf("items = %d, want %d", len(env.Items), len(tc.types))
			}
			for i, it := range env.Items {
				if it.Type != tc.types[i] {
					t.Errorf("item %d type %q, want %q", i, it.Type, tc.types[i])
				}
			}
			if tc.exceptions == 0 {
				return
			}
			ev, err := ParseEvent(env.Items[0].Payload, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if len(ev.Exceptions) != tc.exceptions {
				t.Fatalf("exceptions = %d, want %d", len(ev.Exceptions), tc.exceptions)
			}
			if got := ev.Exceptions[len(ev.Exceptions)-1].Type; got != tc.wantTitle {
				t.Errorf("raised exception type %q, want %q", got, tc.wantTitle)
			}
			if ev.Timestamp.Year() != 2026 {
				t.Errorf("timestamp %v not read", ev.Timestamp)
			}
			if ev.Release != "warden-demo@1.2.3" || ev.ID == "" {
				t.Errorf("release %q id %q", ev.Release, ev.ID)
			}
		})
	}
}

func TestParseShapes(t *testing.T) {
	ev := `{"message":"hi"}`
	for _, tc := range []struct {
		name  string
		in    string
		types []string
		err   string
	}{
		{"length and newline", "{}\n{\"type\":\"event\",\"length\":16}\n" + ev + "\n", []string{"event"}, ""},
		{"length without trailing newline", "{}\n{\"type\":\"event\",\"length\":16}\n" + ev, []string{"event"}, ""},
		{"no length", "{}\n{\"type\":\"event\"}\n" + ev + "\n", []string{"event"}, ""},
		{"no length, no trailing newline", "{}\n{\"type\":\"event\"}\n" + ev, []string{"event"}, ""},
		{"payload with newline inside, by length", "{}\n{\"type\":\"attachment\",\"length\":3}\na\nb\n{\"type\":\"event\"}\n" + ev, []string{"attachment", "event"}, ""},
		{"crlf", "{}\r\n{\"type\":\"event\"}\r\n" + ev + "\r\n", []string{"event"}, ""},
		{"unknown types kept for the caller to skip", "{}\n{\"type\":\"client_report\"}\n{}\n{\"type\":\"event\"}\n" + ev, []string{"client_report", "event"}, ""},
		{"header only", "{\"event_id\":\"x\"}", nil, ""},
		{"empty item payload at end", "{}\n{\"type\":\"event\",\"length\":0}", []string{"event"}, ""},
		{"length past the end", "{}\n{\"type\":\"event\",\"length\":99}\n{}", nil, "only 2 bytes follow"},
		{"negative length", "{}\n{\"type\":\"event\",\"length\":-1}\n{}", nil, "not a non-negative integer"},
		{"no header", "", nil, "header is missing"},
		{"header not json", "nope\n", nil, "not a JSON object"},
		{"item without type", "{}\n{\"length\":2}\n{}", nil, "no type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, err := Parse([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(env.Items) != len(tc.types) {
				t.Fatalf("items %d, want %d", len(env.Items), len(tc.types))
			}
			for i, it := range env.Items {
				if it.Type != tc.types[i] {
					t.Errorf("item %d: %q", i, it.Type)
				}
				if it.Type == "event" && len(it.Payload) > 0 && string(it.Payload) != ev {
					t.Errorf("payload %q", it.Payload)
				}
			}
		})
	}
}

func TestParseEventShapes(t *testing.T) {
	recv := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	ev, err := ParseEvent([]byte(`{"exception":[{"type":"E","value":"v"}],"timestamp":1764504000.5}`), recv)
	if err != nil || len(ev.Exceptions) != 1 || ev.Timestamp.Unix() != 1764504000 || ev.Timestamp.Nanosecond() != 5e8 {
		t.Fatalf("list + float: %+v %v", ev, err)
	}
	ev, _ = ParseEvent([]byte(`{"exception":{"values":[{"type":"E"},{"type":"F"}]},"timestamp":"2026-11-30T10:00:00.25Z"}`), recv)
	if len(ev.Exceptions) != 2 || !ev.Timestamp.Equal(time.Date(2026, 11, 30, 10, 0, 0, 25e7, time.UTC)) {
		t.Fatalf("values + rfc3339: %+v", ev)
	}
	ev, _ = ParseEvent([]byte(`{"timestamp":"2026-11-30T10:00:00","message":{"message":"user %s failed","formatted":"user 42 failed"}}`), recv)
	if ev.Timestamp.Hour() != 10 || ev.Message != "user 42 failed" || ev.MessageTemplate != "user %s failed" {
		t.Fatalf("naive time + message object: %+v", ev)
	}
	ev, _ = ParseEvent([]byte(`{"timestamp":"garbage","logentry":{"formatted":"x"},"tags":[["a","1"],["b",2]],"user":{"id":7},"level":"warn"}`), recv)
	if !ev.Timestamp.Equal(recv) || ev.Message != "x" || ev.Tags["b"] != "2" || ev.User.ID != "7" || ev.Level != "warning" {
		t.Fatalf("fallbacks: %+v", ev)
	}
	if len(ev.ID) != 32 {
		t.Fatalf("minted id %q", ev.ID)
	}
	for _, bad := range []string{``, `[]`, `{"exception":"x"}`, `{"exception":[{"type":1}]}`} {
		if _, err := ParseEvent([]byte(bad), recv); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
