package gateway

import (
	"math"
	"net/netip"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/clock"
)

// LimiterOptions bounds the memory of per-client rate limiting.
type LimiterOptions struct {
	Clock clock.Clock
	// MaxClients is how many client buckets a route keeps (default 100,000);
	// past it, full buckets are dropped first, then arbitrary ones, which
	// errs towards letting a request through rather than growing.
	MaxClients int
}

// Limiter is a token bucket per client IP.
type Limiter struct {
	rate    float64 // tokens per second
	burst   float64
	clk     clock.Clock
	max     int
	mu      sync.Mutex
	buckets map[netip.Addr]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter allows perSecond requests per client on average, burst at once.
func NewLimiter(perSecond float64, burst int, opts LimiterOptions) *Limiter {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.MaxClients <= 0 {
		opts.MaxClients = 100_000
	}
	return &Limiter{rate: perSecond, burst: float64(burst), clk: opts.Clock, max: opts.MaxClients, buckets: map[netip.Addr]*bucket{}}
}

// Allow takes a token for the client. When none is left it returns false
// and how long until one is. IPv6 clients are counted per /64, the block
// one subscriber usually holds, so that rotating addresses within it does
// not buy a fresh bucket.
func (l *Limiter) Allow(client netip.Addr) (bool, time.Duration) {
	if client.Is6() && !client.Is4In6() {
		if p, err := client.Prefix(64); err == nil {
			client = p.Addr()
		}
	}
	now := l.clk.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[client]
	if b == nil {
		if len(l.buckets) >= l.max {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[client] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(l.burst, b.tokens+el*l.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// evict drops the buckets that have refilled (forgetting them changes
// nothing), and if that frees nothing, a tenth of them.
func (l *Limiter) evict(now time.Time) {
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.max {
		return
	}
	n := max(1, l.max/10)
	for k := range l.buckets { // map order is random enough to spread the loss
		if n--; n < 0 {
			break
		}
		delete(l.buckets, k)
	}
}

// Len is how many clients the limiter tracks.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
