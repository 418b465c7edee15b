package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParseValid(t *testing.T) {
	src := `data_dir: /tmp/w
environment: staging
listen: 127.0.0.1:9191
log: { level: debug }
server: { shutdown_grace: 3s, max_body: 2MiB }
database: { url: "${DB_URL:-}" }
tokens:
  - { name: app, token: "${TOKEN}", scopes: [ingest] }
`
	cfg, err := Parse("w.yaml", []byte(src), env(map[string]string{"TOKEN": "0123456789abcdef0123"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/tmp/w" || cfg.Environment != "staging" || cfg.Log.Level != "debug" {
		t.Errorf("scalars not read: %+v", cfg)
	}
	if cfg.Server.ShutdownGrace.Std() != 3*time.Second || cfg.Server.MaxBody != 2<<20 {
		t.Errorf("units not read: %+v", cfg.Server)
	}
	if cfg.Tokens[0].Token.Value() != "0123456789abcdef0123" {
		t.Errorf("token not expanded: %q", cfg.Tokens[0].Token.Value())
	}
	if cfg.UI.SessionTTL.Std() != 12*time.Hour {
		t.Errorf("default session ttl lost: %v", cfg.UI.SessionTTL)
	}
	out, err := cfg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "0123456789abcdef0123") || !strings.Contains(string(out), "token: '****'") {
		t.Errorf("effective config leaks or does not mask the token:\n%s", out)
	}
	if !strings.Contains(string(out), "shutdown_grace: 3s") || !strings.Contains(string(out), "max_body: 2MiB") {
		t.Errorf("effective config does not print units as written:\n%s", out)
	}
}

// The acceptance case: a misspelt key, a bad duration and an unset
// variable give three errors, each with file:line and the field path.
func TestParseReportsEveryError(t *testing.T) {
	src := `data_dir: ./d
listn: 127.0.0.1:9090
server:
  shutdown_grace: 10 seconds
tokens:
  - name: ops
    token: ${ADMIN_TOKEN}
    scopes: [read]
`
	_, err := Parse("warden.yaml", []byte(src), env(nil))
	errs, ok := err.(Errors)
	if !ok {
		t.Fatalf("err = %v (%T), want Errors", err, err)
	}
	want := []string{
		`warden.yaml:2: listn: unknown key (did you mean "listen"?)`,
		`warden.yaml:4: server.shutdown_grace: "10 seconds" is not a duration (use 30s, 5m, 3h, 30d, 5y)`,
		`warden.yaml:7: tokens[0].token: ${ADMIN_TOKEN} is not set (set the environment variable, or write ${ADMIN_TOKEN:-default})`,
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(want), errs)
	}
	for i := range want {
		if errs[i].Error() != want[i] {
			t.Errorf("error %d:\n got %s\nwant %s", i, errs[i], want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"size unit", "server: { max_body: 10kb }", `x.yaml:1: server.max_body: "10kb" is not a size (use 10KiB)`},
		{"wrong type", "tokens: { name: x }", `x.yaml:1: tokens: must be a list, not a mapping`},
		{"scalar for struct", "server: fast", `x.yaml:1: server: must be a mapping of keys to values, not a single value`},
		{"bad scope", "tokens:\n  - { name: a, token: 0123456789abcdef, scopes: [write] }", `x.yaml:2: tokens[0].scopes[0]: "write" is not a scope (use ingest, read, admin, audit)`},
		{"short token", "tokens:\n  - { name: a, token: short, scopes: [read] }", `x.yaml:2: tokens[0].token: must be at least 16 characters (generate one with: openssl rand -hex 32)`},
		{"duplicate token", "tokens:\n  - { name: a, token: 0123456789abcdef, scopes: [read] }\n  - { name: a, token: 0123456789abcdeX, scopes: [read] }", `x.yaml:3: tokens[1].name: "a" is used by another token`},
		{"listen", "listen: 9090", `x.yaml:1: listen: "9090" is not host:port`},
		{"database", "database: { url: mysql://x }", `x.yaml:1: database.url: must be empty (SQLite in data_dir) or a postgres:// URL`},
		{"syntax", "a: [1,\nb: 2", `x.yaml:2: did not find expected ',' or ']'`},
		{"duplicate key", "listen: a:1\nlisten: b:2", `x.yaml:2: listen: appears twice`},
		{"level", "log: { level: loud }", `x.yaml:1: log.level: "loud" is not a level (use debug, info, warn or error)`},
		{"bcrypt", "ui:\n  users: [ { name: a, password_hash: plain } ]", `x.yaml:2: ui.users[0].password_hash: must be a bcrypt hash (make one with: warden config hash-password)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.src), env(nil))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got\n%v\nwant it to contain\n%s", err, tt.want)
			}
		})
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	cfg, err := Parse("x.yaml", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != Default().Listen {
		t.Errorf("listen = %q", cfg.Listen)
	}
}

func TestExpand(t *testing.T) {
	lookup := env(map[string]string{"A": "1", "EMPTY": ""})
	tests := []struct {
		in, out string
		missing int
	}{
		{"plain", "plain", 0},
		{"${A}", "1", 0},
		{"x${A}y${A}", "x1y1", 0},
		{"${B:-def}", "def", 0},
		{"${EMPTY:-def}", "def", 0},
		{"${EMPTY}", "", 0},
		{"$$A", "$A", 0},
		{"cost $5", "cost $5", 0},
		{"${B}", "", 1},
		{"${B", "${B", 1},
	}
	for _, tt := range tests {
		out, missing := expand(tt.in, lookup)
		if out != tt.out || len(missing) != tt.missing {
			t.Errorf("expand(%q) = %q, %v; want %q, %d missing", tt.in, out, missing, tt.out, tt.missing)
		}
	}
}

func TestUnits(t *testing.T) {
	durations := map[string]time.Duration{
		"30s": 30 * time.Second, "5m": 5 * time.Minute, "3h": 3 * time.Hour, "30d": 30 * 24 * time.Hour,
		"5y": 5 * 365 * 24 * time.Hour, "1h30m": 90 * time.Minute, "500ms": 500 * time.Millisecond, "0": 0, "1.5h": 90 * time.Minute,
	}
	for in, want := range durations {
		got, err := ParseDuration(in)
		if err != nil || got.Std() != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got.Std(), err, want)
		}
	}
	for _, bad := range []string{"", "30", "10 seconds", "5x", "d", "-5s", "1e9s"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
	sizes := map[string]Size{"10KiB": 10 << 10, "1MiB": 1 << 20, "512B": 512, "4096": 4096, "2MB": 2000000}
	for in, want := range sizes {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"10kb", "", "-1KiB", "1.5MiB", "KiB", "99999999999999999999"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	if s := Duration(30 * 24 * time.Hour).String(); s != "30d" {
		t.Errorf("30d prints as %q", s)
	}
}
