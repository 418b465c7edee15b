// Copyright 2026 Warden developers
// SPDX-License-Identifier: Apache-2.0

package corazawaf

import (
	"slices"
	"testing"

	utils "github.com/corazawaf/coraza/v3/internal/strings"
)

// scanByTag is what ctl did before the index: every rule's tags, in order.
func scanByTag(rg *RuleGroup, tag string) []int {
	var ids []int
	for _, r := range rg.GetRules() {
		if utils.InSlice(tag, r.Tags_) {
			ids = append(ids, r.ID_)
		}
	}
	return ids
}

func TestRuleIDsByTagEqualsScan(t *testing.T) {
	rg := NewRuleGroup()
	if got := rg.RuleIDsByTag("a"); got != nil {
		t.Fatalf("empty group: %v", got)
	}
	tags := [][]string{{"a"}, {"b", "a"}, {}, {"a", "a"}, {"c"}, {"b"}}
	for i, ts := range tags {
		r := NewRule()
		r.ID_ = 10 + i
		r.Tags_ = ts
		if err := rg.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	check := func() {
		t.Helper()
		for _, tag := range []string{"a", "b", "c", "d"} {
			if got, want := rg.RuleIDsByTag(tag), scanByTag(&rg, tag); !slices.Equal(got, want) {
				t.Errorf("tag %q: index %v, scan %v", tag, got, want)
			}
		}
	}
	check()
	rg.DeleteByID(11)
	check()
	rg.DeleteByTag("c")
	check()
	r := NewRule()
	r.ID_ = 99
	r.Tags_ = []string{"d", "a"}
	if err := rg.Add(r); err != nil {
		t.Fatal(err)
	}
	check()
}
