// Copyright 2026 Warden developers (a patch carried by Warden, see PATCHES.md)
// SPDX-License-Identifier: Apache-2.0

package collections

import (
	"github.com/corazawaf/coraza/v3/internal/corazarules"
	"github.com/corazawaf/coraza/v3/types"
)

// Warden patch 9 (PATCHES.md): a one-element match list written into the
// caller's buffer instead of a new allocation, for a caller that is done
// with the list before it asks again.

// into writes md to *dst and returns []types.MatchData{dst} backed by buf
// (capacity one, so an append copies it).
func into(md corazarules.MatchData, dst *corazarules.MatchData, buf *[1]types.MatchData) []types.MatchData {
	*dst = md
	buf[0] = dst
	return buf[:]
}

// FindAllInto is FindAll with its one match written to *dst and the list
// backed by buf.
func (c *Single) FindAllInto(dst *corazarules.MatchData, buf *[1]types.MatchData) []types.MatchData {
	return into(corazarules.MatchData{Variable_: c.variable, Value_: c.data}, dst, buf)
}

// FindLoweredInto is FindLowered, except that when the key has exactly one
// value the match is written to *dst and the list is backed by buf.
func (c *Map) FindLoweredInto(key string, dst *corazarules.MatchData, buf *[1]types.MatchData) []types.MatchData {
	if key != "" && len(c.data) > 0 {
		if e := c.data[key]; len(e) == 1 {
			return into(corazarules.MatchData{Variable_: c.variable, Key_: e[0].key, Value_: e[0].value}, dst, buf)
		}
	}
	return c.FindLowered(key)
}
