// Command auditappend measures the audit trail: appends per second over
// HTTP in batches (POST /api/v1/audit/events on a running Warden: decode,
// validate, scrub, pseudonymise, chain, hash, commit durably, answer), and
// the time to verify the whole trail. The baseline, measured in the same
// run on the same engine by the same clients, is a bare HTTP handler that
// decodes the same batches and INSERTs each event into a plain table in one
// transaction per request: no chain, no lock, no hashing.
//
//	go run ./bench/auditappend                                  # SQLite
//	go run ./bench/auditappend -db 'postgres://warden@127.0.0.1:55432/postgres?sslmode=disable'
//	go run ./bench/auditappend -n 20000 -verify-events 1000000  # the verify target
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/store"
)

const token = "bench-token-0123456789abcdef"

var cpuProfile string

func main() {
	n := flag.Int("n", 100000, "events to append over HTTP (bounded)")
	batch := flag.Int("batch", 100, "events per request")
	clients := flag.Int("clients", 8, "concurrent HTTP clients")
	dbURL := flag.String("db", "", "empty for SQLite in a temp dir, or a postgres:// URL (a fresh database is created on it)")
	verifyEvents := flag.Int("verify-events", 0, "grow the trail in-process to this many events before timing verify (0: verify what was appended)")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the audit append phase to this file")
	flag.Parse()
	if *n < *batch || *n > 5_000_000 || *batch < 1 || *batch > audit.MaxBatch || *clients < 1 || *clients > 64 || *verifyEvents > 10_000_000 {
		fmt.Fprintln(os.Stderr, "-n must be batch..5000000, -batch 1..1000, -clients 1..64, -verify-events at most 10000000")
		os.Exit(2)
	}
	if err := run(*n, *batch, *clients, *dbURL, *verifyEvents); err != nil {
		fmt.Fprintln(os.Stderr, "auditappend:", err)
		os.Exit(1)
	}
}

func run(n, batch, clients int, dbURL string, verifyEvents int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "auditappend-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	engine := "sqlite"
	if dbURL != "" {
		engine = "postgres"
		fresh, drop, err := freshPostgres(ctx, dbURL)
		if err != nil {
			return err
		}
		defer drop()
		dbURL = fresh
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Listen = "127.0.0.1:0"
	cfg.Database.URL = config.Secret(dbURL)
	cfg.Audit.QueueSize = 100000
	cfg.Tokens = []config.Token{{Name: "app", Token: config.Secret(token), Scopes: []string{"ingest", "audit"}}}
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	defer a.Shutdown(context.Background())

	body := batchBody(batch)
	// Baseline first, on the same database, with a warm-up for both.
	base, err := newBaseline(ctx, a.DB)
	if err != nil {
		return err
	}
	baseSrv := httptest.NewServer(base)
	defer baseSrv.Close()
	post(baseSrv.URL+"/", body, clients, batch*clients)
	post(a.URL()+"/api/v1/audit/events", body, clients, batch*clients)

	cpu0 := cpuSeconds()
	baseRate, err := post(baseSrv.URL+"/", body, clients, n)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	cpu1 := cpuSeconds()
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
	}
	auditRate, err := post(a.URL()+"/api/v1/audit/events", body, clients, n)
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	cpu2 := cpuSeconds()
	perEvent := func(sec float64) float64 { return sec / float64(n) * 1e6 }
	fmt.Printf("engine=%s batch=%d clients=%d events=%d\n", engine, batch, clients, n)
	fmt.Printf("audit append over HTTP:     %9.0f events/s  %6.1f µs CPU/event (client and server)\n", auditRate, perEvent(cpu2-cpu1))
	fmt.Printf("baseline plain INSERT/HTTP: %9.0f events/s  %6.1f µs CPU/event\n", baseRate, perEvent(cpu1-cpu0))
	fmt.Printf("ratio audit/baseline:       %9.2f\n", auditRate/baseRate)

	if total, _ := a.Audit.Count(ctx, audit.Query{}); verifyEvents > int(total) {
		start := time.Now()
		if err := grow(ctx, a.Audit, verifyEvents-int(total)); err != nil {
			return err
		}
		fmt.Printf("grew the trail to %d events in-process in %.1fs\n", verifyEvents, time.Since(start).Seconds())
	}
	if _, err := a.Audit.CheckpointNow(ctx, audit.CheckpointManual); err != nil {
		return err
	}
	cpuBefore := cpuSeconds()
	rep, err := a.Audit.Verify(ctx)
	if err != nil {
		return err
	}
	if !rep.OK {
		return fmt.Errorf("verify failed: %v", rep.Problem)
	}
	// The machine is shared: CPU time says what the wall time would be on an
	// idle one better than the wall time does.
	fmt.Printf("verify: %d events, %d checkpoints in %.2fs wall (%.0f events/s), %.2fs CPU (%.1f µs CPU per event)\n",
		rep.Events, rep.Checkpoints, rep.Seconds, float64(rep.Events)/rep.Seconds, cpuSeconds()-cpuBefore, (cpuSeconds()-cpuBefore)/float64(rep.Events)*1e6)
	return nil
}

// batchBody is one request: batch realistic events without ids, so that
// Warden gives each a fresh one and the same body can be sent repeatedly.
func batchBody(batch int) []byte {
	evs := make([]map[string]any, batch)
	for i := range evs {
		evs[i] = map[string]any{
			"actor": map[string]any{"type": "user", "id": fmt.Sprintf("u-%d", i%50)}, "action": "payment.initiated",
			"target": map[string]any{"type": "payment", "id": fmt.Sprintf("pay-%d", i)}, "outcome": "success",
			"client_ip": "203.0.113.7", "user_agent": "Mozilla/5.0 (bench)", "request_id": fmt.Sprintf("req-%d", i),
			"details": map[string]any{"amount": "12.50", "currency": "EUR", "method": "card"},
		}
	}
	b, _ := json.Marshal(evs)
	return b
}

// post sends body from clients goroutines until n events are acknowledged
// and returns events per second.
func post(u string, body []byte, clients, n int) (float64, error) {
	var left atomic.Int64
	left.Store(int64(n))
	var per int64
	var probe []any
	json.Unmarshal(body, &probe)
	per = int64(len(probe))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: time.Minute}
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-per) > -per {
				req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err == nil {
					msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
					resp.Body.Close()
					if resp.StatusCode/100 != 2 {
						err = fmt.Errorf("%s answered %s: %s", u, resp.Status, msg)
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), firstErr
}

// baseline decodes a batch and inserts each event as JSON into a plain
// table, one transaction per request.
type baseline struct{ db *store.DB }

func newBaseline(ctx context.Context, db *store.DB) (*baseline, error) {
	typ := "BLOB"
	if db.Dialect == store.Postgres {
		typ = "BYTEA"
	}
	_, err := db.ExecContext(ctx, "CREATE TABLE bench_plain (id TEXT PRIMARY KEY, time BIGINT NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL, body "+typ+" NOT NULL)")
	return &baseline{db: db}, err
}

func (b *baseline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var evs []map[string]any
	if err := json.NewDecoder(r.Body).Decode(&evs); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	err := b.db.InTx(r.Context(), func(tx *store.Tx) error {
		for _, e := range evs {
			body, _ := json.Marshal(e)
			actor, _ := e["actor"].(map[string]any)
			if _, err := tx.ExecContext(r.Context(), "INSERT INTO bench_plain (id, time, action, actor, body) VALUES (?, ?, ?, ?, ?)",
				randomID(), time.Now().UnixMilli(), e["action"], fmt.Sprint(actor["id"]), body); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// cpuSeconds is the user and system CPU time this process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// grow appends n more events in-process, in batches of 1000 from 4
// goroutines, printing progress.
func grow(ctx context.Context, svc *audit.Service, n int) error {
	var done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	per := n / 4
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				fmt.Fprintf(os.Stderr, "  growing: %d of %d\n", done.Load(), n)
			}
		}
	}()
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			count := per
			if w == 3 {
				count = n - 3*per
			}
			for i := 0; i < count; i += 1000 {
				evs := make([]audit.Event, min(1000, count-i))
				for j := range evs {
					evs[j] = audit.Event{Actor: audit.Actor{Type: audit.ActorService, ID: "bench"}, Action: "payment.initiated",
						Target: audit.Target{Type: "payment", ID: fmt.Sprintf("p-%d-%d", w, i+j)}, Outcome: audit.Success,
						ClientIP: "203.0.113.7", Details: map[string]any{"amount": "12.50", "currency": "EUR"}}
				}
				for {
					_, err := svc.Append(ctx, evs...)
					var busy *audit.BusyError
					if asBusy(err, &busy) {
						time.Sleep(busy.RetryAfter / 10)
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
				done.Add(int64(len(evs)))
			}
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	return <-errs
}

func asBusy(err error, target **audit.BusyError) bool {
	b, ok := err.(*audit.BusyError)
	if ok {
		*target = b
	}
	return ok
}

// freshPostgres creates a database on the server at u for this run.
func freshPostgres(ctx context.Context, u string) (string, func(), error) {
	admin, err := store.Open(ctx, store.Options{URL: u})
	if err != nil {
		return "", nil, err
	}
	name := "bench_audit_" + randomID()[:8]
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, err
	}
	parsed, err := url.Parse(u)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	parsed.Path = "/" + name
	return parsed.String(), func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}, nil
}
