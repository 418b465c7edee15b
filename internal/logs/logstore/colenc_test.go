package logstore

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// columnValues decodes a column and returns one value a row.
func columnValues(t testing.TB, b []byte, rows int) []string {
	t.Helper()
	col, err := decodeColumn(b, rows)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if col.Codes == nil {
		return col.Values
	}
	out := make([]string, rows)
	for i, c := range col.Codes {
		out[i] = col.Dict[c]
	}
	return out
}

func TestColumnEncodingsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	gen := map[string]func(i int) string{
		"hex16":   func(int) string { return fmt.Sprintf("%016x", rng.Uint64()) },
		"hex32":   func(int) string { return fmt.Sprintf("%032x", rng.Uint64()) },
		"user":    func(int) string { return fmt.Sprintf("u-%06d", rng.IntN(200_000)) },
		"bytes":   func(int) string { return fmt.Sprint(rng.IntN(50_000)) },
		"ip":      func(int) string { return fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256)) },
		"text":    func(i int) string { return fmt.Sprintf("line %d of %x", i, rng.Uint32()) },
		"halfhex": func(i int) string { return []string{"", fmt.Sprintf("%08x", rng.Uint32())}[i%2] },
		"halfip": func(i int) string {
			return []string{fmt.Sprintf("192.168.%d.%d", rng.IntN(256), rng.IntN(256)), ""}[i%2]
		},
		"halfuser":   func(i int) string { return []string{"", fmt.Sprintf("acct_%d", rng.IntN(1e9))}[i%2] },
		"mixedwidth": func(int) string { return fmt.Sprintf("%0*d", 1+rng.IntN(6), rng.IntN(1000)) },
		"upperhex":   func(int) string { return fmt.Sprintf("%016X", rng.Uint64()) },
		"oddhex":     func(int) string { return fmt.Sprintf("%015x", rng.Uint64()>>4) },
		"leadingip":  func(int) string { return fmt.Sprintf("10.0%d.1.%d", rng.IntN(9), rng.IntN(256)) },
		"bignum":     func(int) string { return fmt.Sprint(rng.Uint64()) },
		"huge":       func(int) string { return fmt.Sprintf("%d%d", rng.Uint64(), rng.Uint64()) },
		"few":        func(i int) string { return []string{"GET", "POST", ""}[i%3] },
		"dur":        func(int) string { return fmt.Sprint(int(rng.ExpFloat64()*400) + 1) },
		"caller":     func(int) string { return fmt.Sprintf("app/x.go:%d", rng.IntN(1000)) },
	}
	wantType := map[string]byte{"hex16": colHex, "hex32": colHex, "user": colDecimal, "bytes": colDecimal, "ip": colIPv4,
		"text": colPlain, "halfhex": colHex, "halfip": colIPv4, "halfuser": colDecimal, "mixedwidth": colPlain,
		"upperhex": colPlain, "oddhex": colPlain, "leadingip": colPlain, "bignum": colDecimal, "huge": colPlain, "few": colDict, "dur": colDict16, "caller": colDict16}
	// In name order: the generators share rng, so ranging over the map
	// would give each a different stream of numbers from run to run (and
	// "dur" has about as many distinct values as its dictionary's limit).
	for _, name := range slices.Sorted(maps.Keys(gen)) {
		g := gen[name]
		for _, rows := range []int{1, 7, 300, 5000} {
			vals := make([]string, rows)
			for i := range vals {
				vals[i] = g(i)
			}
			b := encodeColumn(vals)
			if got := columnValues(t, b, rows); !slices.Equal(got, vals) {
				t.Fatalf("%s, %d rows: got %.5q, want %.5q", name, rows, got, vals)
			}
			if rows == 5000 && b[0] != wantType[name] {
				t.Errorf("%s: encoded as type %d, want %d", name, b[0], wantType[name])
			}
		}
	}
}

// FuzzDecodeColumn: a column read from disk never panics, and what it
// decodes to encodes and decodes back to the same values.
func FuzzDecodeColumn(f *testing.F) {
	for _, vals := range [][]string{
		{"0123456789abcdef", "", "fedcba9876543210"},
		{"u-000001", "u-123456", ""},
		{"1", "22", "333"},
		{"10.0.0.1", "", "255.255.255.255"},
		{"a", "b", "a"},
		{"plain one", "plain two", "x"},
		dict16Seed(),
	} {
		f.Add(encodeColumn(vals), uint16(len(vals)))
	}
	f.Add([]byte{colHex, 1, 0xff, 4}, uint16(3))
	f.Add([]byte{colDecimal, 0, 0, 25, 1}, uint16(1))
	f.Fuzz(func(t *testing.T, b []byte, rows16 uint16) {
		rows := int(rows16 % 2048)
		col, err := decodeColumn(b, rows)
		if err != nil {
			return
		}
		vals := columnValues(t, b, rows)
		if col.Codes == nil && len(col.Values) != rows {
			t.Fatalf("%d values for %d rows", len(col.Values), rows)
		}
		if got := columnValues(t, encodeColumn(vals), rows); !slices.Equal(got, vals) {
			t.Fatalf("round trip: got %q, want %q", got, vals)
		}
	})
}

func dict16Seed() []string {
	vals := make([]string, 1200)
	for i := range vals {
		vals[i] = fmt.Sprint(i % 300)
	}
	return vals
}
