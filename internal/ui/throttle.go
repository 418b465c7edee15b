package ui

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Sign-in guessing is slowed per client address: after maxFailures failed
// sign-ins within failureWindow, the address gets 429 until the oldest
// failure leaves the window. Successes do not reset the count, because
// behind a proxy many people can share one address and an attacker's
// guesses would otherwise hide between their sign-ins.
const (
	maxFailures     = 10
	failureWindow   = time.Minute
	maxThrottleKeys = 10000
)

// throttle counts recent failures per key. Its memory is bounded: past
// maxKeys addresses it forgets stale ones and refuses new ones until it can.
type throttle struct {
	max     int
	window  time.Duration
	maxKeys int

	mu    sync.Mutex
	fails map[string][]time.Time // oldest first, at most max entries
}

func newThrottle(max int, window time.Duration, maxKeys int) *throttle {
	return &throttle{max: max, window: window, maxKeys: maxKeys, fails: map[string][]time.Time{}}
}

// retryAfter returns how long key must wait before trying again, or 0.
func (t *throttle) retryAfter(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	fs := t.recent(key, now)
	if _, known := t.fails[key]; !known && len(t.fails) >= t.maxKeys {
		t.prune(now)
		if len(t.fails) >= t.maxKeys {
			return t.window
		}
	}
	if len(fs) < t.max {
		return 0
	}
	return fs[0].Add(t.window).Sub(now)
}

// fail records a failed attempt by key.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fs := append(t.recent(key, now), now)
	if len(fs) > t.max {
		fs = fs[len(fs)-t.max:]
	}
	t.fails[key] = fs
}

// recent drops key's failures that left the window and returns the rest.
func (t *throttle) recent(key string, now time.Time) []time.Time {
	fs := t.fails[key]
	i := 0
	for i < len(fs) && !fs[i].Add(t.window).After(now) {
		i++
	}
	switch {
	case i == len(fs):
		delete(t.fails, key)
		return nil
	case i > 0:
		fs = append([]time.Time(nil), fs[i:]...)
		t.fails[key] = fs
	}
	return fs
}

func (t *throttle) prune(now time.Time) {
	for key := range t.fails {
		t.recent(key, now)
	}
}

// clientIP is the address sign-in failures are counted against. A proxy on
// the same machine (the usual TLS setup) makes every client look like
// loopback, so from loopback the last X-Forwarded-For hop, which that proxy
// wrote, is used instead; from anywhere else the header could be forged and
// is ignored.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return host
	}
	xff := r.Header.Values("X-Forwarded-For")
	if len(xff) == 0 {
		return host
	}
	hops := strings.Split(xff[len(xff)-1], ",")
	if last := net.ParseIP(strings.TrimSpace(hops[len(hops)-1])); last != nil {
		return last.String()
	}
	return host
}
