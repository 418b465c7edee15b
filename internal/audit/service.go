package audit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/internal/clock"
)

// Options configures a Service.
type Options struct {
	Store    Store
	Clock    clock.Clock
	Taxonomy *Taxonomy
	// Scrub removes sensitive values from details before they are hashed
	// (the lead wires internal/scrub here). Nil keeps details as they are.
	Scrub func(map[string]any) map[string]any
	// QueueSize bounds the events waiting for the writer (default 10000);
	// beyond it Append answers *BusyError at once.
	QueueSize int
	// BatchSize is the most events committed in one transaction (default 500).
	BatchSize int
	// Retention is how long events are kept (default 5 years).
	Retention time.Duration
	// Signer signs checkpoints; nil disables them.
	Signer *Signer
	// Publishers receive every checkpoint, so a copy lives outside the
	// database (a file, a webhook).
	Publishers []Publisher
	// CheckpointFile is the published JSON lines file verify reads back
	// ("" when none is published to a file).
	CheckpointFile string
	Logger         *slog.Logger
}

// Service is the audit trail: it validates, chains and stores events through
// one writer goroutine, writes signed checkpoints, verifies the whole trail
// and answers queries.
type Service struct {
	opts  Options
	store Store
	clk   clock.Clock
	log   *slog.Logger

	mu      sync.RWMutex // guards closed and sends on queue
	closed  bool
	queue   chan *appendReq
	pending chan struct{} // one token per queued event: the bound
	done    chan struct{}
	started bool

	treeMu sync.Mutex // guards tree: the incremental Merkle state of Checkpoint
	tree   *treeState

	lastVerify atomic.Pointer[VerifyReport]
}

// LastVerify returns the result of the latest Verify in this process, or nil.
func (s *Service) LastVerify() *VerifyReport { return s.lastVerify.Load() }

// LatestVerification returns the latest verification run by any instance
// (stored by Verify) and when it finished, or nil when none has run.
func (s *Service) LatestVerification(ctx context.Context) (*VerifyReport, time.Time, error) {
	rep, at, err := s.store.LatestVerification(ctx)
	if errors.Is(err, ErrNotFound) {
		return s.lastVerify.Load(), time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return &rep, at, nil
}

// New checks the options and returns a Service. Call Start before Append.
func New(opts Options) (*Service, error) {
	if opts.Store == nil {
		return nil, errors.New("audit: no store")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Taxonomy == nil {
		t, err := NewTaxonomy(nil, false)
		if err != nil {
			return nil, err
		}
		opts.Taxonomy = t
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 10000
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if opts.Retention <= 0 {
		opts.Retention = 5 * 365 * 24 * time.Hour
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Service{
		opts: opts, store: opts.Store, clk: opts.Clock, log: opts.Logger,
		queue:   make(chan *appendReq, opts.QueueSize),
		pending: make(chan struct{}, opts.QueueSize),
		done:    make(chan struct{}),
	}, nil
}

// Taxonomy returns the actions the service accepts.
func (s *Service) Taxonomy() *Taxonomy { return s.opts.Taxonomy }

// Start runs the writer goroutine.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("audit: started twice")
	}
	s.started = true
	go s.writer(context.WithoutCancel(ctx))
	return nil
}

// Stop refuses new appends, lets the writer commit everything already queued
// (every caller still gets its answer) and returns once it has, or when ctx
// expires.
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.queue)
	started := s.started
	s.mu.Unlock()
	if !started {
		return nil
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
