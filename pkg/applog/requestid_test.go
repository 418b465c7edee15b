package applog

import (
	"regexp"
	"strings"
	"testing"
)

func TestValidRequestID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"a", true},
		{"req-7f3a", true},
		{"A.b_c:d-9", true},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{strings.Repeat("x", 128), true},
		{"", false},
		{strings.Repeat("x", 129), false},
		{"has space", false},
		{"new\nline", false},
		{`quote"`, false},
		{"slash/", false},
		{"é", false},
	}
	for _, tt := range tests {
		if got := validRequestID(tt.id); got != tt.want {
			t.Errorf("validRequestID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewRequestID()
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
			t.Fatalf("NewRequestID() = %q, want 32 hex digits", id)
		}
		if seen[id] {
			t.Fatalf("NewRequestID() repeated %q", id)
		}
		seen[id] = true
		if !validRequestID(id) {
			t.Fatalf("minted %q is not accepted back", id)
		}
	}
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// FuzzValidRequestID checks the hand-written scanner against the documented
// pattern, since the header comes straight from clients.
func FuzzValidRequestID(f *testing.F) {
	for _, s := range []string{"", "abc", "a b", strings.Repeat("z", 129), "x\x00", "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if got, want := validRequestID(id), requestIDPattern.MatchString(id); got != want {
			t.Errorf("validRequestID(%q) = %v, pattern says %v", id, got, want)
		}
	})
}
