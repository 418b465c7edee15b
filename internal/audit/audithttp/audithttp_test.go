package audithttp_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/audit/audithttp"
	"github.com/wardenhq/warden/internal/audit/auditsql"
	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/store/storetest"
)

const (
	ingestTok = "ingest-token-0123456789"
	auditTok  = "audit-token-0123456789"
)

func setup(t *testing.T, opts ...func(*audit.Options)) (*httptest.Server, *audit.Service) {
	t.Helper()
	db := storetest.SQLite(t, auditsql.Migrations)
	dir := t.TempDir()
	signer, _, err := audit.LoadOrCreateSigner(filepath.Join(dir, "audit.key"))
	if err != nil {
		t.Fatal(err)
	}
	o := audit.Options{Store: auditsql.New(db), Signer: signer, CheckpointFile: filepath.Join(dir, "cp.jsonl")}
	o.Publishers = []audit.Publisher{&audit.FilePublisher{Path: o.CheckpointFile}}
	for _, f := range opts {
		f(&o)
	}
	svc, err := audit.New(o)
	if err != nil {
		t.Fatal(err)
	}
	s := httpapi.New(httpapi.Options{Tokens: auth.NewTokens([]auth.Token{
		{Name: "app", Secret: ingestTok, Scopes: []string{"ingest"}},
		{Name: "ops", Secret: auditTok, Scopes: []string{"audit", "admin"}},
	})})
	(&audithttp.Handlers{Service: svc}).Register(s)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { svc.Stop(context.Background()) })
	return srv, svc
}

func start(t *testing.T, svc *audit.Service) {
	t.Helper()
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
}

type response struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

func call(t *testing.T, srv *httptest.Server, method, path, token, body string) response {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	json.Unmarshal(raw, &out.json)
	return out
}

const loginEvent = `{"actor":{"type":"user","id":"u-42"},"action":"auth.login.success","outcome":"success","client_ip":"198.51.100.4","details":{"method":"bankid"}}`

func TestAppendAndRead(t *testing.T) {
	srv, svc := setup(t)
	start(t, svc)
	r := call(t, srv, "POST", "/api/v1/audit/events", ingestTok, loginEvent)
	if r.status != 201 {
		t.Fatalf("append: %d %s", r.status, r.body)
	}
	// The batch's events carry ids, so that a retry is recognised.
	batch := `[` + strings.Replace(loginEvent, `{`, `{"id":"l-1",`, 1) + `,{"id":"c1d2","actor":{"type":"service","id":"payments"},"action":"payment.initiated","target":{"type":"payment","id":"p1"},"outcome":"success"}]`
	r = call(t, srv, "POST", "/api/v1/audit/events", ingestTok, batch)
	if r.status != 201 || len(r.json["events"].([]any)) != 2 {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	// Retried with the same id: acknowledged, not stored twice.
	r = call(t, srv, "POST", "/api/v1/audit/events", ingestTok, batch)
	if r.status != 201 || !strings.Contains(r.body, `"duplicate":true`) {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	r = call(t, srv, "GET", "/api/v1/audit/events?actor_id=u-42&count=true", auditTok, "")
	if r.status != 200 || r.json["total"] != float64(2) {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	first := r.json["events"].([]any)[0].(map[string]any)
	if first["actor"].(map[string]any)["id"] != "u-42" {
		t.Fatalf("actor not resolved: %v", first)
	}
	r = call(t, srv, "GET", "/api/v1/audit/events/c1d2", auditTok, "")
	if r.status != 200 || r.json["action"] != "payment.initiated" {
		t.Fatalf("get by id: %d %s", r.status, r.body)
	}
	r = call(t, srv, "GET", "/api/v1/audit/events?action=payment.*&limit=1", auditTok, "")
	if r.status != 200 || len(r.json["events"].([]any)) != 1 || r.json["next_before"] == nil {
		t.Fatalf("prefix page: %d %s", r.status, r.body)
	}
	// The ingest token cannot read, the audit token can.
	if r := call(t, srv, "GET", "/api/v1/audit/events", ingestTok, ""); r.status != 403 {
		t.Fatalf("ingest token read the trail: %d", r.status)
	}
}

func TestAppendErrorsNameTheField(t *testing.T) {
	srv, svc := setup(t)
	start(t, svc)
	tests := []struct {
		name, body string
		status     int
		field, msg string
	}{
		{"unknown field", `{"actor":{"type":"user","id":"u"},"action":"auth.logout","outcome":"success","colour":"red"}`, 400, "colour", "unknown field"},
		{"unknown action", `{"actor":{"type":"user","id":"u"},"action":"auth.logout.now","outcome":"success"}`, 400, "action", "unknown action"},
		{"bad outcome in batch", `[` + loginEvent + `,{"actor":{"type":"user","id":"u"},"action":"auth.logout","outcome":"maybe"}]`, 400, "[1].outcome", "success, failure or denied"},
		{"wrong type", `{"actor":"u","action":"auth.logout","outcome":"success"}`, 400, "actor", "must be"},
		{"bad time", `{"actor":{"type":"user","id":"u"},"action":"auth.logout","outcome":"success","time":"yesterday"}`, 400, "time", "RFC 3339"},
		{"not json", `{"actor":`, 400, "", "middle of a JSON value"},
		{"empty batch", `[]`, 400, "", "no events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, "POST", "/api/v1/audit/events", ingestTok, tt.body)
			if r.status != tt.status || r.json["field"] != nilIfEmpty(tt.field) || !strings.Contains(r.body, tt.msg) {
				t.Fatalf("got %d %s; want %d field %q %q", r.status, r.body, tt.status, tt.field, tt.msg)
			}
		})
	}
	big := `{"actor":{"type":"user","id":"u"},"action":"auth.logout","outcome":"success","details":{"x":"` + strings.Repeat("a", 9<<20) + `"}}`
	if r := call(t, srv, "POST", "/api/v1/audit/events", ingestTok, big); r.status != 413 {
		t.Fatalf("oversized body: %d %.200s", r.status, r.body)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func TestFullQueueAnswers429(t *testing.T) {
	srv, svc := setup(t, func(o *audit.Options) { o.QueueSize = 1 })
	// Not started: the first event waits in the queue, the second finds it full.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/v1/audit/events", strings.NewReader(loginEvent))
		req.Header.Set("Authorization", "Bearer "+ingestTok)
		http.DefaultClient.Do(req)
	}()
	// Whichever request queues first waits for the writer, which is not
	// running: a client timeout ends it, and its event keeps the queue full.
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/audit/events", strings.NewReader(loginEvent))
		req.Header.Set("Authorization", "Bearer "+ingestTok)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 429 {
				if resp.Header.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("never got 429; last %v %v", resp, err)
		}
	}
	cancel()
	start(t, svc)
}

func TestProofVerifiesOutsideWarden(t *testing.T) {
	srv, svc := setup(t)
	start(t, svc)
	for range 5 {
		call(t, srv, "POST", "/api/v1/audit/events", ingestTok, loginEvent)
	}
	r := call(t, srv, "GET", "/api/v1/audit/events/3/proof", auditTok, "")
	if r.status != 200 {
		t.Fatalf("proof: %d %s", r.status, r.body)
	}
	var p audit.Proof
	json.Unmarshal([]byte(r.body), &p)
	var hashes [][]byte
	for _, h := range p.Hashes {
		b, _ := hex.DecodeString(h)
		hashes = append(hashes, b)
	}
	root, _ := hex.DecodeString(p.Checkpoint.Root)
	leaf := rfc6962.DefaultHasher.HashLeaf([]byte(p.Canonical))
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(p.Seq), uint64(p.Size), leaf, hashes, root); err != nil {
		t.Fatalf("proof from the API does not verify: %v", err)
	}
	forged := rfc6962.DefaultHasher.HashLeaf([]byte(strings.Replace(p.Canonical, "198.51.100.4", "198.51.100.5", 1)))
	if proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(p.Seq), uint64(p.Size), forged, hashes, root) == nil {
		t.Fatal("proof verifies a modified event")
	}
	r = call(t, srv, "GET", "/api/v1/audit/checkpoints", auditTok, "")
	if r.status != 200 || len(r.json["checkpoints"].([]any)) != 1 || r.json["public_key"] == "" {
		t.Fatalf("checkpoints: %d %s", r.status, r.body)
	}
	r = call(t, srv, "POST", "/api/v1/audit/checkpoints", auditTok, "")
	if r.status != 201 {
		t.Fatalf("checkpoint now: %d %s", r.status, r.body)
	}
	r = call(t, srv, "GET", "/api/v1/audit/verify", auditTok, "")
	if r.status != 200 || r.json["ok"] != true {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	if r := call(t, srv, "GET", "/api/v1/audit/events/999/proof", auditTok, ""); r.status != 404 {
		t.Fatalf("proof of a missing event: %d %s", r.status, r.body)
	}
}

func TestUserExportIsAudited(t *testing.T) {
	srv, svc := setup(t)
	start(t, svc)
	call(t, srv, "POST", "/api/v1/audit/events", ingestTok, loginEvent)
	call(t, srv, "POST", "/api/v1/audit/events", ingestTok, strings.Replace(loginEvent, "u-42", "u-7", 1))
	r := call(t, srv, "GET", "/api/v1/audit/users/u-42/export?format=csv", auditTok, "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	lines := strings.Split(strings.TrimSpace(r.body), "\n")
	if len(lines) != 3 || strings.Contains(r.body, "u-7") { // header, the login, the export record
		t.Fatalf("user export:\n%s", r.body)
	}
	r = call(t, srv, "GET", "/api/v1/audit/events?action=admin.audit.export", auditTok, "")
	ev := r.json["events"].([]any)[0].(map[string]any)
	if ev["actor"].(map[string]any)["id"] != "token:ops" || ev["target"].(map[string]any)["id"] != "u-42" {
		t.Fatalf("export record %v", ev)
	}
	if r := call(t, srv, "GET", "/api/v1/audit/users/u-42/export?format=pdf", auditTok, ""); r.status != 400 || r.json["field"] != "format" {
		t.Fatalf("bad format: %d %s", r.status, r.body)
	}
	r = call(t, srv, "GET", "/api/v1/audit/export?from=2000-01-01T00:00:00Z", auditTok, "")
	if r.status != 200 || strings.Count(r.body, "\n") != 4 { // the three before, and this export itself
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	if r := call(t, srv, "GET", "/api/v1/audit/export?from=monday", auditTok, ""); r.status != 400 || r.json["field"] != "from" {
		t.Fatalf("bad from: %d %s", r.status, r.body)
	}
}

func TestEraseUser(t *testing.T) {
	srv, svc := setup(t)
	start(t, svc)
	call(t, srv, "POST", "/api/v1/audit/events", ingestTok, loginEvent)
	if r := call(t, srv, "DELETE", "/api/v1/audit/users/u-42", ingestTok, ""); r.status != 403 {
		t.Fatalf("ingest token erased: %d", r.status)
	}
	if r := call(t, srv, "DELETE", "/api/v1/audit/users/u-42", auditTok, ""); r.status != 200 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	if r := call(t, srv, "DELETE", "/api/v1/audit/users/u-42", auditTok, ""); r.status != 404 || r.json["field"] != "id" {
		t.Fatalf("second erase: %d %s", r.status, r.body)
	}
	r := call(t, srv, "GET", "/api/v1/audit/events?action=auth.login.success", auditTok, "")
	actor := r.json["events"].([]any)[0].(map[string]any)["actor"].(map[string]any)
	if actor["id"] == "u-42" || actor["erased"] != true {
		t.Fatalf("erased user still named: %v", actor)
	}
	if r := call(t, srv, "GET", "/api/v1/audit/verify", auditTok, ""); r.json["ok"] != true {
		t.Fatalf("verify after erasure: %s", r.body)
	}
}
