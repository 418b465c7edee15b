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

// hashSet is a set of key hashes (the keys of one block's bloom filter):
// open addressing over a table reused from block to block, since a map
// of a hundred thousand keys a block cost more than the rest of the
// filter. Hashes are xxhash values, spread well enough to index by their
// low bits.
type hashSet struct {
	slots   []uint64 // 0 marks an empty slot; the hash 0 is kept in zero
	n       int
	hasZero bool
}

func (h *hashSet) reset() {
	clear(h.slots)
	h.n, h.hasZero = 0, false
	if len(h.slots) == 0 {
		h.slots = make([]uint64, 1<<12)
	}
}

func (h *hashSet) add(k uint64) {
	if k == 0 {
		if !h.hasZero {
			h.hasZero = true
		}
		return
	}
	if 2*(h.n+1) > len(h.slots) {
		h.grow()
	}
	mask := uint64(len(h.slots) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch h.slots[i] {
		case k:
			return
		case 0:
			h.slots[i] = k
			h.n++
			return
		}
	}
}

func (h *hashSet) grow() {
	old := h.slots
	h.slots = make([]uint64, max(2*len(old), 1<<12)) // never empty, so len-1 is a mask
	h.n = 0
	mask := uint64(len(h.slots) - 1)
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := k & mask
		for h.slots[i] != 0 {
			i = (i + 1) & mask
		}
		h.slots[i] = k
		h.n++
	}
}

func (h *hashSet) len() int {
	if h.hasZero {
		return h.n + 1
	}
	return h.n
}

func (h *hashSet) each(fn func(uint64)) {
	if h.hasZero {
		fn(0)
	}
	for _, k := range h.slots {
		if k != 0 {
			fn(k)
		}
	}
}
