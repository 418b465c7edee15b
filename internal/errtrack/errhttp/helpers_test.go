package errhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/errtrack/errsql"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

const (
	testKey    = "abc123def4564567890abcdef1234567"
	otherKey   = "0123456789abcdef0123456789abcdef"
	readToken  = "read-token-0123456789"
	adminToken = "admin-token-0123456789"
)

// recorder is an alert.Raiser that remembers what it was given. The real
// router has its own tests; here only what errtrack raises matters.
type recorder struct {
	mu       sync.Mutex
	raised   []alert.Alert
	resolved []alert.Labels
}

func (r *recorder) Raise(_ context.Context, a alert.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.raised = append(r.raised, a)
	return nil
}

func (r *recorder) Resolve(_ context.Context, l alert.Labels, _ time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resolved = append(r.resolved, l)
	return nil
}

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, a := range r.raised {
		out = append(out, a.Name())
	}
	return out
}

type server struct {
	*httptest.Server
	svc    *errtrack.Service
	alerts *recorder
	db     *store.DB
}

func newServer(t testing.TB, db *store.DB, projects ...errtrack.Project) *server {
	t.Helper()
	if len(projects) == 0 {
		projects = []errtrack.Project{{ID: 7, Name: "app", Key: testKey}, {ID: 8, Name: "other", Key: otherKey}}
	}
	rec := &recorder{}
	svc := errtrack.New(errtrack.Options{Store: errsql.New(db), Alerts: rec, Projects: projects, ExternalURL: "http://warden.test"})
	svc.Start()
	api := httpapi.New(httpapi.Options{Tokens: auth.NewTokens([]auth.Token{
		{Name: "reader", Secret: readToken, Scopes: []string{"read"}},
		{Name: "admin", Secret: adminToken, Scopes: []string{"read", "admin"}},
	})})
	(&Ingest{Service: svc, MaxBody: 1 << 20}).Register(api)
	(&Issues{Service: svc}).Register(api)
	ts := httptest.NewServer(api)
	t.Cleanup(func() {
		ts.Close()
		svc.Stop(context.Background())
	})
	return &server{Server: ts, svc: svc, alerts: rec, db: db}
}

func sqliteServer(t testing.TB) *server {
	return newServer(t, storetest.SQLite(t, errsql.Migrations))
}

func envelopeOf(events ...string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"sent_at":"2026-11-30T12:00:00Z"}` + "\n")
	for _, e := range events {
		fmt.Fprintf(&b, "{\"type\":\"event\",\"length\":%d}\n%s\n", len(e), e)
	}
	return b.Bytes()
}

func post(t testing.TB, url string, body []byte, headers map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return resp, m
}

func auth7() map[string]string {
	return map[string]string{"X-Sentry-Auth": "Sentry sentry_version=7, sentry_key=" + testKey}
}

func getJSON(t testing.TB, url, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil && resp.StatusCode == 200 {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func sqliteDB(t testing.TB) *store.DB { return storetest.SQLite(t, errsql.Migrations) }
