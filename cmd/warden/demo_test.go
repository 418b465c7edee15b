package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer lets the test read what the command prints while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// warden demo starts, prints the URLs to open, every one of them answers,
// an alert test reaches the demo's stand-in Slack, and Ctrl-C stops it with
// exit status 0.
func TestDemoRunsAndStops(t *testing.T) {
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
	urls := regexp.MustCompile(`http://127\.0\.0\.1:\d+/\S*`).FindAllString(out, -1)
	token := regexp.MustCompile(`Bearer ([0-9a-f]{40})`).FindStringSubmatch(out)
	if len(urls) < 6 || token == nil {
		t.Fatalf("the demo's output lacks URLs or the token:\n%s", out)
	}
	for _, u := range urls {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+token[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		// /api/v1/ itself is a prefix, not a page, and the error route fails on purpose.
		if resp.StatusCode >= 400 && !strings.HasSuffix(u, "/api/v1/") && !strings.HasSuffix(u, "/api/test/error") {
			t.Errorf("%s answered %d", u, resp.StatusCode)
		}
	}
	base := urls[0][:strings.Index(urls[0], "/ui/")]
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/alerts/test?channel=demo-slack", nil)
	req.Header.Set("Authorization", "Bearer "+token[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"delivered":true`) {
		t.Fatalf("alert test: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(stderr.String(), `"msg":"alert received"`) {
		t.Errorf("the demo app's log shows no alert received:\n%s", stderr.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the demo did not stop within 15s of Ctrl-C")
	}
}
