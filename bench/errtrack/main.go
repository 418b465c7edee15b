// Command errtrack measures error tracking's ingest over HTTP: realistic
// ~20 KB Sentry events (a 40-frame stack trace with source context,
// breadcrumbs, request headers, contexts) of a few distinct bugs, posted as
// envelopes by concurrent clients on loopback to the real ingest handler,
// which decodes, scrubs, groups and stores them in SQLite (or PostgreSQL)
// before answering. It prints events/s, latency percentiles and memory, and
// as the baseline measured in the same run, the same requests against a
// handler on the same HTTP stack that only reads the body and answers.
//
//	go run ./bench/errtrack                       # 20,000 events, 16 clients
//	go run ./bench/errtrack -n 5000 -c 8           # a quicker run
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/errtrack/errhttp"
	"github.com/wardenhq/warden/internal/errtrack/errsql"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/store"
)

const key = "abc123def4564567890abcdef1234567"

// profileFile, when set, gets a CPU profile of the ingest phase.
var profileFile *os.File

func main() {
	n := flag.Int("n", 20000, "events to send (bounded)")
	clients := flag.Int("c", 16, "concurrent clients")
	bugs := flag.Int("bugs", 20, "distinct bugs")
	maxTime := flag.Duration("max", 90*time.Second, "stop sending after this long")
	dbURL := flag.String("db", "", "empty for SQLite in a temp dir, or a postgres:// URL")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the ingest phase (not the baseline) to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		profileFile = f
	}
	if *n < 1 || *n > 1_000_000 || *clients < 1 || *clients > 256 || *bugs < 1 {
		fmt.Fprintln(os.Stderr, "-n must be 1..1000000, -c 1..256, -bugs at least 1")
		os.Exit(2)
	}
	if err := run(*n, *clients, *bugs, *maxTime, *dbURL); err != nil {
		fmt.Fprintln(os.Stderr, "errtrack bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

type result struct {
	sent     int
	failed   int
	elapsed  time.Duration
	lat      []time.Duration
	bodySize int
	// cpu is the process's CPU time (user+system, clients included)
	// during the run; mallocs and allocBytes are the Go heap allocations.
	cpu                 time.Duration
	mallocs, allocBytes uint64
}

// cpuPerEvent is the whole process's CPU time per acknowledged event: the
// measure that does not depend on what else the machine is doing.
func (r result) cpuPerEvent() time.Duration {
	return r.cpu / time.Duration(max(r.sent, 1))
}

func (r result) perSecond() float64 { return float64(r.sent) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[int(p*float64(len(r.lat)-1))]
}

func run(n, clients, bugs int, maxTime time.Duration, dbURL string) error {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	slog.SetDefault(logger)
	bodies := make([][]byte, 64)
	for i := range bodies {
		bodies[i] = envelope(i, i%bugs, i%3)
	}

	// Baseline: the same HTTP stack, a handler that only reads the body.
	base := httpapi.New(httpapi.Options{Logger: logger})
	base.HandleSelfAuth("POST /api/{project}/envelope/{$}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		httpapi.WriteJSON(w, http.StatusOK, map[string]string{"id": "0"})
	}), httpapi.WithMaxBody(5<<20))
	bs := httptest.NewServer(base)
	baseline := load(bs.URL, bodies, n, clients, maxTime, 0)
	bs.Close()

	dir, err := os.MkdirTemp("", "errtrack-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, store.Options{URL: dbURL, DataDir: dir})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx, errsql.Migrations); err != nil {
		return err
	}
	cs := &countingStore{Store: errsql.New(db)}
	svc := errtrack.New(errtrack.Options{Store: cs, Logger: logger, Projects: []errtrack.Project{{ID: 1, Name: "bench", Key: key}}})
	svc.Start()
	api := httpapi.New(httpapi.Options{Logger: logger})
	(&errhttp.Ingest{Service: svc, MaxBody: 5 << 20}).Register(api)
	ts := httptest.NewServer(api)
	var peakHeap atomic.Uint64
	stopSampling := sampleHeap(&peakHeap)
	if profileFile != nil {
		pprof.StartCPUProfile(profileFile)
	}
	got := load(ts.URL, bodies, n, clients, maxTime, 1_000_000)
	if profileFile != nil {
		pprof.StopCPUProfile()
	}
	stopSampling()
	ts.Close()
	svc.Stop(ctx)

	issues, err := svc.Store().ListIssues(ctx, errtrack.IssueFilter{Limit: 1000})
	if err != nil {
		return err
	}
	var counted int64
	for _, is := range issues {
		counted += is.Count
	}
	engine := "SQLite (synchronous=FULL, WAL)"
	if db.Dialect == store.Postgres {
		engine = "PostgreSQL"
	}
	fmt.Printf("events: %d of ~%d KB each, %d distinct bugs, %d clients, %s, GOMAXPROCS=%d\n",
		got.sent, got.bodySize/1000, bugs, clients, engine, runtime.GOMAXPROCS(0))
	fmt.Printf("%-28s %10s %9s %9s %9s %7s %10s %10s %9s\n", "", "events/s", "p50", "p99", "max", "failed", "CPU/event", "allocs/ev", "KB/ev")
	for _, row := range []struct {
		name string
		r    result
	}{{"baseline (read body, 200)", baseline}, {"errtrack ingest", got}} {
		sent := uint64(max(row.r.sent, 1))
		fmt.Printf("%-28s %10.0f %9s %9s %9s %7d %10s %10d %9.0f\n", row.name, row.r.perSecond(),
			row.r.pct(0.50).Round(10*time.Microsecond), row.r.pct(0.99).Round(10*time.Microsecond), row.r.pct(1).Round(10*time.Microsecond), row.r.failed,
			row.r.cpuPerEvent().Round(time.Microsecond), row.r.mallocs/sent, float64(row.r.allocBytes/sent)/1000)
	}
	fmt.Printf("ratio ingest/baseline: %.2f\n", got.perSecond()/baseline.perSecond())
	extra := got.cpuPerEvent() - baseline.cpuPerEvent()
	fmt.Printf("CPU per event (whole process, clients included): baseline %s, ingest %s; ingest's own %s, so %.0f events/s fit in %d cores\n",
		baseline.cpuPerEvent().Round(time.Microsecond), got.cpuPerEvent().Round(time.Microsecond), extra.Round(time.Microsecond),
		float64(runtime.NumCPU())/got.cpuPerEvent().Seconds(), runtime.NumCPU())
	fmt.Printf("store: %d transactions, %.1f events each on average\n", cs.batches.Load(), float64(cs.events.Load())/float64(max(cs.batches.Load(), 1)))
	fmt.Printf("issues: %d, events counted: %d (want %d and %d)\n", len(issues), counted, min(bugs, len(bodies)), got.sent)
	fmt.Printf("memory: peak Go heap in use %.0f MB, peak RSS (whole process, clients included) %s\n",
		float64(peakHeap.Load())/1e6, vmHWM())
	if counted != int64(got.sent) {
		return fmt.Errorf("%d events acknowledged but %d counted", got.sent, counted)
	}
	return nil
}

// countingStore counts the writer's transactions, to show how well
// concurrent requests share a commit.
type countingStore struct {
	errtrack.Store
	batches, events atomic.Int64
}

func (c *countingStore) SaveEvents(ctx context.Context, evs []*errtrack.Event) ([]errtrack.SaveResult, error) {
	c.batches.Add(1)
	c.events.Add(int64(len(evs)))
	return c.Store.SaveEvents(ctx, evs)
}

// load posts n envelopes (cycling through bodies, with fresh event ids from
// idBase on) from clients goroutines, for at most maxTime.
func load(url string, bodies [][]byte, n, clients int, maxTime time.Duration, idBase int) result {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	var next atomic.Int64
	var mu sync.Mutex
	res := result{bodySize: len(bodies[0])}
	deadline := time.Now().Add(maxTime)
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := processCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			failed := 0
			for {
				i := int(next.Add(1)) - 1
				if i >= n || time.Now().After(deadline) {
					break
				}
				body := withID(bodies[i%len(bodies)], idBase+i)
				t0 := time.Now()
				resp, err := client.Post(url+"/api/1/envelope/?sentry_key="+key, "application/x-sentry-envelope", bytes.NewReader(body))
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode != 200 {
					failed++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.failed += failed
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.cpu = processCPU() - cpu0
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	res.mallocs, res.allocBytes = ms1.Mallocs-ms0.Mallocs, ms1.TotalAlloc-ms0.TotalAlloc
	res.sent = len(res.lat)
	sort.Slice(res.lat, func(i, j int) bool { return res.lat[i] < res.lat[j] })
	return res
}

// withID puts event id i into the envelope (both places hold 32 zeros).
func withID(b []byte, i int) []byte {
	id := fmt.Sprintf("%032x", i)
	return bytes.ReplaceAll(b, []byte(strings.Repeat("0", 32)), []byte(id))
}

// envelope builds a realistic event of bug b from release r, about 20 KB.
func envelope(i, b, r int) []byte {
	var frames []map[string]any
	for f := 0; f < 40; f++ {
		inApp := f >= 32
		mod := fmt.Sprintf("node_modules/framework/lib/layer%d", f)
		if inApp {
			mod = fmt.Sprintf("app/api/payments/handler%d", f)
		}
		fn := fmt.Sprintf("handle%d", f)
		if inApp && f == 39 {
			fn = fmt.Sprintf("bug%d", b)
		}
		frames = append(frames, map[string]any{
			"filename": "/srv/shop-" + fmt.Sprint(r) + "/" + mod + ".js", "module": mod, "function": fn,
			"lineno": 100 + f + r, "colno": 12, "in_app": inApp,
			"pre_context":  []string{"  const order = await db.orders.find(id);", "  if (!order) {", "    throw new NotFound(id);", "  }", "  const amount = order.total;"},
			"context_line": fmt.Sprintf("  const result = await provider.charge(order, amount); // frame %d", f),
			"post_context": []string{"  await audit.record('charge', order.id);", "  return result;", "}", "", "module.exports = { charge };"},
		})
	}
	var crumbs []map[string]any
	for c := 0; c < 30; c++ {
		crumbs = append(crumbs, map[string]any{"timestamp": 1764504000 + c, "category": "http", "level": "info",
			"message": fmt.Sprintf("GET https://api.example.com/v1/orders/%d 200", 1000+c), "data": map[string]any{"status_code": 200, "method": "GET"}})
	}
	ev := map[string]any{
		"event_id": strings.Repeat("0", 32), "timestamp": 1764504000.25, "platform": "node", "level": "error",
		"release": fmt.Sprintf("shop@1.%d.0", r), "environment": "production", "server_name": "web-1",
		"exception": map[string]any{"values": []map[string]any{{"type": fmt.Sprintf("PaymentError%d", b), "value": fmt.Sprintf("charge of order %d failed", i),
			"stacktrace": map[string]any{"frames": frames}, "mechanism": map[string]any{"type": "generic", "handled": true}}}},
		"breadcrumbs": map[string]any{"values": crumbs},
		"request": map[string]any{"method": "POST", "url": "https://shop.example.com/api/payments/charge",
			"headers": map[string]string{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "Accept": "application/json", "Content-Type": "application/json", "Authorization": "Bearer secret-token-value-123456"}},
		"user":     map[string]any{"id": fmt.Sprint(i % 50), "ip_address": "203.0.113.7"},
		"tags":     map[string]string{"component": "payments", "region": "eu-north-1"},
		"contexts": map[string]any{"runtime": map[string]any{"name": "node", "version": "v20.20.2"}, "os": map[string]any{"name": "Debian", "version": "12"}},
	}
	payload, _ := json.Marshal(ev)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\"event_id\":\"%s\",\"sent_at\":\"2026-11-30T12:00:00Z\"}\n{\"type\":\"event\",\"length\":%d}\n", strings.Repeat("0", 32), len(payload))
	buf.Write(payload)
	buf.WriteByte('\n')
	return buf.Bytes()
}

// sampleHeap records the peak of the Go heap in use every 50ms.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// processCPU is the user+system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}
