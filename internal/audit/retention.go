package audit

import (
	"context"
	"encoding/hex"
	"fmt"
)

// RetentionResult says what a retention run removed.
type RetentionResult struct {
	Removed int64  `json:"removed"`
	From    int64  `json:"from"`
	To      int64  `json:"to"`
	Cutoff  string `json:"cutoff"`
}

// ApplyRetention removes the oldest events recorded more than the retention
// ago, and nothing younger: the cut is the first event recorded at or after
// the cutoff, and the database triggers refuse any row at or past it. The
// removal and a signed retention checkpoint, which keeps the Merkle state of
// what went so that verify and proofs still work, commit together. The
// newest event always stays, as the head the next append links to.
//
// A run that removed events is itself recorded as admin.audit.retention.
func (s *Service) ApplyRetention(ctx context.Context) (RetentionResult, error) {
	res, err := s.applyRetention(ctx)
	if res.Removed > 0 {
		rerr := s.Record(ctx, Event{Actor: Actor{Type: ActorService, ID: "warden"}, Action: "admin.audit.retention", Outcome: Success,
			Details: map[string]any{"removed": res.Removed, "from": res.From, "to": res.To, "cutoff": res.Cutoff}})
		if err == nil {
			err = rerr
		}
	}
	return res, err
}

func (s *Service) applyRetention(ctx context.Context) (RetentionResult, error) {
	if s.opts.Signer == nil {
		return RetentionResult{}, ErrNoSigner
	}
	s.treeMu.Lock() // no checkpoint may build on the range being cut
	defer s.treeMu.Unlock()
	cutoff := s.clk.Now().Add(-s.opts.Retention).UTC()
	res := RetentionResult{Cutoff: cutoff.Format(TimeFormat)}
	cut, err := s.store.FirstSeqAtOrAfter(ctx, cutoff)
	if err != nil {
		return res, err
	}
	head, err := s.store.Head(ctx)
	if err != nil {
		return res, err
	}
	cut = min(cut, head.Seq)
	b, err := s.loadBase(ctx)
	if err != nil {
		return res, err
	}
	res.From, res.To = b.end(), max(cut, b.end())
	if cut <= b.end() {
		return res, nil
	}
	rng, last := b.clone(), b.lastHash
	err = s.store.LeafHashes(ctx, b.end(), cut, func(seq int64, h []byte) error {
		if int64(rng.End()) != seq {
			return fmt.Errorf("event %d is missing; retention stops (run warden audit verify)", rng.End())
		}
		last = h
		return rng.Append(h, nil)
	})
	if err != nil {
		return res, err
	}
	if int64(rng.End()) != cut {
		return res, fmt.Errorf("events %d..%d are missing; retention stops (run warden audit verify)", rng.End(), cut-1)
	}
	removal := &Removal{From: b.end(), To: cut, Count: cut - b.end(), Cutoff: res.Cutoff, LastHash: hex.EncodeToString(last)}
	for _, h := range rng.Hashes() {
		removal.Range = append(removal.Range, hex.EncodeToString(h))
	}
	cp := Checkpoint{
		Origin: checkpointOrigin, Size: cut, Root: hex.EncodeToString(rootOf(rng)),
		Time: s.clk.Now().UTC().Format(TimeFormat), Kind: CheckpointRetention, Removed: removal,
	}
	if err := s.opts.Signer.Sign(&cp); err != nil {
		return res, err
	}
	if err := s.store.RemoveBefore(ctx, cut, cutoff, removal.Count, cp); err != nil {
		return res, fmt.Errorf("retention: %w", err)
	}
	s.tree = nil
	res.Removed = removal.Count
	return res, s.publish(ctx, cp)
}
