package logstore

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"

	"github.com/wardenhq/warden/internal/logs/logql"
)

// Column encodings. The first byte of a column says which:
//
//	0 plain:   uvarint length + bytes, a value a row
//	1 dict:    uvarint n, n strings, then one byte code a row (n <= 256)
//	2 hex:     typed column (below) of lowercase hex of one even length,
//	           stored as bytes: request and trace IDs take half the space
//	3 decimal: typed column of a common prefix and an unsigned decimal
//	           number (canonical, or zero-padded to one width), stored as
//	           uvarints: byte counts, user IDs such as u-000123
//	4 ipv4:    typed column of dotted-quad IPv4 addresses, 4 bytes each
//	5 dict16:  uvarint n, n strings, then a 2-byte little-endian code a row
//	           (256 < n <= maxDict16): durations, call sites
//
// A typed column starts with a presence bitmap when some rows lack the
// value (empty), so that fields only some lines carry stay typed:
//
//	type | flags (1: bitmap follows) | [bitmap, a bit a row] | parameters | values
const (
	colPlain   = 0
	colDict    = 1
	colHex     = 2
	colDecimal = 3
	colIPv4    = 4
	colDict16  = 5

	maxDict16 = 4096
)

// encodeColumn uses a dictionary when a column has few distinct values
// (levels, methods, paths, status codes), a typed encoding when every
// value has one shape (hex IDs, numbers, addresses), plain values
// otherwise.
func encodeColumn(vals []string) []byte {
	b, _ := encodeColumnDict(vals)
	return b
}

// encodeColumnDict is encodeColumn that also returns the distinct values
// of a dictionary column.
func encodeColumnDict(vals []string) ([]byte, []string) {
	sc := colScratch{dict: map[string]uint16{}}
	return sc.encode(vals)
}

// colScratch holds the buffers of encodeColumnDict, reused from column to
// column: the returned bytes and dictionary are valid until the next call.
type colScratch struct {
	dict  map[string]uint16
	order []string
	codes []uint16
	out   []byte
}

func (sc *colScratch) encode(vals []string) ([]byte, []string) {
	// Dictionary: up to 256 values with a byte a row, or up to
	// maxDict16 (and a quarter of the rows) with two bytes a row.
	limit := min(maxDict16, max(256, len(vals)/4))
	dict := sc.dict
	clear(dict)
	order := sc.order[:0]
	codes := slices.Grow(sc.codes[:0], len(vals))[:len(vals)]
	sc.codes = codes
	prev, code := "", uint16(0)
	for i, v := range vals {
		if i > 0 && v == prev { // runs of one value: no lookup
			codes[i] = code
			continue
		}
		c, ok := dict[v]
		if !ok {
			if len(dict) == limit {
				clear(order)
				sc.order = order[:0] // keep the room for the next column
				order = nil
				break
			}
			c = uint16(len(order))
			dict[v] = c
			order = append(order, v)
		}
		codes[i], prev, code = c, v, c
	}
	if order != nil {
		sc.order = order
		typ := byte(colDict)
		if len(order) > 256 {
			typ = colDict16
		}
		b := append(sc.out[:0], typ)
		b = binary.AppendUvarint(b, uint64(len(order)))
		for _, v := range order {
			b = appendString(b, v)
		}
		if typ == colDict {
			for _, c := range codes {
				b = append(b, byte(c))
			}
		} else {
			for _, c := range codes {
				b = binary.LittleEndian.AppendUint16(b, c)
			}
		}
		sc.out = b
		return b, order
	}
	if b := encodeTyped(sc.out[:0], vals); b != nil {
		sc.out = b
		return b, nil
	}
	b := append(sc.out[:0], colPlain)
	for _, v := range vals {
		b = appendString(b, v)
	}
	sc.out = b
	return b, nil
}

// shape is what a typed encoding needs to know of every non-empty value.
type shape struct {
	hexLen     int // -1: not all hex of one length
	prefix     string
	decOK      bool
	width      int // decimal: 0 canonical, else every number has this many digits
	canonical  bool
	ipv4       bool
	anyPresent bool
	anyEmpty   bool
}

// encodeTyped appends the typed encoding of vals to dst, or returns nil
// when no typed encoding fits.
func encodeTyped(dst []byte, vals []string) []byte {
	sh := shape{hexLen: -2, decOK: true, width: -1, canonical: true, ipv4: true}
	for _, v := range vals {
		if v == "" {
			sh.anyEmpty = true
			continue
		}
		if !sh.anyPresent {
			sh.anyPresent = true
			sh.prefix = v[:len(v)-trailingDigits(v)]
		}
		if sh.hexLen != -1 {
			if sh.hexLen == -2 && len(v)%2 == 0 && len(v) <= 64 {
				sh.hexLen = len(v)
			}
			if len(v) != sh.hexLen || !isLowerHex(v) {
				sh.hexLen = -1
			}
		}
		if sh.decOK {
			d := trailingDigits(v)
			if d == 0 || d > 20 || len(v)-d != len(sh.prefix) || v[:len(v)-d] != sh.prefix {
				sh.decOK = false
			} else {
				digits := v[len(v)-d:]
				if digits[0] == '0' && len(digits) > 1 {
					sh.canonical = false
				}
				switch {
				case sh.width == -1:
					sh.width = d
				case sh.width != d:
					sh.width = 0 // lengths differ: canonical only
				}
				if _, err := strconv.ParseUint(digits, 10, 64); err != nil {
					sh.decOK = false
				}
			}
		}
		if sh.ipv4 {
			if _, ok := parseIPv4(v); !ok {
				sh.ipv4 = false
			}
		}
		if sh.hexLen == -1 && !sh.decOK && !sh.ipv4 {
			return nil
		}
	}
	if !sh.anyPresent {
		return nil
	}
	var typ byte
	switch {
	case sh.hexLen > 0:
		typ = colHex
	case sh.decOK && (sh.canonical || sh.width > 0):
		typ = colDecimal
	case sh.ipv4:
		typ = colIPv4
	default:
		return nil
	}
	b := append(dst, typ, 0)
	if sh.anyEmpty {
		b[len(dst)+1] = 1
		at := len(b)
		b = append(b, make([]byte, (len(vals)+7)/8)...)
		bm := b[at:]
		for i, v := range vals {
			if v != "" {
				bm[i/8] |= 1 << (i % 8)
			}
		}
	}
	switch typ {
	case colHex:
		b = binary.AppendUvarint(b, uint64(sh.hexLen/2))
		for _, v := range vals {
			if v != "" {
				b = appendHex(b, v)
			}
		}
	case colDecimal:
		width := 0
		if !sh.canonical {
			width = sh.width
		}
		b = appendString(b, sh.prefix)
		b = binary.AppendUvarint(b, uint64(width))
		for _, v := range vals {
			if v != "" {
				n, _ := strconv.ParseUint(v[len(sh.prefix):], 10, 64)
				b = binary.AppendUvarint(b, n)
			}
		}
	case colIPv4:
		for _, v := range vals {
			if v != "" {
				ip, _ := parseIPv4(v)
				b = append(b, ip[:]...)
			}
		}
	}
	return b
}

func trailingDigits(v string) int {
	n := 0
	for n < len(v) && v[len(v)-1-n] >= '0' && v[len(v)-1-n] <= '9' {
		n++
	}
	return n
}

func isLowerHex(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// parseIPv4 reads a canonical dotted quad: four numbers 0-255 without
// leading zeros, so that formatting it again gives the same text.
func parseIPv4(v string) ([4]byte, bool) {
	var ip [4]byte
	part, digits := 0, 0
	n := 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == '.' {
			if digits == 0 || part > 3 {
				return ip, false
			}
			ip[part] = byte(n)
			part++
			n, digits = 0, 0
			continue
		}
		c := v[i]
		if c < '0' || c > '9' || digits > 0 && n == 0 {
			return ip, false // not a digit, or a leading zero
		}
		n = n*10 + int(c-'0')
		digits++
		if n > 255 {
			return ip, false
		}
	}
	return ip, part == 4
}

// decodeTyped decodes a typed column (b without its type byte) into one
// value a row.
func decodeTyped(typ byte, b []byte, rows int) (logql.Column, error) {
	if len(b) < 1 || b[0] > 1 {
		return logql.Column{}, errCorrupt
	}
	present := func(int) bool { return true }
	n := rows
	if b[0] == 1 {
		nb := (rows + 7) / 8
		if len(b) < 1+nb {
			return logql.Column{}, errCorrupt
		}
		bm := b[1 : 1+nb]
		present = func(i int) bool { return bm[i/8]&(1<<(i%8)) != 0 }
		n = 0
		for i := 0; i < rows; i++ {
			if present(i) {
				n++
			}
		}
		b = b[1+nb:]
	} else {
		b = b[1:]
	}
	// All values are formatted into one buffer; the strings are its parts.
	var buf []byte
	ends := make([]int, 0, n)
	r := &reader{b: b}
	switch typ {
	case colHex:
		size := r.uvarint()
		if r.err != nil || size == 0 || size > 32 || uint64(len(r.b)) != size*uint64(n) {
			return logql.Column{}, errCorrupt
		}
		buf = make([]byte, 0, len(r.b)*2)
		for i := 0; i < n; i++ {
			buf = hex.AppendEncode(buf, r.b[i*int(size):(i+1)*int(size)])
			ends = append(ends, len(buf))
		}
	case colDecimal:
		prefix := r.str()
		width := r.uvarint()
		if r.err != nil || width > 20 {
			return logql.Column{}, errCorrupt
		}
		buf = make([]byte, 0, n*(len(prefix)+8))
		var num []byte
		for i := 0; i < n; i++ {
			v := r.uvarint()
			if r.err != nil {
				return logql.Column{}, errCorrupt
			}
			num = strconv.AppendUint(num[:0], v, 10)
			if width > 0 && uint64(len(num)) > width {
				return logql.Column{}, errCorrupt
			}
			buf = append(buf, prefix...)
			for j := uint64(len(num)); j < width; j++ {
				buf = append(buf, '0')
			}
			buf = append(buf, num...)
			ends = append(ends, len(buf))
		}
		if len(r.b) != 0 {
			return logql.Column{}, errCorrupt
		}
	case colIPv4:
		if len(r.b) != 4*n {
			return logql.Column{}, errCorrupt
		}
		buf = make([]byte, 0, n*15)
		for i := 0; i < n; i++ {
			for j, o := range r.b[4*i : 4*i+4] {
				if j > 0 {
					buf = append(buf, '.')
				}
				buf = strconv.AppendUint(buf, uint64(o), 10)
			}
			ends = append(ends, len(buf))
		}
	default:
		return logql.Column{}, errCorrupt
	}
	all := string(buf)
	out := make([]string, rows)
	k, from := 0, 0
	for i := range out {
		if present(i) {
			out[i] = all[from:ends[k]]
			from = ends[k]
			k++
		}
	}
	return logql.Column{Values: out}, nil
}

// appendHex appends the bytes of v, lowercase hex of even length (checked
// by encodeTyped), without converting v to a byte slice.
func appendHex(b []byte, v string) []byte {
	for i := 0; i+1 < len(v); i += 2 {
		b = append(b, unhex(v[i])<<4|unhex(v[i+1]))
	}
	return b
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}
