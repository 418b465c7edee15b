package main

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestErrorsDSN(t *testing.T) {
	path := writeFile(t, "warden.yaml", `listen: 127.0.0.1:9191
errors:
  projects:
    - { id: 3, name: shop, key: "${SHOP_KEY}" }
`)
	t.Setenv("SHOP_KEY", "0123456789abcdef0123456789abcdef")
	code, out, errOut := runCLI(t, nil, "errors", "dsn", "--config", path)
	if code != 0 || strings.TrimSpace(out) != "shop\thttp://0123456789abcdef0123456789abcdef@127.0.0.1:9191/3" {
		t.Fatalf("code %d\nstdout %q\nstderr %s", code, out, errOut)
	}
	t.Setenv("SHOP_KEY", "short")
	code, _, errOut = runCLI(t, nil, "errors", "dsn", "--config", path)
	if code == 0 || !strings.Contains(errOut, "errors.projects[0].key") {
		t.Fatalf("bad key accepted: %d %s", code, errOut)
	}
}

// In warden demo, the demo app reports its errors with sentry-go: a request
// to /api/test/error and one to /api/test/panic show up as two issues.
func TestDemoReportsErrorsToWarden(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--listen", "127.0.0.1:0", "--app-listen", "127.0.0.1:0", "--traffic=false"},
			env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "Press Ctrl-C to stop.") {
		if time.Now().After(deadline) {
			t.Fatalf("the demo printed no URLs in 20s:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	out := stdout.String()
	appURL := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/api/health`).FindStringSubmatch(out)
	base := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/ui/errors`).FindStringSubmatch(out)
	token := regexp.MustCompile(`Bearer ([0-9a-f]{40})`).FindStringSubmatch(out)
	if appURL == nil || base == nil || token == nil {
		t.Fatalf("the demo's output lacks the app, errors page or token:\n%s", out)
	}
	for _, p := range []string{"/api/test/error", "/api/test/panic"} {
		resp, err := http.Get(appURL[1] + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var issues []struct {
		Title string `json:"title"`
		Count int    `json:"count"`
	}
	for deadline := time.Now().Add(20 * time.Second); len(issues) < 2 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequest("GET", base[1]+"/api/v1/issues", nil)
		req.Header.Set("Authorization", "Bearer "+token[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var list struct {
			Issues []struct {
				Title string `json:"title"`
				Count int    `json:"count"`
			} `json:"issues"`
		}
		json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		issues = list.Issues
	}
	if len(issues) != 2 {
		t.Fatalf("issues after an error and a panic: %+v\nstderr:\n%s", issues, stderr.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the demo did not stop within 15s of Ctrl-C")
	}
}
