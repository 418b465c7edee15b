package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	logsIngestTok = "ingest-0123456789abcdef"
	logsReadTok   = "reader-0123456789abcdef"
)

var logsTokensYAML = fmt.Sprintf(`tokens:
  - { name: app, token: %s, scopes: [ingest] }
  - { name: ops, token: %s, scopes: [read] }
logs: { flush_interval: 200ms }
`, logsIngestTok, logsReadTok)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func cli(t *testing.T, addr, token, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb syncBuf
	code := run(context.Background(), args, env{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(k string) (string, bool) {
			if k == "WARDEN_TOKEN" {
				return token, true
			}
			return "", false
		},
	})
	return code, out.String(), errb.String()
}

func TestLogsIngestQueryAndRun(t *testing.T) {
	_, addr, _ := startServe(t, logsTokensYAML)
	u := "http://" + addr
	in := `{"level":"error","msg":"payment failed","path":"/api/pay","duration_ms":120}
{"level":"info","msg":"ok","path":"/api/pay","duration_ms":30}
plain text line
`
	code, _, stderr := cli(t, addr, logsIngestTok, in, "logs", "ingest", "--service", "api", "--url", u)
	if code != 0 || !strings.Contains(stderr, "shipped 3 lines") {
		t.Fatalf("ingest: %d %s", code, stderr)
	}
	code, out, stderr := cli(t, addr, logsReadTok, "", "logs", "query", "level:=error", "--since", "1h", "--url", u, "--json")
	if code != 0 || !strings.Contains(out, `"_msg":"payment failed"`) || !strings.Contains(out, `"service":"api"`) {
		t.Fatalf("query --json: %d %q %s", code, out, stderr)
	}
	code, out, _ = cli(t, addr, logsReadTok, "", "logs", "query", "* | stats by (path) count() n, avg(duration_ms) avg", "--url", u)
	if code != 0 || !strings.Contains(out, "PATH") || !strings.Contains(out, "/api/pay") || !strings.Contains(out, "75") {
		t.Fatalf("stats table: %d %q", code, out)
	}
	// --json prints stats results as JSON numbers, group values as strings.
	code, out, _ = cli(t, addr, logsReadTok, "", "logs", "query", "* | stats by (path) count() n, avg(duration_ms) avg, max(duration_ms) top | sort by (path)", "--url", u, "--json")
	if code != 0 || !strings.Contains(out, `{"path":"/api/pay","n":2,"avg":75,"top":120}`) {
		t.Fatalf("stats --json: %d %q", code, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("stats --json line %q: %v", line, err)
		}
		if _, ok := row["n"].(float64); !ok {
			t.Fatalf("count is not a JSON number: %q", line)
		}
	}
	code, _, stderr = cli(t, addr, logsReadTok, "", "logs", "query", "status:>x", "--url", u)
	if code != 1 || !strings.Contains(stderr, "column 9") {
		t.Fatalf("bad query: %d %q", code, stderr)
	}
	code, _, stderr = cli(t, addr, logsIngestTok, "{\"ok\":1}\n{\"broken\n", "logs", "ingest", "--url", u)
	if code != 1 || !strings.Contains(stderr, "stdin:2:") {
		t.Fatalf("bad ingest line: %d %q", code, stderr)
	}

	// warden run: output passes through, lines are shipped, the status is kept.
	script := `echo '{"level":"warn","msg":"from json"}'; echo "text on stderr" >&2; exit 3`
	code, out, stderr = cli(t, addr, logsIngestTok, "", "run", "--url", u, "--service", "worker", "--", "sh", "-c", script)
	if code != 3 || !strings.Contains(out, "from json") || !strings.Contains(stderr, "text on stderr") {
		t.Fatalf("run: %d %q %q", code, out, stderr)
	}
	code, out, _ = cli(t, addr, logsReadTok, "", "logs", "query", "service:=worker | sort by (_msg) | fields _msg, stream, level", "--url", u, "--json")
	if code != 0 || out != "{\"_msg\":\"from json\",\"stream\":\"\",\"level\":\"warn\"}\n{\"_msg\":\"text on stderr\",\"stream\":\"stderr\",\"level\":\"\"}\n" {
		t.Fatalf("shipped lines: %q", out)
	}
}

func TestRunForwardsSignals(t *testing.T) {
	_, addr, _ := startServe(t, logsTokensYAML)
	var out, errb syncBuf
	done := make(chan int)
	go func() {
		done <- run(context.Background(), []string{"run", "--url", "http://" + addr, "--", "sh", "-c",
			`trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done`},
			env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) (string, bool) { return logsIngestTok, k == "WARDEN_TOKEN" }})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "ready") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM) // run has taken SIGTERM over, to forward it
	select {
	case code := <-done:
		if code != 7 || !strings.Contains(out.String(), "got TERM") {
			t.Fatalf("code %d, out %q, err %q", code, out.String(), errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the child did not stop on the forwarded SIGTERM")
	}
}

// TestServeKill9KeepsAcknowledgedLogs posts lines to a real warden serve,
// kills it with SIGKILL right after the 2xx answers, restarts it on the
// same data and finds every acknowledged line.
func TestServeKill9KeepsAcknowledgedLogs(t *testing.T) {
	cmd, addr, _ := startServe(t, logsTokensYAML)
	u := "http://" + addr
	const batches, per = 20, 50
	for b := 0; b < batches; b++ {
		var body strings.Builder
		for i := 0; i < per; i++ {
			fmt.Fprintf(&body, `{"msg":"line","seq":%d}`+"\n", b*per+i)
		}
		req, _ := http.NewRequest("POST", u+"/api/v1/logs", strings.NewReader(body.String()))
		req.Header.Set("Authorization", "Bearer "+logsIngestTok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("batch %d: %d", b, resp.StatusCode)
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	again := exec.Command(cmd.Path, cmd.Args[1:]...)
	again.Stderr = io.Discard
	if err := again.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { again.Process.Kill(); again.Wait() })
	var got struct {
		Rows []map[string]string `json:"rows"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("GET", u+"/api/v1/logs/query?query="+url.QueryEscape("* | stats count() n, count_uniq(seq) u"), nil)
		req.Header.Set("Authorization", "Bearer "+logsReadTok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		break
	}
	if len(got.Rows) != 1 || got.Rows[0]["n"] != fmt.Sprint(batches*per) || got.Rows[0]["u"] != fmt.Sprint(batches*per) {
		t.Fatalf("after kill -9 and restart: %+v, want %d lines once each", got.Rows, batches*per)
	}
}

func TestLogsQueryJSONNumbers(t *testing.T) {
	numeric := statsResults("level:=error | stats by (_time:1m, path) count() n, quantile(0.95, duration_ms) p95 | sort by (n desc)")
	if !numeric["n"] || !numeric["p95"] || numeric["path"] || numeric["_time"] {
		t.Fatalf("stats results: %v", numeric)
	}
	if statsResults("level:=error | fields n") != nil {
		t.Fatal("a query without stats has no numeric columns")
	}
	for _, c := range []struct {
		v       string
		numeric bool
		want    string
	}{
		{"12", true, `12`}, {"0.25", true, `0.25`}, {"1e+06", true, `1e+06`}, {"+5", true, `5`}, {".5", true, `0.5`},
		{"NaN", true, `"NaN"`}, {"", true, `""`}, {"+Inf", true, `"+Inf"`}, {"12", false, `"12"`}, {"a\"b", true, `"a\"b"`},
	} {
		var b bytes.Buffer
		writeJSONValue(&b, c.v, c.numeric)
		if b.String() != c.want {
			t.Errorf("writeJSONValue(%q, %v) = %s, want %s", c.v, c.numeric, b.String(), c.want)
		}
	}
}
