package audit

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// rangeFactory builds compact ranges with RFC 6962 inner-node hashing.
var rangeFactory = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// base is where the stored events start: the compact range of everything
// the latest retention run removed, and the hash the first kept event links
// to. Without retention it is the empty range at 0.
type base struct {
	rng      *compact.Range
	lastHash []byte // nil at 0
	cp       *Checkpoint
}

func (b base) end() int64 { return int64(b.rng.End()) }

// clone copies the range so appends do not change the base.
func (b base) clone() *compact.Range {
	hashes := append([][]byte(nil), b.rng.Hashes()...)
	r, _ := rangeFactory.NewRange(0, b.rng.End(), hashes)
	return r
}

// loadBase reads the latest retention checkpoint.
func (s *Service) loadBase(ctx context.Context) (base, error) {
	cp, err := s.store.LatestCheckpoint(ctx, CheckpointRetention)
	if errors.Is(err, ErrNotFound) {
		return base{rng: rangeFactory.NewEmptyRange(0)}, nil
	}
	if err != nil {
		return base{}, err
	}
	return baseFrom(cp)
}

func baseFrom(cp Checkpoint) (base, error) {
	if cp.Removed == nil {
		return base{}, fmt.Errorf("retention checkpoint at size %d lacks its removal record", cp.Size)
	}
	hashes := make([][]byte, len(cp.Removed.Range))
	for i, h := range cp.Removed.Range {
		b, err := hex.DecodeString(h)
		if err != nil {
			return base{}, fmt.Errorf("retention checkpoint at size %d: bad range hash", cp.Size)
		}
		hashes[i] = b
	}
	rng, err := rangeFactory.NewRange(0, uint64(cp.Size), hashes)
	if err != nil {
		return base{}, fmt.Errorf("retention checkpoint at size %d: %w", cp.Size, err)
	}
	last, err := hex.DecodeString(cp.Removed.LastHash)
	if err != nil {
		return base{}, fmt.Errorf("retention checkpoint at size %d: bad last hash", cp.Size)
	}
	return base{rng: rng, lastHash: last, cp: &cp}, nil
}

// rootOf returns the RFC 6962 root of a range starting at 0.
func rootOf(r *compact.Range) []byte {
	root, err := r.GetRootHash(nil)
	if err != nil || root == nil {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	return root
}

// treeState is the Merkle state Checkpoint keeps between runs, so that each
// checkpoint hashes only the events appended since the last one.
type treeState struct {
	baseEnd int64
	rng     *compact.Range
}

// rootAt brings the incremental tree up to size and returns its root.
func (s *Service) rootAt(ctx context.Context, size int64) ([]byte, error) {
	s.treeMu.Lock()
	defer s.treeMu.Unlock()
	b, err := s.loadBase(ctx)
	if err != nil {
		return nil, err
	}
	if s.tree == nil || s.tree.baseEnd != b.end() || int64(s.tree.rng.End()) > size {
		s.tree = &treeState{baseEnd: b.end(), rng: b.clone()}
	}
	rng := s.tree.rng
	if int64(rng.End()) < size {
		err := s.store.LeafHashes(ctx, int64(rng.End()), size, func(seq int64, h []byte) error {
			if int64(rng.End()) != seq {
				return fmt.Errorf("event %d is missing from the trail (run warden audit verify)", rng.End())
			}
			return rng.Append(h, nil)
		})
		if err != nil {
			s.tree = nil
			return nil, err
		}
	}
	if int64(rng.End()) != size {
		s.tree = nil
		return nil, fmt.Errorf("the trail holds %d events, not %d (run warden audit verify)", rng.End(), size)
	}
	return rootOf(rng), nil
}
