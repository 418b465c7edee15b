package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	})
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The acceptance case, through the command line.
func TestConfigCheckListsEveryError(t *testing.T) {
	t.Setenv("WARDEN_TEST_UNSET_TOKEN", "")
	os.Unsetenv("WARDEN_TEST_UNSET_TOKEN")
	path := writeFile(t, "warden.yaml", `data_dir: ./data
listn: 127.0.0.1:9090
server:
  shutdown_grace: 10 seconds
tokens:
  - { name: ops, token: "${WARDEN_TEST_UNSET_TOKEN}", scopes: [read] }
`)
	code, stdout, stderr := runCLI(t, nil, "config", "check", "--config", path)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	want := []string{
		path + `:2: listn: unknown key (did you mean "listen"?)`,
		path + `:4: server.shutdown_grace: "10 seconds" is not a duration`,
		path + `:6: tokens[0].token: ${WARDEN_TEST_UNSET_TOKEN} is not set`,
		path + ": 3 error(s)",
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("printed a configuration despite errors:\n%s", stdout)
	}
}

func TestConfigCheckPrintsEffectiveConfigMasked(t *testing.T) {
	t.Setenv("WARDEN_TEST_TOKEN", "super-secret-token-value")
	path := writeFile(t, "warden.yaml", "tokens:\n  - { name: ops, token: \"${WARDEN_TEST_TOKEN}\", scopes: [read] }\n")
	code, stdout, stderr := runCLI(t, nil, "config", "check", "--config", path)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if strings.Contains(stdout, "super-secret-token-value") {
		t.Fatalf("secret printed:\n%s", stdout)
	}
	for _, w := range []string{"ok", "token: '****'", "listen: 127.0.0.1:9090", "shutdown_grace: 10s"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("effective config lacks %q:\n%s", w, stdout)
		}
	}
}

func TestExitStatuses(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{}, 2, "Usage:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"serve", "--nope"}, 2, "flag provided but not defined"},
		{[]string{"serve", "--help"}, 0, "Usage: warden serve"},
		{[]string{"demo", "--help"}, 0, "Usage: warden demo"},
		{[]string{"config", "check", "--help"}, 0, "Usage: warden config check"},
		{[]string{"config"}, 2, "config needs a subcommand"},
		{[]string{"version"}, 0, "warden dev"},
		{[]string{"version", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"config", "check", "--config", "/nonexistent/warden.yaml"}, 1, "no such file"},
		{[]string{"demo", "--listen", "0.0.0.0:9090"}, 2, "loopback only"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, nil, tt.args...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.out) {
			t.Errorf("warden %v: exit %d, want %d; output lacks %q?\n%s%s", tt.args, code, tt.code, tt.out, stdout, stderr)
		}
	}
}

func TestHashPassword(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"config", "hash-password"}, env{stdin: strings.NewReader("correct horse\n"), stdout: &out, stderr: &errb})
	if code != 0 || !strings.HasPrefix(out.String(), "$2a$") {
		t.Fatalf("exit %d, out %q, err %q", code, out.String(), errb.String())
	}
}
