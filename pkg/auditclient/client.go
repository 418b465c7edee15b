// Package auditclient sends audit events from a Go app to Warden's audit
// trail (POST /api/v1/audit/events) without ever making the app wait on
// Warden.
//
// Log puts an event in a bounded in-memory queue and returns at once. One
// goroutine sends the queue in batches. When Warden cannot be reached (or
// answers 5xx or 429), the batch is written to an on-disk spool (one fsync'd
// file per batch) and sent again, oldest first, when Warden answers. When the
// memory queue is full the event goes straight to the spool: a local disk
// write, never a network wait. Every event gets its id at Log, and Warden
// stores an id once, so resending after a lost answer never duplicates.
//
//	c, err := auditclient.New(auditclient.Options{
//		URL: "http://127.0.0.1:9090", Token: os.Getenv("WARDEN_INGEST_TOKEN"),
//		SpoolDir: "/var/lib/app/audit-spool",
//	})
//	defer c.Close(context.Background())
//	c.Log(ctx, auditclient.Event{
//		Actor: auditclient.Actor{Type: "user", ID: userID}, Action: "payment.initiated",
//		Target: &auditclient.Target{Type: "payment", ID: paymentID}, Outcome: auditclient.Success,
//		ClientIP: ip, Details: map[string]any{"amount": "12.50", "currency": "EUR"},
//	})
package auditclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/wardenhq/warden/pkg/applog"
)

// Event is one audit event, as Warden's API takes it.
type Event struct {
	ID        string         `json:"id"`
	Time      time.Time      `json:"time"`
	Actor     Actor          `json:"actor"`
	Action    string         `json:"action"`
	Target    *Target        `json:"target,omitempty"`
	Outcome   string         `json:"outcome"`
	ClientIP  string         `json:"client_ip,omitempty"`
	UserAgent string         `json:"user_agent,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Details   map[string]any `json:"details,omitempty"`
}

// Actor is who acted: Type is user, service or admin.
type Actor struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Target is what was acted on.
type Target struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Outcomes.
const (
	Success = "success"
	Failure = "failure"
	Denied  = "denied"
)

// Options configure a Client.
type Options struct {
	// URL is Warden's API base, e.g. http://127.0.0.1:9090.
	URL string
	// Token is an API token with the ingest scope.
	Token string
	// SpoolDir keeps batches Warden has not acknowledged; required, so that
	// nothing is lost while Warden is down or the app restarts.
	SpoolDir string
	// QueueSize bounds the events held in memory (default 10000).
	QueueSize int
	// BatchSize is the most events sent in one request (default 100).
	BatchSize int
	// FlushInterval is how long a partial batch waits for more (default 200ms).
	FlushInterval time.Duration
	// MinBackoff and MaxBackoff bound the wait between retries while Warden
	// is unreachable (defaults 500ms and 30s).
	MinBackoff, MaxBackoff time.Duration
	// HTTPClient defaults to one with a 10s timeout.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Client sends events. It is safe for concurrent use.
type Client struct {
	opts  Options
	queue chan Event
	spool *spool
	wake  chan struct{}

	mu     sync.RWMutex
	closed bool
	done   chan struct{}

	sent, spooled, rejected atomic.Int64
}

// ErrClosed is returned by Log after Close.
var ErrClosed = errors.New("auditclient: closed")

// New checks the options, opens the spool and starts sending.
func New(opts Options) (*Client, error) {
	if opts.URL == "" || opts.Token == "" || opts.SpoolDir == "" {
		return nil, errors.New("auditclient: URL, Token and SpoolDir are required")
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 10000
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 200 * time.Millisecond
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 500 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(30*time.Second, opts.MinBackoff)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	sp, err := openSpool(opts.SpoolDir)
	if err != nil {
		return nil, err
	}
	c := &Client{opts: opts, queue: make(chan Event, opts.QueueSize), spool: sp, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go c.run()
	return c, nil
}

// Log queues e and returns at once. It fills in the id, the time and, from
// ctx (see pkg/applog), the request id. It fails only on an event without
// actor, action or outcome, after Close, or when the spool cannot be written.
func (c *Client) Log(ctx context.Context, e Event) error {
	if e.Actor.Type == "" || e.Actor.ID == "" || e.Action == "" || e.Outcome == "" {
		return errors.New("auditclient: an event needs actor.type, actor.id, action and outcome")
	}
	if e.ID == "" {
		e.ID = newID()
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	if e.RequestID == "" {
		e.RequestID = applog.RequestID(ctx)
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return ErrClosed
	}
	select {
	case c.queue <- e:
		return nil
	default:
		// Full: Warden is slow or down and the sender is busy. Spool rather
		// than drop or wait.
		c.spooled.Add(1)
		err := c.spool.write([]Event{e})
		c.nudge()
		return err
	}
}

// Stats says how many events were acknowledged by Warden, written to the
// spool, and refused by Warden as invalid (kept in the spool's rejected/).
func (c *Client) Stats() (sent, spooled, rejected int64) {
	return c.sent.Load(), c.spooled.Load(), c.rejected.Load()
}

// Pending is how many spooled batches wait to be sent.
func (c *Client) Pending() int { return c.spool.count() }

// Close stops taking events, tries once to send what is queued, spools the
// rest and returns. Nothing queued is lost: the spool is sent by the next
// Client on the same SpoolDir.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.queue)
	c.mu.Unlock()
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) nudge() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// run is the sender: it drains the spool first (oldest first), then sends
// the queue in batches, spooling a batch it cannot deliver and retrying the
// spool with a growing backoff.
func (c *Client) run() {
	defer close(c.done)
	var backoff time.Duration
	var retryAt time.Time
	flush := time.NewTimer(time.Hour)
	defer flush.Stop()
	failed := func(err error) {
		backoff = nextBackoff(backoff, c.opts)
		retryAt = time.Now().Add(backoff)
		c.opts.Logger.Warn("audit events spooled; Warden is unreachable", "error", err, "retry_in", backoff, "pending_batches", c.spool.count())
	}
	for {
		if c.spool.count() > 0 && !time.Now().Before(retryAt) {
			if err := c.drainSpool(); err != nil {
				failed(err)
			} else {
				backoff = 0
			}
		}
		retry := time.Duration(-1)
		if c.spool.count() > 0 {
			retry = max(time.Until(retryAt), 0)
		}
		batch, open := c.gather(flush, retry)
		if !open {
			c.flush(batch)
			return
		}
		switch {
		case len(batch) == 0:
		case c.spool.count() > 0:
			// Older events wait on disk: keep the order, spool behind them.
			c.spoolBatch(batch)
		default:
			if err := c.send(batch); err != nil {
				c.spoolBatch(batch)
				failed(err)
			}
		}
	}
}

// gather waits for events and returns a batch once it is full, once
// FlushInterval has passed since its first event, or once retry has passed
// (retry < 0: no retry is due). It reports false when the queue is closed.
func (c *Client) gather(flush *time.Timer, retry time.Duration) ([]Event, bool) {
	var retryC, flushC <-chan time.Time
	if retry >= 0 {
		rt := time.NewTimer(retry)
		defer rt.Stop()
		retryC = rt.C
	}
	var batch []Event
	for {
		select {
		case e, ok := <-c.queue:
			if !ok {
				return batch, false
			}
			if batch == nil {
				resetTimer(flush, c.opts.FlushInterval)
				flushC = flush.C
			}
			batch = append(batch, e)
			if len(batch) >= c.opts.BatchSize {
				return batch, true
			}
		case <-flushC:
			return batch, true
		case <-retryC:
			return batch, true
		case <-c.wake:
			if len(batch) == 0 {
				return nil, true
			}
		}
	}
}

func resetTimer(t *time.Timer, d time.Duration) {
	t.Stop()
	select {
	case <-t.C:
	default:
	}
	t.Reset(d)
}

func nextBackoff(b time.Duration, o Options) time.Duration {
	if b == 0 {
		return o.MinBackoff
	}
	return min(2*b, o.MaxBackoff)
}

// flush sends what is left at Close; after the first failure, or when older
// batches wait, the rest goes to the spool without trying, so Close never
// waits on an unreachable Warden more than once.
func (c *Client) flush(batch []Event) {
	down := c.spool.count() > 0
	for len(batch) > 0 {
		n := min(len(batch), c.opts.BatchSize)
		part := batch[:n]
		batch = batch[n:]
		if !down {
			if err := c.send(part); err == nil {
				continue
			}
			down = true
		}
		c.spoolBatch(part)
	}
}

func (c *Client) spoolBatch(batch []Event) {
	if err := c.spool.write(batch); err != nil {
		c.opts.Logger.Error("audit events could not be spooled", "error", err, "events", len(batch))
		return
	}
	c.spooled.Add(int64(len(batch)))
}

// drainSpool sends spooled batches oldest first until one fails.
func (c *Client) drainSpool() error {
	for {
		name, batch, err := c.spool.oldest()
		if err != nil || name == "" {
			return err
		}
		err = c.send(batch)
		var rej *rejectedError
		switch {
		case errors.As(err, &rej):
			c.opts.Logger.Error("Warden refused spooled audit events; kept in rejected/", "file", name, "error", err)
			c.rejected.Add(int64(len(batch)))
			if err := c.spool.reject(name); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if err := c.spool.remove(name); err != nil {
				return err
			}
		}
	}
}

// rejectedError is a 4xx other than 429: resending will not help.
type rejectedError struct {
	status int
	body   string
}

func (e *rejectedError) Error() string {
	return fmt.Sprintf("Warden refused the batch: %d %s", e.status, e.body)
}

// send posts one batch and returns nil once Warden has acknowledged it
// (durable and chained).
func (c *Client) send(batch []Event) error {
	body, err := json.Marshal(batch)
	if err != nil {
		return &rejectedError{body: err.Error()}
	}
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(c.opts.URL, "/")+"/api/v1/audit/events", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.opts.Token)
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch {
	case resp.StatusCode/100 == 2:
		c.sent.Add(int64(len(batch)))
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || resp.StatusCode == http.StatusUnauthorized:
		// Busy, failing, or a token not yet configured: try again later.
		return fmt.Errorf("Warden answered %s: %s", resp.Status, bytes.TrimSpace(msg))
	default:
		return &rejectedError{status: resp.StatusCode, body: string(bytes.TrimSpace(msg))}
	}
}

// newID returns a time-ordered (version 7) UUID: Warden keeps a unique
// index on event ids, and ids that sort in the order they were made are
// appended at its right edge instead of each touching a random page.
func newID() string {
	return uuid.Must(uuid.NewV7()).String()
}
