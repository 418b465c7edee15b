package victorialogs_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/logql"
	"github.com/wardenhq/warden/internal/logs/victorialogs"
)

// fakeVL stands in for VictoriaLogs, which cannot run here: it records
// every request and answers /select/logsql/query by running the query's
// filter (Warden's LogsQL subset) over what was inserted.
type fakeVL struct {
	mu       sync.Mutex
	rows     []map[string]string
	requests []*http.Request
	queries  []string
}

func (f *fakeVL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	switch r.URL.Path {
	case "/insert/jsonline":
		sc := bufio.NewScanner(r.Body)
		for sc.Scan() {
			var m map[string]string
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			f.rows = append(f.rows, m)
		}
	case "/select/logsql/query":
		r.ParseForm()
		f.queries = append(f.queries, r.Form.Get("query"))
		q, err := logql.Parse(r.Form.Get("query"))
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		start, _ := time.Parse(time.RFC3339Nano, r.Form.Get("start"))
		for _, m := range f.rows {
			t, _ := time.Parse(time.RFC3339Nano, m["_time"])
			g := getter{m, t.UnixNano()}
			if t.Before(start) || !q.Filter.Match(g, time.Now().UnixNano()) {
				continue
			}
			out := map[string]string{"_stream": `{env="` + m["env"] + `"}`}
			for k, v := range m {
				out[k] = v
			}
			json.NewEncoder(w).Encode(out)
		}
	default:
		http.NotFound(w, r)
	}
}

type getter struct {
	m map[string]string
	t int64
}

func (g getter) Get(f string) string { return g.m[f] }
func (g getter) Time() int64         { return g.t }

func TestServiceOverVictoriaLogs(t *testing.T) {
	fake := &fakeVL{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	st := &victorialogs.Store{InsertURL: srv.URL, SelectURL: srv.URL}
	svc := logs.NewService(logs.Options{Store: st})
	now := time.Now()
	var recs []logs.Record
	for i, lvl := range []string{"error", "info", "error", "error"} {
		recs = append(recs, logs.Record{Time: now.Add(time.Duration(-i) * time.Second), Fields: []logs.Field{
			{Name: "level", Value: lvl}, {Name: "_msg", Value: "card 4111 1111 1111 1111 declined"}, {Name: "path", Value: "/api/pay"}}})
	}
	ctx := context.Background()
	if err := svc.Append(ctx, "production", "api", recs); err != nil {
		t.Fatal(err)
	}
	ins := fake.requests[0]
	if ins.URL.Query().Get("_stream_fields") != "env,service" || ins.URL.Query().Get("_msg_field") != "_msg" {
		t.Fatalf("insert parameters: %s", ins.URL.RawQuery)
	}
	if strings.Contains(fake.rows[0]["_msg"], "4111") || fake.rows[0]["env"] != "production" || fake.rows[0]["service"] != "api" {
		t.Fatalf("inserted %v: not scrubbed, or without env and service", fake.rows[0])
	}
	res, err := svc.Query(ctx, logs.QueryRequest{Query: "_time:1h level:=error | stats by (path) count() n", Envs: []string{"production"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0].Get("n") != "3" {
		t.Fatalf("stats over VictoriaLogs: %v", res.Rows)
	}
	if got := fake.queries[0]; got != `(env:in("production") and (_time:1h and level:="error"))` {
		t.Fatalf("LogsQL sent: %s", got)
	}
	res, err = svc.Query(ctx, logs.QueryRequest{Query: `declined -level:=info`, Limit: 2})
	if err != nil || len(res.Rows) != 2 || res.Rows[0].Get("_stream") != "" || res.Rows[0][1].Name != "_msg" {
		t.Fatalf("rows: %v %v", err, res.Rows)
	}
}

func TestInsertErrorsAndOverload(t *testing.T) {
	code := 429
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }))
	defer srv.Close()
	st := &victorialogs.Store{InsertURL: srv.URL, SelectURL: srv.URL}
	recs := []logs.Record{{Time: time.Now(), Fields: []logs.Field{{Name: "_msg", Value: "x"}}}}
	if err := st.Append(context.Background(), "production", recs); err != logs.ErrOverloaded {
		t.Fatalf("429: %v", err)
	}
	code = 400
	if err := st.Append(context.Background(), "production", recs); err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("400: %v", err)
	}
}
