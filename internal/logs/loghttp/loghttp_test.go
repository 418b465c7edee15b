package loghttp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/loghttp"
	"github.com/wardenhq/warden/internal/logs/logstore"
)

const (
	ingestTok = "ingest-token-0123456789"
	readTok   = "read-token-0123456789ab"
)

func server(t *testing.T, maxBuffer int64) (*httptest.Server, *logstore.Store) {
	t.Helper()
	st, err := logstore.Open(logstore.Options{Dir: t.TempDir(), FlushInterval: 50 * time.Millisecond, MaxBuffer: maxBuffer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	api := httpapi.New(httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Tokens: auth.NewTokens([]auth.Token{
		{Name: "app", Secret: ingestTok, Scopes: []string{"ingest"}},
		{Name: "ops", Secret: readTok, Scopes: []string{"read"}},
	})})
	svc := logs.NewService(logs.Options{Store: st, DefaultEnv: "production"})
	(&loghttp.Handlers{Service: svc, MaxBody: 1 << 20, TailPoll: 50 * time.Millisecond,
		Sources: map[string]config.LogSource{"app": {Service: "from-token"}}}).Register(api)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv, st
}

func do(t *testing.T, method, u, tok string, body io.Reader, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("Authorization", "Bearer "+tok)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

type queryResp struct {
	Rows  []map[string]string `json:"rows"`
	Count int                 `json:"count"`
}

func query(t *testing.T, srv *httptest.Server, q string, extra ...string) queryResp {
	t.Helper()
	v := url.Values{"query": {q}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	code, _, body := do(t, "GET", srv.URL+"/api/v1/logs/query?"+v.Encode(), readTok, nil)
	if code != 200 {
		t.Fatalf("query %q: %d %s", q, code, body)
	}
	var r queryResp
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return r
}

func TestIngestScrubQuery(t *testing.T) {
	srv, _ := server(t, 0)
	now := time.Now().UTC()
	lines := strings.Join([]string{
		`{"time":"` + now.Add(-2*time.Minute).Format(time.RFC3339Nano) + `","level":"error","msg":"payment failed","card":"4111 1111 1111 1111","http":{"status":502,"path":"/api/pay"},"request_id":"r-1"}`,
		`{"level":"info","message":"user login","password":"hunter2","user_id":"u-7"}`,
		`plain text line from a legacy job`,
	}, "\n")
	code, _, body := do(t, "POST", srv.URL+"/api/v1/logs?service=api", ingestTok, strings.NewReader(lines))
	if code != 200 || !strings.Contains(string(body), `"accepted":3`) {
		t.Fatalf("ingest: %d %s", code, body)
	}
	r := query(t, srv, "level:=error | fields _msg, card, http.status, service, env")
	if r.Count != 1 || r.Rows[0]["_msg"] != "payment failed" || r.Rows[0]["card"] != "[REDACTED:card]" ||
		r.Rows[0]["http.status"] != "502" || r.Rows[0]["service"] != "api" || r.Rows[0]["env"] != "production" {
		t.Fatalf("error line: %+v", r.Rows)
	}
	if r := query(t, srv, "user_id:=u-7"); r.Count != 1 || r.Rows[0]["password"] != "[REDACTED]" {
		t.Fatalf("password not redacted: %+v", r.Rows)
	}
	if r := query(t, srv, "legacy"); r.Count != 1 {
		t.Fatalf("text line: %+v", r)
	}
	if r := query(t, srv, "* | stats count() n"); r.Rows[0]["n"] != "3" {
		t.Fatalf("count: %+v", r)
	}
	if r := query(t, srv, "*", "start", "1m"); r.Count != 2 {
		t.Fatalf("start=1m: %+v", r)
	}
	if r := query(t, srv, "*", "env", "staging"); r.Count != 0 {
		t.Fatalf("env=staging: %+v", r)
	}

	// gzip, into staging.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"msg":"from staging"}` + "\n"))
	zw.Close()
	code, _, body = do(t, "POST", srv.URL+"/api/v1/logs?env=staging", ingestTok, &gz, "Content-Encoding", "gzip")
	if code != 200 {
		t.Fatalf("gzip ingest: %d %s", code, body)
	}
	if r := query(t, srv, "staging", "env", "staging"); r.Count != 1 {
		t.Fatalf("staging: %+v", r)
	}
}

func TestTokenNamesEnvAndService(t *testing.T) {
	srv, _ := server(t, 0)
	code, _, body := do(t, "POST", srv.URL+"/api/v1/logs", ingestTok, strings.NewReader(`{"msg":"no names"}`))
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if r := query(t, srv, "service:=from-token env:=production"); r.Count != 1 {
		t.Fatalf("got %+v", r)
	}
}

func TestBadInputIsRefusedWhole(t *testing.T) {
	srv, _ := server(t, 0)
	code, _, body := do(t, "POST", srv.URL+"/api/v1/logs", ingestTok, strings.NewReader("{\"msg\":\"ok\"}\n{\"msg\": broken}\n"))
	if code != 400 || !strings.Contains(string(body), "line 2") {
		t.Fatalf("bad line: %d %s", code, body)
	}
	if r := query(t, srv, "*"); r.Count != 0 {
		t.Fatalf("a refused request stored %d lines", r.Count)
	}
	code, _, body = do(t, "GET", srv.URL+"/api/v1/logs/query?query="+url.QueryEscape("status:>abc"), readTok, nil)
	if code != 400 || !strings.Contains(string(body), "column 9") {
		t.Fatalf("bad query: %d %s", code, body)
	}
	code, _, _ = do(t, "GET", srv.URL+"/api/v1/logs/query?query=x", ingestTok, nil)
	if code != 403 {
		t.Fatalf("ingest token on query: %d", code)
	}
	code, _, body = do(t, "POST", srv.URL+"/api/v1/logs?env=../etc", ingestTok, strings.NewReader(`{"msg":"x"}`))
	if code != 400 || !strings.Contains(string(body), "environment") {
		t.Fatalf("bad env: %d %s", code, body)
	}
	code, _, _ = do(t, "POST", srv.URL+"/api/v1/logs", ingestTok, strings.NewReader(strings.Repeat(strings.Repeat("x", 99)+"\n", 25000)))
	if code != 413 {
		t.Fatalf("oversized body: %d", code)
	}
}

func TestOverloadAnswers429(t *testing.T) {
	srv, _ := server(t, 64<<10)
	var b strings.Builder
	for i := 0; i < 2000; i++ {
		b.WriteString(`{"msg":"a line that takes some room in the buffer","n":1}` + "\n")
	}
	code, hdr, body := do(t, "POST", srv.URL+"/api/v1/logs", ingestTok, strings.NewReader(b.String()))
	if code != 429 || hdr.Get("Retry-After") == "" {
		t.Fatalf("got %d %v %s", code, hdr, body)
	}
}

func TestTail(t *testing.T) {
	srv, _ := server(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/logs/tail?query="+url.QueryEscape("level:=error"), nil)
	req.Header.Set("Authorization", "Bearer "+readTok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("tail: %d", resp.StatusCode)
	}
	go func() {
		for i := 0; i < 3; i++ {
			do(t, "POST", srv.URL+"/api/v1/logs", ingestTok, strings.NewReader(`{"level":"error","msg":"boom `+string(rune('a'+i))+`"}`+"\n"+`{"level":"info","msg":"fine"}`))
			time.Sleep(20 * time.Millisecond)
		}
	}()
	sc := bufio.NewScanner(resp.Body)
	var got []string
	for len(got) < 3 && sc.Scan() {
		var row map[string]string
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		got = append(got, row["_msg"])
	}
	if strings.Join(got, ",") != "boom a,boom b,boom c" {
		t.Fatalf("tail got %v", got)
	}
}
