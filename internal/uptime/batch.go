package uptime

import (
	"context"
	"sync"
	"time"
)

// Group commit. Every probe's result, rollups and state change must be
// committed before the probe is reported or alerted on, and a commit (with
// its fsync on SQLite, its round trips on PostgreSQL) cost more than the
// probe itself. So the probes the dispatcher starts hand their results to
// one writer, which waits a little (the linger) for others and commits them
// together in one transaction; each probe then goes on, after its commit,
// to metrics, logs and the alert router exactly as a lone probe does.
//
// The linger is per batch, not per dispatcher tick, so that a probe that
// hangs until its timeout delays nobody else's result; it is a tenth of the
// shortest check interval, at most maxLinger: at 500 checks every 30 s about
// 17 probes share each commit, and an alert leaves at most 1 s later than
// it would alone.
const (
	maxLinger = time.Second
	maxBatch  = 256
)

// lingerFor is the linger for a set of checks.
func lingerFor(checks []*Check) time.Duration {
	l := maxLinger
	for _, c := range checks {
		if c.Interval > 0 {
			l = min(l, c.Interval/10)
		}
	}
	return l
}

type batchReq struct {
	it   *BatchItem
	done chan error
}

// batcher is the one writer of the dispatcher's probes. Batches commit in
// the order their probes finished, one at a time, so that two results of
// one check are applied in order.
type batcher struct {
	store  Store
	base   context.Context
	linger time.Duration
	in     chan *batchReq
	// hurry is closed when the monitor stops: no more lingering.
	hurry chan struct{}
	// quit ends the loop; closed once no probe can submit any more.
	quit                chan struct{}
	hurryOnce, quitOnce sync.Once
}

func (b *batcher) hurryUp() { b.hurryOnce.Do(func() { close(b.hurry) }) }
func (b *batcher) stop()    { b.quitOnce.Do(func() { close(b.quit) }) }

func newBatcher(st Store, base context.Context, linger time.Duration) *batcher {
	b := &batcher{store: st, base: base, linger: linger, in: make(chan *batchReq),
		hurry: make(chan struct{}), quit: make(chan struct{})}
	go b.loop()
	return b
}

// record stores it with the next batch and waits for the commit.
func (b *batcher) record(ctx context.Context, it *BatchItem) error {
	req := &batchReq{it: it, done: make(chan error, 1)}
	select {
	case b.in <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err() // the batch may still commit it; the next probe reconciles
	}
}

func (b *batcher) loop() {
	for {
		var q []*batchReq
		select {
		case r := <-b.in:
			q = append(q, r)
		case <-b.quit:
			return
		}
		timer := time.NewTimer(b.linger)
	collect:
		for len(q) < maxBatch {
			select {
			case r := <-b.in:
				q = append(q, r)
			case <-timer.C:
				break collect
			case <-b.hurry:
				break collect
			}
		}
		timer.Stop()
	drain: // whatever is already waiting joins
		for len(q) < maxBatch {
			select {
			case r := <-b.in:
				q = append(q, r)
			default:
				break drain
			}
		}
		b.write(q)
	}
}

// write commits q in one transaction. If that fails, each probe is retried
// in its own, so that one check's bad row cannot lose the others' results.
func (b *batcher) write(q []*batchReq) {
	ctx, cancel := context.WithTimeout(b.base, 30*time.Second)
	defer cancel()
	items := make([]*BatchItem, len(q))
	for i, r := range q {
		items[i] = r.it
	}
	err := b.store.RecordBatch(ctx, items)
	if err == nil || len(q) == 1 || ctx.Err() != nil {
		for _, r := range q {
			r.done <- err
		}
		return
	}
	for _, r := range q {
		r.done <- b.store.RecordBatch(ctx, []*BatchItem{r.it})
	}
}
