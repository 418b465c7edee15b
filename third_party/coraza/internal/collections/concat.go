// Copyright 2023 Juan Pablo Tosso and the OWASP Coraza contributors
// SPDX-License-Identifier: Apache-2.0

package collections

import (
	"regexp"
	"strings"

	"github.com/corazawaf/coraza/v3/collection"
	"github.com/corazawaf/coraza/v3/internal/corazarules"
	"github.com/corazawaf/coraza/v3/types"
	"github.com/corazawaf/coraza/v3/types/variables"
)

// ConcatCollection is a collection view over multiple collections.
type ConcatCollection struct {
	data     []collection.Collection
	variable variables.RuleVariable
}

var _ collection.Collection = &ConcatCollection{}

func NewConcatCollection(variable variables.RuleVariable, data ...collection.Collection) *ConcatCollection {
	return &ConcatCollection{
		data:     data,
		variable: variable,
	}
}

// FindAll returns all matches for all collections
func (c *ConcatCollection) FindAll() []types.MatchData {
	var res []types.MatchData
	for _, d := range c.data {
		res = append(res, replaceVariable(c.variable, d.FindAll())...)
	}
	return res
}

// Name returns the name for the current CollectionconcatCollection
func (c *ConcatCollection) Name() string {
	return c.variable.Name()
}

// ConcatKeyed is a collection view over multiple keyed collections.
type ConcatKeyed struct {
	data     []collection.Keyed
	variable variables.RuleVariable

	// all is the last FindAll result and allChanges its parts' change
	// counts then; it is returned again while the counts are the same
	// (Warden patch 7, PATCHES.md). allOK is false until it is filled.
	all        []types.MatchData
	allChanges []uint64
	allOK      bool
}

// changeCounter is a collection that counts its changes (Map and the
// collections built on it).
type changeCounter interface{ changeCount() uint64 }

// unchanged reports whether every part has the change count it had when
// all was computed; false if a part does not count its changes.
func (c *ConcatKeyed) unchanged() bool {
	if !c.allOK {
		return false
	}
	for i, d := range c.data {
		cc, ok := d.(changeCounter)
		if !ok || cc.changeCount() != c.allChanges[i] {
			return false
		}
	}
	return true
}

var _ collection.Keyed = &ConcatKeyed{}

func NewConcatKeyed(variable variables.RuleVariable, data ...collection.Keyed) *ConcatKeyed {
	return &ConcatKeyed{
		data:     data,
		variable: variable,
	}
}

func (c *ConcatKeyed) Get(key string) []string {
	keyL := strings.ToLower(key)
	var res []string
	for _, c := range c.data {
		res = append(res, c.Get(keyL)...)
	}
	return res
}

// FindRegex returns a slice of MatchData for the regex
func (c *ConcatKeyed) FindRegex(key *regexp.Regexp) []types.MatchData {
	var res []types.MatchData
	for _, d := range c.data {
		res = appendMatches(res, replaceVariable(c.variable, d.FindRegex(key)))
	}
	return res
}

// FindString returns a slice of MatchData for the string
func (c *ConcatKeyed) FindString(key string) []types.MatchData {
	var res []types.MatchData
	for _, d := range c.data {
		res = appendMatches(res, replaceVariable(c.variable, d.FindString(key)))
	}
	return res
}

// FindAll returns all matches for all collections
//
// Warden patch 7 (PATCHES.md): the result is kept and returned again while
// no part has changed (ARGS is built once per request phase but read by
// most rules). The caller must not modify the returned slice or its
// elements; its capacity is its length, so appending to it copies.
func (c *ConcatKeyed) FindAll() []types.MatchData {
	if c.unchanged() {
		return c.all
	}
	var res []types.MatchData
	for _, d := range c.data {
		res = appendMatches(res, replaceVariable(c.variable, d.FindAll()))
	}
	res = res[:len(res):len(res)]
	c.allOK = false
	c.allChanges = c.allChanges[:0]
	for _, d := range c.data {
		cc, ok := d.(changeCounter)
		if !ok {
			return res
		}
		c.allChanges = append(c.allChanges, cc.changeCount())
	}
	c.all, c.allOK = res, true
	return res
}

// Name returns the name for the current CollectionconcatCollection
func (c *ConcatKeyed) Name() string {
	return c.variable.Name()
}

// replaceVariable ensures a returned match references the variable of a concatenated variable,
// not original one.
func replaceVariable(v variables.RuleVariable, md []types.MatchData) []types.MatchData {
	for _, m := range md {
		m.(*corazarules.MatchData).Variable_ = v
	}
	return md
}

// appendMatches is append(res, md...), except that the first non-empty md is
// returned as it is rather than copied into a new slice (most requests have
// arguments in only one of ARGS_GET, ARGS_POST and ARGS_PATH). Its capacity
// is cut to its length, so a later append copies instead of writing past
// it. Warden patch 3 (PATCHES.md).
func appendMatches(res, md []types.MatchData) []types.MatchData {
	if len(res) == 0 && len(md) > 0 {
		return md[:len(md):len(md)]
	}
	return append(res, md...)
}
