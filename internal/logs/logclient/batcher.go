package logclient

import (
	"context"
	"sync"
	"time"
)

// Batcher collects lines from several goroutines and ships them in
// batches, at most every Interval, in the background. When the server
// cannot keep up, memory stays under MaxPending bytes: newer lines are
// dropped and counted rather than buffered without bound.
type Batcher struct {
	Client     *Client
	Env        string
	Service    string
	Interval   time.Duration // default 1s
	MaxBatch   int           // bytes, default 1 MiB
	MaxPending int           // bytes, default 16 MiB
	// OnError hears about batches that could not be shipped.
	OnError func(error)

	mu      sync.Mutex
	pending []byte
	shipped int
	dropped int
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func (b *Batcher) start() {
	b.once.Do(func() {
		if b.Interval <= 0 {
			b.Interval = time.Second
		}
		if b.MaxBatch <= 0 {
			b.MaxBatch = 1 << 20
		}
		if b.MaxPending <= 0 {
			b.MaxPending = 16 << 20
		}
		b.kick = make(chan struct{}, 1)
		b.stop = make(chan struct{})
		b.done = make(chan struct{})
		go b.loop()
	})
}

// Add queues one NDJSON line (without its newline).
func (b *Batcher) Add(line []byte) {
	b.start()
	b.mu.Lock()
	if len(b.pending)+len(line)+1 > b.MaxPending {
		b.dropped++
		b.mu.Unlock()
		return
	}
	b.pending = append(b.pending, line...)
	b.pending = append(b.pending, '\n')
	full := len(b.pending) >= b.MaxBatch
	b.mu.Unlock()
	if full {
		select {
		case b.kick <- struct{}{}:
		default:
		}
	}
}

func (b *Batcher) loop() {
	defer close(b.done)
	t := time.NewTicker(b.Interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
		case <-b.kick:
		}
		b.flush(context.Background())
	}
}

func (b *Batcher) flush(ctx context.Context) {
	for {
		b.mu.Lock()
		batch := b.pending
		if len(batch) > b.MaxBatch {
			cut := b.MaxBatch
			for cut < len(batch) && batch[cut-1] != '\n' {
				cut++
			}
			batch = batch[:cut]
		}
		b.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		n, err := b.Client.Ship(ctx, b.Env, b.Service, batch)
		b.mu.Lock()
		b.pending = b.pending[len(batch):]
		if err == nil {
			b.shipped += n
		} else {
			b.dropped += countLines(batch)
		}
		b.mu.Unlock()
		if err != nil && b.OnError != nil {
			b.OnError(err)
		}
		if err != nil {
			return
		}
	}
}

func countLines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}

// Close ships what is left, within ctx, and returns how many lines were
// shipped and dropped in all.
func (b *Batcher) Close(ctx context.Context) (shipped, dropped int) {
	b.start()
	close(b.stop)
	<-b.done
	b.flush(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.shipped, b.dropped + countLines(b.pending)
}
