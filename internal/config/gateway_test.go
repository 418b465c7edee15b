package config

import (
	"strings"
	"testing"
)

func TestGatewayDefaults(t *testing.T) {
	cfg, err := Parse("x.yaml", []byte("gateway: { upstream: http://127.0.0.1:3000 }"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.Gateway
	if g.Listen != ":8080" || g.WAF.Mode != WAFBlock || g.WAF.ParanoiaLevel != 1 || g.WAF.InboundThreshold != 5 {
		t.Errorf("defaults lost: %+v", g)
	}
	if len(g.Routes) != 2 || g.Routes[0].PathPrefix != "/api/auth/" || g.Routes[0].MaxBody != 10<<10 || g.Routes[0].Rate == nil ||
		g.Routes[1].PathPrefix != "/api/" || g.Routes[1].MaxBody != 1<<20 || g.Routes[1].Rate != nil {
		t.Errorf("default routes: %+v", g.Routes)
	}
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		if !strings.Contains(strings.Join(g.WAF.AllowedMethods, " "), m) {
			t.Errorf("default allowed methods lack %s: an API needs it", m)
		}
	}
}

func TestGatewayParse(t *testing.T) {
	src := `gateway:
  listen: 127.0.0.1:8443
  upstream: http://127.0.0.1:3000
  trusted_proxies: [10.0.0.0/8, 127.0.0.1, "::1"]
  tls: { cert_file: c.pem, key_file: k.pem }
  waf:
    mode: detect
    paranoia_level: 2
    inbound_anomaly_threshold: 10
    exclusions:
      - { path_prefix: /api/search, rule_ids: [942100], tags: [attack-xss] }
    inspect_response_body: true
  routes:
    - { path_prefix: /upload/, max_body: 20MiB, rate: { per_second: 0.5, burst: 2 } }
`
	cfg, err := Parse("x.yaml", []byte(src), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.Gateway
	if g.WAF.Mode != WAFDetect || g.WAF.ParanoiaLevel != 2 || g.WAF.InboundThreshold != 10 || g.WAF.OutboundThreshold != 4 || !g.WAF.InspectResponseBody {
		t.Errorf("waf: %+v", g.WAF)
	}
	if len(g.WAF.Exclusions) != 1 || g.WAF.Exclusions[0].RuleIDs[0] != 942100 || g.WAF.Exclusions[0].Tags[0] != "attack-xss" {
		t.Errorf("exclusions: %+v", g.WAF.Exclusions)
	}
	if len(g.Routes) != 1 || g.Routes[0].MaxBody != 20<<20 || g.Routes[0].Rate.PerSecond != 0.5 || g.Routes[0].Rate.Burst != 2 {
		t.Errorf("routes replace the defaults: %+v", g.Routes)
	}
	if g.TLS.CertFile != "c.pem" || len(g.TrustedProxies) != 3 {
		t.Errorf("tls/proxies: %+v", g)
	}
}

func TestGatewayErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"upstream", "gateway: { upstream: ftp://x }", `x.yaml:1: gateway.upstream: "ftp://x" must be an http:// or https:// URL`},
		{"listen", "gateway: { upstream: http://a, listen: 8080 }", `x.yaml:1: gateway.listen: "8080" is not host:port`},
		{"proxy", "gateway:\n  upstream: http://a\n  trusted_proxies: [10.0.0.0/40]", `x.yaml:3: gateway.trusted_proxies[0]: "10.0.0.0/40" is not an IP address or CIDR range`},
		{"tls", "gateway:\n  upstream: http://a\n  tls: { cert_file: c.pem }", `x.yaml:3: gateway.tls: cert_file and key_file must be set together`},
		{"mode", "gateway:\n  upstream: http://a\n  waf:\n    mode: deny", `x.yaml:4: gateway.waf.mode: "deny" is not a mode (use block, detect or off)`},
		{"paranoia", "gateway:\n  upstream: http://a\n  waf: { paranoia_level: 5 }", `x.yaml:3: gateway.waf.paranoia_level: 5 is not a paranoia level (use 1 to 4)`},
		{"threshold", "gateway:\n  upstream: http://a\n  waf: { inbound_anomaly_threshold: 0 }", `gateway.waf.inbound_anomaly_threshold: must be at least 1`},
		{"exclusion empty", "gateway:\n  upstream: http://a\n  waf:\n    exclusions:\n      - { path_prefix: /x }", `x.yaml:5: gateway.waf.exclusions[0]: must name rule_ids or tags to skip`},
		{"exclusion path", "gateway:\n  upstream: http://a\n  waf:\n    exclusions:\n      - { path_prefix: 'x\"', rule_ids: [1] }", `x.yaml:5: gateway.waf.exclusions[0].path_prefix: "x\"" must start with /`},
		{"exclusion tag", "gateway:\n  upstream: http://a\n  waf:\n    exclusions:\n      - { path_prefix: /x, tags: [\"a b\"] }", `gateway.waf.exclusions[0].tags[0]: "a b" is not a rule tag`},
		{"method", "gateway:\n  upstream: http://a\n  waf: { allowed_methods: [get] }", `gateway.waf.allowed_methods[0]: "get" is not an HTTP method in capitals`},
		{"route prefix", "gateway:\n  upstream: http://a\n  routes:\n    - { path_prefix: api }", `x.yaml:4: gateway.routes[0].path_prefix: "api" must start with /`},
		{"route rate", "gateway:\n  upstream: http://a\n  routes:\n    - path_prefix: /a\n      rate: { per_second: 0, burst: 0 }", `x.yaml:5: gateway.routes[0].rate.per_second: must be more than 0`},
		{"route burst", "gateway:\n  upstream: http://a\n  routes:\n    - path_prefix: /a\n      rate: { per_second: 1, burst: 0 }", `gateway.routes[0].rate.burst: must be at least 1`},
		{"route size", "gateway:\n  upstream: http://a\n  routes:\n    - { path_prefix: /a, max_body: 10kb }", `x.yaml:4: gateway.routes[0].max_body: "10kb" is not a size (use 10KiB)`},
		{"unknown key", "gateway:\n  upstream: http://a\n  waf: { paranoia: 2 }", `x.yaml:3: gateway.waf.paranoia: unknown key`},
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

func TestGatewayOffIgnoresOtherSettings(t *testing.T) {
	if _, err := Parse("x.yaml", []byte("gateway: { listen: nonsense }"), env(nil)); err != nil {
		t.Errorf("gateway without upstream is off, yet: %v", err)
	}
}
