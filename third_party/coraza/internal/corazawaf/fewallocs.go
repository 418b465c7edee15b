// Copyright 2026 Warden developers (a patch carried by Warden, see PATCHES.md)
// SPDX-License-Identifier: Apache-2.0

package corazawaf

import (
	"regexp"
	"strings"
	"unsafe"

	"github.com/corazawaf/coraza/v3/internal/corazarules"
	"github.com/corazawaf/coraza/v3/internal/variables"
	"github.com/corazawaf/coraza/v3/types"
)

// Warden patch 8 (PATCHES.md): fewer allocations per rule evaluated.

// matchList is a match and a one-element list holding it, allocated
// together (Warden patch 8).
type matchList struct {
	md   corazarules.MatchData
	list [1]types.MatchData
}

// Warden patch 12 (PATCHES.md): the matches and matched rules of a
// transaction are carved from blocks it allocates as it needs them. A cell
// is handed out once and never handed out again; Close drops the blocks,
// so a match or a matched rule that outlives the transaction keeps its
// block alive and unchanged.

// txBlock is how many matches or matched rules share one allocation.
const txBlock = 16

// newMatch returns &md and []types.MatchData{&md} (patch 8: one list and
// its element together), carved from the transaction's current block; the
// list's capacity is one, so an append to it copies it.
func (tx *Transaction) newMatch(md corazarules.MatchData) (*corazarules.MatchData, []types.MatchData) {
	if len(tx.matchBlock) == 0 {
		tx.matchBlock = make([]matchList, txBlock)
	}
	m := &tx.matchBlock[0]
	tx.matchBlock = tx.matchBlock[1:]
	m.md = md
	m.list[0] = &m.md
	return &m.md, m.list[:]
}

// newMatchedRule returns a zero MatchedRule carved from the transaction's
// current block.
func (tx *Transaction) newMatchedRule() *corazarules.MatchedRule {
	if len(tx.ruleBlock) == 0 {
		tx.ruleBlock = make([]corazarules.MatchedRule, txBlock)
	}
	mr := &tx.ruleBlock[0]
	tx.ruleBlock = tx.ruleBlock[1:]
	return mr
}

// loweredFinder is a keyed collection that can look a key up without
// lowercasing it (collections.Map and what embeds it).
type loweredFinder interface {
	FindLoweredInto(key string, dst *corazarules.MatchData, buf *[1]types.MatchData) []types.MatchData
}

// lowerVariableNames[v] is strings.ToLower(v.Name()).
var lowerVariableNames [256]string

func init() {
	for i := range lowerVariableNames {
		lowerVariableNames[i] = strings.ToLower(variables.RuleVariable(i).Name())
	}
}

// matchedVarNames returns the name of a matched variable as upstream's
// matchVariable wrote it (NAME or NAME:key) and strings.ToLower of it,
// which is the name's lowercase form, ":" and the key's (variable names
// are ASCII, so lowercasing the parts is lowercasing the whole). When both
// are new strings they share one allocation (patch 8), or, for short ones,
// the transaction's current block of string bytes (patch 13).
func (tx *Transaction) matchedVarNames(v variables.RuleVariable, key string) (name, lower string) {
	vname := v.Name()
	if key == "" {
		return vname, lowerVariableNames[v]
	}
	lkey := strings.ToLower(key)
	lname := lowerVariableNames[v]
	n := len(vname) + 1 + len(key)
	total := n + len(lname) + 1 + len(lkey)
	if total > txStringBlock/8 {
		var b strings.Builder
		b.Grow(total)
		b.WriteString(vname)
		b.WriteByte(':')
		b.WriteString(key)
		b.WriteString(lname)
		b.WriteByte(':')
		b.WriteString(lkey)
		s := b.String()
		return s[:n], s[n:]
	}
	s := tx.blockString(total, vname, ":", key, lname, ":", lkey)
	return s[:n], s[n:]
}

// Warden patch 13 (PATCHES.md): short strings the transaction makes for
// every match are carved from a block of bytes. Bytes are only ever
// appended to the block, within its capacity, so the bytes behind a string
// already handed out are never written again; Close drops the block
// instead of reusing it, so a string that outlives the transaction keeps
// its block alive and unchanged.

// txStringBlock is the size of a block of string bytes.
const txStringBlock = 2048

// blockString returns the concatenation of parts, whose lengths add up to
// total (at most txStringBlock), as a string whose bytes are in the
// transaction's current block.
func (tx *Transaction) blockString(total int, parts ...string) string {
	if cap(tx.stringBlock)-len(tx.stringBlock) < total {
		tx.stringBlock = make([]byte, 0, txStringBlock)
	}
	start := len(tx.stringBlock)
	for _, p := range parts {
		tx.stringBlock = append(tx.stringBlock, p...)
	}
	return unsafe.String(&tx.stringBlock[start], total)
}

// hasRemovedTarget says whether a target removed by ctl names v.
func hasRemovedTarget(removed []ruleVariableParams, v variables.RuleVariable) bool {
	for _, c := range removed {
		if c.Variable == v {
			return true
		}
	}
	return false
}

// excepted is upstream's test of a match against a rule's exceptions: its
// own (rv.Exceptions), then the removed targets naming its variable.
func excepted(key string, rv *ruleVariableParams, removed []ruleVariableParams) bool {
	lkey := strings.ToLower(key)
	for _, ex := range rv.Exceptions {
		if exceptionMatches(ex.KeyStr, ex.KeyRx, lkey) {
			return true
		}
	}
	for _, c := range removed {
		if c.Variable == rv.Variable && exceptionMatches(c.KeyStr, c.KeyRx, lkey) {
			return true
		}
	}
	return false
}

// exceptionMatches is upstream's condition, unchanged. KeyStr is only
// meaningful without KeyRx: a regex exception from ctl carries an empty
// KeyStr, which would otherwise match a key named "".
func exceptionMatches(keyStr string, keyRx *regexp.Regexp, lkey string) bool {
	return (keyRx != nil && keyRx.MatchString(lkey)) || (keyRx == nil && (keyStr == "" || strings.ToLower(keyStr) == lkey))
}

// withoutExcepted returns the matches that are not excepted, in order: the
// list itself when none is, else a new slice (the list may be shared).
func withoutExcepted(matches []types.MatchData, rv *ruleVariableParams, removed []ruleVariableParams) []types.MatchData {
	for i, c := range matches {
		if !excepted(c.Key(), rv, removed) {
			continue
		}
		kept := make([]types.MatchData, i, len(matches)-1)
		copy(kept, matches[:i])
		for _, c := range matches[i+1:] {
			if !excepted(c.Key(), rv, removed) {
				kept = append(kept, c)
			}
		}
		return kept
	}
	return matches
}

// Warden patch 10 (PATCHES.md).

// matchedRulesCap is the capacity a transaction's list of matched rules
// starts with.
const matchedRulesCap = 64

// disruptiveAction is corazarules.DisruptiveActionMap[name] (the zero value,
// DisruptiveActionUnknown, for a name not in it), without hashing the name.
func disruptiveAction(name string) corazarules.DisruptiveAction {
	switch name {
	case "allow":
		return corazarules.DisruptiveActionAllow
	case "deny":
		return corazarules.DisruptiveActionDeny
	case "drop":
		return corazarules.DisruptiveActionDrop
	case "pass":
		return corazarules.DisruptiveActionPass
	case "redirect":
		return corazarules.DisruptiveActionRedirect
	}
	return corazarules.DisruptiveActionUnknown
}
