// Package gwlog ships the gateway's access records and WAF events into the
// log store, so that every decision the gateway takes is searchable with
// the same queries as the app's own logs.
//
// The gateway calls its sink on the request path, and the log store fsyncs
// before it answers, so records are queued here and appended in batches by
// one goroutine. The queue is bounded: when the store cannot keep up,
// records are dropped and counted rather than slowing requests or growing
// memory. They are the gateway's own observations, not acknowledged to any
// client, so losing some under overload breaks no promise.
package gwlog

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/internal/gateway"
	"github.com/wardenhq/warden/internal/logs"
)

// Service is the service name the records carry.
const Service = "gateway"

// Appender is the log store's in-process ingest (logs.Service).
type Appender interface {
	Append(ctx context.Context, env, service string, records []logs.Record) error
}

// Options tunes a Sink; zero values take the defaults.
type Options struct {
	// Env is the environment the records go to ("" is the store's default).
	Env string
	// QueueSize bounds the records waiting to be appended (default 10,000).
	QueueSize int
	// MaxBatch is the most records in one append (default 1,000).
	MaxBatch int
	// FlushEvery is the longest a record waits in the queue (default 250ms).
	FlushEvery time.Duration
	Logger     *slog.Logger
}

// Sink implements gateway.Sink on top of the log store.
type Sink struct {
	store   Appender
	opts    Options
	queue   chan logs.Record
	dropped atomic.Int64
	closing chan struct{}
	done    chan struct{}
	once    sync.Once
}

var _ gateway.Sink = (*Sink)(nil)

// New starts a Sink; Close flushes what is queued and stops it.
func New(store Appender, opts Options) *Sink {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 10_000
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1_000
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 250 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Sink{store: store, opts: opts, queue: make(chan logs.Record, opts.QueueSize), closing: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

// Dropped is how many records were dropped because the queue was full or
// the store refused them.
func (s *Sink) Dropped() int64 { return s.dropped.Load() }

// Access queues one access record.
func (s *Sink) Access(_ context.Context, r gateway.AccessRecord) { s.offer(accessRecord(r)) }

// WAFEvent queues one WAF event.
func (s *Sink) WAFEvent(_ context.Context, e gateway.Event) { s.offer(wafRecord(e)) }

func (s *Sink) offer(r logs.Record) {
	select {
	case <-s.closing:
		s.dropped.Add(1)
		return
	default:
	}
	select {
	case s.queue <- r:
	default:
		s.dropped.Add(1)
	}
}

// Close appends what is queued (until ctx ends) and stops the sink.
func (s *Sink) Close(ctx context.Context) error {
	s.once.Do(func() { close(s.closing) })
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Sink) loop() {
	defer close(s.done)
	tick := time.NewTicker(s.opts.FlushEvery)
	defer tick.Stop()
	batch := make([]logs.Record, 0, s.opts.MaxBatch)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		s.append(batch)
		batch = make([]logs.Record, 0, s.opts.MaxBatch)
	}
	for {
		select {
		case r := <-s.queue:
			batch = append(batch, r)
			if len(batch) >= s.opts.MaxBatch {
				flush()
			}
		case <-tick.C:
			flush()
		case <-s.closing:
			for {
				select {
				case r := <-s.queue:
					batch = append(batch, r)
					if len(batch) >= s.opts.MaxBatch {
						flush()
					}
				default:
					flush()
					return
				}
			}
		}
	}
}

// append stores one batch, retrying once when the store is momentarily
// full; what still fails is dropped and logged, once per batch.
func (s *Sink) append(batch []logs.Record) {
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := s.store.Append(ctx, s.opts.Env, Service, batch)
		cancel()
		if err == nil {
			return
		}
		if errors.Is(err, logs.ErrOverloaded) && attempt == 0 {
			time.Sleep(s.opts.FlushEvery)
			continue
		}
		s.dropped.Add(int64(len(batch)))
		s.opts.Logger.Warn("gateway records dropped: the log store refused them", "records", len(batch), "err", err)
		return
	}
}

// accessRecord is the log line for one request, with the field names the
// saved queries and the request-trace link use.
func accessRecord(r gateway.AccessRecord) logs.Record {
	level := "info"
	switch {
	case r.Status >= 500:
		level = "error"
	case r.Status >= 400:
		level = "warn"
	}
	f := []logs.Field{
		{Name: logs.FieldMsg, Value: r.Method + " " + r.Path + " " + strconv.Itoa(r.Status)},
		{Name: logs.FieldLevel, Value: level},
		{Name: "kind", Value: "access"},
		{Name: "request_id", Value: r.RequestID},
		{Name: "client_ip", Value: r.ClientIP},
		{Name: "method", Value: r.Method},
		{Name: "path", Value: r.Path},
		{Name: "host", Value: r.Host},
		{Name: "route", Value: r.Route},
		{Name: "status", Value: strconv.Itoa(r.Status)},
		{Name: "duration_ms", Value: formatMS(r.DurationMS)},
		{Name: "bytes_in", Value: strconv.FormatInt(r.BytesIn, 10)},
		{Name: "bytes_out", Value: strconv.FormatInt(r.BytesOut, 10)},
		{Name: "waf", Value: r.WAF},
	}
	if r.UpstreamMS > 0 {
		f = append(f, logs.Field{Name: "upstream_ms", Value: formatMS(r.UpstreamMS)})
	}
	if r.Reason != "" {
		f = append(f, logs.Field{Name: "reason", Value: r.Reason})
	}
	if r.UserAgent != "" {
		f = append(f, logs.Field{Name: "user_agent", Value: r.UserAgent})
	}
	return logs.Record{Time: r.Time, Fields: f}
}

// wafRecord is the log line for what the WAF found in one request. Rule
// messages go in one field, so that a query for a rule id or a phrase from
// its message finds the event.
func wafRecord(e gateway.Event) logs.Record {
	ids := make([]string, len(e.RuleIDs))
	for i, id := range e.RuleIDs {
		ids[i] = strconv.Itoa(id)
	}
	msgs := make([]string, 0, len(e.Rules))
	for _, r := range e.Rules {
		if r.Message != "" {
			msgs = append(msgs, strconv.Itoa(r.ID)+": "+r.Message)
		}
	}
	f := []logs.Field{
		{Name: logs.FieldMsg, Value: "waf " + e.Action + " " + e.Method + " " + e.Path + " (rules " + strings.Join(ids, ",") + ")"},
		{Name: logs.FieldLevel, Value: "warn"},
		{Name: "kind", Value: "waf"},
		{Name: "request_id", Value: e.RequestID},
		{Name: "client_ip", Value: e.ClientIP},
		{Name: "method", Value: e.Method},
		{Name: "path", Value: e.Path},
		{Name: "route", Value: e.Route},
		{Name: "mode", Value: e.Mode},
		{Name: "action", Value: e.Action},
		{Name: "anomaly_score", Value: strconv.Itoa(e.AnomalyScore)},
		{Name: "rule_ids", Value: strings.Join(ids, ",")},
	}
	if len(msgs) > 0 {
		f = append(f, logs.Field{Name: "rules", Value: strings.Join(msgs, "; ")})
	}
	if e.BlockedByRule != 0 {
		f = append(f, logs.Field{Name: "blocked_by_rule", Value: strconv.Itoa(e.BlockedByRule)})
	}
	return logs.Record{Time: e.Time, Fields: f}
}

func formatMS(ms float64) string { return strconv.FormatFloat(ms, 'f', 3, 64) }
