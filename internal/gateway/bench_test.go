package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/config"
)

// BenchmarkGateway measures one request through Gateway.ServeHTTP to a real
// upstream on loopback, per WAF mode; the upstream-only case is the
// baseline. bench/gateway measures throughput over real connections.
//
//	go test -run xxx -bench Gateway -benchtime 2s ./internal/gateway/
func BenchmarkGateway(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"status":"ok"}`)
	}))
	defer up.Close()
	payment := `{"id":"6f1c2a7e-3b7d-4e7a-9a51-0c2d9e8b7a11","payer":"Bjørn O'Neill","payee":"Ærø Café AS","amount":"1249.50","currency":"NOK","reference":"Invoice 2024-117","iban":"NO9386011117947"}`
	big := `{"payments":[` + strings.TrimSuffix(strings.Repeat(payment+",", 22), ",") + `]}`
	reqs := []struct{ name, method, body string }{
		{"GET", "GET", ""}, {"POST200B", "POST", payment}, {"POST4KiB", "POST", big},
	}
	for _, mode := range []string{"direct", config.WAFOff, config.WAFBlock} {
		var h http.Handler
		if mode == "direct" {
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				resp, err := http.DefaultTransport.RoundTrip(r.Clone(r.Context()))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(w, resp.Body)
				resp.Body.Close()
			})
		} else {
			g, err := New(Options{Config: gatewayConfig(up.URL, mode), WAF: sharedWAF(b, mode)})
			if err != nil {
				b.Fatal(err)
			}
			defer g.Close()
			h = g
		}
		for _, rq := range reqs {
			b.Run(mode+"/"+rq.name, func(b *testing.B) {
				b.ReportAllocs()
				cpu0 := cpuTime()
				for i := 0; i < b.N; i++ {
					req := httptest.NewRequest(rq.method, up.URL+"/api/payments/6f1c2a7e?expand=payer", strings.NewReader(rq.body))
					req.Host = "pay.example.com"
					req.RemoteAddr = "203.0.113.9:4444"
					if mode == "direct" {
						req.RequestURI = ""
						req.URL.Host = strings.TrimPrefix(up.URL, "http://")
					}
					if rq.body != "" {
						req.Header.Set("Content-Type", "application/json")
					}
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != 200 {
						b.Fatalf("status %d", w.Code)
					}
				}
				// CPU time is steadier than wall time on a shared machine.
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
