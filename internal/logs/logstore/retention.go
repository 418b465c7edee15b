package logstore

import (
	"fmt"
	"os"
	"time"
)

// Retain deletes every partition whose whole day is older than its
// environment's retention (keep(env); zero keeps forever) and returns what
// it deleted. Deleting is removing a directory: no rewrite, no compaction.
func (s *Store) Retain(now time.Time, keep func(env string) time.Duration) ([]PartitionStats, error) {
	s.mergeMu.Lock() // not during a merge into a partition it deletes
	defer s.mergeMu.Unlock()
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.mu.Lock()
	var doomed []*partition
	var out []PartitionStats
	for k, pt := range s.partitions {
		d := keep(k.env)
		if d <= 0 {
			continue
		}
		day, err := time.Parse("2006-01-02", k.day)
		if err != nil {
			continue
		}
		if !day.Add(24 * time.Hour).After(now.Add(-d)) {
			st := PartitionStats{Env: k.env, Day: k.day, Parts: len(pt.parts)}
			for _, p := range pt.parts {
				st.Lines += p.rows
				st.Bytes += p.size
			}
			out = append(out, st)
			doomed = append(doomed, pt)
			delete(s.partitions, k)
		}
	}
	s.mu.Unlock()
	var firstErr error
	for _, pt := range doomed {
		for _, p := range pt.parts {
			p.release() // deleted once no scan reads it
		}
		if err := os.RemoveAll(pt.dir); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("delete partition %s: %w", pt.dir, err)
		}
	}
	return out, firstErr
}
