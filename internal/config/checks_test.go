package config

import (
	"strings"
	"testing"
	"time"
)

func TestChecksValidAndDefaults(t *testing.T) {
	src := `checks:
  - { name: api-health, url: http://127.0.0.1:3000/api/health, interval: 30s,
      conditions: ['status == 200', 'json.status == "ok"'], runbook: api-down }
  - name: db
    url: tcp://127.0.0.1:5432
  - name: dns
    url: dns://127.0.0.1:53
    dns: { name: example.com, type: aaaa }
  - name: cert
    group: Website
    url: tls://127.0.0.1:443
    interval: 1h
    maintenance:
      - { starts_at: 2026-12-01T02:00:00Z, ends_at: 2026-12-01T03:00:00Z, comment: upgrade }
`
	cfg, err := Parse("w.yaml", []byte(src), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Checks[0]
	if c.Method != "GET" || c.Interval.Std() != 30*time.Second || c.Timeout.Std() != 10*time.Second ||
		c.FailureThreshold != 2 || c.SuccessThreshold != 1 || c.Severity != "critical" || !c.IsPublic() || c.Kind() != "http" {
		t.Errorf("defaults: %+v", c)
	}
	if got := cfg.Checks[1]; got.Kind() != "tcp" || got.Conditions[0] != "connected" {
		t.Errorf("tcp: %+v", got)
	}
	if got := cfg.Checks[2]; got.DNS.Type != "AAAA" || got.Conditions[0] != `dns_rcode == "NOERROR"` {
		t.Errorf("dns: %+v", got)
	}
	if got := cfg.Checks[3]; got.Kind() != "tls" || len(got.Maintenance) != 1 || got.Timeout.Std() != 10*time.Second {
		t.Errorf("tls: %+v", got)
	}
	if cfg.Uptime.Retention.Std() != 90*24*time.Hour {
		t.Errorf("retention default: %v", cfg.Uptime.Retention)
	}
}

func TestChecksErrorsNameLineFieldAndColumn(t *testing.T) {
	src := `checks:
  - name: api
    url: http://127.0.0.1:3000/health
    interval: 2s
    conditions:
      - status == 200
      - 'json.status = "ok"'
  - name: api
    url: ftp://x
  - name: dns
    url: dns://127.0.0.1
    timeout: 1m
  - name: internal
    url: https://10.0.0.1/
    ca_file: /nonexistent/ca.pem
`
	_, err := Parse("w.yaml", []byte(src), env(nil))
	if err == nil {
		t.Fatal("no error")
	}
	got := err.Error()
	for _, want := range []string{
		"w.yaml:4: checks[0].interval: 2s is below the minimum of 5s",
		`w.yaml:7: checks[0].conditions[1]: column 13: "=" is not an operator; use "==" to compare`,
		`w.yaml:8: checks[1].name: "api" is used by another check`,
		`w.yaml:9: checks[1].url: "ftp://x": the scheme must be http, https, tcp, tls or dns`,
		`w.yaml:11: checks[2].url: "dns://127.0.0.1" needs host:port`,
		"w.yaml:12: checks[2].timeout: must be more than 0 and at most the interval (30s)",
		"w.yaml:10: checks[2].dns.name: must name what to resolve",
		"w.yaml:15: checks[3].ca_file: cannot read /nonexistent/ca.pem",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
