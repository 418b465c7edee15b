// Copyright 2026 Warden developers (a patch carried by Warden, see PATCHES.md)
// SPDX-License-Identifier: Apache-2.0

package collections

import (
	"github.com/corazawaf/coraza/v3/internal/corazarules"
	"github.com/corazawaf/coraza/v3/types"
)

// oneMatchList holds a one-element match list and its element, so that the
// list costs one allocation instead of two (Warden patch 5, PATCHES.md).
type oneMatchList struct {
	md   corazarules.MatchData
	list [1]types.MatchData
}

// oneMatch returns []types.MatchData{&md}, in one allocation.
func oneMatch(md corazarules.MatchData) []types.MatchData {
	o := &oneMatchList{md: md}
	o.list[0] = &o.md
	return o.list[:]
}
