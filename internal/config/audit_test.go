package config

import (
	"strings"
	"testing"
	"time"
)

func TestAuditSection(t *testing.T) {
	cfg, err := Parse("w.yaml", []byte(`audit:
  retention: 7y
  signing_key_file: /keys/audit.key
  checkpoint_interval: 10m
  allow_free_actions: true
  actions: [loan.applied, loan.approved]
`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Audit
	if a.Retention.Std() != 7*365*24*time.Hour || a.SigningKeyFile != "/keys/audit.key" || a.CheckpointInterval.Std() != 10*time.Minute ||
		!a.AllowFreeActions || len(a.Actions) != 2 {
		t.Fatalf("audit section not read: %+v", a)
	}
	if a.VerifyInterval.Std() != 24*time.Hour || a.QueueSize != 10000 {
		t.Fatalf("defaults lost: %+v", a)
	}
	if d := Default().Audit; d.Retention.Std() != 5*365*24*time.Hour {
		t.Fatalf("default retention %v, want 5y", d.Retention)
	}
}

func TestAuditSectionErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"audit: { retention: 1h }", `x.yaml:1: audit.retention: must be at least 1d`},
		{"audit: { checkpoint_interval: 0 }", `x.yaml:1: audit.checkpoint_interval: must be at least 1s`},
		{"audit:\n  actions: [loan.applied, Loan]", `x.yaml:2: audit.actions[1]: "Loan" is not dotted lower-case words`},
		{"audit:\n  actions: [a.b, a.b]", `audit.actions[1]: "a.b" is listed twice`},
		{"audit: { checkpoint_webhook: ftp://x }", `audit.checkpoint_webhook: must be an http:// or https:// URL`},
		{"audit: { free_actions: true }", `audit.free_actions: unknown key`},
	}
	for _, tt := range tests {
		_, err := Parse("x.yaml", []byte(tt.src), env(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %s", tt.src, err, tt.want)
		}
	}
}
