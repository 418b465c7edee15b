// Command logs benchmarks the log store end to end against a baseline
// measured in the same run.
//
// It generates a realistic corpus (API access lines and app logs, ~250
// bytes a line, high-cardinality request and user IDs), ingests it over
// HTTP into Warden's store (real loopback server, NDJSON batches, every
// batch fsynced before its 2xx), then times typical queries.
//
// The baseline is what a team does without a log store: append the same
// NDJSON to a file (fsync per batch, same durability) and answer the same
// questions by scanning it: grep -F for the needle queries, a JSON decode
// of every line for the aggregations.
//
//	go run ./bench/logs -lines 1000000
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
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

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/loghttp"
	"github.com/wardenhq/warden/internal/logs/logstore"
)

var (
	nLines  = flag.Int("lines", 1_000_000, "lines in the corpus")
	batch   = flag.Int("batch", 10_000, "lines per HTTP request")
	workers = flag.Int("workers", 4, "concurrent HTTP clients")
	runs    = flag.Int("runs", 5, "runs per query; the median is reported")
	dirFlag = flag.String("dir", "", "work directory (default: a temporary one, removed after)")
	cpuProf = flag.String("cpuprofile", "", "write a CPU profile of the Warden ingest here")
	qProf   = flag.String("queryprofile", "", "write a CPU profile of the Warden queries here")
	doBase  = flag.Bool("baseline", true, "also time the baseline queries (slow: a JSON decode of every line)")
)

const token = "bench-token-0123456789abcdef"

var base = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

var paths = []string{"/api/payments", "/api/auth/login", "/api/users/me", "/api/orders", "/api/search", "/health", "/api/cards", "/api/transfers"}
var methods = []string{"GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"}
var services = []string{"api", "worker", "gateway", "scheduler"}
var appMsgs = []string{
	"user signed in", "payment authorised", "payment failed: card declined by issuer", "order created",
	"cache miss for session", "retrying webhook delivery", "database connection refused", "slow query detected",
}

// corpus builds the lines, already cut into NDJSON request bodies of
// -batch lines (so that 10 million lines take their size once in memory,
// not twice); the needle request ID sits in the middle.
func corpus(n int) ([][]byte, string) {
	rng := rand.New(rand.NewPCG(1, 2))
	var batches [][]byte
	var cur []byte
	span := 24 * time.Hour
	needle := ""
	for i := 0; i < n; i++ {
		t := base.Add(time.Duration(int64(span) / int64(n) * int64(i)))
		rid := fmt.Sprintf("%016x", rng.Uint64())
		if i == n/2 {
			needle = rid
		}
		user := fmt.Sprintf("u-%06d", rng.IntN(200_000))
		var m map[string]any
		if i%2 == 0 {
			status := 200
			switch r := rng.IntN(100); {
			case r < 2:
				status = 500
			case r < 6:
				status = 404
			case r < 8:
				status = 401
			}
			level := "info"
			if status >= 500 {
				level = "error"
			}
			m = map[string]any{"time": t.Format(time.RFC3339Nano), "level": level, "service": "gateway",
				"msg": "request completed", "method": methods[rng.IntN(len(methods))], "path": paths[rng.IntN(len(paths))],
				"status": status, "duration_ms": int(rng.ExpFloat64()*40) + 1, "bytes": rng.IntN(50_000),
				"request_id": rid, "user_id": user, "remote_ip": fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256)),
				"user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"}
		} else {
			msg := appMsgs[rng.IntN(len(appMsgs))]
			level := "info"
			if strings.Contains(msg, "failed") || strings.Contains(msg, "refused") {
				level = "error"
			} else if strings.Contains(msg, "slow") || strings.Contains(msg, "retrying") {
				level = "warn"
			}
			m = map[string]any{"time": t.Format(time.RFC3339Nano), "level": level, "service": services[rng.IntN(len(services))],
				"msg": msg, "request_id": rid, "user_id": user, "caller": fmt.Sprintf("app/%s.go:%d", []string{"pay", "auth", "orders"}[rng.IntN(3)], rng.IntN(400)),
				"trace_id": fmt.Sprintf("%032x", rng.Uint64()), "version": "1.42.0"}
		}
		line, _ := json.Marshal(m)
		if cur == nil {
			cur = make([]byte, 0, *batch*(len(line)+32))
		}
		cur = append(append(cur, line...), '\n')
		if (i+1)%*batch == 0 || i == n-1 {
			batches = append(batches, cur)
			cur = nil
		}
	}
	return batches, needle
}

func main() {
	flag.Parse()
	dir := *dirFlag
	if dir == "" {
		d, err := os.MkdirTemp("", "warden-logs-bench-")
		check(err)
		defer os.RemoveAll(d)
		dir = d
	}
	fmt.Printf("generating %d lines...\n", *nLines)
	batches, needle := corpus(*nLines)
	var raw int64
	for _, b := range batches {
		raw += int64(len(b))
	}
	fmt.Printf("corpus: %d lines, %.0f bytes a line on average\n", *nLines, float64(raw)/float64(*nLines))

	// Warden: ingest over HTTP.
	st, err := logstore.Open(logstore.Options{Dir: filepath.Join(dir, "store"), FlushInterval: 2 * time.Second, MaxBuffer: 1 << 30,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	check(err)
	svc := logs.NewService(logs.Options{Store: st})
	api := httpapi.New(httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Tokens: auth.NewTokens([]auth.Token{{Name: "bench", Secret: token, Scopes: []string{"ingest", "read"}}})})
	(&loghttp.Handlers{Service: svc, MaxBody: 64 << 20}).Register(api)
	srv := httptest.NewServer(api)
	defer srv.Close()

	if *cpuProf != "" {
		pf, err := os.Create(*cpuProf)
		check(err)
		check(pprof.StartCPUProfile(pf))
	}
	cpu0 := cpuTime()
	began := time.Now()
	ingestHTTP(srv.URL, batches)
	ingestCPU := cpuTime() - cpu0
	if *cpuProf != "" {
		pprof.StopCPUProfile()
	}
	wardenIngest := time.Since(began)
	check(st.Flush())
	// Merge until the store settles, so that the queries below are not
	// timed against merges still running in the background.
	for i := 0; i < 20; i++ {
		before := countParts(st)
		check(st.Merge())
		if countParts(st) == before {
			break
		}
	}
	wardenBytes := dirSize(filepath.Join(dir, "store"))

	// Baseline: append to a file, fsync per batch.
	flat := filepath.Join(dir, "app.ndjson")
	began = time.Now()
	f, err := os.Create(flat)
	check(err)
	for _, b := range batches {
		_, err := f.Write(b)
		check(err)
		check(f.Sync())
	}
	check(f.Close())
	fileIngest := time.Since(began)
	fileBytes := dirSize(flat)

	n := float64(*nLines)
	fmt.Printf("\n| measure | Warden | baseline (NDJSON file + grep/decode) | ratio |\n|---|---|---|---|\n")
	fmt.Printf("| ingest, lines/s | %.0f (HTTP, %d clients) | %.0f (file append + fsync) | %.2fx |\n",
		n/wardenIngest.Seconds(), *workers, n/fileIngest.Seconds(), fileIngest.Seconds()/wardenIngest.Seconds())
	fmt.Printf("| ingest, CPU per line (this process, client and server) | %.1f µs (%.0f lines per CPU-second) | | |\n",
		float64(ingestCPU.Microseconds())/n, n/ingestCPU.Seconds())
	fmt.Printf("| bytes on disk a line | %.1f | %.1f | %.1fx smaller |\n", float64(wardenBytes)/n, float64(fileBytes)/n, float64(fileBytes)/float64(wardenBytes))

	ctx := context.Background()
	query := func(q string) func() string {
		return func() string {
			res, err := svc.Query(ctx, logs.QueryRequest{Query: q, Limit: 100, End: base.Add(48 * time.Hour)})
			check(err)
			return fmt.Sprintf("%d rows", len(res.Rows))
		}
	}
	cases := []struct {
		name            string
		warden, grepped func() string
	}{
		{"errors counted by minute, whole set", query("level:=error | stats by (_time:1m) count() n"),
			func() string { return decodeAll(flat, errorsByMinute) }},
		{"one request ID", query("request_id:=" + needle),
			func() string { return grepCount(flat, needle) }},
		{"p95 and p99 of duration by path", query("status:* | stats by (path) quantile(0.95, duration_ms) p95, quantile(0.99, duration_ms) p99"),
			func() string {
				r := decodeAll(flat, percentilesByPath)
				for _, v := range durByPath {
					sort.Float64s(v)
				}
				return r
			}},
		{"phrase search", query(`"card declined by issuer" | stats count() n`),
			func() string { return grepCount(flat, "card declined by issuer") }},
	}
	if *qProf != "" {
		pf, err := os.Create(*qProf)
		check(err)
		check(pprof.StartCPUProfile(pf))
		for _, c := range cases {
			for i := 0; i < *runs; i++ {
				c.warden()
			}
		}
		pprof.StopCPUProfile()
	}
	for _, c := range cases {
		cpu0 := cpuTime()
		w, wr := median(c.warden)
		qcpu := (cpuTime() - cpu0) / time.Duration(*runs)
		if !*doBase {
			fmt.Printf("| %s | %s (%s; %s CPU a run) | - | - |\n", c.name, ms(w), wr, ms(qcpu))
			continue
		}
		b, br := median(c.grepped)
		fmt.Printf("| %s | %s (%s; %s CPU a run) | %s (%s) | %.1fx faster |\n", c.name, ms(w), wr, ms(qcpu), ms(b), br, b.Seconds()/w.Seconds())
	}
	check(st.Close())
}

var overloaded atomic.Int64

func ingestHTTP(url string, batches [][]byte) {
	next := make(chan []byte)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				for attempt := 0; ; attempt++ {
					req, _ := http.NewRequest("POST", url+"/api/v1/logs", bytes.NewReader(b))
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := http.DefaultClient.Do(req)
					check(err)
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 {
						break
					}
					// 429: the buffer is full until a flush ends; on a loaded
					// machine that can take many seconds, so wait up to 10
					// minutes for one batch.
					if resp.StatusCode != 429 || attempt >= 6000 {
						panic(fmt.Sprintf("ingest answered %d", resp.StatusCode))
					}
					overloaded.Add(1)
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	for i, b := range batches {
		next <- b
		if i%20 == 0 {
			fmt.Fprintf(os.Stderr, "\ringest %d/%d batches", i, len(batches))
		}
	}
	close(next)
	wg.Wait()
	fmt.Fprintln(os.Stderr)
	if n := overloaded.Load(); n > 0 {
		fmt.Printf("ingest: %d requests answered 429 (buffer full until a flush ended) and were retried after 100 ms\n", n)
	}
}

func grepCount(path, needle string) string {
	out, err := exec.Command("grep", "-cF", needle, path).Output()
	if err != nil && len(out) == 0 {
		return "0 lines"
	}
	return strings.TrimSpace(string(out)) + " lines"
}

// decodeAll decodes every line, as a script without an index must.
func decodeAll(path string, agg func(map[string]any)) string {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			agg(m)
			n++
		}
	}
	return fmt.Sprintf("%d lines decoded", n)
}

func errorsByMinute(m map[string]any) {
	if m["level"] == "error" {
		s, _ := m["time"].(string)
		t, _ := time.Parse(time.RFC3339Nano, s)
		byMinute[t.Truncate(time.Minute)]++
	}
}

var (
	byMinute  = map[time.Time]int{}
	durByPath = map[string][]float64{}
)

func percentilesByPath(m map[string]any) {
	if p, ok := m["path"].(string); ok {
		d, _ := m["duration_ms"].(float64)
		durByPath[p] = append(durByPath[p], d)
	}
}

func median(f func() string) (time.Duration, string) {
	var ds []time.Duration
	var res string
	for i := 0; i < *runs; i++ {
		byMinute, durByPath = map[time.Time]int{}, map[string][]float64{}
		start := time.Now()
		res = f()
		ds = append(ds, time.Since(start))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], res
}

// cpuTime is the CPU time this process has used (user + system): on a
// shared machine it says what ingest costs when wall time says little.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func dirSize(p string) int64 {
	var n int64
	filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func countParts(st *logstore.Store) int {
	n := 0
	for _, p := range st.Stats() {
		n += p.Parts
	}
	return n
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
