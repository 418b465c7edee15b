// Copyright 2026 Warden developers (a patch carried by Warden, see PATCHES.md)
// SPDX-License-Identifier: Apache-2.0

package corazarules

import "sync/atomic"

// ruleCollectionRead is set once anything can read the RULE collection: a
// macro naming it (%{rule.msg}) or a rule targeting it (RULE:msg), both
// marked when they are parsed, or Go code asking a transaction for it.
// Until then the per-rule RULE bookkeeping (id, msg, rev, logdata,
// severity, with msg and logdata macro-expanded) is skipped: nothing could
// see it. Warden patch 4 (PATCHES.md).
var ruleCollectionRead atomic.Bool

// MarkRuleCollectionRead records that the RULE collection can be read.
func MarkRuleCollectionRead() {
	if !ruleCollectionRead.Load() {
		ruleCollectionRead.Store(true)
	}
}

// RuleCollectionRead reports whether the RULE collection can be read.
func RuleCollectionRead() bool { return ruleCollectionRead.Load() }
