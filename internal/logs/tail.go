package logs

import (
	"context"
	"time"

	"github.com/wardenhq/warden/internal/logs/logql"
)

// TailRequest follows new records that match a query.
type TailRequest struct {
	Query string
	Envs  []string
	// Since starts that far back (0: only records from now on).
	Since time.Duration
	// Now is the moment Since counts back from (zero: when Tail starts).
	// The HTTP handler fixes it before its 200 goes out, so that a record
	// sent right after the client sees the 200 is never before the start.
	Now time.Time
	// Poll is how often the store is read (default 1s).
	Poll time.Duration
}

// maxTailBatch bounds one poll, so that a flood cannot fill memory.
const maxTailBatch = 10_000

// Tail calls emit with each batch of new matching records, oldest first,
// until ctx ends or emit fails. Records that arrive stamped earlier than
// ones already shown are not shown.
func (s *Service) Tail(ctx context.Context, req TailRequest, emit func([]logql.Row) error) error {
	q, err := ParseQuery(req.Query)
	if err != nil {
		return err
	}
	for _, p := range q.Pipes {
		if _, ok := p.(*logql.FieldsPipe); !ok {
			return &QueryError{Msg: "tail takes filters and '| fields ...' only; use the query endpoint for " + p.String()}
		}
	}
	if req.Poll <= 0 {
		req.Poll = time.Second
	}
	if req.Now.IsZero() {
		req.Now = s.clock.Now()
	}
	from := req.Now.Add(-req.Since)
	for {
		now := s.clock.Now()
		sorted := &logql.Query{Filter: q.Filter, Pipes: []logql.Pipe{
			&logql.SortPipe{By: []logql.SortField{{Field: FieldTime}}}, &logql.LimitPipe{N: maxTailBatch},
		}}
		run := sorted.NewRunner()
		err := s.store.Scan(ctx, ScanRequest{Envs: req.Envs, Start: from, End: now.Add(time.Nanosecond), Filter: q.Filter, Now: now}, run.Add)
		if err != nil {
			return err
		}
		rows, err := run.Finish()
		if err != nil {
			return err
		}
		if len(rows) > 0 {
			if t, err := time.Parse(time.RFC3339Nano, rows[len(rows)-1].Get(FieldTime)); err == nil {
				from = t.Add(time.Nanosecond)
			}
			project := (&logql.Query{Filter: logql.All{}, Pipes: q.Pipes}).NewRunner()
			for _, r := range rows {
				project.Add(r)
			}
			rows, _ = project.Finish()
			if err := emit(rows); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(req.Poll):
		}
	}
}
