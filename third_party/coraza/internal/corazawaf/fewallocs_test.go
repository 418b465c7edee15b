// Copyright 2026 Warden developers (a patch carried by Warden, see PATCHES.md)
// SPDX-License-Identifier: Apache-2.0

package corazawaf

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corazawaf/coraza/v3/internal/corazarules"
	"github.com/corazawaf/coraza/v3/internal/variables"
	"github.com/corazawaf/coraza/v3/types"
)

// TestMatchedVarNamesAsUpstream checks Warden patch 8's names against
// upstream's construction: NAME[:key] and strings.ToLower of it.
func TestMatchedVarNamesAsUpstream(t *testing.T) {
	tx := NewWAF().NewTransaction()
	defer tx.Close()
	long := strings.Repeat("Long-Key-", 40) // over the block's limit, built apart
	for _, v := range []variables.RuleVariable{variables.TX, variables.RequestHeaders, variables.Args, variables.RequestFilename, variables.Unknown} {
		for _, key := range []string{"", "a", "User-Agent", "ÆØÅ-Key", "in\xffvalid\xc3", "x:Y", long} {
			want := v.Name()
			if key != "" {
				want += ":" + key
			}
			name, lower := tx.matchedVarNames(v, key)
			if name != want || lower != strings.ToLower(want) {
				t.Errorf("matchedVarNames(%s, %q) = %q, %q; want %q, %q", v.Name(), key, name, lower, want, strings.ToLower(want))
			}
		}
	}
}

// TestPatch9WithoutExceptedAsUpstream checks the exception filter against
// upstream's: the rule's exceptions plus the removed targets naming the
// variable, applied to every match, keeping order.
func TestPatch9WithoutExceptedAsUpstream(t *testing.T) {
	mk := func(keys ...string) []types.MatchData {
		var out []types.MatchData
		for _, k := range keys {
			out = append(out, &corazarules.MatchData{Variable_: variables.Args, Key_: k, Value_: "v" + k})
		}
		return out
	}
	upstream := func(matches []types.MatchData, exs []ruleVariableException) []string {
		var kept []string
		for _, c := range matches {
			lkey := strings.ToLower(c.Key())
			isEx := false
			for _, ex := range exs {
				if (ex.KeyRx != nil && ex.KeyRx.MatchString(lkey)) || (ex.KeyRx == nil && (ex.KeyStr == "" || strings.ToLower(ex.KeyStr) == lkey)) {
					isEx = true
					break
				}
			}
			if !isEx {
				kept = append(kept, c.Key())
			}
		}
		return kept
	}
	keysOf := func(mds []types.MatchData) []string {
		var out []string
		for _, m := range mds {
			out = append(out, m.Key())
		}
		return out
	}
	rx := regexp.MustCompile(`^id_`)
	matches := mk("a", "B", "id_1", "c", "id_2")
	cases := []struct {
		own     []ruleVariableException
		removed []ruleVariableParams
	}{
		{nil, nil},
		{[]ruleVariableException{{"b", nil}}, nil},
		{nil, []ruleVariableParams{{Variable: variables.Args, KeyRx: rx}}},
		{nil, []ruleVariableParams{{Variable: variables.RequestHeaders, KeyStr: "a"}}},
		{[]ruleVariableException{{"zz", nil}}, []ruleVariableParams{{Variable: variables.Args, KeyStr: "C"}, {Variable: variables.Args, KeyRx: rx}}},
		{nil, []ruleVariableParams{{Variable: variables.Args}}},
	}
	for i, c := range cases {
		rv := ruleVariableParams{Variable: variables.Args, Exceptions: c.own}
		all := append([]ruleVariableException(nil), c.own...)
		for _, r := range c.removed {
			if r.Variable == rv.Variable {
				all = append(all, ruleVariableException{r.KeyStr, r.KeyRx})
			}
		}
		got := keysOf(withoutExcepted(matches, &rv, c.removed))
		if want := upstream(matches, all); !slices.Equal(got, want) {
			t.Errorf("case %d: kept %v, want %v", i, got, want)
		}
	}
	if got := keysOf(matches); !slices.Equal(got, []string{"a", "B", "id_1", "c", "id_2"}) {
		t.Errorf("the input list was changed: %v", got)
	}
}

// TestDisruptiveActionAsMap checks the switch against upstream's map, for
// every name in it and for names not in it.
func TestDisruptiveActionAsMap(t *testing.T) {
	names := []string{"", "block", "Deny", "proxy", "denyx"}
	for name := range corazarules.DisruptiveActionMap {
		names = append(names, name)
	}
	for _, name := range names {
		if got, want := disruptiveAction(name), corazarules.DisruptiveActionMap[name]; got != want {
			t.Errorf("disruptiveAction(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestCollectionArrayAsSwitch checks Warden patch 11: Collection gives what
// upstream's switch gives for every variable, also on a pooled transaction.
func TestCollectionArrayAsSwitch(t *testing.T) {
	waf := NewWAF()
	for round := 0; round < 2; round++ {
		tx := waf.NewTransaction()
		for i := 0; i < 256; i++ {
			v := variables.RuleVariable(i)
			if got, want := tx.Collection(v), tx.variables.collectionOf(v); got != want {
				t.Fatalf("round %d: Collection(%s) = %v, want %v", round, v.Name(), got, want)
			}
		}
		if err := tx.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBlockStringsStayUnchanged makes many names through the transaction's
// string blocks and checks that every one made earlier still reads the same
// afterwards (patch 13: a block's bytes are only appended to).
func TestBlockStringsStayUnchanged(t *testing.T) {
	tx := NewWAF().NewTransaction()
	type pair struct{ name, lower, want string }
	var made []pair
	for i := 0; i < 2000; i++ {
		key := strings.Repeat("K", i%50) + "-" + strconv.Itoa(i)
		name, lower := tx.matchedVarNames(variables.RequestHeaders, key)
		made = append(made, pair{name, lower, "REQUEST_HEADERS:" + key})
	}
	for _, p := range made {
		if p.name != p.want || p.lower != strings.ToLower(p.want) {
			t.Fatalf("got %q, %q; want %q", p.name, p.lower, p.want)
		}
	}
	if err := tx.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range made {
		if p.name != p.want || p.lower != strings.ToLower(p.want) {
			t.Fatalf("after Close: got %q, %q; want %q", p.name, p.lower, p.want)
		}
	}
}
