package audit

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/transparency-dev/merkle/rfc6962"
)

// appendReq is one Append call waiting for the writer.
type appendReq struct {
	events []Event
	// given marks the events whose caller chose the id: only those can be
	// retries of stored events, so only those are looked up.
	given []bool
	// parts are the events' canonical encodings but for what the writer
	// fills in, made by the caller's goroutine (see canonicalParts).
	parts []canonicalParts
	reply chan appendResult
}

type appendResult struct {
	receipts []Receipt
	err      error
}

// busyRetryAfter is what a full queue tells callers to wait: about one
// batch commit, rounded up to what Retry-After can say.
const busyRetryAfter = time.Second

// Append validates, scrubs and queues events, then waits until the writer
// has committed them: a nil error means they are durable and chained. It
// never waits for queue space: a full queue answers *BusyError at once. If
// ctx ends first the events may still be stored; appending again with the
// same ids is safe, since duplicates of an id are ignored.
func (s *Service) Append(ctx context.Context, events ...Event) ([]Receipt, error) {
	if len(events) == 0 {
		return nil, nil
	}
	if len(events) > s.opts.QueueSize {
		return nil, fieldErr("", "%d events in one append; the queue holds %d", len(events), s.opts.QueueSize)
	}
	now := s.clk.Now()
	prepared := make([]Event, len(events))
	given := make([]bool, len(events))
	parts := make([]canonicalParts, len(events))
	for i, e := range events {
		given[i] = e.ID != ""
		if err := s.prepare(&e, now); err != nil {
			if fe, ok := err.(*FieldError); ok && len(events) > 1 {
				fe.Field = fmt.Sprintf("[%d].%s", i, fe.Field)
			}
			return nil, err
		}
		p, err := newCanonicalParts(&e)
		if err != nil {
			return nil, err
		}
		prepared[i], parts[i] = e, p
	}
	req := &appendReq{events: prepared, given: given, parts: parts, reply: make(chan appendResult, 1)}
	if err := s.enqueue(req); err != nil {
		return nil, err
	}
	select {
	case res := <-req.reply:
		return res.receipts, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// prepare validates e and fills in what the caller may leave out.
func (s *Service) prepare(e *Event, now time.Time) error {
	if err := Validate(e, s.opts.Taxonomy, now); err != nil {
		return err
	}
	if e.ID == "" {
		e.ID = newUUID()
	}
	if e.Time.IsZero() {
		e.Time = now
	}
	e.Time = e.Time.UTC()
	if e.Details != nil && s.opts.Scrub != nil {
		e.Details = s.opts.Scrub(e.Details)
	}
	return nil
}

// enqueue takes one token per event from the bound, all or nothing.
func (s *Service) enqueue(req *appendReq) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	for i := range req.events {
		select {
		case s.pending <- struct{}{}:
		default:
			s.release(i)
			return &BusyError{RetryAfter: busyRetryAfter}
		}
	}
	select {
	case s.queue <- req:
		return nil
	default: // more requests than events cannot happen; be safe anyway
		s.release(len(req.events))
		return &BusyError{RetryAfter: busyRetryAfter}
	}
}

func (s *Service) release(n int) {
	for range n {
		<-s.pending
	}
}

// writer is the only goroutine that appends, so the chain never forks within
// one instance; the store's lock serialises it with other instances. It
// gathers whatever is queued into one transaction, which is what makes
// thousands of appends per second affordable with a synchronous commit.
func (s *Service) writer(ctx context.Context) {
	defer close(s.done)
	for first := range s.queue {
		batch := []*appendReq{first}
		n := len(first.events)
	gather:
		for n < s.opts.BatchSize {
			select {
			case r, ok := <-s.queue:
				if !ok {
					break gather
				}
				batch = append(batch, r)
				n += len(r.events)
			default:
				break gather
			}
		}
		s.commit(ctx, batch)
		s.release(n)
	}
}

// commit appends a batch in one transaction and answers each request.
func (s *Service) commit(ctx context.Context, batch []*appendReq) {
	results := make([][]Receipt, len(batch))
	err := s.store.Append(ctx, func(ctx context.Context, tx AppendTx) error {
		for i := range results {
			results[i] = nil
		}
		return s.appendBatch(ctx, tx, batch, results)
	})
	for i, r := range batch {
		if err != nil {
			r.reply <- appendResult{err: fmt.Errorf("append audit events: %w", err)}
			continue
		}
		r.reply <- appendResult{receipts: results[i]}
	}
}

func (s *Service) appendBatch(ctx context.Context, tx AppendTx, batch []*appendReq, results [][]Receipt) error {
	head, err := tx.Head(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, r := range batch {
		for i, e := range r.events {
			if r.given[i] {
				ids = append(ids, e.ID)
			}
		}
	}
	existing := map[string]Record{}
	if len(ids) > 0 {
		if existing, err = tx.Existing(ctx, ids); err != nil {
			return err
		}
	}
	seen := map[string]Receipt{}
	for id, rec := range existing {
		seen[id] = Receipt{Seq: rec.Seq, ID: id, Hash: hex.EncodeToString(rec.Hash), Duplicate: true}
	}
	recordedAt := s.clk.Now().UTC()
	pseudonyms, err := s.knownPseudonyms(ctx, tx, batch, seen)
	if err != nil {
		return err
	}
	for i, r := range batch {
		for j, e := range r.events {
			if rc, dup := seen[e.ID]; dup {
				rc.Duplicate = true
				results[i] = append(results[i], rc)
				continue
			}
			rec, err := s.link(ctx, tx, e, &r.parts[j], head, recordedAt, pseudonyms)
			if err != nil {
				return err
			}
			if err := tx.Insert(ctx, rec); err != nil {
				return err
			}
			head = Head{Seq: rec.Seq, Hash: rec.Hash}
			rc := Receipt{Seq: rec.Seq, ID: rec.ID, Hash: hex.EncodeToString(rec.Hash)}
			seen[e.ID] = rc
			results[i] = append(results[i], rc)
		}
	}
	return nil
}

// link pseudonymises e, places it after head and hashes it.
// knownPseudonyms looks up, in one query, the pseudonyms of the users the
// batch's new events name. The map lives no longer than the transaction,
// so an erasure between batches is always seen.
func (s *Service) knownPseudonyms(ctx context.Context, tx AppendTx, batch []*appendReq, dup map[string]Receipt) (map[string]string, error) {
	want := map[string]bool{}
	for _, r := range batch {
		for _, e := range r.events {
			if _, ok := dup[e.ID]; ok {
				continue
			}
			if personalActor(e.Actor) {
				want[e.Actor.ID] = true
			}
			if personalTarget(e.Target) {
				want[e.Target.ID] = true
			}
		}
	}
	out := make(map[string]string, len(want))
	if len(want) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	subs, err := tx.SubjectsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, sub := range subs {
		out[id] = sub.Pseudonym
	}
	return out, nil
}

// pseudonyms caches the subjects this transaction has seen: a batch often
// holds many events of one user. It lives no longer than the transaction,
// so an erasure between batches is always seen.
func (s *Service) link(ctx context.Context, tx AppendTx, e Event, parts *canonicalParts, head Head, recordedAt time.Time, pseudonyms map[string]string) (Record, error) {
	subject := func(id string) (string, error) {
		if p, ok := pseudonyms[id]; ok {
			return p, nil
		}
		sub, err := tx.Subject(ctx, id, func() (Subject, error) { return NewSubject(id, recordedAt) })
		if err == nil {
			pseudonyms[id] = sub.Pseudonym
		}
		return sub.Pseudonym, err
	}
	var err error
	if personalActor(e.Actor) {
		if e.Actor.ID, err = subject(e.Actor.ID); err != nil {
			return Record{}, err
		}
	}
	if personalTarget(e.Target) {
		if e.Target.ID, err = subject(e.Target.ID); err != nil {
			return Record{}, err
		}
	}
	prev := head.Hash
	if head.Seq < 0 {
		prev = make([]byte, 32) // the first event links to zeros
	}
	seq := head.Seq + 1
	b := parts.build(e.Actor.ID, e.Target.ID, seq, prev, recordedAt)
	return Record{
		Seq: seq, ID: e.ID, Time: e.Time, RecordedAt: recordedAt, Action: e.Action,
		ActorType: string(e.Actor.Type), ActorRef: e.Actor.ID, TargetType: e.Target.Type, TargetRef: e.Target.ID,
		Outcome: string(e.Outcome), Canonical: b, Hash: LeafHash(b),
	}, nil
}

// LeafHash is the RFC 6962 leaf hash of canonical bytes: SHA-256 of 0x00
// followed by the bytes, so a leaf can never pass for an inner node.
func LeafHash(canonical []byte) []byte { return rfc6962.DefaultHasher.HashLeaf(canonical) }

// newUUID returns a time-ordered (version 7, RFC 9562) UUID: 48 bits of
// milliseconds, then random bits. Ids issued one after another sort one
// after another, so the unique index on id grows at its right edge like the
// table itself, instead of every event landing on a random index page (one
// 4 KiB page written to the WAL per event once the index outgrows a batch).
func newUUID() string {
	return uuid.Must(uuid.NewV7()).String()
}
