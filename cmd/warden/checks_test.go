package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestChecksRunPrintsEachCondition(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down" {
			http.Error(w, `{"status":"error"}`, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	path := writeFile(t, "warden.yaml", `data_dir: `+dir+`
checks:
  - { name: api, url: `+srv.URL+`/health, conditions: ['status == 200', 'json.status == "ok"'] }
  - { name: down, url: `+srv.URL+`/down, conditions: ['status == 200', 'json.status == "ok"'] }
`)
	code, out, stderr := runCLI(t, nil, "checks", "run", "--config", path, "api")
	if code != 0 || !strings.Contains(out, "PASS  api") || !strings.Contains(out, "ok    json.status == \"ok\"   (json.status = \"ok\")") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, nil, "checks", "run", "--config", path)
	if code != 1 || !strings.Contains(out, "FAIL  down") || !strings.Contains(out, "FAIL  status == 200   (status = 503)") ||
		!strings.Contains(stderr, "1 of 2 check(s) failed") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr := runCLI(t, nil, "checks", "run", "--config", path, "nope"); code != 2 || !strings.Contains(stderr, `no check named "nope"`) {
		t.Fatalf("unknown check: exit %d %s", code, stderr)
	}
	code, out, stderr = runCLI(t, nil, "checks", "list", "--config", path)
	if code != 0 || !strings.Contains(out, "api") || !strings.Contains(out, "unknown") {
		t.Fatalf("list: exit %d\n%s\n%s", code, out, stderr)
	}
}

func TestChecksConfigErrorNamesColumn(t *testing.T) {
	path := writeFile(t, "warden.yaml", `checks:
  - name: api
    url: http://127.0.0.1:1/
    conditions: ['status == 200 and bdy contains "ok"']
`)
	code, _, stderr := runCLI(t, nil, "config", "check", "--config", path)
	if code != 1 || !strings.Contains(stderr, path+`:4: checks[0].conditions[0]: column 19: unknown name "bdy"`) {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
}
