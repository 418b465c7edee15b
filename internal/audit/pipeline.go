package audit

import (
	"bytes"
	"context"
	"runtime"
	"sync"
)

// verifyChunk is a run of stored events parsed and hashed by a worker while
// the walker checks the chunks before it, in order.
type verifyChunk struct {
	rows []*row
	done chan struct{}
}

const verifyChunkSize = 512

// scanParsed reads events from seq from on, parses and hashes them on every
// core, and hands them to fn in seq order. Reading, parsing and checking
// overlap, which is what makes verify of millions of events take seconds.
func (s *Service) scanParsed(ctx context.Context, from int64, fn func(*row) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan *verifyChunk, workers*2)
	ordered := make(chan *verifyChunk, workers*4)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				for _, r := range c.rows {
					r.prepare()
				}
				close(c.done)
			}
		}()
	}
	scanErr := make(chan error, 1)
	go func() {
		defer close(ordered)
		defer close(jobs)
		cur := &verifyChunk{done: make(chan struct{})}
		send := func() bool {
			select {
			case jobs <- cur:
			case <-ctx.Done():
				return false
			}
			select {
			case ordered <- cur:
			case <-ctx.Done():
				return false
			}
			cur = &verifyChunk{done: make(chan struct{})}
			return true
		}
		err := s.store.Scan(ctx, from, func(rec Record) error {
			cur.rows = append(cur.rows, &row{rec: rec})
			if len(cur.rows) == verifyChunkSize && !send() {
				return ctx.Err()
			}
			return nil
		})
		if err == nil && len(cur.rows) > 0 {
			send()
		}
		scanErr <- err
	}()
	var fnErr error
	for c := range ordered {
		<-c.done
		if fnErr != nil {
			continue // drain so the reader and workers can finish
		}
		for _, r := range c.rows {
			if fnErr = fn(r); fnErr != nil {
				cancel()
				break
			}
		}
	}
	wg.Wait()
	err := <-scanErr
	if fnErr != nil {
		return fnErr
	}
	return err
}

// prepare does the per-event work that needs no other event.
func (r *row) prepare() {
	r.doc, r.bad = parseVerifyDoc(r.rec.Canonical)
	r.hashOK = bytes.Equal(LeafHash(r.rec.Canonical), r.rec.Hash)
}
