package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNodeAppWalkthrough follows docs/integrate.md with the files it uses
// (examples/node-app: app.js, warden.yaml, receiver.js): the real warden
// binary serves the example configuration, `warden run` runs the real Node
// app with the real @sentry/node SDK and the Node audit client, requests go
// through the gateway, and the test then finds the app's log lines, the
// error issue, the audit events and the Slack-format messages at the local
// receiver, with the commands and endpoints the page names. Loopback only.
func TestNodeAppWalkthrough(t *testing.T) {
	need := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (CI=true: the walkthrough test must run)", why)
		}
		t.Skipf("SKIP walkthrough test: %s", why)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		need("node is not installed")
	}
	exampleDir, _ := filepath.Abs("../../examples/node-app")
	// @sentry/node: the example's own node_modules (npm ci, as the page
	// says), else the errors fixture's, which .ci/run installs with npm ci.
	nodePath := ""
	if _, err := os.Stat(filepath.Join(exampleDir, "node_modules/@sentry/node")); err != nil {
		shared, _ := filepath.Abs("../../internal/errtrack/testdata/node/node_modules")
		if _, err := os.Stat(filepath.Join(shared, "@sentry/node")); err != nil {
			need("@sentry/node is not installed (npm ci --prefix internal/errtrack/testdata/node)")
		}
		nodePath = shared
	}
	bin, err := buildWarden()
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const (
		ingestTok = "walkthrough-ingest-0123456789abcdef"
		adminTok  = "walkthrough-admin-0123456789abcdef"
		sentryKey = "0123456789abcdef0123456789abcdef"
	)
	wardenAddr, gatewayAddr, appAddr, slackAddr := freePort(t), freePort(t), freePort(t), freePort(t)
	appPort := appAddr[strings.LastIndex(appAddr, ":")+1:]
	slackPort := slackAddr[strings.LastIndex(slackAddr, ":")+1:]
	tmp := t.TempDir()
	baseEnv := append(os.Environ(),
		"WARDEN_INGEST_TOKEN="+ingestTok, "WARDEN_ADMIN_TOKEN="+adminTok, "SENTRY_KEY="+sentryKey,
		"WARDEN_LISTEN="+wardenAddr, "GATEWAY_LISTEN="+gatewayAddr, "APP_PORT="+appPort,
		"WARDEN_DATA_DIR="+filepath.Join(tmp, "warden-data"),
		"SLACK_WEBHOOK_URL=http://"+slackAddr+"/slack",
	)
	if nodePath != "" {
		baseEnv = append(baseEnv, "NODE_PATH="+nodePath)
	}
	start := func(name string, env []string, args ...string) (*exec.Cmd, *lockedWriter) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir, cmd.Env = exampleDir, env
		out := &lockedWriter{w: &strings.Builder{}}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
			if t.Failed() {
				t.Logf("%s output:\n%s", name, out)
			}
		})
		return cmd, out
	}
	warden := func(env []string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir, cmd.Env = exampleDir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("warden %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			if ctx.Err() != nil {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	// Step 2: the configuration checks.
	warden(baseEnv, "config", "check", "--config", "warden.yaml", "--quiet")

	// Step 3: the Slack stand-in, warden serve, then the app under warden run.
	_, slack := start("receiver.js", append(baseEnv, "PORT="+slackPort), node, "receiver.js")
	_, serveOut := start("warden serve", baseEnv, bin, "serve", "--config", "warden.yaml")
	waitFor("warden serve /healthz", func() bool {
		resp, err := http.Get("http://" + wardenAddr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	if !strings.Contains(serveOut.String(), "error tracking project") {
		t.Errorf("warden serve did not log the DSN at start-up")
	}
	dsnLine := strings.TrimSpace(warden(baseEnv, "errors", "dsn", "--config", "warden.yaml"))
	name, dsn, _ := strings.Cut(dsnLine, "\t")
	if name != "node-app" || dsn != fmt.Sprintf("http://%s@%s/1", sentryKey, wardenAddr) {
		t.Fatalf("warden errors dsn: %q", dsnLine)
	}
	appEnv := append(baseEnv, "WARDEN_DSN="+dsn, "WARDEN_URL=http://"+wardenAddr, "WARDEN_TOKEN="+ingestTok,
		"PORT="+appPort, "AUDIT_SPOOL_DIR="+filepath.Join(tmp, "audit-spool"))
	_, appOut := start("warden run -- node app.js", appEnv, bin, "run", "--config", "warden.yaml", "--service", "node-app", "--", node, "app.js")

	// Step 4: through the gateway, with a host name as the page says.
	gw := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, "http://"+gatewayAddr+path, strings.NewReader(body))
		req.Host = "localhost:" + gatewayAddr[strings.LastIndex(gatewayAddr, ":")+1:]
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitFor("the app behind the gateway", func() bool { code, _ := gw("GET", "/", ""); return code == 200 })
	if code, body := gw("POST", "/api/payments", `{"amount":25,"user":"u-1"}`); code != 201 || !strings.Contains(body, `"amount":25`) {
		t.Fatalf("payment: %d %s", code, body)
	}
	if code, body := gw("POST", "/api/payments", `{"amount":5000,"user":"u-2"}`); code != 500 || !strings.Contains(body, "request_id") {
		t.Fatalf("failing payment: %d %s", code, body)
	}
	if code, body := gw("GET", "/?q="+url.QueryEscape("1' OR 1=1--"), ""); code != 403 || !strings.Contains(body, "web application firewall") {
		t.Fatalf("WAF: %d %s", code, body)
	}
	if !strings.Contains(appOut.String(), `"msg":"payment declined: amount over limit"`) {
		t.Errorf("warden run did not pass the app's output through:\n%s", appOut)
	}

	// Step 5: logs, with the read token.
	readEnv := append(baseEnv, "WARDEN_TOKEN="+adminTok)
	query := func(q string) string {
		return warden(readEnv, "logs", "query", "--config", "warden.yaml", q, "--since", "15m", "--json")
	}
	waitFor("the app's error line in the log store", func() bool {
		return strings.Contains(query("service:=node-app level:=error"), `"_msg":"payment declined: amount over limit"`)
	})
	waitFor("the app's request lines", func() bool {
		out := query("service:=node-app")
		return strings.Contains(out, `"path":"/api/payments"`) && strings.Contains(out, `"status":"201"`) && strings.Contains(out, `"status":"500"`)
	})
	waitFor("the gateway's access and WAF records", func() bool {
		acc, waf := query("service:=gateway kind:=access"), query("service:=gateway kind:=waf")
		return strings.Contains(acc, `"status":"201"`) &&
			strings.Contains(waf, "942100")
	})

	// Step 6: the error issue over the API.
	api := func(path string) string {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+wardenAddr+path, nil)
		req.Header.Set("Authorization", "Bearer "+adminTok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	waitFor("the PaymentError issue", func() bool {
		var r struct {
			Issues []struct {
				Title string `json:"title"`
				Count int    `json:"count"`
			} `json:"issues"`
		}
		json.Unmarshal([]byte(api("/api/v1/issues")), &r)
		return len(r.Issues) == 1 && r.Issues[0].Title == "PaymentError: payment declined: amount over limit" && r.Issues[0].Count == 1
	})

	// Step 7: the audit events, by the CLI export and the API.
	waitFor("both audit events", func() bool {
		return strings.Contains(api("/api/v1/audit/events?action=payment.*"), `"payment.failed"`) &&
			strings.Contains(api("/api/v1/audit/events?action=payment.*"), `"payment.initiated"`)
	})
	export := warden(readEnv, "audit", "export", "--config", "warden.yaml")
	if !strings.Contains(export, `"action":"payment.initiated"`) || !strings.Contains(export, `"action":"payment.failed"`) || !strings.Contains(export, `"id":"u-2"`) {
		t.Errorf("warden audit export:\n%s", export)
	}
	if out := warden(readEnv, "audit", "verify", "--config", "warden.yaml"); !strings.Contains(out, "OK:") {
		t.Errorf("warden audit verify:\n%s", out)
	}

	// Step 8: the Slack-format messages at the local receiver.
	waitFor("ErrorNewIssue and app-errors at the Slack receiver", func() bool {
		s := slack.String()
		return strings.Contains(s, `"text":"[FIRING:1] ErrorNewIssue"`) && strings.Contains(s, `"text":"[FIRING:1] app-errors"`)
	})
	for _, line := range strings.Split(strings.TrimSpace(slack.String()), "\n") {
		var msg struct {
			Text        string `json:"text"`
			Attachments []struct {
				Color string `json:"color"`
			} `json:"attachments"`
		}
		if err := json.Unmarshal([]byte(line), &msg); err != nil || msg.Text == "" || len(msg.Attachments) == 0 {
			t.Errorf("not a Slack message: %q (%v)", line, err)
		}
	}
}
