package logstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/logql"
)

var t0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func rec(i int) logs.Record {
	lvl := "info"
	if i%10 == 0 {
		lvl = "error"
	}
	return logs.Record{Time: t0.Add(time.Duration(i) * time.Millisecond), Fields: []logs.Field{
		{Name: "_msg", Value: fmt.Sprintf("request %d done in %dms", i, i%100)},
		{Name: "level", Value: lvl},
		{Name: "request_id", Value: fmt.Sprintf("req-%08d", i)},
		{Name: "duration_ms", Value: strconv.Itoa(i % 100)},
	}}
}

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, FlushInterval: time.Hour, Clock: clock.NewFake(t0.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func count(t *testing.T, s *Store, q string) int {
	t.Helper()
	query, err := logql.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := s.Scan(context.Background(), Scan{Filter: query.Filter}, func(logql.Row) bool { n++; return true }); err != nil {
		t.Fatal(err)
	}
	return n
}

func appendN(t *testing.T, s *Store, env string, from, to int) {
	t.Helper()
	var batch []logs.Record
	for i := from; i < to; i++ {
		batch = append(batch, rec(i))
	}
	if err := s.Append(context.Background(), env, batch); err != nil {
		t.Fatal(err)
	}
}

func TestAppendFlushMergeReopen(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	appendN(t, s, "production", 0, 1000)
	if n := count(t, s, "level:=error"); n != 100 {
		t.Fatalf("from the buffer: %d errors, want 100", n)
	}
	for i := 1; i < 9; i++ { // 9 parts, more than MergeParts
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		appendN(t, s, "production", i*1000, (i+1)*1000)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "level:=error"); n != 900 {
		t.Fatalf("from parts: %d errors, want 900", n)
	}
	if err := s.Merge(); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if len(st) != 1 || st[0].Parts != 2 || st[0].Lines != 9000 { // the 8 smallest merged, the 9th left
		t.Fatalf("after merge: %+v", st)
	}
	for _, tc := range []struct {
		q    string
		want int
	}{
		{"request_id:=req-00004321", 1},
		{"4321", 1},
		{`"done in 21ms"`, 90},
		{"duration_ms:>=90 level:=error", 90},
		{"duration_ms:>=90", 900},
		{"request_id:in(req-00000001, req-00008999, nope)", 2},
	} {
		if n := count(t, s, tc.q); n != tc.want {
			t.Errorf("%s: %d, want %d", tc.q, n, tc.want)
		}
	}
	appendN(t, s, "staging", 0, 10) // left in the WAL
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer s.Close()
	if n := count(t, s, "*"); n != 9010 {
		t.Fatalf("after reopen: %d, want 9010", n)
	}
}

func TestRecoverFromWALAndInterruptedFlush(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	appendN(t, s, "production", 0, 500)
	// Simulate a crash: stop the goroutines without flushing.
	s.closed.Store(true)
	close(s.stop)
	s.done.Wait()
	s.wal.Close()
	s.closeParts()
	s.lock.Close()
	// Leave behind a part of an interrupted flush (newer than "flushed").
	recs := []logs.Record{rec(1), rec(2)}
	p, err := writePart(filepath.Join(dir, "production", "2026-11-30"), 99, recs, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.f.Close()
	s = open(t, dir)
	defer s.Close()
	if n := count(t, s, "*"); n != 500 {
		t.Fatalf("after recovery: %d, want 500 (no duplicates from the torn flush)", n)
	}
	if _, err := os.Stat(p.path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the leftover part is still there: %v", err)
	}
}

func TestTornWALTail(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	appendN(t, s, "production", 0, 100)
	s.closed.Store(true)
	close(s.stop)
	s.done.Wait()
	s.wal.Close()
	s.closeParts()
	s.lock.Close()
	segs, _ := segments(s.walDir)
	f, err := os.OpenFile(segmentPath(s.walDir, segs[len(segs)-1]), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(encodeFrame(nil, "production", []logs.Record{rec(7)})[:20]) // half a frame
	f.Close()
	s = open(t, dir)
	defer s.Close()
	if n := count(t, s, "*"); n != 100 {
		t.Fatalf("got %d, want 100", n)
	}
	appendN(t, s, "production", 100, 110)
	if n := count(t, s, "*"); n != 110 {
		t.Fatalf("got %d, want 110", n)
	}
}

func TestRetentionDeletesWholePartitions(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	defer s.Close()
	old := []logs.Record{{Time: t0.Add(-10 * 24 * time.Hour), Fields: []logs.Field{{Name: "_msg", Value: "old"}}}}
	for _, env := range []string{"production", "staging"} {
		if err := s.Append(context.Background(), env, old); err != nil {
			t.Fatal(err)
		}
		appendN(t, s, env, 0, 10)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	keep := map[string]time.Duration{"production": 30 * 24 * time.Hour, "staging": 7 * 24 * time.Hour}
	gone, err := s.Retain(t0, func(env string) time.Duration { return keep[env] })
	if err != nil {
		t.Fatal(err)
	}
	if len(gone) != 1 || gone[0].Env != "staging" || gone[0].Day != "2026-11-20" || gone[0].Lines != 1 {
		t.Fatalf("deleted %+v", gone)
	}
	if _, err := os.Stat(filepath.Join(dir, "staging", "2026-11-20")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("partition directory still there: %v", err)
	}
	if n := count(t, s, "old"); n != 1 {
		t.Fatalf("old lines left: %d, want 1 (production keeps 30 days)", n)
	}
}

func TestOverloadIsRefusedNotBuffered(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), FlushInterval: time.Hour, MaxBuffer: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	big := make([]logs.Record, 0, 1000)
	for i := 0; i < 1000; i++ {
		big = append(big, rec(i))
	}
	if err := s.Append(context.Background(), "production", big); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("got %v, want ErrOverloaded", err)
	}
	if s.Buffered() != 0 {
		t.Fatalf("buffered %d bytes of a refused append", s.Buffered())
	}
}

func TestConcurrentIngestAndQuery(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), FlushInterval: 20 * time.Millisecond, MergeParts: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers, batches, per = 4, 25, 40
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for b := 0; b < batches; b++ {
				from := (w*batches + b) * per
				var batch []logs.Record
				for i := from; i < from+per; i++ {
					batch = append(batch, rec(i))
				}
				if err := s.Append(context.Background(), "production", batch); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	stop := make(chan struct{})
	var qwg sync.WaitGroup
	qwg.Add(1)
	go func() {
		defer qwg.Done()
		last := 0
		for i := 0; i < 2000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			n := 0
			if err := s.Scan(context.Background(), Scan{}, func(logql.Row) bool { n++; return true }); err != nil {
				t.Error(err)
				return
			}
			if n < last {
				t.Errorf("a scan saw %d records after one saw %d: records vanished", n, last)
				return
			}
			last = n
		}
	}()
	wg.Wait()
	close(stop)
	qwg.Wait()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "*"); n != writers*batches*per {
		t.Fatalf("got %d, want %d", n, writers*batches*per)
	}
	if n := count(t, s, "request_id:=req-00001234"); n != 1 {
		t.Fatalf("request id found %d times", n)
	}
}

// TestKill9LosesNothingAcknowledged runs a real child process that appends
// and prints each acknowledged batch, kills it with SIGKILL mid-stream, and
// checks that every acknowledged record is there exactly once.
func TestKill9LosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=TestHelperAppender$")
	cmd.Env = append(os.Environ(), "LOGSTORE_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := 0
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(30 * time.Second)
	for sc.Scan() && time.Now().Before(deadline) {
		if n, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
			acked, _ = strconv.Atoi(n)
			if acked >= 3000 {
				break
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if acked < 100 {
		t.Fatalf("the child acknowledged only %d records", acked)
	}
	s := open(t, dir)
	defer s.Close()
	seen := map[string]int{}
	if err := s.Scan(context.Background(), Scan{}, func(r logql.Row) bool { seen[r.Get("request_id")]++; return true }); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < acked; i++ {
		if c := seen[fmt.Sprintf("req-%08d", i)]; c != 1 {
			t.Fatalf("acknowledged record %d is there %d times (acked %d, found %d)", i, c, acked, len(seen))
		}
	}
	t.Logf("acknowledged %d, found %d after SIGKILL", acked, len(seen))
}

func TestHelperAppender(t *testing.T) {
	dir := os.Getenv("LOGSTORE_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process for TestKill9LosesNothingAcknowledged")
	}
	s, err := Open(Options{Dir: dir, FlushInterval: 30 * time.Millisecond, MergeParts: 3})
	if err != nil {
		t.Fatal(err)
	}
	for b := 0; b < 100000; b++ {
		var batch []logs.Record
		for i := b * 10; i < b*10+10; i++ {
			batch = append(batch, rec(i))
		}
		if err := s.Append(context.Background(), "production", batch); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("ack %d\n", b*10+10)
	}
}

// TestFailedFlushIsRetried makes a flush fail (a file where the partition
// directory must go), then checks that the next flush writes what the
// failed one could not, once, and that a reopen finds every record once.
func TestFailedFlushIsRetried(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	appendN(t, s, "production", 0, 100)
	blocker := filepath.Join(dir, "production")
	if err := os.WriteFile(blocker, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err == nil {
		t.Fatal("the flush should have failed")
	}
	appendN(t, s, "production", 100, 150)
	if n := count(t, s, "*"); n != 150 {
		t.Fatalf("after a failed flush: %d, want 150", n)
	}
	os.Remove(blocker)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "*"); n != 150 || s.Buffered() != 0 {
		t.Fatalf("after the retry: %d records, %d bytes buffered", n, s.Buffered())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer s.Close()
	if n := count(t, s, "*"); n != 150 {
		t.Fatalf("after reopen: %d, want 150", n)
	}
}

// TestPartsAnswerAsTheBufferDoes runs the same queries over records in the
// buffer (evaluated line by line) and in parts (dictionary columns decided
// per value, bloom filters, projections): the answers must agree.
func TestPartsAnswerAsTheBufferDoes(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	appendN(t, s, "production", 0, 3000)
	queries := []string{
		"level:=error", "not level:=error", "level:in(error, nope)", "duration_ms:>50 or level:=error",
		"-(duration_ms:<10) level:info", "request_id:*", `"done in 7ms"`, "done", "requ*", "level:!=info duration_ms:=0",
		"nosuchfield:=x or duration_ms:<=1", "request_id:=req-00000042",
	}
	before := map[string]int{}
	for _, q := range queries {
		before[q] = count(t, s, q)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, q := range queries {
		if n := count(t, s, q); n != before[q] {
			t.Errorf("%s: %d from parts, %d from the buffer", q, n, before[q])
		}
	}
}

// stats runs a stats query over s, through whole blocks or row by row.
func stats(t *testing.T, s *Store, q string, blocks bool) []logql.Row {
	t.Helper()
	query, err := logql.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	run := query.NewRunner()
	sc := Scan{Filter: query.Filter, Fields: query.Fields()}
	if blocks {
		if sc.Blocks = run.BlockSink(); sc.Blocks == nil {
			t.Fatalf("%s: no block sink", q)
		}
	}
	if err := s.Scan(context.Background(), sc, run.Add); err != nil {
		t.Fatal(err)
	}
	rows, err := run.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestStatsFromBlocksAsFromRows(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	var batch []logs.Record
	for i := 0; i < 3*blockRows+123; i++ {
		r := rec(i)
		r.Fields = append(r.Fields, logs.Field{Name: "ratio", Value: strconv.FormatFloat(float64(i%7)/4.1, 'g', -1, 64)},
			logs.Field{Name: "big", Value: strconv.Itoa(i * 7919 % 100003)})
		if i%3 == 0 {
			r.Fields = append(r.Fields, logs.Field{Name: "path", Value: fmt.Sprintf("/p/%d", i%5)})
		}
		batch = append(batch, r)
	}
	if err := s.Append(context.Background(), "production", batch); err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "staging", 0, 500)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "production", 100_000, 100_200) // some rows stay in the buffer
	queries := []string{
		"level:=error | stats by (_time:1m) count() n",
		"* | stats by (level) count() n, count(path) c, sum(duration_ms) s, avg(ratio) a, min(big) mi, max(duration_ms) ma, quantile(0.95, duration_ms) p95, quantile(0.5, big) p50, count_uniq(path) u",
		"duration_ms:>50 | stats by (_time:10s, level) quantile(0.5, duration_ms) p50, count() n, sum(ratio) s",
		"* | stats by (request_id, big) count() n",
		"* | stats by (path, level) count() n, count(path) c",
		`"done in 7ms" | stats count() n`,
		"nosuch:=x | stats count() n",
		"* | stats by (nosuch) count() n, sum(nosuch) s, avg(_msg) m",
		"level:in(error, info) -path:=/p/1 | stats by (_time:1h) count() n, max(big) m",
		"_time:5m | stats count() n",
		"* | stats by (_time) count() n",
	}
	for _, q := range queries {
		rows, blocks := stats(t, s, q, false), stats(t, s, q, true)
		if fmt.Sprint(rows) != fmt.Sprint(blocks) {
			t.Errorf("%s:\nrows   %.300v\nblocks %.300v", q, rows, blocks)
		}
		if len(rows) == 0 {
			t.Errorf("%s: no rows", q)
		}
	}
}

func TestOverloadedUntilAFlushFreesRoom(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), FlushInterval: time.Hour, MaxBuffer: 64 << 10, Clock: clock.NewFake(t0.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	appendN(t, s, "production", 0, 50)
	if s.Overloaded() {
		t.Fatal("overloaded before any refusal")
	}
	var big []logs.Record
	for i := 0; i < 2000; i++ {
		big = append(big, rec(i))
	}
	if err := s.Append(context.Background(), "production", big); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("append of a batch bigger than the buffer: %v", err)
	}
	if !s.Overloaded() {
		t.Fatal("not overloaded right after a refusal")
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if s.Overloaded() {
		t.Fatal("still overloaded after a flush freed the buffer")
	}
}

func TestOversizedBatchDoesNotBlockOthers(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), FlushInterval: time.Hour, MaxBuffer: 64 << 10, Clock: clock.NewFake(t0.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var big []logs.Record
	for i := 0; i < 2000; i++ {
		big = append(big, rec(i))
	}
	if err := s.Append(context.Background(), "production", big); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("append of a batch bigger than the buffer: %v", err)
	}
	if s.Overloaded() {
		t.Fatal("an empty buffer is not overloaded, whatever was refused")
	}
	appendN(t, s, "production", 0, 10)
}
