package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodRunbook = `---
id: disk-filling
title: Disk filling
severity: warning
owner: platform
escalation: [Platform on-call]
---

## Symptoms

Disk is nearly full.

## Diagnosis

Look.

## Solutions

Free space.

## Escalation

Call.
`

func runbookDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunbooksCheckPasses(t *testing.T) {
	dir := runbookDir(t, map[string]string{"disk-filling.md": goodRunbook})
	code, stdout, stderr := runCLI(t, nil, "runbooks", "check", dir)
	if code != 0 || !strings.Contains(stdout, "1 runbook(s), no problems") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

func TestRunbooksCheckMissingSection(t *testing.T) {
	bad := strings.Replace(goodRunbook, "## Diagnosis\n\nLook.\n\n", "", 1)
	dir := runbookDir(t, map[string]string{"disk-filling.md": bad})
	code, _, stderr := runCLI(t, nil, "runbooks", "check", dir)
	want := filepath.Join(dir, "disk-filling.md") + `:8: missing section: add a "## Diagnosis" heading`
	if code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "1 problem(s) in 1 runbook(s)") {
		t.Fatalf("exit %d, want 1 and %q in stderr:\n%s", code, want, stderr)
	}
}

// An alarm in the config names a runbook that does not exist: the config
// file's line is reported.
func TestRunbooksCheckUnknownRunbookInConfig(t *testing.T) {
	dir := runbookDir(t, map[string]string{"disk-filling.md": goodRunbook})
	cfg := writeFile(t, "warden.yaml", "runbooks: { dir: "+dir+" }\nlogs:\n  alarms:\n    - name: errors\n      query: 'level:=error | stats count() n'\n      runbook: app-errors\nchecks:\n  - { name: disk, url: 'http://127.0.0.1:1/', runbook: disk-filling }\n")
	code, _, stderr := runCLI(t, nil, "runbooks", "check", "--config", cfg)
	want := cfg + `:6: logs.alarms[0].runbook: no runbook has id "app-errors"`
	if code != 1 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, want 1 and %q in stderr:\n%s", code, want, stderr)
	}
	// With DIR before the flag, the same.
	code, _, stderr = runCLI(t, nil, "runbooks", "check", dir, "--config", cfg)
	if code != 1 || !strings.Contains(stderr, want) {
		t.Fatalf("DIR then --config: exit %d:\n%s", code, stderr)
	}
	// Once the runbook exists, it passes.
	app := strings.ReplaceAll(goodRunbook, "disk-filling", "app-errors")
	if err := os.WriteFile(filepath.Join(dir, "app-errors.md"), []byte(app), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, nil, "runbooks", "check", "--config", cfg)
	if code != 0 || !strings.Contains(stdout, "the 2 runbook reference(s)") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

func TestRunbooksCheckUsage(t *testing.T) {
	if code, _, _ := runCLI(t, nil, "runbooks"); code != 2 {
		t.Errorf("no subcommand: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, nil, "runbooks", "check", "a", "b"); code != 2 {
		t.Errorf("two dirs: exit %d, want 2", code)
	}
	code, _, stderr := runCLI(t, nil, "runbooks", "check", filepath.Join(t.TempDir(), "nope"))
	if code != 1 || !strings.Contains(stderr, "read runbooks") {
		t.Errorf("missing dir: exit %d: %s", code, stderr)
	}
}

// The repository's own runbooks pass, as .ci/run checks too.
func TestRepositoryRunbooksPass(t *testing.T) {
	for _, dir := range []string{"../../docs/runbooks", "../../examples/payments/runbooks"} {
		code, stdout, stderr := runCLI(t, nil, "runbooks", "check", dir)
		if code != 0 {
			t.Errorf("%s: exit %d\n%s%s", dir, code, stdout, stderr)
		}
	}
}
