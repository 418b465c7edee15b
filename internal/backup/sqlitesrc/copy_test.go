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
	"sync"
	"testing"
	"time"
)

// churn writes to the database at path until stop is closed (or n
// statements): inserts, updates that move rows across pages, deletes; in
// WAL mode it also checkpoints often, so that pages move from the WAL back
// into the file while a copy is being read.
func churn(t *testing.T, path string, wal bool, stop <-chan struct{}, n int) *sync.WaitGroup {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=wal_autocheckpoint(16)")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer db.Close()
		rng := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < n; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var q string
			var args []any
			switch i % 4 {
			case 0, 1:
				q, args = `INSERT INTO payments (account, amount, memo) VALUES (?, ?, ?)`, []any{fmt.Sprintf("DE%012d", rng.IntN(1e9)), i, strings.Repeat("m", rng.IntN(600))}
			case 2:
				q, args = `UPDATE payments SET memo = ? WHERE id = ?`, []any{strings.Repeat("u", rng.IntN(900)), 1 + rng.IntN(i+1)}
			case 3:
				q, args = `DELETE FROM payments WHERE id = ?`, []any{1 + rng.IntN(i+1)}
			}
			if _, err := db.Exec(q, args...); err != nil {
				t.Errorf("writer: %v", err)
				return
			}
			if !wal {
				// In rollback mode each commit locks the reader out: pause
				// so that the reader's busy handler gets its turn.
				time.Sleep(time.Millisecond)
			}
			if wal && i%25 == 0 {
				if _, err := db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
					t.Errorf("checkpoint: %v", err)
					return
				}
			}
		}
	}()
	return &wg
}

// The file read with the WAL's pages taken through the pager is, byte for
// byte, what reading every page through the pager gives in the same read
// transaction, while another connection writes and checkpoints. The test
// also counts the copies in which the plain file differed from the
// snapshot, to show that the hazard copyFile guards against happened.
func TestCopyFileEqualsPagerUnderWrites(t *testing.T) {
	for _, journal := range []string{"WAL", "DELETE"} {
		t.Run(journal, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.db")
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode("+journal+")")
			if err != nil {
				t.Fatal(err)
			}
			mustExec := func(q string) {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			mustExec(`CREATE TABLE payments (id INTEGER PRIMARY KEY, account TEXT, amount INTEGER, memo TEXT)`)
			mustExec(`CREATE INDEX payments_account ON payments (account)`)
			mustExec(`INSERT INTO payments (account, amount, memo) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000)
				SELECT 'DE' || (i * 7919 % 1000000007), i, printf('%.*c', i % 300, 'x') FROM c`)
			db.Close()

			stop := make(chan struct{})
			wg := churn(t, path, journal == "WAL", stop, 200000)
			defer func() { close(stop); wg.Wait() }()

			src, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			ctx := context.Background()
			copies, stale := 0, 0
			deadline := time.Now().Add(5 * time.Second)
			for copies < 30 && time.Now().Before(deadline) {
				tx, err := src.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				var pageSize, pages int64
				if err := tx.QueryRow(`SELECT page_size, page_count FROM pragma_page_size, pragma_page_count`).Scan(&pageSize, &pages); err != nil {
					t.Fatal(err)
				}
				var fromFile, fromPager bytes.Buffer
				if err := copyFile(ctx, tx, path, journal == "WAL", pageSize, pages, &fromFile); err != nil {
					t.Fatal(err)
				}
				if err := copyPages(ctx, tx, pageSize, pages, &fromPager); err != nil {
					t.Fatal(err)
				}
				raw, err := os.ReadFile(path) // the plain file, still inside the snapshot
				if err != nil {
					t.Fatal(err)
				}
				tx.Rollback()
				if !bytes.Equal(fromFile.Bytes(), fromPager.Bytes()) {
					t.Fatalf("copy %d: copyFile (%d bytes) differs from the pager (%d bytes)", copies, fromFile.Len(), fromPager.Len())
				}
				if int64(len(raw)) < pages*pageSize || !bytes.Equal(raw[:pages*pageSize], fromPager.Bytes()) {
					stale++
				}
				copies++
			}
			t.Logf("%s: %d copies, %d in which the plain file was not the snapshot", journal, copies, stale)
			if copies < 3 {
				t.Fatalf("only %d copies", copies)
			}
			if journal == "WAL" && stale == 0 {
				t.Fatal("the plain file always matched the snapshot: the test exercised nothing")
			}
		})
	}
}
