package demoapp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// countingServer answers every request like the app would, in shape only,
// and counts them.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path == "/api/auth/login" {
			writeJSON(w, http.StatusOK, loginResponse{Token: "tok_x", UserID: "u_1"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{})
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestGenerateTrafficSendsExactlyMaxRequests(t *testing.T) {
	srv, n := countingServer(t)
	a := New(Options{})
	err := a.GenerateTraffic(context.Background(), srv.URL, TrafficOptions{Rate: maxTrafficRate, MaxRequests: 25, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 25 {
		t.Fatalf("server saw %d requests, want 25", got)
	}
}

func TestGenerateTrafficStopsWhenContextEnds(t *testing.T) {
	var n atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 3 {
			cancel()
		}
		writeJSON(w, http.StatusOK, map[string]string{})
	}))
	defer srv.Close()

	err := New(Options{}).GenerateTraffic(ctx, srv.URL, TrafficOptions{Rate: maxTrafficRate, MaxRequests: 1000, Seed: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := n.Load(); got != 3 {
		t.Fatalf("server saw %d requests, want 3", got)
	}
}

func TestGenerateTrafficStaysOnBaseURL(t *testing.T) {
	elsewhere, away := countingServer(t)
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if !strings.HasPrefix(r.URL.Path, "/mounted/api/") {
			t.Errorf("request outside the base path: %s", r.URL.Path)
		}
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusFound)
	}))
	defer srv.Close()

	// Even a client that follows redirects must not leave baseURL.
	client := &http.Client{}
	err := New(Options{}).GenerateTraffic(context.Background(), srv.URL+"/mounted/",
		TrafficOptions{Rate: maxTrafficRate, MaxRequests: 10, Client: client, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 10 || away.Load() != 0 {
		t.Fatalf("base saw %d, elsewhere saw %d; want 10 and 0", n.Load(), away.Load())
	}
	if client.CheckRedirect != nil {
		t.Fatal("GenerateTraffic changed the caller's client")
	}
}

func TestGenerateTrafficRejectsBadBaseURL(t *testing.T) {
	for _, base := range []string{"", "127.0.0.1:8080", "ftp://example.com", "http://"} {
		if err := New(Options{}).GenerateTraffic(context.Background(), base, TrafficOptions{MaxRequests: 1}); err == nil {
			t.Errorf("base URL %q accepted", base)
		}
	}
}

// TestGenerateTrafficAgainstTheApp checks that the mix exercises the app the
// way the demo needs: successes, client errors, server errors reported
// through OnError, and attacks.
func TestGenerateTrafficAgainstTheApp(t *testing.T) {
	var mu sync.Mutex
	statuses := map[int]int{}
	paths := map[string]bool{}
	reported := 0
	app := New(Options{OnError: func(*http.Request, error) {
		mu.Lock()
		reported++
		mu.Unlock()
	}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The slow route would make this test take minutes; answer it
		// quickly, everything else goes to the app.
		if r.URL.Path == "/api/test/slow" {
			r.URL.RawQuery = "ms=1"
		}
		sw := &statusWriter{ResponseWriter: w}
		app.Handler().ServeHTTP(sw, r)
		mu.Lock()
		statuses[sw.Status()]++
		paths[r.URL.Path+"?"+r.URL.RawQuery] = true
		mu.Unlock()
	}))
	defer srv.Close()

	if err := app.GenerateTraffic(context.Background(), srv.URL, TrafficOptions{Rate: maxTrafficRate, MaxRequests: 150, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range statuses {
		total += n
	}
	if total != 150 {
		t.Fatalf("%d requests, want 150", total)
	}
	for _, code := range []int{200, 201, 400, 401, 404, 500} {
		if statuses[code] == 0 {
			t.Errorf("no %d in the mix: %v", code, statuses)
		}
	}
	if reported == 0 {
		t.Error("no error reached OnError")
	}
	attacked := false
	for p := range paths {
		if strings.Contains(p, "OR+1%3D1") || strings.Contains(p, "%3Cscript%3E") || strings.Contains(p, "etc%2Fpasswd") {
			attacked = true
		}
	}
	if !attacked {
		t.Errorf("no attack in the mix: %v", paths)
	}
}
