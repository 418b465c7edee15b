// Copyright 2026 Warden developers (a patch carried by Warden, see PATCHES.md)
// SPDX-License-Identifier: Apache-2.0

package corazawaf

import (
	"strings"
	"testing"

	"github.com/corazawaf/coraza/v3/internal/variables"
)

// TestMatchedVarNamesAsUpstream checks Warden patch 8's names against
// upstream's construction: NAME[:key] and strings.ToLower of it.
func TestMatchedVarNamesAsUpstream(t *testing.T) {
	for _, v := range []variables.RuleVariable{variables.TX, variables.RequestHeaders, variables.Args, variables.RequestFilename, variables.Unknown} {
		for _, key := range []string{"", "a", "User-Agent", "ÆØÅ-Key", "in\xffvalid\xc3", "x:Y"} {
			want := v.Name()
			if key != "" {
				want += ":" + key
			}
			name, lower := matchedVarNames(v, key)
			if name != want || lower != strings.ToLower(want) {
				t.Errorf("matchedVarNames(%s, %q) = %q, %q; want %q, %q", v.Name(), key, name, lower, want, strings.ToLower(want))
			}
		}
	}
}
