// Copyright 2026 Warden developers
// SPDX-License-Identifier: Apache-2.0

package corazawaf

import "sync"

// ruleTagIndex lists, per tag, the IDs of the rules that carry it, in the
// group's order (Warden patch 15). ctl:ruleRemoveByTag and
// ctl:ruleRemoveTargetByTag used to scan every rule's tags on every
// transaction that ran them; the CRS runs the second (rule 941010) on
// nearly every request. The index is built on first use, which is after
// the rules are parsed (a transaction cannot start before), once for all
// transactions.
type ruleTagIndex struct {
	once sync.Once
	ids  map[string][]int
}

// RuleIDsByTag returns the IDs of the rules tagged tag, in the order the
// rules were added: the rules a scan of GetRules with InSlice(tag, Tags_)
// would find, in the same order. The caller must not modify the slice.
func (rg *RuleGroup) RuleIDsByTag(tag string) []int {
	idx := rg.byTag
	if idx == nil {
		return nil
	}
	idx.once.Do(func() {
		idx.ids = map[string][]int{}
		for _, r := range rg.rules {
			for i, t := range r.Tags_ {
				if !containsBefore(r.Tags_, i, t) {
					idx.ids[t] = append(idx.ids[t], r.ID_)
				}
			}
		}
	})
	return idx.ids[tag]
}

// containsBefore reports whether t is among tags[:i]: a rule listed once
// per tag even when it repeats the tag.
func containsBefore(tags []string, i int, t string) bool {
	for _, u := range tags[:i] {
		if u == t {
			return true
		}
	}
	return false
}
