// Package logstore is the embedded, column-oriented log store: pure Go,
// one partition per environment and day (so retention deletes whole
// directories), a write-ahead log fsynced before an append returns, an
// in-memory buffer flushed to immutable parts every few seconds and merged
// in the background.
//
// On disk, under Dir:
//
//	wal/<seq>.wal                 write-ahead segments not yet in parts
//	flushed                       the newest segment whose records are in parts
//	<env>/<YYYY-MM-DD>/<id>.part  immutable parts (see part.go)
//
// A flush rotates the WAL, writes one part per partition from the frozen
// buffer, records the old segment in "flushed", and only then deletes the
// segment. At start-up, parts newer than "flushed" are the leftovers of an
// interrupted flush and are deleted; segments newer than it are replayed.
// So every acknowledged record is in exactly one place after a crash.
package logstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/logs"
)

// ErrOverloaded means the buffer is full: the caller should retry later
// (HTTP 429 with Retry-After).
var ErrOverloaded = logs.ErrOverloaded

// ErrClosed means the store was closed.
var ErrClosed = errors.New("log store is closed")

// Options configure a Store; zero fields take defaults.
type Options struct {
	Dir string
	// FlushInterval is how often the buffer becomes parts (default 5s).
	FlushInterval time.Duration
	// MaxBuffer caps buffered bytes; appends beyond it get ErrOverloaded
	// (default 256 MiB). A flush starts early at half of it.
	MaxBuffer int64
	// MergeParts is how many parts a partition collects before they are
	// merged into one (default 8).
	MergeParts int
	Clock      clock.Clock
	Logger     *slog.Logger
}

type partKey struct {
	env string
	day string // YYYY-MM-DD, UTC
}

type partition struct {
	key   partKey
	dir   string
	parts []*part
}

// memBuf holds appended records not yet in parts, per partition, as the
// slices they were appended in (no copy of a request's records).
type memBuf struct {
	recs  map[partKey][][]logs.Record
	bytes int64
	seq   uint64 // the WAL segment these records are in
}

// Store is the log store. Its methods are safe for concurrent use.
type Store struct {
	opts   Options
	walDir string

	appends chan *appendReq
	flushMu sync.Mutex // one flush at a time
	mergeMu sync.Mutex // one merge at a time; taken before flushMu

	mu         sync.RWMutex
	partitions map[partKey]*partition
	mem        *memBuf
	frozen     []*memBuf // being flushed; still visible to scans
	nextID     uint64
	walSeq     uint64
	wal        *os.File
	walSize    int64 // bytes of good frames in the current segment
	broken     error // set when a failed write could not be undone

	buffered  atomic.Int64 // bytes in mem and frozen, for back-pressure
	refusedAt atomic.Int64 // buffered when an append was last refused
	stop      chan struct{}
	done      sync.WaitGroup
	closed    atomic.Bool
	flushNext chan struct{}
	lock      *os.File
}

type appendReq struct {
	env   string
	recs  []logs.Record
	frame []byte
	size  int64
	done  chan error
}

// Open opens or creates the store in opts.Dir, recovering from the WAL.
func Open(opts Options) (*Store, error) {
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 5 * time.Second
	}
	if opts.MaxBuffer <= 0 {
		opts.MaxBuffer = 256 << 20
	}
	if opts.MergeParts <= 1 {
		opts.MergeParts = 8
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Store{
		opts:       opts,
		walDir:     filepath.Join(opts.Dir, "wal"),
		appends:    make(chan *appendReq, 1024),
		partitions: map[partKey]*partition{},
		stop:       make(chan struct{}),
		flushNext:  make(chan struct{}, 1),
	}
	s.refusedAt.Store(math.MaxInt64)
	if err := os.MkdirAll(s.walDir, 0o750); err != nil {
		return nil, fmt.Errorf("log store: %w", err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("log store: %w", err)
	}
	s.lock = lock
	if err := s.recover(); err != nil {
		s.closeParts()
		lock.Close()
		return nil, fmt.Errorf("log store %s: %w", opts.Dir, err)
	}
	s.done.Add(3)
	go s.writeLoop()
	go s.flushLoop()
	go s.mergeLoop()
	return s, nil
}

func (s *Store) flushedSeq() (uint64, error) {
	b, err := os.ReadFile(filepath.Join(s.opts.Dir, "flushed"))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}

func (s *Store) recover() error {
	flushed, err := s.flushedSeq()
	if err != nil {
		return fmt.Errorf("read flushed marker: %w", err)
	}
	if err := s.loadParts(flushed); err != nil {
		return err
	}
	segs, err := segments(s.walDir)
	if err != nil {
		return err
	}
	s.mem = &memBuf{recs: map[partKey][][]logs.Record{}}
	s.walSeq = flushed
	for _, seq := range segs {
		path := segmentPath(s.walDir, seq)
		if seq <= flushed {
			os.Remove(path)
			continue
		}
		if err := replaySegment(path, func(env string, recs []logs.Record) { s.addMem(s.mem, env, recs, -1) }); err != nil {
			return err
		}
		s.walSeq = max(s.walSeq, seq)
	}
	// Replayed records stay in their segments until the first flush; new
	// appends go to a new segment.
	s.walSeq++
	s.mem.seq = s.walSeq
	return s.openSegment()
}

func (s *Store) openSegment() error {
	f, err := os.OpenFile(segmentPath(s.walDir, s.walSeq), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if err := syncDir(s.walDir); err != nil {
		f.Close()
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	s.wal, s.walSize = f, st.Size()
	return nil
}

// loadParts opens every part, dropping leftovers of interrupted flushes
// (newer than flushed) and of interrupted merges (replaced by another part).
func (s *Store) loadParts(flushed uint64) error {
	envs, err := os.ReadDir(s.opts.Dir)
	if err != nil {
		return err
	}
	var all []*part
	keyOf := map[*part]partKey{}
	for _, e := range envs {
		if !e.IsDir() || e.Name() == "wal" {
			continue
		}
		days, err := os.ReadDir(filepath.Join(s.opts.Dir, e.Name()))
		if err != nil {
			return err
		}
		for _, d := range days {
			dir := filepath.Join(s.opts.Dir, e.Name(), d.Name())
			files, err := os.ReadDir(dir)
			if err != nil {
				return err
			}
			for _, f := range files {
				path := filepath.Join(dir, f.Name())
				if strings.HasSuffix(f.Name(), ".tmp") {
					os.Remove(path)
					continue
				}
				name, ok := strings.CutSuffix(f.Name(), ".part")
				id, err := strconv.ParseUint(name, 16, 64)
				if !ok || err != nil {
					continue
				}
				p, err := openPart(path, id)
				if err != nil {
					return err
				}
				if p.walSeq > flushed {
					p.release() // closes and deletes
					continue
				}
				all = append(all, p)
				keyOf[p] = partKey{env: e.Name(), day: d.Name()}
				s.nextID = max(s.nextID, id)
			}
		}
	}
	replaced := map[uint64]bool{}
	for _, p := range all {
		for _, r := range p.replaces {
			replaced[r] = true
		}
	}
	for _, p := range all {
		if replaced[p.id] {
			p.release()
			continue
		}
		s.partition(keyOf[p]).parts = append(s.partition(keyOf[p]).parts, p)
	}
	return nil
}

// partition returns the partition for k, creating it; s.mu must be held
// for writing (or the store not yet shared).
func (s *Store) partition(k partKey) *partition {
	p := s.partitions[k]
	if p == nil {
		p = &partition{key: k, dir: filepath.Join(s.opts.Dir, k.env, k.day)}
		s.partitions[k] = p
	}
	return p
}

func dayOf(t time.Time) string { return t.UTC().Format("2006-01-02") }

// addMem adds recs to m; size is their total Record.Size when the caller
// knows it, or -1.
func (s *Store) addMem(m *memBuf, env string, recs []logs.Record, size int64) int64 {
	known := size >= 0
	if !known {
		size = 0
	}
	// Records of one day, the usual case, are kept as the slice they came
	// in; others are split by day.
	var lo, hi int64 = 1, 0
	var day string
	oneDay := true
	for i := range recs {
		if t := recs[i].Time.UnixNano(); t < lo || t >= hi {
			d := recs[i].Time.UTC()
			start := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
			lo, hi = start.UnixNano(), start.AddDate(0, 0, 1).UnixNano()
			if i > 0 && dayOf(d) != day {
				oneDay = false
			}
			day = dayOf(d)
		}
		if !known {
			size += int64(recs[i].Size())
		}
	}
	if oneDay {
		k := partKey{env: env, day: day}
		m.recs[k] = append(m.recs[k], slices.Clone(recs)) // the caller's slice stays the caller's
	} else {
		split := map[partKey][]logs.Record{}
		for i := range recs {
			k := partKey{env: env, day: dayOf(recs[i].Time)}
			split[k] = append(split[k], recs[i])
		}
		for k, part := range split {
			m.recs[k] = append(m.recs[k], part)
		}
	}
	m.bytes += size
	s.buffered.Add(size)
	return size
}

// Append stores records of one environment. It returns once they are in
// the fsynced WAL: a crash after that loses none of them.
func (s *Store) Append(ctx context.Context, env string, recs []logs.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if err := logs.ValidEnv(env); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	var size int64
	for i := range recs {
		size += int64(recs[i].Size())
	}
	if b := s.buffered.Load(); b+size > s.opts.MaxBuffer {
		s.refusedAt.Store(b)
		s.kickFlush()
		return ErrOverloaded
	}
	frame := framePool.Get().(*[]byte)
	*frame = encodeFrame((*frame)[:0], env, recs)
	defer framePool.Put(frame)
	req := &appendReq{env: env, recs: recs, frame: *frame, size: size, done: make(chan error, 1)}
	select {
	case s.appends <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stop:
		return ErrClosed
	}
	// Once queued the append completes even if ctx ends, so that a client
	// that gave up never leaves a record half-acknowledged.
	return <-req.done
}

// framePool keeps WAL frame buffers: a request's frame is megabytes, and
// fresh memory of that size costs more to fault in than to fill.
var framePool = sync.Pool{New: func() any { return new([]byte) }}

// Overloaded reports whether an append was refused as overloaded and no
// flush has freed any room since, so that a caller can refuse a request
// before decoding it (an HTTP body of megabytes) only to be refused.
func (s *Store) Overloaded() bool {
	if b := s.buffered.Load(); b > 0 && b >= s.refusedAt.Load() {
		s.kickFlush()
		return true
	}
	return false
}

func (s *Store) kickFlush() {
	select {
	case s.flushNext <- struct{}{}:
	default:
	}
}

// writeLoop is the one writer of the WAL: it takes every queued append,
// writes them, fsyncs once for all (group commit), adds them to the buffer
// and only then answers.
func (s *Store) writeLoop() {
	defer s.done.Done()
	var batch []*appendReq
	var frames [][]byte
	for {
		select {
		case <-s.stop:
			s.drainAppends()
			return
		case req := <-s.appends:
			batch = append(batch[:0], req)
			frames = append(frames[:0], req.frame)
			size := len(req.frame)
		more:
			for size < 8<<20 {
				select {
				case r := <-s.appends:
					batch = append(batch, r)
					frames = append(frames, r.frame)
					size += len(r.frame)
				default:
					break more
				}
			}
			s.mu.Lock()
			err := s.broken
			if err == nil {
				err = s.writeWAL(frames)
			}
			if err == nil {
				for _, r := range batch {
					s.addMem(s.mem, r.env, r.recs, r.size)
				}
			}
			over := s.mem.bytes > s.opts.MaxBuffer/2
			s.mu.Unlock()
			if err != nil {
				err = fmt.Errorf("log store: write WAL: %w", err)
				s.opts.Logger.Error("log store write failed", "error", err)
			}
			for _, r := range batch {
				r.done <- err
			}
			if over {
				s.kickFlush()
			}
		}
	}
}

// writeWAL appends frames and fsyncs them; s.mu is held. When the write or
// the fsync fails, the segment is cut back to its last good frame, so that
// frames acknowledged later are not stranded behind a torn one (replay
// stops at the first bad frame). If even that fails, the store refuses
// appends from then on rather than acknowledge what it might not replay.
func (s *Store) writeWAL(frames [][]byte) error {
	var err error
	var n int64
	for _, f := range frames {
		if _, err = s.wal.Write(f); err != nil {
			break
		}
		n += int64(len(f))
	}
	if err == nil {
		err = s.wal.Sync()
	}
	if err == nil {
		s.walSize += n
		return nil
	}
	if terr := s.wal.Truncate(s.walSize); terr != nil {
		s.broken = fmt.Errorf("the write-ahead log could not be repaired after a failed write (%v); restart Warden", terr)
	}
	return err
}

func (s *Store) drainAppends() {
	for {
		select {
		case r := <-s.appends:
			r.done <- ErrClosed
		default:
			return
		}
	}
}

func (s *Store) flushLoop() {
	defer s.done.Done()
	t := time.NewTicker(s.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.flushNext:
		}
		if err := s.Flush(); err != nil {
			s.opts.Logger.Error("log store flush failed", "error", err)
		}
	}
}

// mergeLoop merges apart from flushes, so that a long merge never holds
// up the flush that frees the buffer.
func (s *Store) mergeLoop() {
	defer s.done.Done()
	t := time.NewTicker(s.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		if err := s.Merge(); err != nil {
			s.opts.Logger.Error("log store merge failed", "error", err)
		}
	}
}

// Flush turns the buffer into parts now.
func (s *Store) Flush() error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	// Rotate under the write lock: the writer holds it while it appends, so
	// every record of the old segments is in a frozen buffer and none of
	// the new segment is.
	s.mu.Lock()
	if s.mem.bytes > 0 {
		oldWAL := s.wal
		s.walSeq++
		if err := s.openSegment(); err != nil {
			s.walSeq--
			s.wal = oldWAL
			s.mu.Unlock()
			return err
		}
		oldWAL.Close()
		s.frozen = append(s.frozen, s.mem)
		s.mem = &memBuf{recs: map[partKey][][]logs.Record{}, seq: s.walSeq}
	}
	// Buffers a failed flush left behind are flushed again with the new one.
	frozen := slices.Clone(s.frozen)
	flushedUpTo := s.walSeq - 1
	s.mu.Unlock()
	if len(frozen) == 0 {
		return nil
	}

	byKey := map[partKey][]logs.Record{}
	var bytes int64
	for _, f := range frozen {
		for k, chunks := range f.recs {
			n := len(byKey[k])
			for _, recs := range chunks {
				n += len(recs)
			}
			byKey[k] = slices.Grow(byKey[k], n-len(byKey[k]))
		}
	}
	for _, f := range frozen {
		bytes += f.bytes
		for k, chunks := range f.recs {
			// Copies: scans still read the frozen buffers.
			for _, recs := range chunks {
				byKey[k] = append(byKey[k], recs...)
			}
		}
	}
	type written struct {
		k partKey
		p *part
	}
	var out []written
	undo := func() {
		for _, w := range out {
			w.p.release() // closes and deletes: the retry writes it again
		}
	}
	for k, recs := range byKey {
		slices.SortStableFunc(recs, func(a, b logs.Record) int { return a.Time.Compare(b.Time) })
		p, err := writePart(filepath.Join(s.opts.Dir, k.env, k.day), s.newID(), recs, flushedUpTo, nil)
		if err != nil {
			undo()
			return fmt.Errorf("write part for %s/%s: %w", k.env, k.day, err)
		}
		out = append(out, written{k, p})
	}
	if err := writeMarker(s.opts.Dir, flushedUpTo); err != nil {
		undo()
		return fmt.Errorf("record the flush: %w", err)
	}
	s.mu.Lock()
	for _, w := range out {
		pt := s.partition(w.k)
		pt.parts = append(pt.parts, w.p)
	}
	s.frozen = s.frozen[len(frozen):]
	s.mu.Unlock()
	s.buffered.Add(-bytes)
	s.refusedAt.Store(math.MaxInt64)
	segs, _ := segments(s.walDir)
	for _, seq := range segs {
		if seq <= flushedUpTo {
			os.Remove(segmentPath(s.walDir, seq))
		}
	}
	return nil
}

func (s *Store) newID() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return s.nextID
}

func writeMarker(dir string, seq uint64) error {
	tmp := filepath.Join(dir, "flushed.tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(strconv.FormatUint(seq, 10) + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "flushed")); err != nil {
		return err
	}
	return syncDir(dir)
}

// Close flushes the buffer and closes every file.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(s.stop)
	s.done.Wait()
	err := s.Flush()
	s.mu.Lock()
	if s.wal != nil {
		s.wal.Close()
	}
	s.mu.Unlock()
	s.closeParts()
	s.lock.Close()
	return err
}

func (s *Store) closeParts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pt := range s.partitions {
		for _, p := range pt.parts {
			p.f.Close()
		}
	}
}
