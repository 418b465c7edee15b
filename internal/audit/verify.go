package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Problem kinds verify reports.
const (
	ProblemEdited     = "edited"
	ProblemRemoved    = "removed"
	ProblemInserted   = "inserted"
	ProblemReordered  = "reordered"
	ProblemRewritten  = "rewritten"
	ProblemCheckpoint = "checkpoint"
	ProblemSubject    = "subject"
)

// Problem is the first thing verify found wrong.
type Problem struct {
	Kind string `json:"kind"`
	// Seq and ID name the event concerned (Seq -1 when none is).
	Seq int64  `json:"seq"`
	ID  string `json:"id,omitempty"`
	Msg string `json:"message"`
}

func (p *Problem) Error() string {
	if p.Seq >= 0 {
		return fmt.Sprintf("event %d %s: %s", p.Seq, p.Kind, p.Msg)
	}
	return p.Kind + ": " + p.Msg
}

// VerifyReport is the result of Verify.
type VerifyReport struct {
	OK bool `json:"ok"`
	// Events is how many stored events were checked; they are seqs
	// [First, Size). Earlier ones were removed by retention.
	Events int64 `json:"events"`
	First  int64 `json:"first"`
	Size   int64 `json:"size"`
	// Checkpoints is how many stored and published checkpoints were checked
	// against the recomputed tree; Skipped predate the retention cut.
	Checkpoints int     `json:"checkpoints"`
	Published   int     `json:"published"`
	Skipped     int     `json:"skipped"`
	Subjects    int     `json:"subjects"`
	Root        string  `json:"root"`
	Seconds     float64 `json:"seconds"`
	// Problem is the first problem found, nil when OK.
	Problem *Problem `json:"problem,omitempty"`
	// Warnings do not fail verification (no published file yet, ...).
	Warnings []string `json:"warnings,omitempty"`
}

// errStop ends a scan once a problem is found.
var errStop = errors.New("stop")

// Verify recomputes the hash chain and the Merkle tree from the stored
// bytes, checks every checkpoint in the database and in the published file
// against them, and checks the pseudonym keys. It names the first event that
// was edited, removed, inserted or reordered. Events appended after the
// newest checkpoint can only be checked for consistency with each other.
func (s *Service) Verify(ctx context.Context) (*VerifyReport, error) {
	start := time.Now()
	rep := &VerifyReport{}
	defer func() {
		rep.Seconds = time.Since(start).Seconds()
		s.lastVerify.Store(rep)
		if rep.OK || rep.Problem != nil {
			// Best effort: the report is also returned, and a failure
			// raises an alert; the stored copy only feeds the UI.
			if err := s.store.AddVerification(context.WithoutCancel(ctx), s.clk.Now(), *rep); err != nil {
				s.log.WarnContext(ctx, "store the audit verification result", "error", err)
			}
		}
	}()
	cps, missing, err := s.gatherCheckpoints(ctx, rep)
	if err != nil {
		return nil, err
	}
	if rep.Problem != nil {
		return rep, nil
	}
	b, err := s.verifiedBase(ctx, rep)
	if err != nil || rep.Problem != nil {
		return rep, err
	}
	w := newWalker(b, cps)
	err = s.scanParsed(ctx, b.end(), w.feed)
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	if err == nil {
		w.finish()
	}
	rep.First, rep.Size, rep.Events, rep.Checkpoints = b.end(), w.expected, w.expected-b.end(), w.checked
	rep.Skipped += w.skipped
	rep.Root = hex.EncodeToString(rootOf(w.rng))
	rep.Problem = w.problem
	if rep.Problem == nil {
		if err := s.verifySubjects(ctx, rep); err != nil && !errors.Is(err, errStop) {
			return nil, err
		}
	}
	if rep.Problem == nil {
		rep.Problem = missing
	}
	rep.OK = rep.Problem == nil
	return rep, nil
}

// sourcedCheckpoint is a checkpoint and where verify found it.
type sourcedCheckpoint struct {
	Checkpoint
	source string
}

func (c sourcedCheckpoint) describe() string {
	return fmt.Sprintf("the %s checkpoint of %s in %s", c.Kind, c.Time, c.source)
}

// gatherCheckpoints reads the stored and published checkpoints and checks
// their signatures.
func (s *Service) gatherCheckpoints(ctx context.Context, rep *VerifyReport) (cps []sourcedCheckpoint, missing *Problem, err error) {
	stored, err := s.store.Checkpoints(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []sourcedCheckpoint
	inDB := map[string]bool{}
	for _, cp := range stored {
		out = append(out, sourcedCheckpoint{cp, "the database"})
		inDB[cp.Signature] = true
	}
	if s.opts.CheckpointFile != "" {
		published, err := ReadCheckpointFile(s.opts.CheckpointFile)
		if err != nil {
			rep.Problem = &Problem{Kind: ProblemCheckpoint, Seq: -1, Msg: err.Error()}
			return nil, nil, nil
		}
		if len(published) == 0 && len(stored) > 0 {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("no published checkpoints in %s: truncation of the newest events cannot be detected", s.opts.CheckpointFile))
		}
		for _, cp := range published {
			sc := sourcedCheckpoint{cp, s.opts.CheckpointFile}
			if !inDB[cp.Signature] {
				// Reported only if nothing worse is found: the events the
				// checkpoint covers say more about what was removed.
				missing = &Problem{Kind: ProblemCheckpoint, Seq: -1, Msg: fmt.Sprintf("%s (size %d) is missing from the database: checkpoints were deleted", sc.describe(), cp.Size)}
			}
			out = append(out, sc)
			rep.Published++
		}
	}
	if s.opts.Signer == nil {
		if len(out) > 0 {
			rep.Warnings = append(rep.Warnings, "no signing key configured: checkpoint signatures were not checked")
		}
		return out, missing, nil
	}
	for _, cp := range out {
		if err := cp.VerifySignature(s.opts.Signer.PublicKey()); err != nil {
			rep.Problem = &Problem{Kind: ProblemCheckpoint, Seq: -1, Msg: cp.describe() + ": " + err.Error()}
			return out, missing, nil
		}
	}
	return out, missing, nil
}

// verifiedBase loads the retention base and checks it against its own
// signed root.
func (s *Service) verifiedBase(ctx context.Context, rep *VerifyReport) (base, error) {
	b, err := s.loadBase(ctx)
	if err != nil {
		rep.Problem = &Problem{Kind: ProblemCheckpoint, Seq: -1, Msg: err.Error()}
		return b, nil
	}
	if b.cp != nil && !bytes.Equal(rootOf(b.rng), b.cp.RootBytes()) {
		rep.Problem = &Problem{Kind: ProblemCheckpoint, Seq: -1, Msg: "the latest retention checkpoint's range does not hash to its root"}
	}
	return b, nil
}

// verifySubjects checks that every pseudonym is the HMAC of its user id
// under its key, so the mapping cannot be redirected to another user.
func (s *Service) verifySubjects(ctx context.Context, rep *VerifyReport) error {
	return s.store.AllSubjects(ctx, func(sub Subject) error {
		rep.Subjects++
		if Pseudonym(sub.Key, sub.ID) != sub.Pseudonym {
			rep.Problem = &Problem{Kind: ProblemSubject, Seq: -1,
				Msg: fmt.Sprintf("the pseudonym of user %q does not derive from its key: the mapping was edited", sub.ID)}
			return errStop
		}
		return nil
	})
}
