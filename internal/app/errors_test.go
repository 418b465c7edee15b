package app

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/config"
)

// TestErrorsServeEndToEnd runs the whole App with a project configured,
// sends the captured sentry-go envelope to its listener, finds the issue
// through the API, and checks the DSN is logged at start-up.
func TestErrorsServeEndToEnd(t *testing.T) {
	cfg := testConfig(t)
	const key = "abc123def4564567890abcdef1234567"
	cfg.Errors.Projects = []config.ErrorProject{{ID: 7, Name: "demo", Key: key}}
	logs := &syncWriter{w: &bytes.Buffer{}}
	ctx := context.Background()
	a, err := New(ctx, cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.Shutdown(sctx)
	})
	body, err := os.ReadFile("../errtrack/envelope/testdata/go-exception.envelope")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", a.URL()+"/api/7/envelope/", bytes.NewReader(body))
	req.Header.Set("X-Sentry-Auth", "Sentry sentry_version=7, sentry_client=sentry.go/0.50.0, sentry_key="+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ack map[string]string
	json.NewDecoder(resp.Body).Decode(&ack)
	resp.Body.Close()
	if resp.StatusCode != 200 || ack["id"] != "fd6a8a0117464813b603bb4739ddbee9" {
		t.Fatalf("ingest: %d %v", resp.StatusCode, ack)
	}
	req, _ = http.NewRequest("GET", a.URL()+"/api/v1/issues", nil)
	req.Header.Set("Authorization", "Bearer "+tokenWithout[config.ScopeAudit])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Issues []struct {
			Title   string `json:"title"`
			Culprit string `json:"culprit"`
			Count   int64  `json:"count"`
		} `json:"issues"`
	}
	json.NewDecoder(resp.Body).Decode(&list)
	if len(list.Issues) != 1 || list.Issues[0].Count != 1 || !strings.HasPrefix(list.Issues[0].Title, "*fmt.wrapError: charge 250 EUR") || list.Issues[0].Culprit != "main in main" {
		t.Fatalf("issues: %+v", list)
	}
	if want := "http://" + key + "@" + a.Addr() + "/7"; !strings.Contains(logs.String(), want) {
		t.Fatalf("start-up log lacks the DSN %s:\n%s", want, logs.String())
	}
}

// syncWriter lets the server's goroutines log into one buffer.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}
