package logstore

import (
	"github.com/cespare/xxhash/v2"
)

// bloom is a token filter for one block: it answers "may this block hold
// the word w in field f, or the value v of field f?" without reading it.
// With bloomBitsPerKey bits and bloomHashes probes per key it is wrong
// about 2% of the time, always in the safe direction (a needless read).
type bloom []byte

const (
	bloomBitsPerKey = 10
	bloomHashes     = 6
)

func newBloom(keys int) bloom {
	bits := keys * bloomBitsPerKey
	if bits < 64 {
		bits = 64
	}
	return make(bloom, (bits+7)/8)
}

func (b bloom) add(h uint64) {
	n := uint64(len(b)) * 8
	h1, h2 := h, h>>32|h<<32
	for i := uint64(0); i < bloomHashes; i++ {
		bit := (h1 + i*h2) % n
		b[bit/8] |= 1 << (bit % 8)
	}
}

func (b bloom) has(h uint64) bool {
	if len(b) == 0 {
		return true
	}
	n := uint64(len(b)) * 8
	h1, h2 := h, h>>32|h<<32
	for i := uint64(0); i < bloomHashes; i++ {
		bit := (h1 + i*h2) % n
		if b[bit/8]&(1<<(bit%8)) == 0 {
			return false
		}
	}
	return true
}

func hashKey(k string) uint64 { return xxhash.Sum64String(k) }
