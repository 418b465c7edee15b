package demoapp

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestStartServesUntilContextDone(t *testing.T) {
	a := New(Options{})
	inHandler := make(chan struct{})
	a.slowStarted = func() { close(inHandler) }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := a.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr.String()
	if code, body := get(t, base+"/api/health"); code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Fatalf("health: %d %s", code, body)
	}
	if _, err := a.Start(ctx, "127.0.0.1:0"); err == nil {
		t.Fatal("second Start succeeded")
	}

	// A request in flight when ctx ends still gets its answer.
	type result struct {
		code int
		body string
		err  error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/api/test/slow?ms=300")
		if err != nil {
			inflight <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		inflight <- result{code: resp.StatusCode, body: string(b)}
	}()
	<-inHandler
	cancel()

	if err := a.Wait(); err != nil {
		t.Fatalf("Wait after graceful stop: %v", err)
	}
	r := <-inflight
	if r.err != nil || r.code != http.StatusOK {
		t.Fatalf("in-flight request: %d %s %v, want 200", r.code, r.body, r.err)
	}
	if _, err := net.DialTimeout("tcp", addr.String(), time.Second); err == nil {
		t.Fatal("still accepting connections after stop")
	}
	if err := a.Close(); err != nil {
		t.Fatalf("Close after stop: %v", err)
	}
}

func TestCloseStopsTheServer(t *testing.T) {
	a := New(Options{})
	if err := a.Close(); err != nil {
		t.Fatalf("Close before Start: %v", err)
	}
	addr, err := a.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr.String(), time.Second); err == nil {
		t.Fatal("still accepting connections after Close")
	}
}

func TestShutdownIsBounded(t *testing.T) {
	a := New(Options{ShutdownTimeout: 50 * time.Millisecond})
	inHandler := make(chan struct{})
	a.slowStarted = func() { close(inHandler) }
	addr, err := a.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		resp, err := http.Get("http://" + addr.String() + "/api/test/slow?ms=5000")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-inHandler
	begin := time.Now()
	err = a.Close()
	if err == nil || !strings.Contains(err.Error(), "graceful shutdown") {
		t.Fatalf("Close = %v, want a graceful shutdown timeout", err)
	}
	if took := time.Since(begin); took > 3*time.Second {
		t.Fatalf("Close took %s; the 5s request was not cut short", took)
	}
}

func TestStartReportsListenErrors(t *testing.T) {
	a := New(Options{})
	if _, err := a.Start(context.Background(), "127.0.0.1:-1"); err == nil {
		t.Fatal("Start on a bad address succeeded")
	}
}
