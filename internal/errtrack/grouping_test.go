package errtrack

import (
	"testing"
)

func inApp(b bool) *bool { return &b }

// goEvent is the same bug as a Go service reports it; deploy changes what
// differs between two deploys of the same code.
func goEvent(deploy int, value string) *Event {
	dir := []string{"/srv/app-v1.2.3", "/srv/app-v1.3.0"}[deploy]
	line := []int{37, 52}[deploy]
	return &Event{
		Level: "error", Release: []string{"app@1.2.3", "app@1.3.0"}[deploy],
		Exceptions: []Exception{{Type: "*main.PaymentError", Value: value, Stacktrace: &Stacktrace{Frames: []Frame{
			{Function: "goexit", Module: "runtime", AbsPath: "/usr/lib/go/src/runtime/asm.s", Lineno: 1700 + deploy, InApp: inApp(false)},
			{Function: "handleCharge", Module: "example.com/app/payments", AbsPath: dir + "/payments/charge.go", Lineno: line, InApp: inApp(true)},
		}}}},
	}
}

// jsEvent is the same bug as a bundled Next.js app reports it: file names
// carry a content hash that changes every deploy.
func jsEvent(hash string, line int) *Event {
	return &Event{
		Exceptions: []Exception{{Type: "TypeError", Value: "Cannot read properties of undefined (reading 'id')", Stacktrace: &Stacktrace{Frames: []Frame{
			{Function: "Object.handler", Filename: "app:///_next/server/pages/api/orders-" + hash + ".js?v=" + hash, Lineno: line, Colno: 12, InApp: inApp(true)},
		}}}},
	}
}

func TestSameBugFromTwoDeploysGroupsTogether(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b *Event
	}{
		{"go frames with other lines, dirs and values", goEvent(0, "declined: card 1234"), goEvent(1, "declined: card 98")},
		{"js bundles with content hashes", jsEvent("3f2a9c1b", 10), jsEvent("77aa00ff", 245)},
		{"message with numbers, ids and times", &Event{Message: "order 1234 for user 8f14e45f-ceea-467f-a0e6-8b4e3a7f8b21 failed at 2026-11-30T12:00:01Z after 0.25s"},
			&Event{Message: "order 9 for user 0b2e9f6a-1111-4222-8333-944445555666 failed at 2026-12-01T08:30:00.123Z after 1.5s"}},
		{"message template wins over formatted", &Event{Message: "user 42 not found", MessageTemplate: "user %s not found"},
			&Event{Message: "user alice not found", MessageTemplate: "user %s not found"}},
		{"exception without frames: value normalised", &Event{Exceptions: []Exception{{Type: "Timeout", Value: "after 3000ms to 10.0.0.1"}}},
			&Event{Exceptions: []Exception{{Type: "Timeout", Value: "after 5000ms to 10.0.0.7"}}}},
		{"hex ids in messages", &Event{Message: "object 0xc000123abc missing in deadbeef12345678"}, &Event{Message: "object 0xc000999def missing in 0123456789abcdef"}},
		{"fingerprint literal ignores the stack", &Event{Fingerprint: []string{"payments-down"}, Message: "a"},
			&Event{Fingerprint: []string{"payments-down"}, Exceptions: []Exception{{Type: "X"}}}},
		{"fingerprint with default", withFP(goEvent(0, "x"), "{{ default }}", "eu"), withFP(goEvent(1, "y"), "{{default}}", "eu")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ga, gb := Group(tc.a), Group(tc.b)
			if ga.Hash != gb.Hash {
				t.Fatalf("split into two issues:\n a %s %q\n b %s %q", ga.Method, ga.Components, gb.Method, gb.Components)
			}
		})
	}
}

func withFP(ev *Event, fp ...string) *Event { ev.Fingerprint = fp; return ev }

func TestTwoBugsNeverGroupTogether(t *testing.T) {
	other := goEvent(0, "x")
	other.Exceptions[0].Stacktrace.Frames[1].Function = "handleRefund"
	otherType := goEvent(0, "x")
	otherType.Exceptions[0].Type = "*main.RefundError"
	for _, tc := range []struct {
		name string
		a, b *Event
	}{
		{"different in-app function", goEvent(0, "x"), other},
		{"different exception type, same frames", goEvent(0, "x"), otherType},
		{"different files in a bundle", jsEvent("aaaaaaaa", 1), func() *Event {
			e := jsEvent("aaaaaaaa", 1)
			e.Exceptions[0].Stacktrace.Frames[0].Filename = "app:///_next/server/pages/api/refunds-aaaaaaaa.js"
			return e
		}()},
		{"different exception values without frames", &Event{Exceptions: []Exception{{Type: "E", Value: "card declined"}}}, &Event{Exceptions: []Exception{{Type: "E", Value: "card expired"}}}},
		{"different messages", &Event{Message: "order failed"}, &Event{Message: "refund failed"}},
		{"error codes are names, not numbers", &Event{Message: "gateway said E1001"}, &Event{Message: "gateway said E1002"}},
		{"fingerprint splits one stack", withFP(goEvent(0, "x"), "{{ default }}", "eu"), withFP(goEvent(0, "x"), "{{ default }}", "us")},
		{"message vs exception with same text", &Event{Message: "E: boom"}, &Event{Exceptions: []Exception{{Type: "E", Value: "boom"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ga, gb := Group(tc.a), Group(tc.b); ga.Hash == gb.Hash {
				t.Fatalf("merged into one issue: %s %q", ga.Method, ga.Components)
			}
		})
	}
}

func TestGroupingMethodOrder(t *testing.T) {
	for _, tc := range []struct {
		ev   *Event
		want string
	}{
		{withFP(goEvent(0, "x"), "a"), ByFingerprint},
		{goEvent(0, "x"), ByStacktrace},
		{&Event{Exceptions: []Exception{{Type: "E", Stacktrace: &Stacktrace{Frames: []Frame{{Function: "f", InApp: inApp(false)}}}}}}, ByException},
		{&Event{Message: "m", Stacktrace: &Stacktrace{Frames: []Frame{{Function: "f", Module: "m", InApp: inApp(true)}}}}, ByStacktrace},
		{&Event{Message: "m"}, ByMessage},
		{&Event{}, ByNothing},
	} {
		if got := Group(tc.ev).Method; got != tc.want {
			t.Errorf("%+v: method %q, want %q", tc.ev, got, tc.want)
		}
	}
}

func TestTitleAndCulprit(t *testing.T) {
	ev := goEvent(0, "declined")
	if got := Title(ev); got != "*main.PaymentError: declined" {
		t.Errorf("title %q", got)
	}
	if got := Culprit(ev); got != "handleCharge in example.com/app/payments" {
		t.Errorf("culprit %q", got)
	}
	ev.Transaction = "POST /api/charge"
	if got := Culprit(ev); got != "POST /api/charge" {
		t.Errorf("culprit %q", got)
	}
	if got := Title(&Event{Message: "first line\nsecond"}); got != "first line" {
		t.Errorf("title %q", got)
	}
}

func TestEventTags(t *testing.T) {
	ev := &Event{Environment: "production", Release: "r1", Level: "error", User: User{Email: "a@example.com"},
		Request: Request{Method: "POST", URL: "https://shop.example.com/api/pay?x=1"}, Tags: map[string]string{"component": "payments", "": "x"}}
	tags := EventTags(ev)
	for k, want := range map[string]string{"environment": "production", "release": "r1", "endpoint": "POST /api/pay", "user_id": "a@example.com", "component": "payments"} {
		if tags[k] != want {
			t.Errorf("tag %s = %q, want %q", k, tags[k], want)
		}
	}
}
