package gateway

import (
	"strconv"

	"github.com/corazawaf/coraza/v3"
	"net/netip"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/config"
)

func FuzzValidRequestID(f *testing.F) {
	for _, s := range []string{"", "abc", "0f8fad5b-d9cb-469f-a165-70867728950e", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "a b", "x\ny", strings.Repeat("a", 129), "Root=1-5759e988-bd862e3fe1be46a994272793"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := ValidRequestID(s)
		if ok && (len(s) == 0 || len(s) > maxRequestID || strings.ContainsAny(s, " \t\r\n\"'\\{}")) {
			t.Fatalf("accepted %q", s)
		}
		got := requestID(s)
		if !ValidRequestID(got) || (ok && got != s) {
			t.Fatalf("requestID(%q) = %q", s, got)
		}
	})
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.1:1234", "1.2.3.4, 10.0.0.2")
	f.Add("[::1]:80", "2001:db8::1")
	f.Add("1.2.3.4:5", "garbage,,")
	f.Add("nonsense", "")
	f.Add("10.9.9.9:1", "::ffff:1.2.3.4, 10.0.0.3")
	tp := TrustedProxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		got := tp.ClientIP(remote, []string{xff})
		peer := peerAddr(remote)
		if !tp.Contains(peer) && got != peer {
			t.Fatalf("untrusted peer %q: client %v, want the peer", remote, got)
		}
		if got.IsValid() && got != peer && !strings.Contains(xff, got.String()) && !strings.Contains(xff, got.Unmap().String()) {
			// the client must come from the header (modulo ::ffff: mapping)
			if a, err := netip.ParseAddr(strings.TrimSpace(got.String())); err != nil || a != got {
				t.Fatalf("client %v not from %q", got, xff)
			}
		}
	})
}

func FuzzRoutesMatch(f *testing.F) {
	f.Add("/api/auth/login")
	f.Add("/api/")
	f.Add("/")
	f.Add("")
	f.Add("/API/auth")
	rs := NewRoutes(config.Default().Gateway, LimiterOptions{})
	f.Fuzz(func(t *testing.T, path string) {
		r := rs.Match(path)
		if r == nil {
			t.Fatal("no route")
		}
		if r.Name != "default" && !strings.HasPrefix(path, r.Prefix) {
			t.Fatalf("%q matched %q", path, r.Prefix)
		}
		if strings.HasPrefix(path, "/api/auth/") && r.Prefix != "/api/auth/" {
			t.Fatalf("%q missed the first matching route: %q", path, r.Prefix)
		}
	})
}

// FuzzExclusionDirective checks that every exclusion the config accepts
// compiles, on its own, into one SecLang rule.
func FuzzExclusionDirective(f *testing.F) {
	f.Add("/api/search", "attack-sqli", 942100)
	f.Add("/a", "paranoia-level/2", 1)
	f.Add("/x\"y", "a b", 5)
	f.Add("/a,b;c%20", "OWASP_CRS/ATTACK-SQLI", 99999)
	f.Fuzz(func(t *testing.T, prefix, tag string, id int) {
		src := "gateway:\n  upstream: http://127.0.0.1:1\n  waf:\n    exclusions:\n      - path_prefix: " + yamlQuote(prefix) +
			"\n        rule_ids: [" + strconv.Itoa(id) + "]\n        tags: [" + yamlQuote(tag) + "]\n"
		cfg, err := config.Parse("f.yaml", []byte(src), func(string) (string, bool) { return "", false })
		if err != nil {
			return // refused by validation: nothing to compile
		}
		d := exclusionRule(exclusionBaseID, cfg.Gateway.WAF.Exclusions[0])
		if strings.Count(d, "\n") != 1 {
			t.Fatalf("exclusion %q %q became %q", prefix, tag, d)
		}
		if _, err := coraza.NewWAF(coraza.NewWAFConfig().WithDirectives(d)); err != nil {
			t.Fatalf("exclusion %q %q does not compile: %v\n%s", prefix, tag, err, d)
		}
	})
}

func yamlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s) + `"`
}
