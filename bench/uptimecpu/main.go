// Command uptimecpu measures what uptime checks cost: N HTTP checks (500 by
// default) at an interval (30 s) run through the real scheduler, monitor
// and SQLite store for a while, against an upstream in a child process so
// that its CPU is not counted. It prints this process's CPU time as a share
// of one core, and, as the baseline measured in the same run, the CPU of
// making the same number of bare HTTP requests with net/http.
//
//	go run ./bench/uptimecpu                       # 500 checks, 30 s interval, 60 s
//	go run ./bench/uptimecpu -n 100 -for 30s       # a quicker run
//	go run ./bench/uptimecpu -tls                  # https checks (full TLS handshake each)
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/schedule"
)

func main() {
	n := flag.Int("n", 500, "checks (bounded to 5000)")
	interval := flag.Duration("interval", 30*time.Second, "check interval")
	run := flag.Duration("for", 60*time.Second, "how long to measure (bounded to 10m)")
	upstream := flag.Bool("upstream", false, "internal: serve the upstream and print its address")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the measured period to this file")
	dbURL := flag.String("db", "", "empty for SQLite in a temp dir, or a postgres:// URL of an empty database")
	useTLS := flag.Bool("tls", false, "https checks: the upstream serves TLS with a certificate signed by a CA made for the run")
	upstreamCA := flag.String("upstream-ca", "", "internal: with -upstream, serve TLS and write the CA certificate to this file")
	flag.Parse()
	if *upstream {
		serveUpstream(*upstreamCA)
		return
	}
	if *n < 1 || *n > 5000 || *run <= 0 || *run > 10*time.Minute || *interval < time.Second {
		fmt.Fprintln(os.Stderr, "-n must be 1..5000, -for up to 10m, -interval at least 1s")
		os.Exit(2)
	}
	dir, _ := os.MkdirTemp("", "uptimecpu")
	defer os.RemoveAll(dir)
	caFile := ""
	if *useTLS {
		caFile = filepath.Join(dir, "ca.pem")
	}
	addr, stop := startUpstream(caFile)
	defer stop()
	url := "http://" + addr + "/api/health"
	var roots *x509.CertPool
	if caFile != "" {
		url = "https://" + addr + "/api/health"
		pool, err := config.LoadCAFile(caFile)
		if err != nil {
			fail(err)
		}
		roots = pool
	}

	probes := int(float64(*n) * run.Seconds() / interval.Seconds())
	base := baseline(url, roots, probes)

	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Database.URL = config.Secret(*dbURL)
	for i := range *n {
		cfg.Checks = append(cfg.Checks, config.Check{
			Name: fmt.Sprintf("check-%04d", i), URL: url, Method: "GET",
			Conditions: []string{"status == 200", `json.status == "ok"`},
			Interval:   config.Duration(*interval), Timeout: config.Duration(5 * time.Second),
			FailureThreshold: 2, SuccessThreshold: 1, Severity: "critical", CAFile: caFile,
		})
	}
	ctx := context.Background()
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		fail(err)
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := app.NewMonitor(cfg, db, nil, clock.Real{}, logger)
	if err != nil {
		fail(err)
	}
	sched := schedule.New(db, schedule.Options{Logger: logger})
	for _, j := range m.Jobs() {
		if err := sched.Add(j); err != nil {
			fail(err)
		}
	}
	if err := sched.Start(ctx); err != nil {
		fail(err)
	}
	// One interval to settle (first slots, connections, caches), then measure.
	time.Sleep(*interval)
	var done int64
	count := func() int64 {
		var c int64
		db.QueryRowContext(ctx, "SELECT COUNT(*) FROM uptime_results").Scan(&c)
		return c
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
	}
	before, c0, t0 := cpu(), count(), time.Now()
	time.Sleep(*run)
	pprof.StopCPUProfile()
	used, wall := cpu()-before, time.Since(t0)
	done = count() - c0
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	sched.Stop(sctx)
	cancel()

	share := 100 * used.Seconds() / wall.Seconds()
	perProbe := used / time.Duration(max(done, 1))
	fmt.Printf("database %s; checks %d (%s), interval %s, measured %s: %d probes stored\n", db.Dialect, *n, strings.SplitN(url, ":", 2)[0], *interval, wall.Round(time.Second), done)
	fmt.Printf("warden: CPU %s = %.2f%% of one core, %s per probe (probe, conditions, scheduler slot claim, database write, rollups)\n",
		used.Round(time.Millisecond), share, perProbe.Round(time.Microsecond))
	fmt.Printf("baseline: %d bare net/http GETs, new connection each: CPU %s, %s per request\n",
		probes, base.Round(time.Millisecond), (base / time.Duration(max(probes, 1))).Round(time.Microsecond))
	fmt.Printf("ratio warden/baseline per probe: %.1fx; budget 5%% of one core: %s\n",
		perProbe.Seconds()/(base.Seconds()/float64(max(probes, 1))), map[bool]string{true: "met", false: "NOT met"}[share < 5])
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// cpu is this process's user plus system CPU time.
func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func baseline(url string, roots *x509.CertPool, n int) time.Duration {
	before := cpu()
	for range n {
		tr := &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
		resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		tr.CloseIdleConnections()
	}
	return cpu() - before
}

func startUpstream(caFile string) (string, func()) {
	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	cmd := exec.Command(self, "-upstream", "-upstream-ca", caFile)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		fail(fmt.Errorf("upstream: %w", err))
	}
	return strings.TrimSpace(line), func() { cmd.Process.Kill(); cmd.Wait() }
}

func serveUpstream(caFile string) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	}), ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	if caFile != "" {
		cert, err := makeCert(caFile)
		if err != nil {
			fail(err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	fmt.Println(ln.Addr().String())
	// The parent kills this process when it is done; stop on our own after
	// a bound in case it cannot.
	go func() { time.Sleep(15 * time.Minute); os.Exit(0) }()
	srv.Serve(ln)
}

// makeCert makes a CA (written to caFile) and a certificate for 127.0.0.1
// that it signs, both ECDSA P-256 as public CAs commonly issue, so that a
// probe verifies one signature in the chain as well as the handshake's.
func makeCert(caFile string) (tls.Certificate, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "uptimecpu CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	ca, _ := x509.ParseCertificate(caDER)
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		return tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
