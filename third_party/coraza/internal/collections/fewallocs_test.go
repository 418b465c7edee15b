// Copyright 2026 Warden developers (a patch carried by Warden, see PATCHES.md)
// SPDX-License-Identifier: Apache-2.0

package collections

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/corazawaf/coraza/v3/internal/corazarules"
	"github.com/corazawaf/coraza/v3/types"
	"github.com/corazawaf/coraza/v3/types/variables"
)

func sortedMatches(mds []types.MatchData) []string {
	var out []string
	for _, m := range mds {
		out = append(out, m.Key()+"="+m.Value())
	}
	slices.Sort(out)
	return out
}

// TestPatch8SameAsUpstreamMethods applies the same random operations to two
// maps, one through upstream's methods and one through Warden patch 8's
// (AddLowered, SetOne, FirstValue, FindLowered), with Resets in between, and
// checks that they hold the same data after every step.
func TestPatch8SameAsUpstreamMethods(t *testing.T) {
	keys := []string{"a", "B", "Content-Type", "content-type", "x_Y", "ÆØÅ", "tx.score"}
	for _, sensitive := range []bool{false, true} {
		newMap := NewMap
		if sensitive {
			newMap = NewCaseSensitiveKeyMap
		}
		up, pt := newMap(variables.TX), newMap(variables.TX)
		rng := rand.New(rand.NewSource(1))
		for step := 0; step < 5000; step++ {
			k := keys[rng.Intn(len(keys))]
			v := fmt.Sprint(step)
			switch rng.Intn(6) {
			case 0:
				up.Add(k, v)
				pt.AddLowered(k, strings.ToLower(k), v)
			case 1:
				up.Set(k, []string{v})
				pt.SetOne(k, v)
			case 2:
				want, wantOK := "", false
				if r := up.Get(k); len(r) > 0 {
					want, wantOK = r[0], true
				}
				if got, ok := pt.FirstValue(k); got != want || ok != wantOK {
					t.Fatalf("step %d: FirstValue(%q) = %q, want %q", step, k, got, want)
				}
			case 3:
				lk := k
				if !sensitive {
					lk = strings.ToLower(k)
				}
				if got, want := sortedMatches(pt.FindLowered(lk)), sortedMatches(up.FindString(k)); !slices.Equal(got, want) {
					t.Fatalf("step %d: FindLowered(%q) = %v, want %v", step, lk, got, want)
				}
			case 4:
				if rng.Intn(10) == 0 {
					up.Reset()
					pt.Reset()
				}
			case 5:
				up.Remove(k)
				pt.Remove(k)
			}
			if got, want := sortedMatches(pt.FindAll()), sortedMatches(up.FindAll()); !slices.Equal(got, want) {
				t.Fatalf("step %d (sensitive %v): FindAll = %v, want %v", step, sensitive, got, want)
			}
			if pt.TotalValues() != up.TotalValues() || pt.Len() != up.Len() {
				t.Fatalf("step %d: counts %d/%d, want %d/%d", step, pt.TotalValues(), pt.Len(), up.TotalValues(), up.Len())
			}
		}
	}
}

// TestPatch8NewKeyIsAppendSafe checks that a key's one-value slice carved
// from the shared block is copied, not extended into its neighbour, when a
// second value is added.
func TestPatch8NewKeyIsAppendSafe(t *testing.T) {
	m := NewMap(variables.TX)
	m.Add("a", "1")
	m.Add("b", "2")
	m.Add("a", "3")
	if got := m.Get("b"); !slices.Equal(got, []string{"2"}) {
		t.Fatalf("b = %v", got)
	}
	if got := m.Get("a"); !slices.Equal(got, []string{"1", "3"}) {
		t.Fatalf("a = %v", got)
	}
}

// TestPatch9IntoSameAsFind checks FindLoweredInto and FindAllInto against
// FindLowered and FindAll.
func TestPatch9IntoSameAsFind(t *testing.T) {
	var dst corazarules.MatchData
	var buf [1]types.MatchData
	m := NewMap(variables.TX)
	m.Add("one", "1")
	m.Add("two", "a")
	m.Add("two", "b")
	for _, k := range []string{"one", "two", "none", ""} {
		got, want := m.FindLoweredInto(k, &dst, &buf), m.FindLowered(k)
		if !slices.Equal(sortedMatches(got), sortedMatches(want)) {
			t.Errorf("FindLoweredInto(%q) = %v, want %v", k, sortedMatches(got), sortedMatches(want))
		}
		for i := range got {
			if got[i].Variable() != variables.TX {
				t.Errorf("FindLoweredInto(%q)[%d] variable %v", k, i, got[i].Variable())
			}
		}
	}
	s := NewSingle(variables.RequestMethod)
	s.Set("GET")
	got, want := s.FindAllInto(&dst, &buf), s.FindAll()
	if len(got) != 1 || *got[0].(*corazarules.MatchData) != *want[0].(*corazarules.MatchData) || cap(got) != 1 {
		t.Errorf("FindAllInto = %v, want %v", got, want)
	}
}
