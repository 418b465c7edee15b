// Package forward sends accepted error events on to an upstream Sentry, per
// project, from a bounded queue: a slow or failing upstream never slows
// ingest; when the queue is full, events are dropped and counted.
package forward

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Forwarder posts events to upstream DSNs.
type Forwarder struct {
	targets map[int]target
	queue   chan item
	client  *http.Client
	logger  *slog.Logger
	wg      sync.WaitGroup
	stop    chan struct{}
	once    sync.Once

	// Sent, Failed and Dropped count events, for tests and metrics.
	Sent, Failed, Dropped atomic.Int64
}

type target struct {
	url, auth string
}

type item struct {
	projectID int
	eventID   string
	payload   []byte
}

// New returns a Forwarder for dsns (project id -> upstream DSN) with a
// queue of queueSize events; call Start.
func New(dsns map[int]string, queueSize int, logger *slog.Logger) (*Forwarder, error) {
	f := &Forwarder{targets: map[int]target{}, queue: make(chan item, queueSize), logger: logger, stop: make(chan struct{}),
		client: &http.Client{Timeout: 10 * time.Second}}
	for id, dsn := range dsns {
		u, err := url.Parse(dsn)
		if err != nil || u.User == nil {
			return nil, fmt.Errorf("forward DSN of project %d is not a DSN", id)
		}
		key := u.User.Username()
		project := path.Base(u.Path)
		prefix := strings.TrimSuffix(path.Dir(u.Path), "/")
		f.targets[id] = target{
			url:  fmt.Sprintf("%s://%s%s/api/%s/envelope/", u.Scheme, u.Host, prefix, project),
			auth: "Sentry sentry_version=7, sentry_client=warden-forward/1, sentry_key=" + key,
		}
	}
	return f, nil
}

// Has reports whether project forwards.
func (f *Forwarder) Has(projectID int) bool { _, ok := f.targets[projectID]; return ok }

// Enqueue queues an event's (scrubbed) payload; it never blocks.
func (f *Forwarder) Enqueue(projectID int, eventID string, payload []byte) {
	if !f.Has(projectID) {
		return
	}
	select {
	case f.queue <- item{projectID, eventID, payload}:
	default:
		f.Dropped.Add(1)
	}
}

// Start runs one sender.
func (f *Forwarder) Start() {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			select {
			case <-f.stop:
				return
			case it := <-f.queue:
				f.send(it)
			}
		}
	}()
}

// Stop stops sending; events still queued are dropped (the upstream is a
// copy, Warden's own store has them).
func (f *Forwarder) Stop(ctx context.Context) error {
	f.once.Do(func() { close(f.stop) })
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *Forwarder) send(it item) {
	t := f.targets[it.projectID]
	var body bytes.Buffer
	fmt.Fprintf(&body, "{\"event_id\":%q}\n{\"type\":\"event\",\"length\":%d}\n", it.eventID, len(it.payload))
	body.Write(it.payload)
	body.WriteByte('\n')
	req, err := http.NewRequest(http.MethodPost, t.url, &body)
	if err != nil {
		f.Failed.Add(1)
		return
	}
	req.Header.Set("Content-Type", "application/x-sentry-envelope")
	req.Header.Set("X-Sentry-Auth", t.auth)
	resp, err := f.client.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode >= 300 {
		f.Failed.Add(1)
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		f.logger.Warn("forward error event upstream", "project", it.projectID, "event_id", it.eventID, "status", status, "error", err)
		return
	}
	f.Sent.Add(1)
}
