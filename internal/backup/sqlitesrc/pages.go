package sqlitesrc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// B-tree page types (SQLite file format, section 1.6).
const (
	pageIndexInterior = 0x02
	pageTableInterior = 0x05
	pageIndexLeaf     = 0x0A
	pageTableLeaf     = 0x0D
	pageOther         = 0x00 // overflow, freelist, pointer map, lock-byte or damaged
)

// PageIndex reads a SQLite database file as it streams past (it is an
// io.Writer fed the file's bytes in order, in pieces of any size) and keeps
// a few bytes per page: its b-tree page type, its cell count, and for an
// interior page its child page numbers. Rows can then be counted per table
// by walking each table's b-tree from its root page, without reading the
// file again or running count(*) through SQLite: a table b-tree holds one
// leaf cell per row; a WITHOUT ROWID table's index b-tree holds one cell
// per row in interior and leaf pages alike.
//
// Every page is summarised whatever it holds; only pages reached from a
// root are believed, so an overflow page that happens to start with a
// b-tree type byte is never counted. Anything inconsistent (a child out of
// range, a page reached twice, a type that does not belong in the tree) is
// an error, and the caller counts with SQL instead.
type PageIndex struct {
	pageSize int
	usable   int
	partial  []byte // the start of a page split across writes
	header   []byte // the first 100 bytes, until the page size is known
	n        uint32 // pages seen
	types    []byte
	cells    []uint16
	kids     map[uint32][]uint32 // interior pages' children: left pointers, then the right-most
	err      error
}

// NewPageIndex returns an empty index.
func NewPageIndex() *PageIndex { return &PageIndex{kids: map[uint32][]uint32{}} }

// Pages is how many whole pages were seen.
func (x *PageIndex) Pages() int { return len(x.types) }

// PageSize is the database's page size, 0 before the header was seen.
func (x *PageIndex) PageSize() int { return x.pageSize }

// Write implements io.Writer; it never fails (a malformed file is reported
// by Err and by Count), so it can sit in a tee beside the compressor.
func (x *PageIndex) Write(p []byte) (int, error) {
	n := len(p)
	if x.err != nil {
		return n, nil
	}
	if x.pageSize == 0 {
		need := 100 - len(x.header)
		if len(p) < need {
			x.header = append(x.header, p...)
			return n, nil
		}
		x.header = append(x.header, p[:need]...)
		if err := x.parseHeader(x.header); err != nil {
			x.err = err
			return n, nil
		}
		x.partial = append(make([]byte, 0, x.pageSize), x.header...)
		x.header = nil
		p = p[need:]
	}
	if len(x.partial) > 0 {
		need := x.pageSize - len(x.partial)
		if len(p) < need {
			x.partial = append(x.partial, p...)
			return n, nil
		}
		x.partial = append(x.partial, p[:need]...)
		x.page(x.partial)
		x.partial = x.partial[:0]
		p = p[need:]
	}
	for len(p) >= x.pageSize {
		x.page(p[:x.pageSize])
		p = p[x.pageSize:]
	}
	x.partial = append(x.partial, p...)
	return n, nil
}

var sqliteMagic = []byte("SQLite format 3\x00")

func (x *PageIndex) parseHeader(h []byte) error {
	if string(h[:16]) != string(sqliteMagic) {
		return errors.New("not a SQLite database file")
	}
	ps := int(binary.BigEndian.Uint16(h[16:18]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps > 65536 || ps&(ps-1) != 0 {
		return fmt.Errorf("page size %d is not a power of two between 512 and 65536", ps)
	}
	reserved := int(h[20])
	if ps-reserved < 480 {
		return fmt.Errorf("%d reserved bytes leave too little of a %d-byte page", reserved, ps)
	}
	x.pageSize, x.usable = ps, ps-reserved
	return nil
}

// page summarises one whole page; its number is len(x.types)+1.
func (x *PageIndex) page(pg []byte) {
	x.n++
	pgno := x.n
	hdr := 0
	if pgno == 1 {
		hdr = 100
	}
	typ, ncells := byte(pageOther), uint16(0)
	switch t := pg[hdr]; t {
	case pageTableLeaf, pageIndexLeaf, pageTableInterior, pageIndexInterior:
		n16 := binary.BigEndian.Uint16(pg[hdr+3 : hdr+5])
		n := int(n16)
		ptrs := hdr + 8
		if t == pageTableInterior || t == pageIndexInterior {
			ptrs = hdr + 12
		}
		if ptrs+2*n > x.usable {
			break // cannot be a b-tree page: counted as other
		}
		typ, ncells = t, n16
		if t == pageTableInterior || t == pageIndexInterior {
			kids := make([]uint32, 0, n+1)
			ok := true
			for i := 0; i < n; i++ {
				off := int(binary.BigEndian.Uint16(pg[ptrs+2*i:]))
				if off < ptrs+2*n || off+4 > x.usable {
					ok = false
					break
				}
				kids = append(kids, binary.BigEndian.Uint32(pg[off:]))
			}
			if !ok {
				typ, ncells = pageOther, 0
				break
			}
			kids = append(kids, binary.BigEndian.Uint32(pg[hdr+8:]))
			x.kids[pgno] = kids
		}
	}
	x.types = append(x.types, typ)
	x.cells = append(x.cells, ncells)
}

// Err reports a file that is not SQLite, or a trailing partial page.
func (x *PageIndex) Err() error {
	if x.err != nil {
		return x.err
	}
	if x.pageSize == 0 {
		return errors.New("the file is shorter than a SQLite header")
	}
	if len(x.partial) > 0 {
		return fmt.Errorf("the file ends %d bytes into page %d", len(x.partial), len(x.types)+1)
	}
	return nil
}

// Rows counts the rows of the table whose b-tree starts at root.
func (x *PageIndex) Rows(root uint32) (int64, error) {
	if err := x.Err(); err != nil {
		return 0, err
	}
	n := x.n
	if root < 1 || root > n {
		return 0, fmt.Errorf("root page %d is outside the %d pages", root, n)
	}
	var interior, leaf byte
	switch x.types[root-1] {
	case pageTableInterior, pageTableLeaf:
		interior, leaf = pageTableInterior, pageTableLeaf
	case pageIndexInterior, pageIndexLeaf: // WITHOUT ROWID
		interior, leaf = pageIndexInterior, pageIndexLeaf
	default:
		return 0, fmt.Errorf("root page %d is not a b-tree page", root)
	}
	seen := make(map[uint32]bool)
	stack := []uint32{root}
	var rows int64
	for len(stack) > 0 {
		pg := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if pg < 1 || pg > n {
			return 0, fmt.Errorf("page %d of the tree at %d is outside the %d pages", pg, root, n)
		}
		if seen[pg] {
			return 0, fmt.Errorf("page %d is reached twice in the tree at %d", pg, root)
		}
		seen[pg] = true
		switch x.types[pg-1] {
		case leaf:
			rows += int64(x.cells[pg-1])
		case interior:
			if interior == pageIndexInterior {
				rows += int64(x.cells[pg-1]) // an index interior cell holds an entry too
			}
			stack = append(stack, x.kids[pg]...)
		default:
			return 0, fmt.Errorf("page %d of the tree at %d is not a page of that tree (type %#x)", pg, root, x.types[pg-1])
		}
	}
	return rows, nil
}
