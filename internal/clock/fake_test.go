package clock

import (
	"testing"
	"time"
)

func TestFakeFiresInOrderAndChains(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewFake(start)
	var got []string
	c.AfterFunc(2*time.Second, func() {
		got = append(got, "b@"+c.Now().Sub(start).String())
		c.AfterFunc(time.Second, func() { got = append(got, "c@"+c.Now().Sub(start).String()) })
	})
	c.AfterFunc(time.Second, func() { got = append(got, "a@"+c.Now().Sub(start).String()) })
	stopped := c.AfterFunc(1500*time.Millisecond, func() { got = append(got, "never") })
	if !stopped.Stop() {
		t.Fatal("Stop on a pending timer returned false")
	}
	c.Advance(10 * time.Second)
	want := []string{"a@1s", "b@2s", "c@3s"}
	if len(got) != len(want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fired %v, want %v", got, want)
		}
	}
	if c.Now().Sub(start) != 10*time.Second {
		t.Fatalf("now = %v after Advance(10s)", c.Now().Sub(start))
	}
	if c.Pending() != 0 {
		t.Fatalf("pending = %d, want 0", c.Pending())
	}
}
