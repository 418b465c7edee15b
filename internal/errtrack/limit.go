package errtrack

import (
	"sync"
	"time"
)

// limiter is a token bucket.
type limiter struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int, now time.Time) *limiter {
	b := float64(burst)
	if b < 1 {
		b = rate
		if b < 1 {
			b = 1
		}
	}
	return &limiter{rate: rate, burst: b, tokens: b, last: now}
}

// take spends a token if there is one, else says when there will be.
func (l *limiter) take(now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el := now.Sub(l.last).Seconds(); el > 0 {
		l.tokens += el * l.rate
		if l.tokens > l.burst {
			l.tokens = l.burst
		}
	}
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		return true, 0
	}
	wait := time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// spikes counts recent events per key in memory and says when a count
// passes its threshold, once per window. Keeping only threshold+1 times
// per key bounds memory whatever the event rate.
type spikes struct {
	mu    sync.Mutex
	times map[string][]time.Time
	fired map[string]time.Time
}

func newSpikes() *spikes {
	return &spikes{times: map[string][]time.Time{}, fired: map[string]time.Time{}}
}

func (s *spikes) add(key string, at time.Time, threshold int, window time.Duration) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.times[key]
	cut := 0
	for cut < len(ts) && !ts[cut].After(at.Add(-window)) {
		cut++
	}
	ts = append(ts[cut:], at)
	if len(ts) > threshold+1 {
		ts = ts[len(ts)-threshold-1:]
	}
	s.times[key] = ts
	if len(ts) <= threshold {
		return len(ts), false
	}
	if last, ok := s.fired[key]; ok && at.Sub(last) < window {
		return len(ts), false
	}
	s.fired[key] = at
	return len(ts), true
}
