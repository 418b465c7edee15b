package audit_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/wardenhq/warden/internal/audit"
)

// benchEvents is how many events BenchmarkVerify verifies;
// WARDEN_BENCH_EVENTS overrides it (1000000 for the target).
func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("WARDEN_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// fill appends n events in batches of 1000 from 4 goroutines.
func fill(b *testing.B, e *env, n int) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	per := n / 4
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < per; done += 1000 {
				batch := make([]audit.Event, min(1000, per-done))
				for i := range batch {
					batch[i] = event(w*per + done + i)
				}
				if _, err := e.svc.Append(context.Background(), batch...); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// BenchmarkVerify measures a full verify on SQLite: chain, columns, tree
// and a checkpoint. Run: go test -run XXX -bench Verify -benchtime 3x ./internal/audit/
func BenchmarkVerify(b *testing.B) {
	n := benchEvents()
	e := newEnv(b, freshSQLite(b), func(o *audit.Options) { o.BatchSize = 1000 })
	fill(b, e, n)
	if _, err := e.svc.CheckpointNow(context.Background(), audit.CheckpointManual); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := e.svc.Verify(context.Background())
		if err != nil || !rep.OK {
			b.Fatalf("%v %+v", err, rep)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppend measures in-process appends in batches of 100 from 8
// goroutines, committed by the one writer.
func BenchmarkAppend(b *testing.B) {
	e := newEnv(b, freshSQLite(b), func(o *audit.Options) { o.BatchSize = 1000 })
	batch := make([]audit.Event, 100)
	for i := range batch {
		batch[i] = event(i)
	}
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			evs := make([]audit.Event, len(batch))
			copy(evs, batch)
			if _, err := e.svc.Append(context.Background(), evs...); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "events/s")
}
