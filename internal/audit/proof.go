package audit

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// Proof shows that one event is included in the tree a checkpoint signs.
// An outside tool checks it with RFC 6962: the leaf hash is SHA-256(0x00 ||
// Canonical), and proof.VerifyInclusion(rfc6962.DefaultHasher, Seq, Size,
// leaf, Hashes, Checkpoint.Root) must succeed.
type Proof struct {
	Seq        int64      `json:"seq"`
	Size       int64      `json:"size"`
	LeafHash   string     `json:"leaf_hash"`
	Hashes     []string   `json:"hashes"`
	Canonical  string     `json:"canonical"` // the exact hashed bytes
	Checkpoint Checkpoint `json:"checkpoint"`
	PublicKey  string     `json:"public_key"`
}

// ErrNoCheckpoint means there is no checkpoint covering the event yet.
var ErrNoCheckpoint = errors.New("no checkpoint covers this event yet")

// InclusionProof proves event seq against the newest checkpoint that covers
// it (writing one if none does, when a signer is configured).
func (s *Service) InclusionProof(ctx context.Context, seq int64) (Proof, error) {
	rec, err := s.store.Get(ctx, seq)
	if err != nil {
		return Proof{}, err
	}
	cp, err := s.store.LatestCheckpoint(ctx, "")
	if (errors.Is(err, ErrNotFound) || err == nil && cp.Size <= seq) && s.opts.Signer != nil {
		cp, err = s.CheckpointNow(ctx, CheckpointManual)
	}
	if errors.Is(err, ErrNotFound) || err == nil && cp.Size <= seq {
		return Proof{}, ErrNoCheckpoint
	}
	if err != nil {
		return Proof{}, err
	}
	hashes, err := s.inclusionHashes(ctx, seq, cp.Size)
	if err != nil {
		return Proof{}, err
	}
	p := Proof{Seq: seq, Size: cp.Size, LeafHash: hex.EncodeToString(rec.Hash), Canonical: string(rec.Canonical), Checkpoint: cp}
	for _, h := range hashes {
		p.Hashes = append(p.Hashes, hex.EncodeToString(h))
	}
	if s.opts.Signer != nil {
		p.PublicKey = hex.EncodeToString(s.opts.Signer.PublicKey())
	}
	return p, nil
}

// inclusionHashes computes the proof nodes by streaming the leaf hashes once:
// nodes over removed events come from the retention range, the rest are
// caught as the compact range builds them.
func (s *Service) inclusionHashes(ctx context.Context, index, size int64) ([][]byte, error) {
	nodes, err := proof.Inclusion(uint64(index), uint64(size))
	if err != nil {
		return nil, err
	}
	b, err := s.loadBase(ctx)
	if err != nil {
		return nil, err
	}
	if index < b.end() {
		return nil, fmt.Errorf("event %d was removed by retention", index)
	}
	want := map[compact.NodeID]int{}
	for i, id := range nodes.IDs {
		want[id] = i
	}
	got := make([][]byte, len(nodes.IDs))
	visit := func(id compact.NodeID, h []byte) {
		if i, ok := want[id]; ok {
			got[i] = h
		}
	}
	for i, id := range compact.RangeNodes(0, uint64(b.end()), nil) {
		visit(id, b.rng.Hashes()[i])
	}
	rng := b.clone()
	err = s.store.LeafHashes(ctx, b.end(), size, func(seq int64, h []byte) error {
		if int64(rng.End()) != seq {
			return fmt.Errorf("event %d is missing from the trail (run warden audit verify)", rng.End())
		}
		return rng.Append(h, visit)
	})
	if err != nil {
		return nil, err
	}
	for i, h := range got {
		if h == nil {
			return nil, fmt.Errorf("proof node %v not found (the trail is shorter than %d)", nodes.IDs[i], size)
		}
	}
	return nodes.Rehash(got, rfc6962.DefaultHasher.HashChildren)
}
