// Command backupspeed measures Warden's SQLite backup throughput (the
// backup API in one step, zstd alongside) against the sqlite3 CLI's .backup on
// the same database in the same run, idle and under a steady write load,
// and prints the ratio of their MB/s.
//
//	go run ./bench/backupspeed -size 1024
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "modernc.org/sqlite"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/backup/backupsql"
	"github.com/wardenhq/warden/internal/backup/dest"
	"github.com/wardenhq/warden/internal/backup/sqlitesrc"
	"github.com/wardenhq/warden/internal/store"
)

func main() {
	sizeMiB := flag.Int("size", 1024, "database size to generate, MiB")
	rate := flag.Int("rate", 200, "rows per second the writer inserts under load")
	timeout := flag.Duration("timeout", 3*time.Minute, "give up on one backup after this long")
	dir := flag.String("dir", "", "work directory (default: a temporary one, removed after)")
	level := flag.String("level", "fastest", "zstd level: fastest, default, better")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of Warden's backups (not the generation) to this file")
	runs := flag.Int("runs", 3, "idle pairs (sqlite3, then Warden) to run; the median ratio is reported")
	flag.Parse()
	cpuProfile = *cpuprofile
	if err := run(*sizeMiB, *rate, *runs, *timeout, *dir, *level); err != nil {
		fmt.Fprintln(os.Stderr, "backupspeed:", err)
		os.Exit(1)
	}
}

var cpuProfile string

func run(sizeMiB, rate, runs int, timeout time.Duration, dir, level string) error {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		return fmt.Errorf("the baseline needs the sqlite3 CLI (apt-get install sqlite3)")
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "backupspeed-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	src := filepath.Join(dir, "app.db")
	began := time.Now()
	if st, err := os.Stat(src); err == nil && st.Size() >= int64(sizeMiB)<<20*9/10 {
		fmt.Printf("reusing the database in %s\n", src) // -dir of an earlier run
	} else {
		fmt.Printf("generating a %d MiB SQLite database...\n", sizeMiB)
		if err := generate(src, int64(sizeMiB)<<20); err != nil {
			return err
		}
	}
	st, _ := os.Stat(src)
	fmt.Printf("generated %.0f MiB in %v\n", float64(st.Size())/(1<<20), time.Since(began).Round(time.Second))
	out, _ := exec.Command("sqlite3", "--version").Output()
	fmt.Printf("baseline: sqlite3 CLI %s", out)

	mgr, catalogDB, err := manager(src, dir, level)
	if err != nil {
		return err
	}
	defer catalogDB.Close()
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// The baseline's time varies most (it writes and fsyncs the whole
	// database), so the idle pair runs several times, one after the other.
	var ratios []float64
	for i := 0; i <= runs; i++ {
		load := i == runs
		name := fmt.Sprintf("idle, run %d of %d", i+1, runs)
		stop := func() int64 { return 0 }
		if load {
			name = fmt.Sprintf("under load (%d rows/s)", rate)
			stop = startWriter(src, rate)
		}
		baseline := filepath.Join(dir, "baseline.db")
		for _, f := range []string{baseline, baseline + "-journal"} { // left by a run stopped midway
			os.Remove(f)
		}
		baseSecs, baseCPU, baseSize, baseErr := sqlite3Backup(src, baseline, timeout)
		cpu0 := cpuTime()
		wSecs, wSize, raw, wErr := wardenBackup(mgr, timeout)
		wCPU := cpuTime() - cpu0
		written := stop()
		os.Remove(baseline)
		fmt.Printf("\n%s (%d rows written during the runs):\n", name, written)
		mb := float64(st.Size()) / 1e6
		if baseErr != nil {
			fmt.Printf("  sqlite3 .backup: %v\n", baseErr)
		} else {
			fmt.Printf("  sqlite3 .backup:        %6.1fs  %7.1f MB/s  output %.0f MiB (uncompressed)  CPU %.2fs\n", baseSecs, mb/baseSecs, float64(baseSize)/(1<<20), baseCPU)
		}
		if wErr != nil {
			fmt.Printf("  warden backup: %v\n", wErr)
			continue
		}
		fmt.Printf("  warden (zstd %s):  %6.1fs  %7.1f MB/s  output %.0f MiB (%.1fx smaller than the %.0f MiB raw copy)  CPU %.2fs (this process)\n",
			level, wSecs, mb/wSecs, float64(wSize)/(1<<20), float64(raw)/float64(wSize), float64(raw)/(1<<20), wCPU)
		if recs, _ := mgr.List(context.Background(), backup.Filter{Limit: 1}); len(recs) > 0 && recs[0].Manifest != nil {
			st := recs[0].Manifest.StagesMS
			names := make([]string, 0, len(st))
			for k := range st {
				names = append(names, k)
			}
			sort.Strings(names)
			fmt.Printf("    stages:")
			for _, k := range names {
				fmt.Printf(" %s %.1fs", k, float64(st[k])/1000)
			}
			fmt.Println()
		}
		if baseErr == nil {
			fmt.Printf("  ratio warden/sqlite3 MB/s: %.2f (target >= 0.80)\n", baseSecs/wSecs)
			if !load {
				ratios = append(ratios, baseSecs/wSecs)
			}
		}
	}
	if len(ratios) > 0 {
		sort.Float64s(ratios)
		fmt.Printf("\nidle ratio warden/sqlite3 MB/s over %d runs: median %.2f, min %.2f, max %.2f (target >= 0.80)\n",
			len(ratios), ratios[len(ratios)/2], ratios[0], ratios[len(ratios)-1])
	}
	return nil
}

func manager(src, dir, level string) (*backup.Manager, *store.DB, error) {
	db, err := store.Open(context.Background(), store.Options{DataDir: filepath.Join(dir, "catalog")})
	if err != nil {
		return nil, nil, err
	}
	if err := db.Migrate(context.Background(), backupsql.Migrations); err != nil {
		return nil, nil, err
	}
	t := &backup.Target{Name: "app", Source: &sqlitesrc.Source{Path: src, WorkDir: dir}, Dest: &dest.Local{Dir: filepath.Join(dir, "backups")},
		Sealer: backup.Sealer{Level: level}, Keep: backup.Keep{Last: 1}}
	mgr, err := backup.New(backup.Options{Targets: []*backup.Target{t}, Catalog: backupsql.New(db), WorkDir: dir,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "bench"})
	return mgr, db, err
}

// wardenBackup times one backup without verification: dump, compress,
// store (what the sqlite3 CLI's .backup is compared with).
func wardenBackup(mgr *backup.Manager, timeout time.Duration) (secs float64, size, raw int64, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	rec, err := mgr.Run(ctx, "app", backup.TriggerManual, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	return time.Since(start).Seconds(), rec.Size, rec.RawSize, nil
}

// sqlite3Backup runs the baseline and returns its wall time, the CPU time
// of the sqlite3 process, and the output's size.
func sqlite3Backup(src, dst string, timeout time.Duration) (float64, float64, int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "sqlite3", src, ".timeout 30000", ".backup "+dst)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return 0, 0, 0, fmt.Errorf("did not finish within %v (a stepwise copy restarts on every write)", timeout)
	}
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
	}
	cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	f, err := os.Open(dst)
	if err != nil {
		return 0, 0, 0, err
	}
	f.Sync() // Warden fsyncs its output; so must the baseline to be fair
	st, _ := f.Stat()
	f.Close()
	return time.Since(start).Seconds(), cpu, st.Size(), nil
}

// cpuTime is the user and system CPU time this process used so far.
func cpuTime() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// generate fills path with payments-like rows until it reaches size bytes.
func generate(path string, size int64) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE payments (id INTEGER PRIMARY KEY, created_at TEXT, account TEXT, amount INTEGER, currency TEXT, status TEXT, memo TEXT)`); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("invoice order refund card transfer sepa instant payout fee monthly subscription coffee rent salary grocery fuel travel hotel flight")
	for {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		stmt, _ := tx.Prepare(`INSERT INTO payments (created_at, account, amount, currency, status, memo) VALUES (?, ?, ?, ?, ?, ?)`)
		for i := 0; i < 20000; i++ {
			var memo strings.Builder
			for j := 0; j < 20; j++ {
				memo.WriteString(words[rng.IntN(len(words))])
				memo.WriteByte(' ')
			}
			fmt.Fprintf(&memo, "ref %016x", rng.Uint64())
			if _, err := stmt.Exec(time.Unix(1.7e9+rng.Int64N(3e7), 0).UTC().Format(time.RFC3339), fmt.Sprintf("DE%020d", rng.Int64N(1e15)),
				rng.IntN(1e6), "EUR", []string{"settled", "pending", "failed"}[rng.IntN(3)], memo.String()); err != nil {
				return err
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		wal, _ := os.Stat(path + "-wal")
		total := st.Size()
		if wal != nil {
			total += wal.Size()
		}
		if total >= size {
			_, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
			return err
		}
	}
}

// startWriter inserts rows at a steady rate from another connection; the
// returned function stops it and reports how many rows it wrote.
func startWriter(path string, rate int) func() int64 {
	db, _ := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(30000)&_txlock=immediate")
	var n atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(max(rate, 1)))
		defer tick.Stop()
		for i := 0; i < 10_000_000; i++ { // bounded; stopped long before
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := db.Exec(`INSERT INTO payments (created_at, account, amount, currency, status, memo) VALUES (?, 'DE00', 1, 'EUR', 'pending', 'load')`,
				time.Now().UTC().Format(time.RFC3339)); err == nil {
				n.Add(1)
			}
		}
	}()
	return func() int64 {
		close(stop)
		wg.Wait()
		db.Close()
		return n.Load()
	}
}
