package sqlitesrc

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// WAL file format (https://www.sqlite.org/fileformat.html#the_write_ahead_log):
// a 32-byte header, then frames of a 24-byte header and one page each.
const (
	walHeaderSize      = 32
	walFrameHeaderSize = 24
	walMagicLE         = 0x377f0682
	walMagicBE         = 0x377f0683
)

// walPages returns the page numbers of the frames of the WAL's current
// generation: every frame from the first whose salts match the header's,
// up to the first that does not (a frame of an older generation, or the
// end). It is a superset of the pages any reader's snapshot takes from the
// WAL (it does not check the frames' checksums, so a frame being written,
// or one past a reader's snapshot, is included too), which is what the
// caller needs: every page outside it is read from the database file as
// it stands. A missing WAL has no pages. pageSize must match the header's.
func walPages(r io.Reader, pageSize int64) (map[uint32]bool, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var hdr [walHeaderSize]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		if err == io.EOF {
			return map[uint32]bool{}, nil // empty: no frames
		}
		return nil, fmt.Errorf("WAL header: %w", err)
	}
	if m := binary.BigEndian.Uint32(hdr[0:4]); m != walMagicLE && m != walMagicBE {
		return nil, fmt.Errorf("WAL header: magic %#x", m)
	}
	ps := int64(binary.BigEndian.Uint32(hdr[8:12]))
	if ps == 1 {
		ps = 65536
	}
	if ps != pageSize {
		return nil, fmt.Errorf("WAL header: page size %d, the database's is %d", ps, pageSize)
	}
	salt1, salt2 := binary.BigEndian.Uint32(hdr[16:20]), binary.BigEndian.Uint32(hdr[20:24])
	pages := map[uint32]bool{}
	var fh [walFrameHeaderSize]byte
	for {
		if _, err := io.ReadFull(br, fh[:]); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return pages, nil // the end, or a frame header cut short
			}
			return nil, err
		}
		if binary.BigEndian.Uint32(fh[8:12]) != salt1 || binary.BigEndian.Uint32(fh[12:16]) != salt2 {
			return pages, nil // an older generation's frame: the end of this one
		}
		pages[binary.BigEndian.Uint32(fh[0:4])] = true
		if _, err := br.Discard(int(pageSize)); err != nil {
			if err == io.EOF {
				return pages, nil // a frame cut short: included, harmlessly
			}
			return nil, err
		}
	}
}

// walPagesOf reads the WAL beside the database at dbPath (see walPages).
func walPagesOf(dbPath string, pageSize int64) (map[uint32]bool, error) {
	f, err := os.Open(dbPath + "-wal")
	if errors.Is(err, os.ErrNotExist) {
		return map[uint32]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return walPages(f, pageSize)
}
