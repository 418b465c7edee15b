// Command alertlatency measures the alert router end to end: from Raise to
// the webhook request reaching a receiver on loopback, with group_wait at
// its minimum (0) and one group per alert, at a steady rate. It prints
// percentiles and, as the baseline measured in the same run, the latency of
// posting the same payload straight to the same receiver.
//
//	go run ./bench/alertlatency                 # 1,000 alerts in one minute
//	go run ./bench/alertlatency -n 300 -rate 3000   # a quicker run
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
	"sort"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
)

func main() {
	n := flag.Int("n", 1000, "alerts to raise (bounded)")
	rate := flag.Float64("rate", 1000, "alerts per minute")
	engine := flag.String("db", "", "empty for SQLite in a temp dir, or a postgres:// URL")
	flag.Parse()
	if *n < 1 || *n > 100000 || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "-n must be 1..100000 and -rate above 0")
		os.Exit(2)
	}
	if err := run(*n, *rate, *engine); err != nil {
		fmt.Fprintln(os.Stderr, "alertlatency:", err)
		os.Exit(1)
	}
}

func run(n int, perMinute float64, dbURL string) error {
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		var msg struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
			} `json:"alerts"`
		}
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &msg) == nil {
			mu.Lock()
			for _, a := range msg.Alerts {
				if _, seen := arrived[a.Labels["id"]]; !seen {
					arrived[a.Labels["id"]] = now
				}
			}
			mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer receiver.Close()

	dir, err := os.MkdirTemp("", "alertlatency-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Database.URL = config.Secret(dbURL)
	cfg.Alerts.Channels = []config.AlertChannel{{Name: "hook", Type: "webhook", URL: config.Secret(receiver.URL)}}
	cfg.Alerts.Defaults.Channels = []string{"hook"}
	cfg.Alerts.Defaults.GroupBy = []string{"..."}
	cfg.Alerts.Defaults.GroupWait = 0
	ctx := context.Background()
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	router, err := app.NewRouter(cfg, db, clock.Real{}, nil)
	if err != nil {
		return err
	}
	if err := router.Start(ctx); err != nil {
		return err
	}
	defer router.Stop(ctx)

	baseline, err := directPosts(receiver.URL, min(n, 300))
	if err != nil {
		return err
	}

	interval := time.Duration(float64(time.Minute) / perMinute)
	raised := make(map[string]time.Time, n)
	fmt.Printf("raising %d alerts at %.0f/min (one every %v) on %s\n", n, perMinute, interval, db.Dialect)
	tick := time.NewTicker(interval)
	for i := 0; i < n; i++ {
		<-tick.C
		id := fmt.Sprintf("a%05d", i)
		raised[id] = time.Now()
		err := router.Raise(ctx, alert.Alert{
			Labels:      alert.Labels{alert.LabelAlertName: "BenchAlert", "id": id, alert.LabelSeverity: "critical"},
			Annotations: alert.Labels{alert.AnnotationSummary: "benchmark alert " + id},
		})
		if err != nil {
			return err
		}
	}
	tick.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		got := len(arrived)
		mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	var lat []time.Duration
	for id, at := range raised {
		if got, ok := arrived[id]; ok {
			lat = append(lat, got.Sub(at))
		}
	}
	if len(lat) < n {
		return fmt.Errorf("only %d of %d alerts reached the receiver within 30 s", len(lat), n)
	}
	report("raise -> receiver", lat)
	report("baseline: direct POST", baseline)
	fmt.Printf("ratio p50 %.1fx, p99 %.1fx (router / direct POST)\n",
		float64(pct(lat, 50))/float64(pct(baseline, 50)), float64(pct(lat, 99))/float64(pct(baseline, 99)))
	return nil
}

// directPosts times posting a webhook-sized body straight to the receiver.
func directPosts(url string, n int) ([]time.Duration, error) {
	body := bytes.Repeat([]byte("x"), 900)
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		resp, err := http.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out = append(out, time.Since(start))
	}
	return out, nil
}

func pct(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

func report(name string, d []time.Duration) {
	fmt.Printf("%-24s n=%-5d p50 %-10v p90 %-10v p99 %-10v max %v\n", name, len(d),
		pct(d, 50).Round(10*time.Microsecond), pct(d, 90).Round(10*time.Microsecond),
		pct(d, 99).Round(10*time.Microsecond), pct(d, 100).Round(10*time.Microsecond))
}
