package sqlitesrc

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// walFile builds a WAL of the given page size: a header with salts s1, s2,
// then one frame per page number, each with the salts given for it.
func walFile(pageSize int, s1, s2 uint32, frames []uint32, salts [][2]uint32) []byte {
	var b bytes.Buffer
	hdr := make([]byte, walHeaderSize)
	binary.BigEndian.PutUint32(hdr[0:], walMagicLE)
	binary.BigEndian.PutUint32(hdr[4:], 3007000)
	binary.BigEndian.PutUint32(hdr[8:], uint32(pageSize))
	binary.BigEndian.PutUint32(hdr[16:], s1)
	binary.BigEndian.PutUint32(hdr[20:], s2)
	b.Write(hdr)
	for i, pg := range frames {
		fh := make([]byte, walFrameHeaderSize)
		binary.BigEndian.PutUint32(fh[0:], pg)
		binary.BigEndian.PutUint32(fh[8:], salts[i][0])
		binary.BigEndian.PutUint32(fh[12:], salts[i][1])
		b.Write(fh)
		b.Write(make([]byte, pageSize))
	}
	return b.Bytes()
}

func sortedPages(m map[uint32]bool) []uint32 {
	out := make([]uint32, 0, len(m))
	for pg := range m {
		out = append(out, pg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// The current generation's frames count; the first frame with other
// salts (an older generation left behind after a restart) ends it; a
// frame cut short still counts; a foreign page size is refused.
func TestWALPages(t *testing.T) {
	cur, old := [2]uint32{7, 9}, [2]uint32{6, 9}
	w := walFile(512, 7, 9, []uint32{3, 1, 3, 8, 5}, [][2]uint32{cur, cur, cur, cur, old})
	got, err := walPages(bytes.NewReader(w), 512)
	if err != nil || len(sortedPages(got)) != 3 || !got[1] || !got[3] || !got[8] || got[5] {
		t.Fatalf("pages %v, err %v", sortedPages(got), err)
	}
	cut := w[:walHeaderSize+2*(walFrameHeaderSize+512)+walFrameHeaderSize+100] // the third frame's page cut short
	if got, err := walPages(bytes.NewReader(cut), 512); err != nil || len(got) != 2 || !got[3] || !got[1] {
		t.Fatalf("cut: pages %v, err %v", sortedPages(got), err)
	}
	if got, err := walPages(bytes.NewReader(nil), 512); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v %v", got, err)
	}
	if _, err := walPages(bytes.NewReader(w), 4096); err == nil {
		t.Fatal("a WAL of 512-byte pages was read as one of 4096")
	}
	bad := bytes.Clone(w)
	bad[0] ^= 1
	if _, err := walPages(bytes.NewReader(bad), 512); err == nil {
		t.Fatal("a wrong magic number was accepted")
	}
}

// A WAL SQLite wrote: every frame's page is found, and none is past the
// database's end.
func TestWALPagesOfSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE t (x TEXT)`,
		`INSERT INTO t (x) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000) SELECT printf('%.*c', 200, 'y') FROM c`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var pages int64
	if err := db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	got, err := walPagesOf(path, 4096)
	if err != nil {
		t.Fatal(err)
	}
	// Everything since the database was created is in the WAL (no
	// checkpoint ran): every page but none beyond.
	if int64(len(got)) != pages {
		t.Fatalf("%d pages in the WAL, the database has %d", len(got), pages)
	}
	for pg := range got {
		if pg < 1 || int64(pg) > pages {
			t.Fatalf("page %d of %d", pg, pages)
		}
	}
	if got, err := walPagesOf(filepath.Join(t.TempDir(), "none.db"), 4096); err != nil || len(got) != 0 {
		t.Fatalf("no WAL: %v %v", got, err)
	}
}

// Any bytes: no panic, and a result only from a WAL of the asked page size.
func FuzzWALPages(f *testing.F) {
	cur := [2]uint32{1, 2}
	f.Add(walFile(512, 1, 2, []uint32{1, 2}, [][2]uint32{cur, cur}), uint16(512))
	f.Add(walFile(512, 1, 2, []uint32{4}, [][2]uint32{{3, 3}}), uint16(512))
	if b, err := os.ReadFile(filepath.Join("testdata", "small.sqlite")); err == nil {
		f.Add(b, uint16(4096))
	}
	f.Fuzz(func(t *testing.T, b []byte, pageSize uint16) {
		ps := int64(pageSize)
		if ps == 0 {
			ps = 65536
		}
		got, err := walPages(bytes.NewReader(b), ps)
		if err != nil {
			return
		}
		if len(got) > 0 && int64(binary.BigEndian.Uint32(b[8:12])) != ps && !(ps == 65536 && binary.BigEndian.Uint32(b[8:12]) == 1) {
			t.Fatalf("pages from a WAL of page size %d read as %d", binary.BigEndian.Uint32(b[8:12]), ps)
		}
		if max := (int64(len(b)) - walHeaderSize + ps + walFrameHeaderSize) / (walFrameHeaderSize + ps); int64(len(got)) > max {
			t.Fatalf("%d pages from %d bytes", len(got), len(b))
		}
	})
}
