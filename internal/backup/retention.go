package backup

import (
	"context"
	"fmt"
	"time"
)

// Keep is a retention policy with restic's semantics: Last keeps the N
// newest backups; Daily, Weekly and Monthly each keep the newest backup of
// the N most recent days, ISO weeks and months (UTC) that have one. The
// rules are applied independently and a backup any rule keeps is kept. A
// zero policy keeps everything.
type Keep struct {
	Last, Daily, Weekly, Monthly int
}

// IsZero reports whether the policy keeps everything.
func (k Keep) IsZero() bool { return k.Last <= 0 && k.Daily <= 0 && k.Weekly <= 0 && k.Monthly <= 0 }

// Select splits good backups into those to keep and those to drop. protect
// names a backup that is kept whatever the rules say (the newest verified
// one). Both results are newest first.
func (k Keep) Select(recs []Record, protect string) (keep, drop []Record) {
	sorted := append([]Record(nil), recs...)
	sortNewestFirst(sorted)
	if k.IsZero() {
		return sorted, nil
	}
	kept := make([]bool, len(sorted))
	for i := 0; i < len(sorted) && i < k.Last; i++ {
		kept[i] = true
	}
	buckets := []struct {
		n   int
		key func(time.Time) string
	}{
		{k.Daily, func(t time.Time) string { return t.Format("2006-01-02") }},
		{k.Weekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) }},
		{k.Monthly, func(t time.Time) string { return t.Format("2006-01") }},
	}
	for _, b := range buckets {
		seen := map[string]bool{}
		for i := 0; i < len(sorted) && len(seen) < b.n; i++ {
			key := b.key(sorted[i].StartedAt.UTC())
			if !seen[key] {
				seen[key] = true
				kept[i] = true
			}
		}
	}
	for i, r := range sorted {
		if kept[i] || (protect != "" && r.ID == protect) {
			keep = append(keep, r)
		} else {
			drop = append(drop, r)
		}
	}
	return keep, drop
}

// Prune applies the target's retention: it deletes dropped backups'
// artifacts and manifests from the destination, then their records. The
// newest verified backup is never deleted. It returns the deleted ids.
func (m *Manager) Prune(ctx context.Context, target string) ([]string, error) {
	t, err := m.Target(target)
	if err != nil {
		return nil, err
	}
	recs, err := m.opts.Catalog.List(ctx, Filter{Target: target, Status: StatusOK})
	if err != nil {
		return nil, err
	}
	protect := ""
	for _, r := range recs { // newest first
		if r.VerifyStatus == VerifyPassed {
			protect = r.ID
			break
		}
	}
	_, drop := t.Keep.Select(recs, protect)
	var deleted []string
	for _, r := range drop {
		if r.Artifact != "" {
			if err := t.Dest.Delete(ctx, r.Artifact); err != nil {
				return deleted, fmt.Errorf("retention %s: delete %s: %w", target, r.Artifact, err)
			}
		}
		if err := t.Dest.Delete(ctx, ManifestName(r.ID)); err != nil {
			return deleted, fmt.Errorf("retention %s: delete %s: %w", target, ManifestName(r.ID), err)
		}
		if err := m.opts.Catalog.Delete(ctx, r.ID); err != nil {
			return deleted, fmt.Errorf("retention %s: forget %s: %w", target, r.ID, err)
		}
		deleted = append(deleted, r.ID)
	}
	if !t.Keep.IsZero() {
		if err := m.forgetOldFailures(ctx, target, recs, drop); err != nil {
			return deleted, err
		}
	}
	if len(deleted) > 0 {
		m.opts.Logger.Info("backup retention", "target", target, "deleted", len(deleted))
	}
	return deleted, nil
}

// forgetOldFailures deletes the records of failed backups older than the
// oldest good backup still kept: failures stay visible for as long as the
// retention window reaches back, and the catalog does not grow forever.
func (m *Manager) forgetOldFailures(ctx context.Context, target string, good, dropped []Record) error {
	gone := map[string]bool{}
	for _, r := range dropped {
		gone[r.ID] = true
	}
	var oldest time.Time
	for _, r := range good {
		if !gone[r.ID] && (oldest.IsZero() || r.StartedAt.Before(oldest)) {
			oldest = r.StartedAt
		}
	}
	if oldest.IsZero() {
		return nil
	}
	failed, err := m.opts.Catalog.List(ctx, Filter{Target: target, Status: StatusFailed})
	if err != nil {
		return err
	}
	for _, r := range failed {
		if r.StartedAt.Before(oldest) {
			if err := m.opts.Catalog.Delete(ctx, r.ID); err != nil {
				return fmt.Errorf("retention %s: forget failed %s: %w", target, r.ID, err)
			}
		}
	}
	return nil
}
