package applog_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/pkg/applog"
)

func TestContextHandlerAddsRequestFields(t *testing.T) {
	var buf bytes.Buffer
	logger := applog.New(&buf, applog.Options{})
	ctx := applog.WithRequestID(context.Background(), "job-1")

	logger.Info("no context")
	logger.InfoContext(ctx, "before user")
	applog.SetUserID(ctx, "u1")
	logger.InfoContext(ctx, "after user")
	logger.WithGroup("db").InfoContext(ctx, "grouped", "rows", 3)
	logger.With("request_id", "explicit").InfoContext(ctx, "with")
	logger.InfoContext(ctx, "attr", "user_id", "other")

	lines := decodeLines(t, buf.String())
	tests := []struct {
		msg, requestID, userID string
	}{
		{"no context", "", ""},
		{"before user", "job-1", ""},
		{"after user", "job-1", "u1"},
		{"grouped", "job-1", "u1"},
		{"with", "explicit", "u1"},
		{"attr", "job-1", "other"},
	}
	for i, tt := range tests {
		l := lines[i]
		if l["msg"] != tt.msg {
			t.Fatalf("line %d msg = %v, want %q", i, l["msg"], tt.msg)
		}
		if got, _ := l["request_id"].(string); got != tt.requestID {
			t.Errorf("%s: request_id = %q, want %q", tt.msg, got, tt.requestID)
		}
		if got, _ := l["user_id"].(string); got != tt.userID {
			t.Errorf("%s: user_id = %q, want %q", tt.msg, got, tt.userID)
		}
	}
	if db, _ := lines[3]["db"].(map[string]any); db["rows"] != 3.0 || db["request_id"] != nil {
		t.Errorf("grouped line = %v, want rows in db and request_id at the top", lines[3])
	}
	// Duplicate keys would make the line ambiguous for the ingester.
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Count(l, `"request_id"`) > 1 || strings.Count(l, `"user_id"`) > 1 {
			t.Errorf("duplicate key in %s", l)
		}
	}
}

func TestContextHandlerWrapsOtherHandlers(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(applog.NewContextHandler(slog.NewTextHandler(&buf, nil)))
	logger.InfoContext(applog.WithRequestID(context.Background(), "abc"), "hi")
	if !strings.Contains(buf.String(), "request_id=abc") {
		t.Errorf("got %q", buf.String())
	}
}

func TestWithRequestIDKeepsUser(t *testing.T) {
	ctx := applog.WithRequestID(context.Background(), "parent")
	applog.SetUserID(ctx, "u9")
	child := applog.WithRequestID(ctx, "child")
	if applog.RequestID(child) != "child" || applog.UserID(child) != "u9" {
		t.Errorf("child: id %q user %q", applog.RequestID(child), applog.UserID(child))
	}
	applog.SetUserID(child, "u10")
	if applog.UserID(ctx) != "u9" {
		t.Errorf("setting the child's user changed the parent's")
	}
	// Without request state there is nothing to set; it must not panic.
	applog.SetUserID(context.Background(), "x")
	applog.SetRoute(context.Background(), "x")
	if applog.RequestID(context.Background()) != "" || applog.UserID(context.Background()) != "" {
		t.Errorf("empty context has request fields")
	}
}

// TestContextHandlerConcurrent logs from many goroutines sharing a request
// while its user is set; run with -race.
func TestContextHandlerConcurrent(t *testing.T) {
	var buf syncBuffer
	logger := applog.New(&buf, applog.Options{})
	const requests, workers = 8, 8
	var wg sync.WaitGroup
	for r := range requests {
		ctx := applog.WithRequestID(context.Background(), fmt.Sprintf("r%d", r))
		for w := range workers {
			wg.Go(func() {
				if w == 0 {
					applog.SetUserID(ctx, fmt.Sprintf("u%d", r))
				}
				logger.With("worker", w).WithGroup("g").InfoContext(ctx, "work", "r", r)
				_ = applog.UserID(ctx)
			})
		}
	}
	wg.Wait()
	lines := decodeLines(t, buf.String())
	if len(lines) != requests*workers {
		t.Fatalf("got %d lines, want %d", len(lines), requests*workers)
	}
	for _, l := range lines {
		r := l["g"].(map[string]any)["r"].(float64)
		if l["request_id"] != fmt.Sprintf("r%d", int(r)) {
			t.Errorf("line of request %v has request_id %v", r, l["request_id"])
		}
		if u, ok := l["user_id"]; ok && u != fmt.Sprintf("u%d", int(r)) {
			t.Errorf("line of request %v has user_id %v", r, u)
		}
	}
}
