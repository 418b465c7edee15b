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

// TestDemoHealthSwitchOpensAndClosesIncident: in the demo, switching the
// demo app's health down opens an incident on api-health, and switching it
// up closes it, as a person trying the demo would see.
func TestDemoHealthSwitchOpensAndClosesIncident(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo for about a minute")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--listen", "127.0.0.1:0", "--app-listen", "127.0.0.1:0", "--traffic=false"},
			env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr})
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("the demo did not stop")
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "Press Ctrl-C to stop.") {
		if time.Now().After(deadline) {
			t.Fatalf("the demo printed no URLs:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	out := stdout.String()
	base := regexp.MustCompile(`Web UI\s+(http://127\.0\.0\.1:\d+)/ui/`).FindStringSubmatch(out)
	app := regexp.MustCompile(`Demo app\s+(http://127\.0\.0\.1:\d+)/api/health`).FindStringSubmatch(out)
	token := regexp.MustCompile(`Bearer ([0-9a-f]{40})`).FindStringSubmatch(out)
	if base == nil || app == nil || token == nil {
		t.Fatalf("the demo's output lacks its URLs:\n%s", out)
	}
	incidents := func() (n int, open bool) {
		req, _ := http.NewRequest("GET", base[1]+"/api/v1/incidents?check=api-health", nil)
		req.Header.Set("Authorization", "Bearer "+token[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Incidents []struct {
				Open bool `json:"open"`
			} `json:"incidents"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		if len(body.Incidents) == 0 {
			return 0, false
		}
		return len(body.Incidents), body.Incidents[0].Open
	}
	flip := func(state string) {
		resp, err := http.Post(app[1]+"/api/test/health?state="+state, "", nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("switch health %s: %v %v", state, err, resp)
		}
		resp.Body.Close()
	}
	wait := func(what string, cond func() bool) {
		deadline := time.Now().Add(45 * time.Second) // two 10 s probes, a 5 s dispatch tick, and slack
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen within 45s", what)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	flip("down")
	wait("an open incident", func() bool { n, open := incidents(); return n == 1 && open })
	flip("up")
	wait("the incident closing", func() bool { n, open := incidents(); return n == 1 && !open })
}
