package errhttp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/errtrack/envelope"
	"github.com/wardenhq/warden/internal/errtrack/errsql"
	"github.com/wardenhq/warden/internal/errtrack/forward"
	"github.com/wardenhq/warden/internal/httpapi"
)

// An accepted event is also sent, scrubbed, to the upstream Sentry DSN, as
// an envelope authenticated with the upstream's key.
func TestForwardToUpstream(t *testing.T) {
	var mu sync.Mutex
	var got []string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.URL.Path+" "+r.Header.Get("X-Sentry-Auth")+"\n"+string(body))
		mu.Unlock()
		w.Write([]byte(`{"id":"x"}`))
	}))
	defer upstream.Close()
	upstreamDSN := strings.Replace(upstream.URL, "http://", "http://upkey0123456789@", 1) + "/42"
	fwd, err := forward.New(map[int]string{7: upstreamDSN}, 8, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	fwd.Start()
	defer fwd.Stop(context.Background())
	svc := errtrack.New(errtrack.Options{Store: errsql.New(sqliteDB(t)), Projects: []errtrack.Project{{ID: 7, Name: "app", Key: testKey}, {ID: 8, Name: "other", Key: otherKey}}})
	svc.Start()
	defer svc.Stop(context.Background())
	api := httpapi.New(httpapi.Options{Tokens: auth.NewTokens(nil)})
	(&Ingest{Service: svc, MaxBody: 1 << 20, Forward: fwd}).Register(api)
	ts := httptest.NewServer(api)
	defer ts.Close()

	id := eventID(900)
	ev := `{"event_id":"` + id + `","message":"card 4111 1111 1111 1111 declined"}`
	if resp, _ := post(t, ts.URL+"/api/7/envelope/", envelopeOf(ev), auth7()); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// Project 8 does not forward.
	post(t, ts.URL+"/api/8/envelope/?sentry_key="+otherKey, envelopeOf(`{"message":"not forwarded"}`), nil)
	deadline := time.Now().Add(10 * time.Second)
	for fwd.Sent.Load() < 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("upstream got %d requests: %q", len(got), got)
	}
	head, body, _ := strings.Cut(got[0], "\n")
	if !strings.HasPrefix(head, "/api/42/envelope/ ") || !strings.Contains(head, "sentry_key=upkey0123456789") {
		t.Fatalf("request %q", head)
	}
	if strings.Contains(body, "4111") {
		t.Fatalf("forwarded unscrubbed: %s", body)
	}
	env, err := envelope.Parse([]byte(body))
	if err != nil || len(env.Items) != 1 || env.Header.EventID != id {
		t.Fatalf("forwarded envelope %q: %v", body, err)
	}
}
