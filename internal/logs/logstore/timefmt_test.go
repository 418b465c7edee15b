package logstore

import (
	"testing"
	"time"
)

// "sort by (_time)" compares _time as text, so later times must format to
// greater strings, even when one has trailing zeros in its fraction.
func TestFormatTimeSortsAsText(t *testing.T) {
	base := time.Date(2026, 11, 30, 14, 0, 0, 123456780, time.UTC).UnixNano()
	for _, pair := range [][2]int64{{base, base + 1}, {base - 123456780, base}, {base, base + int64(time.Second)}} {
		a, b := formatTime(pair[0]), formatTime(pair[1])
		if !(a < b) {
			t.Errorf("formatTime(%d) = %s does not sort before formatTime(%d) = %s", pair[0], a, pair[1], b)
		}
		if got, err := time.Parse(time.RFC3339Nano, a); err != nil || got.UnixNano() != pair[0] {
			t.Errorf("%s does not parse back to %d: %v", a, pair[0], err)
		}
	}
}
