package audit

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrNoSigner means checkpoints are off: no signing key is configured.
var ErrNoSigner = errors.New("audit checkpoints need a signing key (audit.signing_key_file)")

// Checkpoint writes a scheduled checkpoint when events were appended since
// the last one. The scheduler calls it at audit.checkpoint_interval.
func (s *Service) Checkpoint(ctx context.Context) error {
	head, err := s.store.Head(ctx)
	if err != nil {
		return err
	}
	last, err := s.store.LatestCheckpoint(ctx, "")
	if err == nil && last.Size == head.Seq+1 {
		return nil // nothing new to commit to
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	_, err = s.CheckpointNow(ctx, CheckpointScheduled)
	return err
}

// CheckpointNow signs, stores and publishes a checkpoint over every event
// appended so far. A publisher that fails does not undo the stored
// checkpoint; its error is returned so that the operator hears of it.
func (s *Service) CheckpointNow(ctx context.Context, kind string) (Checkpoint, error) {
	if s.opts.Signer == nil {
		return Checkpoint{}, ErrNoSigner
	}
	head, err := s.store.Head(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	size := head.Seq + 1
	root, err := s.rootAt(ctx, size)
	if err != nil {
		return Checkpoint{}, err
	}
	cp := Checkpoint{
		Origin: checkpointOrigin, Size: size, Root: hex.EncodeToString(root),
		Time: s.clk.Now().UTC().Format(TimeFormat), Kind: kind,
	}
	if err := s.opts.Signer.Sign(&cp); err != nil {
		return Checkpoint{}, err
	}
	if err := s.store.AddCheckpoint(ctx, cp); err != nil {
		return Checkpoint{}, fmt.Errorf("store checkpoint: %w", err)
	}
	return cp, s.publish(ctx, cp)
}

func (s *Service) publish(ctx context.Context, cp Checkpoint) error {
	var errs []error
	for _, p := range s.opts.Publishers {
		if err := p.Publish(ctx, cp); err != nil {
			errs = append(errs, fmt.Errorf("publish checkpoint to %s: %w", p.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// Checkpoints lists the stored checkpoints, oldest first.
func (s *Service) Checkpoints(ctx context.Context) ([]Checkpoint, error) {
	return s.store.Checkpoints(ctx)
}

// PublicKey returns the hex public key that verifies checkpoints ("" when
// checkpoints are off).
func (s *Service) PublicKey() string {
	if s.opts.Signer == nil {
		return ""
	}
	return hex.EncodeToString(s.opts.Signer.PublicKey())
}
