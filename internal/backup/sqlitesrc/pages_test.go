package sqlitesrc

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// makeDB builds a database exercising what the page walk must get right:
// several tables, a WITHOUT ROWID table (an index b-tree), rows large
// enough to overflow, deleted rows (freelist pages), indexes, an empty
// table, a virtual table, and the given page size.
func makeDB(t testing.TB, pageSize, rows int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("db-%d.sqlite", pageSize))
	db, err := sql.Open("sqlite", "file:"+path+fmt.Sprintf("?_pragma=page_size(%d)", pageSize))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(uint64(pageSize), uint64(rows)))
	stmts := []string{
		`CREATE TABLE payments (id INTEGER PRIMARY KEY, account TEXT, amount INTEGER, memo TEXT)`,
		`CREATE INDEX payments_account ON payments (account)`,
		`CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID`,
		`CREATE TABLE empty (x)`,
		`CREATE TABLE "odd ""name""" (x)`,
		`CREATE VIRTUAL TABLE notes USING fts5(body)`,
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < rows; i++ {
		memo := strings.Repeat("x", rng.IntN(40))
		if i%97 == 0 {
			memo = strings.Repeat("overflow ", 2000) // spills to overflow pages
		}
		tx.Exec(`INSERT INTO payments (account, amount, memo) VALUES (?, ?, ?)`, fmt.Sprintf("DE%012d", rng.IntN(1e9)), i, memo)
		tx.Exec(`INSERT INTO kv (k, v) VALUES (?, ?)`, fmt.Sprintf("key-%08d", i), bytes.Repeat([]byte{byte(i)}, blobSize(rng, i, pageSize)))
		if i%10 == 0 {
			tx.Exec(`INSERT INTO "odd ""name""" (x) VALUES (?)`, i)
			tx.Exec(`INSERT INTO notes (body) VALUES (?)`, "note "+memo)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM payments WHERE id % 3 = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM kv WHERE k LIKE '%5'`); err != nil {
		t.Fatal(err)
	}
	return path
}

// blobSize is mostly small, sometimes several pages (overflow chains).
func blobSize(rng *rand.Rand, i, pageSize int) int {
	if i%50 == 0 {
		return 3 * pageSize
	}
	return rng.IntN(3000)
}

// indexOf streams the file through a PageIndex in pieces of odd sizes.
func indexOf(t testing.TB, path string, piece int) *PageIndex {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	idx := NewPageIndex()
	for len(b) > 0 {
		n := min(piece, len(b))
		idx.Write(b[:n])
		b = b[n:]
	}
	return idx
}

// The row counts from the pages equal count(*) for every table, whatever
// the page size and however the stream is cut.
func TestPageIndexCountsLikeCountStar(t *testing.T) {
	ctx := context.Background()
	for _, ps := range []int{512, 4096, 65536} {
		path := makeDB(t, ps, 1200)
		want, err := countFile(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		for _, piece := range []int{99, 4096, 1 << 20} {
			idx := indexOf(t, path, piece)
			if idx.PageSize() != ps {
				t.Fatalf("page size %d, want %d", idx.PageSize(), ps)
			}
			got, err := countPagesAt(ctx, path, idx)
			if err != nil {
				t.Fatalf("page size %d, pieces of %d: %v", ps, piece, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("page size %d, pieces of %d: pages say %v, count(*) says %v", ps, piece, got, want)
			}
		}
		if want["payments"] != 800 || want["kv"] == 0 || want["notes"] != 120 {
			t.Fatalf("the fixture is not what the test means: %v", want)
		}
	}
}

// A damaged copy is refused rather than miscounted: the caller then counts
// with SQL, and verification compares with a real count(*) anyway.
func TestPageIndexRefusesDamage(t *testing.T) {
	path := makeDB(t, 4096, 400)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	idx := NewPageIndex()
	idx.Write(b[:len(b)-10])
	if _, err := idx.Rows(2); err == nil || !strings.Contains(err.Error(), "ends") {
		t.Errorf("truncated file: %v", err)
	}
	idx = NewPageIndex()
	idx.Write([]byte("not a database at all, not a database at all, not a database at all, not a database at all, not a db"))
	if _, err := idx.Rows(1); err == nil {
		t.Error("a file that is not SQLite gave a count")
	}
	idx = indexOf(t, path, 4096)
	if _, err := idx.Rows(uint32(idx.Pages() + 1)); err == nil {
		t.Error("a root past the end gave a count")
	}
	// Point an interior page's right-most child back at the root: a cycle.
	for pg := 2; pg <= idx.Pages(); pg++ {
		if idx.types[pg-1] == pageTableInterior {
			c := bytes.Clone(b)
			off := (pg - 1) * 4096
			copy(c[off+8:off+12], []byte{0, 0, byte(pg >> 8), byte(pg)})
			bad := NewPageIndex()
			bad.Write(c)
			if _, err := bad.Rows(uint32(pg)); err == nil || !strings.Contains(err.Error(), "twice") {
				t.Errorf("cycle: %v", err)
			}
			return
		}
	}
	t.Fatal("no table interior page in the fixture")
}

// FuzzPageIndex feeds arbitrary bytes (after a valid header, so the page
// parser is reached) and walks from every page: it must never panic or
// loop, only count or refuse.
func FuzzPageIndex(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "small.sqlite"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, uint16(512), uint8(0))
	f.Add(seed[:700], uint16(512), uint8(3))
	f.Add([]byte{}, uint16(1), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, pageSize uint16, piece uint8) {
		idx := NewPageIndex()
		hdr := make([]byte, 100)
		copy(hdr, sqliteMagic)
		if len(body) >= 100 {
			copy(hdr[16:], body[16:100])
			body = body[100:]
		}
		hdr[16], hdr[17] = byte(pageSize>>8), byte(pageSize)
		data := append(hdr, body...)
		step := int(piece) + 1
		for len(data) > 0 {
			n := min(step, len(data))
			idx.Write(data[:n])
			data = data[n:]
		}
		for root := uint32(0); root <= uint32(idx.Pages())+1 && root < 300; root++ {
			if n, err := idx.Rows(root); err == nil && n < 0 {
				t.Fatalf("negative count %d", n)
			}
		}
	})
}

// countPagesAt counts the rows of the database at path from idx, its page
// index, reading only the schema from the file.
func countPagesAt(ctx context.Context, path string, idx *PageIndex) (map[string]int64, error) {
	db, err := openRO(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	roots, err := tableRoots(ctx, db)
	if err != nil {
		return nil, err
	}
	return countPages(ctx, db, roots, idx)
}

// countFile counts every table of the database at path with count(*).
func countFile(ctx context.Context, path string) (map[string]int64, error) {
	db, err := openRO(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return count(ctx, db)
}
