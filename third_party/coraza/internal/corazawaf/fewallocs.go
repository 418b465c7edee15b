// Copyright 2026 Warden developers (a patch carried by Warden, see PATCHES.md)
// SPDX-License-Identifier: Apache-2.0

package corazawaf

import (
	"strings"

	"github.com/corazawaf/coraza/v3/internal/corazarules"
	"github.com/corazawaf/coraza/v3/internal/variables"
	"github.com/corazawaf/coraza/v3/types"
)

// Warden patch 8 (PATCHES.md): fewer allocations per rule evaluated.

// matchList is a match and a one-element list holding it, allocated
// together.
type matchList struct {
	md   corazarules.MatchData
	list [1]types.MatchData
}

// newMatchList returns &md and []types.MatchData{&md} in one allocation;
// the list's capacity is one, so an append to it copies it.
func newMatchList(md corazarules.MatchData) (*corazarules.MatchData, []types.MatchData) {
	m := &matchList{md: md}
	m.list[0] = &m.md
	return &m.md, m.list[:]
}

// loweredFinder is a keyed collection that can look a key up without
// lowercasing it (collections.Map and what embeds it).
type loweredFinder interface {
	FindLowered(key string) []types.MatchData
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
// are new strings they share one allocation.
func matchedVarNames(v variables.RuleVariable, key string) (name, lower string) {
	vname := v.Name()
	if key == "" {
		return vname, lowerVariableNames[v]
	}
	lkey := strings.ToLower(key)
	lname := lowerVariableNames[v]
	n := len(vname) + 1 + len(key)
	var b strings.Builder
	b.Grow(n + len(lname) + 1 + len(lkey))
	b.WriteString(vname)
	b.WriteByte(':')
	b.WriteString(key)
	b.WriteString(lname)
	b.WriteByte(':')
	b.WriteString(lkey)
	s := b.String()
	return s[:n], s[n:]
}
