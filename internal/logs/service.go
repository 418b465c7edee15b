package logs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/logs/logql"
	"github.com/wardenhq/warden/internal/scrub"
)

// Store keeps records; logstore.Store is the embedded one.
type Store interface {
	// Append returns once the records are durable.
	Append(ctx context.Context, env string, recs []Record) error
	// Scan calls fn with each record that matches; fn returns false to stop.
	Scan(ctx context.Context, sc ScanRequest, fn func(logql.Row) bool) error
}

// Service is the logs part: ingest through the scrubber into the store,
// and queries.
type Service struct {
	store      Store
	scrubber   *scrub.Scrubber
	clock      clock.Clock
	log        *slog.Logger
	defaultEnv string
	metrics    *Metrics
}

// Options configure a Service.
type Options struct {
	Store    Store
	Scrubber *scrub.Scrubber // default: the built-in rules
	Clock    clock.Clock
	Logger   *slog.Logger
	// DefaultEnv is the environment of records ingested without one.
	DefaultEnv string
	Metrics    *Metrics // nil records nothing
}

// NewService returns a Service.
func NewService(o Options) *Service {
	if o.Scrubber == nil {
		o.Scrubber = scrub.New(scrub.Options{})
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.DefaultEnv == "" {
		o.DefaultEnv = "production"
	}
	return &Service{store: o.Store, scrubber: o.Scrubber, clock: o.Clock, log: o.Logger, defaultEnv: o.DefaultEnv, metrics: o.Metrics}
}

// DefaultEnv is the environment used when a caller names none.
func (s *Service) DefaultEnv() string { return s.defaultEnv }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.clock.Now() }

// Append scrubs records and stores them under env (the default when
// empty). Each record gets env and, when it has none, service. It returns
// once the records are durable; the caller may reuse nothing of records
// afterwards, since they are stored as given. This is also the in-process
// ingest API for other parts (the gateway's access lines and WAF events).
func (s *Service) Append(ctx context.Context, env, service string, records []Record) error {
	if env == "" {
		env = s.defaultEnv
	}
	if err := ValidEnv(env); err != nil {
		return err
	}
	redacted := 0
	var plain keyCache
	for i := range records {
		r := &records[i]
		if r.Time.IsZero() {
			r.Time = s.clock.Now()
		}
		for j := range r.Fields {
			f := &r.Fields[j]
			if f.Name == FieldLevel {
				f.Value = numericLevel(f.Value) // pino's 30, 50
			}
			if plain.plain(s.scrubber, j, f.Name) {
				// What ValueCount does with a string under a plain key,
				// without boxing the string into an interface.
				if v, n := s.scrubber.StringCount(f.Value); n > 0 {
					redacted += n
					f.Value = v
				}
				continue
			}
			v, n := s.scrubber.ValueCount(f.Name, f.Value)
			if n > 0 {
				redacted += n
				if str, ok := v.(string); ok {
					f.Value = str
				} else {
					f.Value = scrub.Redacted
				}
			}
		}
		r.Set(FieldEnv, env)
		if service != "" && r.Get(FieldService) == "" {
			r.Set(FieldService, service)
		}
	}
	err := s.store.Append(ctx, env, records)
	s.metrics.appended(env, len(records), redacted, err)
	return err
}

// keyCache remembers, by field position, whether the scrubber treats a
// field name as plain (its values scrubbed as text, not redacted whole):
// records of one request mostly carry the same names in the same order,
// or one of a few orders (access lines and app lines interleaved), so a
// position keeps up to keyWays names.
type keyCache struct {
	slots []keySlot
}

const keyWays = 4

type keySlot struct {
	n       int
	names   [keyWays]string
	isPlain [keyWays]bool
}

// plain asks the scrubber once per name and position: a plain key leaves
// a harmless value alone, a secret or counting key redacts any value.
func (c *keyCache) plain(sc *scrub.Scrubber, pos int, name string) bool {
	if pos < len(c.slots) {
		sl := &c.slots[pos]
		for w := 0; w < sl.n; w++ {
			if sl.names[w] == name {
				return sl.isPlain[w]
			}
		}
	}
	_, n := sc.ValueCount(name, "x")
	for len(c.slots) <= pos {
		c.slots = append(c.slots, keySlot{})
	}
	sl := &c.slots[pos]
	w := sl.n
	if w == keyWays { // the newest replaces the oldest
		copy(sl.names[:], sl.names[1:])
		copy(sl.isPlain[:], sl.isPlain[1:])
		w--
	} else {
		sl.n++
	}
	sl.names[w], sl.isPlain[w] = name, n == 0
	return n == 0
}

// Overloaded reports whether the store would refuse an append now with
// ErrOverloaded (when it can tell), so that ingest can answer 429 before
// reading and decoding a request it would refuse anyway.
func (s *Service) Overloaded() bool {
	o, ok := s.store.(interface{ Overloaded() bool })
	return ok && o.Overloaded()
}

// QueryRequest is one query over a time range.
type QueryRequest struct {
	Query string
	// Start and End bound the range; zero Start means 'since' before End
	// (or all time without it), zero End means now.
	Start, End time.Time
	Envs       []string
	// Limit caps rows of queries that set no order or limit of their own
	// (they return the newest first); default 1000.
	Limit int
}

// Result is what a query returns.
type Result struct {
	Rows []logql.Row
	// Took is how long the query ran.
	Took time.Duration
}

// ErrBadQuery wraps parse and validation errors, which the caller should
// show to the user (HTTP 400).
var ErrBadQuery = errors.New("bad query")

// QueryError is a problem with a query, with the column when known.
type QueryError struct {
	Col int
	Msg string
}

func (e *QueryError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("query: column %d: %s", e.Col, e.Msg)
	}
	return "query: " + e.Msg
}

func (e *QueryError) Unwrap() error { return ErrBadQuery }

// ParseQuery parses q, turning errors into *QueryError.
func ParseQuery(q string) (*logql.Query, error) {
	parsed, err := logql.Parse(q)
	if err != nil {
		var se *logql.SyntaxError
		if errors.As(err, &se) {
			return nil, &QueryError{Col: se.Col, Msg: se.Msg}
		}
		return nil, &QueryError{Msg: err.Error()}
	}
	if err := parsed.Validate(); err != nil {
		return nil, &QueryError{Msg: err.Error()}
	}
	return parsed, nil
}

// Query runs a query.
func (s *Service) Query(ctx context.Context, req QueryRequest) (*Result, error) {
	began := time.Now()
	q, err := ParseQuery(req.Query)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if req.End.IsZero() {
		req.End = now.Add(time.Nanosecond) // include records stamped now
	}
	if d := q.Since(); d > 0 {
		if from := now.Add(-d); req.Start.IsZero() || from.After(req.Start) {
			req.Start = from
		}
	}
	if !req.Start.IsZero() && !req.Start.Before(req.End) {
		return nil, &QueryError{Msg: fmt.Sprintf("start %s is not before end %s", req.Start.Format(time.RFC3339), req.End.Format(time.RFC3339))}
	}
	if !q.HasBarrier() {
		limit := req.Limit
		if limit <= 0 {
			limit = 1000
		}
		q.Pipes = append([]logql.Pipe{&logql.SortPipe{By: []logql.SortField{{Field: FieldTime, Desc: true}}}, &logql.LimitPipe{N: limit}}, q.Pipes...)
	}
	run := q.NewRunner()
	err = s.store.Scan(ctx, ScanRequest{Envs: req.Envs, Start: req.Start, End: req.End, Filter: q.Filter, Fields: q.Fields(), Now: now, Blocks: run.BlockSink()}, run.Add)
	if err != nil {
		return nil, err
	}
	rows, err := run.Finish()
	if err != nil {
		return nil, &QueryError{Msg: err.Error()}
	}
	took := time.Since(began)
	s.metrics.queried(took)
	return &Result{Rows: rows, Took: took}, nil
}

// ParseTimeArg reads a start or end parameter: RFC 3339, a Unix time in
// seconds, or a duration before now (1h means an hour ago).
func ParseTimeArg(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := logql.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	var sec float64
	if _, err := fmt.Sscanf(s, "%g", &sec); err == nil && !strings.ContainsAny(s, " \t") {
		return time.Unix(0, int64(sec*1e9)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (use RFC 3339, a Unix time in seconds, or a duration such as 1h)", s)
}
