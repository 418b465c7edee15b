package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// buildWarden compiles the binary once per test run.
var buildWarden = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "warden-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "warden")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs `warden serve` as a real process and waits until it is healthy.
func startServe(t *testing.T, configYAML string) (cmd *exec.Cmd, addr string, stderr *lockedWriter) {
	t.Helper()
	bin, err := buildWarden()
	if err != nil {
		t.Fatal(err)
	}
	addr = freePort(t)
	cfg := writeFile(t, "warden.yaml", fmt.Sprintf("listen: %s\ndata_dir: %s\n%s", addr, t.TempDir(), configYAML))
	cmd = exec.Command(bin, "serve", "--config", cfg)
	stderr = &lockedWriter{w: &strings.Builder{}}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, addr, stderr
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("warden serve did not become healthy; stderr:\n%s", stderr)
	return nil, "", nil
}

// lockedWriter collects a child's output while the test reads it.
type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// SIGTERM during a burst of requests: every response that arrives is
// complete, a request already in flight is finished, and the process exits 0
// within the grace period.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const grace = 5 * time.Second
	const token = "ingest-token-0123456789"
	cmd, addr, stderr := startServe(t, "server: { shutdown_grace: 5s }\ntokens: [ { name: app, token: "+token+", scopes: [ingest] } ]\n")

	// A request in flight: its handler is reading the body when the signal
	// arrives, and the rest of the body comes after.
	body := `[{"labels":{"alertname":"InFlight","severity":"info"},"annotations":{"summary":"sent across a shutdown"}}]`
	half := len(body) / 2
	inflight, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer inflight.Close()
	fmt.Fprintf(inflight, "POST /api/v2/alerts HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		addr, token, len(body), body[:half])

	// The burst: bounded in count and time.
	var complete, refused, broken atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	client := &http.Client{Timeout: 5 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				path := []string{"/healthz", "/readyz", "/metrics"}[i%3]
				resp, err := client.Get("http://" + addr + path)
				if err != nil {
					refused.Add(1) // no response at all is allowed once the listener closed
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || (resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength) {
					broken.Add(1)
					continue
				}
				if path != "/metrics" && !json.Valid(body) {
					broken.Add(1)
					continue
				}
				complete.Add(1)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Fprint(inflight, body[half:])
	inflight.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(inflight), nil)
	if err != nil {
		t.Fatalf("the in-flight request got no response: %v; stderr:\n%s", err, stderr)
	}
	answer, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the in-flight request got %d %q, %v", resp.StatusCode, answer, err)
	}

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("warden exited with %v; stderr:\n%s", err, stderr)
		}
	case <-time.After(grace + 2*time.Second):
		t.Fatalf("warden did not exit within the grace period; stderr:\n%s", stderr)
	}
	took := time.Since(signalled)
	close(stop)
	wg.Wait()
	if broken.Load() > 0 {
		t.Fatalf("%d responses were cut short (%d complete, %d refused)", broken.Load(), complete.Load(), refused.Load())
	}
	if complete.Load() == 0 {
		t.Fatal("the burst got no responses at all")
	}
	t.Logf("exit 0 after %v; %d complete responses, %d refused after close, 0 broken", took.Round(time.Millisecond), complete.Load(), refused.Load())
	if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no stopped line in the log:\n%s", stderr)
	}
}
