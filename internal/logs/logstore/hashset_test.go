package logstore

import (
	"math/rand/v2"
	"testing"
)

// TestHashSetAsMap: the block filter's key set holds exactly what a map
// would, across growth and reuse, the hash 0 included.
func TestHashSetAsMap(t *testing.T) {
	var h hashSet
	rng := rand.New(rand.NewPCG(1, 2))
	for round, n := range []int{0, 10, 5000, 100_000, 3} {
		h.reset()
		want := map[uint64]bool{}
		for i := 0; i < n; i++ {
			k := rng.Uint64() % uint64(2*n+1) // repeats
			if i%97 == 0 {
				k = 0
			}
			h.add(k)
			want[k] = true
		}
		got := map[uint64]bool{}
		h.each(func(k uint64) {
			if got[k] {
				t.Fatalf("round %d: %d twice", round, k)
			}
			got[k] = true
		})
		if h.len() != len(want) || len(got) != len(want) {
			t.Fatalf("round %d: len %d, each %d, want %d", round, h.len(), len(got), len(want))
		}
		for k := range want {
			if !got[k] {
				t.Fatalf("round %d: %d missing", round, k)
			}
		}
	}
}
