package config

import (
	"regexp"
	"strings"
	"time"
)

// Audit configures the tamper-evident audit trail.
type Audit struct {
	// Retention is how long events are kept (default 5y). Nothing younger
	// is ever removed; the database itself refuses deletes younger than a day.
	Retention Duration `yaml:"retention"`
	// SigningKeyFile is the ed25519 key (PKCS #8 PEM) that signs checkpoints.
	// Keep it outside the database, and ideally off the database host:
	// whoever can rewrite the trail must not also be able to sign for it.
	// Created (mode 0600) when missing. Default: <data_dir>/audit.key.
	SigningKeyFile string `yaml:"signing_key_file"`
	// CheckpointInterval is how often a signed checkpoint is written and
	// published when events were appended (default 1h).
	CheckpointInterval Duration `yaml:"checkpoint_interval"`
	// CheckpointFile receives every checkpoint as a JSON line, a copy outside
	// the database that verify compares against (default
	// <data_dir>/audit-checkpoints.jsonl). Ship it elsewhere too.
	CheckpointFile string `yaml:"checkpoint_file"`
	// CheckpointWebhook, when set, receives every checkpoint as a JSON POST.
	CheckpointWebhook Secret `yaml:"checkpoint_webhook"`
	// VerifyInterval is how often the whole trail is verified; a failure
	// raises the audit-verify-failed alert (default 24h).
	VerifyInterval Duration `yaml:"verify_interval"`
	// Actions extends the built-in action taxonomy (dotted lower-case words
	// such as loan.applied).
	Actions []string `yaml:"actions"`
	// AllowFreeActions accepts any well-formed action, for apps still
	// shaping their taxonomy; otherwise an unknown action is a 400.
	AllowFreeActions bool `yaml:"allow_free_actions"`
	// QueueSize bounds the events waiting to be chained (default 10000);
	// beyond it appends get 429 with Retry-After.
	QueueSize int `yaml:"queue_size"`
}

func defaultAudit() Audit {
	return Audit{
		Retention:          Duration(5 * 365 * 24 * time.Hour),
		CheckpointInterval: Duration(time.Hour),
		VerifyInterval:     Duration(24 * time.Hour),
		QueueSize:          10000,
	}
}

// auditActionPattern mirrors audit.ValidAction (config does not import the
// domain packages).
var auditActionPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

func (a *Audit) validate(v *validator) {
	if a.Retention < Duration(24*time.Hour) {
		v.errorf("audit.retention", "must be at least 1d (the database refuses younger deletes); the legal minimum is usually 5y")
	}
	if a.CheckpointInterval < Duration(time.Second) {
		v.errorf("audit.checkpoint_interval", "must be at least 1s")
	}
	if a.VerifyInterval < Duration(time.Minute) {
		v.errorf("audit.verify_interval", "must be at least 1m")
	}
	if a.QueueSize < 1 || a.QueueSize > 1_000_000 {
		v.errorf("audit.queue_size", "must be from 1 to 1000000")
	}
	if u := a.CheckpointWebhook.Value(); u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		v.errorf("audit.checkpoint_webhook", "must be an http:// or https:// URL")
	}
	seen := map[string]bool{}
	for i, act := range a.Actions {
		p := index("audit.actions", i)
		switch {
		case !auditActionPattern.MatchString(act):
			v.errorf(p, "%q is not dotted lower-case words like loan.applied", act)
		case seen[act]:
			v.errorf(p, "%q is listed twice", act)
		}
		seen[act] = true
	}
}
