package config

import (
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Gateway configures the WAF reverse proxy that stands in front of the app.
// It runs only when Upstream is set.
type Gateway struct {
	// Listen is the gateway's own address (default :8080).
	Listen string `yaml:"listen"`
	// Upstream is the app's base URL, http:// or https://.
	Upstream string `yaml:"upstream"`
	// TrustedProxies are addresses or CIDR ranges (a load balancer) whose
	// X-Forwarded-For is believed; anyone else's is ignored.
	TrustedProxies []string   `yaml:"trusted_proxies"`
	TLS            GatewayTLS `yaml:"tls"`
	// UpstreamTimeout bounds the wait for the upstream's response headers
	// (504 past it); DialTimeout bounds connecting (502 when it fails).
	UpstreamTimeout Duration `yaml:"upstream_timeout"`
	DialTimeout     Duration `yaml:"dial_timeout"`
	// MaxBody caps request bodies on paths that match no route.
	MaxBody Size           `yaml:"max_body"`
	WAF     WAF            `yaml:"waf"`
	Routes  []GatewayRoute `yaml:"routes"`
	// BlockAlert raises an alert when the WAF blocks more than this many
	// requests within one minute; 0 switches the alert off.
	BlockAlert int `yaml:"block_alert_per_minute"`
}

// GatewayTLS serves the gateway over TLS from certificate files.
type GatewayTLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// WAF configures Coraza with the OWASP Core Rule Set.
type WAF struct {
	// Mode is block (403), detect (record and pass) or off.
	Mode string `yaml:"mode"`
	// ParanoiaLevel is the CRS paranoia level, 1 (few false positives) to 4.
	ParanoiaLevel int `yaml:"paranoia_level"`
	// InboundThreshold and OutboundThreshold are the CRS anomaly scores at
	// which a request or response is blocked (CRS defaults 5 and 4).
	InboundThreshold  int `yaml:"inbound_anomaly_threshold"`
	OutboundThreshold int `yaml:"outbound_anomaly_threshold"`
	// AllowedMethods replaces the CRS list, which refuses PUT, PATCH and
	// DELETE that a JSON API uses every day.
	AllowedMethods []string       `yaml:"allowed_methods"`
	Exclusions     []WAFExclusion `yaml:"exclusions"`
	// InspectResponseBody lets the CRS read response bodies (data leakage
	// rules); it costs much CPU, so it is off by default.
	InspectResponseBody bool `yaml:"inspect_response_body"`
}

// WAFExclusion skips rules, by ID or by tag, on paths that start with
// PathPrefix: the way to fix a false positive without turning the WAF off.
type WAFExclusion struct {
	PathPrefix string   `yaml:"path_prefix"`
	RuleIDs    []int    `yaml:"rule_ids"`
	Tags       []string `yaml:"tags"`
}

// GatewayRoute sets limits for paths that start with PathPrefix; the first
// route that matches wins.
type GatewayRoute struct {
	PathPrefix string `yaml:"path_prefix"`
	// MaxBody is the largest request body let through (413 beyond it);
	// 0 takes gateway.max_body.
	MaxBody Size `yaml:"max_body"`
	// Rate limits requests per client IP; unset means no limit.
	Rate *RateLimit `yaml:"rate"`
}

// RateLimit is a token bucket per client IP.
type RateLimit struct {
	PerSecond float64 `yaml:"per_second"`
	Burst     int     `yaml:"burst"`
}

// WAF modes.
const (
	WAFBlock  = "block"
	WAFDetect = "detect"
	WAFOff    = "off"
)

func defaultGateway() Gateway {
	return Gateway{
		Listen:          ":8080",
		UpstreamTimeout: Duration(60 * time.Second),
		DialTimeout:     Duration(5 * time.Second),
		MaxBody:         1 << 20,
		BlockAlert:      100,
		WAF: WAF{
			Mode: WAFBlock, ParanoiaLevel: 1, InboundThreshold: 5, OutboundThreshold: 4,
			AllowedMethods: []string{"GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"},
		},
		Routes: []GatewayRoute{
			{PathPrefix: "/api/auth/", MaxBody: 10 << 10, Rate: &RateLimit{PerSecond: 5, Burst: 10}},
			{PathPrefix: "/api/", MaxBody: 1 << 20},
		},
	}
}

var (
	methodName = regexp.MustCompile(`^[A-Z]+$`)
	wafTag     = regexp.MustCompile(`^[A-Za-z0-9_./-]+$`)
)

func (g *Gateway) validate(v *validator) {
	if g.Upstream == "" {
		return // the gateway is off; its other settings are not used
	}
	u, err := url.Parse(g.Upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.errorf("gateway.upstream", "%q must be an http:// or https:// URL", g.Upstream)
	}
	if _, _, err := net.SplitHostPort(g.Listen); err != nil {
		v.errorf("gateway.listen", "%q is not host:port", g.Listen)
	}
	for i, p := range g.TrustedProxies {
		if _, err := ParsePrefix(p); err != nil {
			v.errorf(index("gateway.trusted_proxies", i), "%q is not an IP address or CIDR range", p)
		}
	}
	if (g.TLS.CertFile == "") != (g.TLS.KeyFile == "") {
		v.errorf("gateway.tls", "cert_file and key_file must be set together")
	}
	if g.UpstreamTimeout <= 0 {
		v.errorf("gateway.upstream_timeout", "must be more than 0")
	}
	if g.DialTimeout <= 0 {
		v.errorf("gateway.dial_timeout", "must be more than 0")
	}
	if g.MaxBody <= 0 {
		v.errorf("gateway.max_body", "must be more than 0")
	}
	if g.BlockAlert < 0 {
		v.errorf("gateway.block_alert_per_minute", "must not be negative (0 switches the alert off)")
	}
	g.WAF.validate(v)
	for i := range g.Routes {
		g.Routes[i].validate(v, index("gateway.routes", i))
	}
}

func (w *WAF) validate(v *validator) {
	switch w.Mode {
	case WAFBlock, WAFDetect, WAFOff:
	default:
		v.errorf("gateway.waf.mode", "%q is not a mode (use block, detect or off)", w.Mode)
	}
	if w.ParanoiaLevel < 1 || w.ParanoiaLevel > 4 {
		v.errorf("gateway.waf.paranoia_level", "%d is not a paranoia level (use 1 to 4)", w.ParanoiaLevel)
	}
	if w.InboundThreshold < 1 {
		v.errorf("gateway.waf.inbound_anomaly_threshold", "must be at least 1 (the CRS default is 5)")
	}
	if w.OutboundThreshold < 1 {
		v.errorf("gateway.waf.outbound_anomaly_threshold", "must be at least 1 (the CRS default is 4)")
	}
	if len(w.AllowedMethods) == 0 {
		v.errorf("gateway.waf.allowed_methods", "must name at least one method")
	}
	for i, m := range w.AllowedMethods {
		if !methodName.MatchString(m) {
			v.errorf(index("gateway.waf.allowed_methods", i), "%q is not an HTTP method in capitals", m)
		}
	}
	for i, e := range w.Exclusions {
		p := index("gateway.waf.exclusions", i)
		if !strings.HasPrefix(e.PathPrefix, "/") || strings.ContainsAny(e.PathPrefix, " \"'\\\t\r\n") {
			v.errorf(p+".path_prefix", "%q must start with / and hold no spaces, quotes or backslashes", e.PathPrefix)
		}
		if len(e.RuleIDs) == 0 && len(e.Tags) == 0 {
			v.errorf(p, "must name rule_ids or tags to skip")
		}
		for j, id := range e.RuleIDs {
			if id < 1 || id > 9999999 {
				v.errorf(index(p+".rule_ids", j), "%d is not a rule ID", id)
			}
		}
		for j, t := range e.Tags {
			if !wafTag.MatchString(t) {
				v.errorf(index(p+".tags", j), "%q is not a rule tag (like attack-sqli or paranoia-level/2)", t)
			}
		}
	}
}

func (r *GatewayRoute) validate(v *validator, p string) {
	if !strings.HasPrefix(r.PathPrefix, "/") {
		v.errorf(p+".path_prefix", "%q must start with /", r.PathPrefix)
	}
	if r.MaxBody < 0 {
		v.errorf(p+".max_body", "must not be negative (0 takes gateway.max_body)")
	}
	if r.Rate != nil {
		if r.Rate.PerSecond <= 0 {
			v.errorf(p+".rate.per_second", "must be more than 0")
		}
		if r.Rate.Burst < 1 {
			v.errorf(p+".rate.burst", "must be at least 1")
		}
	}
}

// ParsePrefix reads an IP address (as a /32 or /128) or a CIDR range.
func ParsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
