package backup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Verify checks one backup end to end: the stored file's size and SHA-256,
// decryption, decompression and the raw SHA-256, a restore into a scratch
// location, the engine's integrity check and the row counts against the
// manifest. The result is recorded in the catalog and on the record; a
// failure raises BackupVerificationFailed.
func (m *Manager) Verify(ctx context.Context, id string, progress Progress) (*Check, error) {
	rec, err := m.opts.Catalog.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec.Status != StatusOK || rec.Manifest == nil {
		return nil, fmt.Errorf("verify %s: the backup did not complete (status %s), so there is nothing to verify", id, rec.Status)
	}
	t, err := m.Target(rec.Target)
	if err != nil {
		return nil, err
	}
	chk := m.runCheck(ctx, t, rec.Manifest, KindVerify, "", progress)
	rec.VerifyStatus, rec.VerifiedAt, rec.VerifyError = chk.Status, chk.StartedAt, chk.Error
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := m.opts.Catalog.Update(uctx, rec); err != nil {
		return chk, fmt.Errorf("verify %s: record result: %w", id, err)
	}
	if chk.Status != VerifyPassed {
		m.raise(ctx, "BackupVerificationFailed", t.Name, "critical", "Backup "+id+" failed verification", chk.Error)
		return chk, errors.New(chk.Error)
	}
	m.resolve(ctx, "BackupVerificationFailed", t.Name)
	return chk, nil
}

// Drill restores the newest good backup of target onto a separate location
// (to, or a scratch location removed afterwards), verifies it and records a
// report with the RPO and RTO.
func (m *Manager) Drill(ctx context.Context, target, to string, progress Progress) (*Check, error) {
	t, err := m.Target(target)
	if err != nil {
		return nil, err
	}
	if to != "" {
		live, err := t.Source.IsLive(to)
		if err != nil {
			return nil, err
		}
		if live {
			return nil, &Error{Op: "drill", Target: target, Err: ErrLive, Hint: "a drill restores onto a separate location; give another --to"}
		}
	}
	man, err := m.pick(ctx, t, "latest")
	if err != nil {
		return nil, err
	}
	chk := m.runCheck(ctx, t, man, KindDrill, to, progress)
	if chk.Status != VerifyPassed {
		m.raise(ctx, "BackupVerificationFailed", t.Name, "critical", "Restore drill of "+t.Name+" failed", chk.Error)
		return chk, errors.New(chk.Error)
	}
	return chk, nil
}

// runCheck is the pipeline shared by Verify and Drill. It always records a
// Check, passed or failed.
func (m *Manager) runCheck(ctx context.Context, t *Target, man *Manifest, kind, to string, progress Progress) *Check {
	start := m.opts.Clock.Now()
	chk := &Check{ID: newCheckID(), BackupID: man.ID, Target: t.Name, Kind: kind, StartedAt: start.UTC(), Status: VerifyPassed}
	err := m.check(ctx, t, man, kind, to, &chk.Report, progress)
	chk.DurationMS = m.opts.Clock.Now().Sub(start).Milliseconds()
	if err != nil {
		chk.Status, chk.Error = VerifyFailed, err.Error()
	}
	log := m.opts.Logger.With("target", t.Name, "backup", man.ID, "kind", kind)
	if err != nil {
		log.Error("backup check failed", "error", err)
	} else {
		log.Info("backup check passed", "restore_ms", chk.Report.RestoreMS, "rpo_s", chk.Report.RPOSeconds)
	}
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if aerr := m.opts.Catalog.AddCheck(uctx, chk); aerr != nil {
		log.Error("record backup check", "error", aerr)
	}
	return chk
}

func (m *Manager) check(ctx context.Context, t *Target, man *Manifest, op, to string, rep *Report, progress Progress) error {
	f, err := man.Artifact()
	if err != nil {
		return err
	}
	rep.Artifact, rep.SnapshotAt = f.Name, man.SnapshotAt
	work, err := os.MkdirTemp(m.opts.WorkDir, "warden-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	raw, err := m.unseal(ctx, t, man, op, work, rep, progress)
	if err != nil {
		return err
	}
	location, cleanup := to, func() {}
	if location == "" {
		location, cleanup, err = t.Source.Scratch(ctx, op)
		if err != nil {
			return &Error{Op: op, Target: t.Name, Err: fmt.Errorf("scratch location: %w", err)}
		}
	}
	defer cleanup()
	rep.Location = location
	progress.report("restore", 0, 0)
	began := m.opts.Clock.Now()
	if err := t.Source.Restore(ctx, raw, location, false); err != nil {
		return &Error{Op: op, Target: t.Name, File: f.Name, Err: fmt.Errorf("restore into %s: %w", location, err)}
	}
	rep.RestoreMS = m.opts.Clock.Now().Sub(began).Milliseconds()
	rep.RPOSeconds = int64(m.opts.Clock.Now().Sub(man.SnapshotAt).Seconds())
	insp, err := t.Source.Inspect(ctx, location)
	if err != nil {
		return &Error{Op: op, Target: t.Name, File: f.Name, Err: fmt.Errorf("inspect restored copy: %w", err)}
	}
	rep.Integrity = insp.Integrity
	if insp.Integrity != "ok" {
		return &Error{Op: op, Target: t.Name, File: f.Name, Err: fmt.Errorf("integrity check of the restored copy failed: %s", insp.Integrity)}
	}
	rep.Tables, err = reconcile(man.Tables, insp.Tables)
	if err != nil {
		return &Error{Op: op, Target: t.Name, File: f.Name, Err: err}
	}
	if t.PostCheck != nil {
		name, result, err := t.PostCheck(ctx, location)
		if rep.Extra == nil {
			rep.Extra = map[string]string{}
		}
		rep.Extra[name] = result
		if err != nil {
			return &Error{Op: op, Target: t.Name, File: f.Name, Err: fmt.Errorf("%s: %w", name, err)}
		}
	}
	return nil
}

// unseal fetches the artifact into work, checks its checksums, decrypts and
// decompresses it, and returns the raw dump's path.
func (m *Manager) unseal(ctx context.Context, t *Target, man *Manifest, op, work string, rep *Report, progress Progress) (string, error) {
	f, err := man.Artifact()
	if err != nil {
		return "", err
	}
	rc, err := t.Dest.Open(ctx, f.Name)
	if err != nil {
		rep.Checksums = "artifact missing"
		return "", &Error{Op: op, Target: t.Name, File: f.Name, Err: fmt.Errorf("open in %s: %w", t.Dest, err)}
	}
	stored := filepath.Join(work, f.Name)
	err = fetch(rc, stored, f, progress)
	rc.Close()
	if err != nil {
		rep.Checksums = err.Error()
		return "", &Error{Op: op, Target: t.Name, File: f.Name, Err: err}
	}
	rep.Checksums = "ok"
	raw := filepath.Join(work, "raw."+t.Source.Ext())
	if err := t.Opener.open(stored, raw, f, man.Encryption == "age", progress); err != nil {
		hint := ""
		if man.Encryption == "age" {
			hint = "check the target's encryption.identity_file, or pass --identity"
		}
		return "", &Error{Op: op, Target: t.Name, File: f.Name, Err: err, Hint: hint}
	}
	os.Remove(stored)
	rep.Decrypted = man.Encryption == "age"
	return raw, nil
}

func newCheckID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
