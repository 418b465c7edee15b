// Command gateway measures Warden's gateway side by side, in one run, on
// loopback, against a fast upstream: the upstream directly, the gateway with
// the WAF off, the gateway with the WAF blocking at paranoia level 1, and
// (when nginx with the ModSecurity module and the CRS are installed) nginx +
// ModSecurity + CRS as the peer. It prints requests per second and p50/p99
// latency for a small GET and JSON POSTs of ~200 bytes and 4 KiB, and the
// ratios to the direct baseline and to the peer.
//
//	go run ./bench/gateway [-d 10s] [-c 16] [-rounds 3] [-cpuprofile waf.pprof]
//
// After the table it measures Warden (WAF block) and the peer back to back,
// -rounds times per request, and prints the median of those ratios.
//
// The load generator is wrk when it is on PATH, else a bounded Go one.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/gateway"
)

type request struct {
	name, method, path, body string
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	non2xx   int
	errors   int // wrk's socket errors, timeouts included
}

var (
	duration    = flag.Duration("d", 10*time.Second, "how long each measurement runs")
	conns       = flag.Int("c", 16, "concurrent connections")
	cpuprofile  = flag.String("cpuprofile", "", "write a CPU profile of the WAF-on runs to this file")
	useGo       = flag.Bool("go-load", false, "use the Go load generator even when wrk is installed")
	skipPeer    = flag.Bool("no-peer", false, "skip nginx + ModSecurity")
	rounds      = flag.Int("rounds", 3, "paired measurements of Warden (WAF block) and the peer per request, after the table; the median ratio is printed")
	hostHeader  = "pay.example.com" // a named host, as in production (the CRS flags numeric ones)
	paymentJSON = `{"id":"6f1c2a7e-3b7d-4e7a-9a51-0c2d9e8b7a11","payer":"Bjørn O'Neill","payee":"Ærø Café AS","amount":"1249.50","currency":"NOK","reference":"Invoice 2024-117","iban":"NO9386011117947"}`
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	tmp, err := os.MkdirTemp("", "warden-bench-gateway-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)

	big := `{"payments":[` + strings.TrimSuffix(strings.Repeat(paymentJSON+",", 4096/(len(paymentJSON)+1)+1), ",") + `]}`
	reqs := []request{
		{"GET small", "GET", "/api/payments/6f1c2a7e-3b7d-4e7a-9a51-0c2d9e8b7a11?expand=payer", ""},
		{fmt.Sprintf("POST JSON %d B", len(paymentJSON)), "POST", "/api/payments", paymentJSON},
		{fmt.Sprintf("POST JSON %.1f KiB", float64(len(big))/1024), "POST", "/api/payments", big},
	}

	upstream := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`)
	}))
	upURL := "http://" + upstream

	targets := []struct{ name, addr string }{{"upstream direct", upstream}}
	for _, mode := range []string{config.WAFOff, config.WAFBlock} {
		cfg := config.Default().Gateway
		cfg.Upstream = upURL
		cfg.WAF.Mode = mode
		f, err := os.Create(filepath.Join(tmp, "access-"+mode+".log"))
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		bw := bufio.NewWriterSize(f, 64<<10)
		defer bw.Flush()
		sink := gateway.SlogSink{Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: bw}, nil))}
		g, err := gateway.New(gateway.Options{Config: cfg, Sink: sink})
		if err != nil {
			log.Fatal(err)
		}
		name := "warden, WAF off"
		if mode == config.WAFBlock {
			name = "warden, WAF block PL1"
		}
		targets = append(targets, struct{ name, addr string }{name, serve(g)})
	}
	if !*skipPeer {
		if addr, stop, err := startNginx(tmp, upstream); err != nil {
			log.Printf("peer skipped: %v", err)
		} else {
			defer stop()
			targets = append(targets, struct{ name, addr string }{"nginx + ModSecurity + CRS", addr})
		}
	}

	wrk, _ := exec.LookPath("wrk")
	if *useGo {
		wrk = ""
	}
	gen := "Go load generator"
	if wrk != "" {
		gen = "wrk"
	}
	log.Printf("load: %s, %d connections, %s per measurement, GOMAXPROCS shared with the servers", gen, *conns, *duration)

	results := map[string]map[string]result{}
	measure := func(name, addr string, rq request) result {
		if err := check(addr, rq); err != nil {
			log.Fatalf("%s, %s: %v", name, rq.name, err)
		}
		var res result
		var err error
		if wrk != "" {
			res, err = runWrk(wrk, tmp, addr, rq)
		} else {
			res, err = runGo(addr, rq)
		}
		if err != nil {
			log.Fatalf("%s, %s: %v", name, rq.name, err)
		}
		log.Printf("%-28s %-18s %8.0f req/s  p50 %-9s p99 %-9s non-2xx %d  errors %d", name, rq.name, res.rps, res.p50, res.p99, res.non2xx, res.errors)
		return res
	}
	for _, tg := range targets {
		results[tg.name] = map[string]result{}
		var prof *os.File
		if *cpuprofile != "" && strings.Contains(tg.name, "WAF block") {
			prof, _ = os.Create(*cpuprofile)
			pprof.StartCPUProfile(prof)
		}
		for _, rq := range reqs {
			results[tg.name][rq.name] = measure(tg.name, tg.addr, rq)
		}
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
		}
	}

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\n| target | request | req/s | p50 | p99 | vs direct | vs peer |")
	fmt.Fprintln(tw, "|---|---|---|---|---|---|---|")
	peer := results["nginx + ModSecurity + CRS"]
	for _, tg := range targets {
		for _, rq := range reqs {
			r := results[tg.name][rq.name]
			vsPeer := "-"
			if p, ok := peer[rq.name]; ok && p.rps > 0 {
				vsPeer = fmt.Sprintf("%.2fx", r.rps/p.rps)
			}
			fmt.Fprintf(tw, "| %s | %s | %.0f | %s | %s | %.2fx | %s |\n", tg.name, rq.name, r.rps, round(r.p50), round(r.p99),
				r.rps/results["upstream direct"][rq.name].rps, vsPeer)
		}
	}
	tw.Flush()

	if len(targets) == 4 && *rounds > 0 {
		pairedRounds(targets[2].name, targets[2].addr, targets[3].name, targets[3].addr, reqs, measure)
	}
}

// pairedRounds measures Warden (WAF block) and the peer back to back, per
// request, rounds times, the order swapped every round: on a shared
// machine the speed of both drifts by up to 2x within minutes, so a ratio
// of two measurements taken seconds apart says more than the table's,
// taken a minute apart. It prints every round's ratio and the median.
func pairedRounds(wName, wAddr, pName, pAddr string, reqs []request, measure func(name, addr string, rq request) result) {
	ratios := map[string][]float64{}
	for r := 0; r < *rounds; r++ {
		for _, rq := range reqs {
			var w, p result
			if r%2 == 0 {
				w = measure(wName, wAddr, rq)
				p = measure(pName, pAddr, rq)
			} else {
				p = measure(pName, pAddr, rq)
				w = measure(wName, wAddr, rq)
			}
			if p.rps > 0 {
				ratios[rq.name] = append(ratios[rq.name], w.rps/p.rps)
			}
		}
	}
	fmt.Printf("\n%s vs %s, %d paired rounds (order swapped each round):\n\n", wName, pName, *rounds)
	fmt.Println("| request | ratio per round | median |")
	fmt.Println("|---|---|---|")
	for _, rq := range reqs {
		rs := ratios[rq.name]
		if len(rs) == 0 {
			continue
		}
		each := make([]string, len(rs))
		for i, v := range rs {
			each[i] = fmt.Sprintf("%.2fx", v)
		}
		sorted := slices.Clone(rs)
		slices.Sort(sorted)
		median := sorted[len(sorted)/2]
		if len(sorted)%2 == 0 {
			median = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
		}
		fmt.Printf("| %s | %s | %.2fx |\n", rq.name, strings.Join(each, ", "), median)
	}
}

func round(d time.Duration) string {
	return d.Round(10 * time.Microsecond).String()
}

// serve runs h on a fresh loopback listener and returns its address.
func serve(h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(ln)
	return ln.Addr().String()
}

// check sends one request and wants a 2xx, so that a misconfigured target
// (a 403 from a false positive, say) cannot pass for a fast one.
func check(addr string, rq request) error {
	req, _ := http.NewRequest(rq.method, "http://"+addr+rq.path, strings.NewReader(rq.body))
	req.Host = hostHeader
	if rq.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("answered %d", resp.StatusCode)
	}
	return nil
}

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkPct     = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s)`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkErrors  = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkScripts sync.Map
)

func runWrk(wrk, dir, addr string, rq request) (result, error) {
	script := filepath.Join(dir, strings.NewReplacer(" ", "_", ".", "_").Replace(rq.name)+".lua")
	if _, ok := wrkScripts.Load(script); !ok {
		lua := fmt.Sprintf("wrk.method = %q\nwrk.headers[\"Host\"] = %q\n", rq.method, hostHeader)
		if rq.body != "" {
			lua += fmt.Sprintf("wrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = %s\n", luaString(rq.body))
		}
		if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
			return result{}, err
		}
		wrkScripts.Store(script, true)
	}
	threads := min(2, *conns)
	out, err := exec.Command(wrk, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(*conns), "-d", duration.String(),
		"--latency", "--timeout", "10s", "-s", script, "http://"+addr+rq.path).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	var res result
	m := wrkRPS.FindSubmatch(out)
	if m == nil {
		return result{}, fmt.Errorf("no Requests/sec in wrk output:\n%s", out)
	}
	res.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	for _, p := range wrkPct.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(p[2]), 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(p[3])]
		d := time.Duration(v * float64(unit))
		if string(p[1]) == "50" {
			res.p50 = d
		} else {
			res.p99 = d
		}
	}
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		res.non2xx, _ = strconv.Atoi(string(m[1]))
	}
	if m := wrkErrors.FindSubmatch(out); m != nil {
		for _, g := range m[1:] {
			n, _ := strconv.Atoi(string(g))
			res.errors += n
		}
	}
	return res, nil
}

func luaString(s string) string {
	return "[==[" + s + "]==]"
}

// runGo is the fallback load generator: conns workers with keep-alive
// connections, for the fixed duration, at most 5M samples.
func runGo(addr string, rq request) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	non2xx := 0
	var wg sync.WaitGroup
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			var local []time.Duration
			bad := 0
			for ctx.Err() == nil && len(local) < 5_000_000 / *conns {
				req, _ := http.NewRequestWithContext(ctx, rq.method, "http://"+addr+rq.path, strings.NewReader(rq.body))
				req.Host = hostHeader
				if rq.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					break
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				local = append(local, time.Since(t0))
				if resp.StatusCode/100 != 2 {
					bad++
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			non2xx += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(lat) == 0 {
		return result{}, fmt.Errorf("no request completed")
	}
	slices.Sort(lat)
	return result{
		rps: float64(len(lat)) / duration.Seconds(),
		p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], non2xx: non2xx,
	}, nil
}

// lockedWriter serialises writes to a bufio.Writer shared by requests.
type lockedWriter struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
