package config

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/uptime/condition"
)

// Check is one uptime check: a probe run every interval and judged by its
// conditions. The URL's scheme picks the probe: http:// and https:// send a
// request; tcp://host:port connects; tls://host:port completes a TLS
// handshake and reads the certificate; dns://server:port resolves dns.name.
type Check struct {
	Name string `yaml:"name"`
	// Group places the check on the status page ("API", "Website").
	Group string `yaml:"group"`
	// Public shows the check on the public status page (default true).
	Public *bool  `yaml:"public"`
	URL    string `yaml:"url"`
	// Method, Headers and Body shape an HTTP request (default GET, none).
	Method  string            `yaml:"method"`
	Headers map[string]Secret `yaml:"headers"`
	Body    string            `yaml:"body"`
	// CAFile trusts a private certificate authority (PEM) for https:// and
	// tls:// checks of internal services, besides the system's.
	CAFile string `yaml:"ca_file"`
	// DNS is the query of a dns:// check.
	DNS DNSQuery `yaml:"dns"`
	// Interval between probes (default 30s, minimum 5s); Timeout bounds one
	// probe (default 10s, at most the interval).
	Interval Duration `yaml:"interval"`
	Timeout  Duration `yaml:"timeout"`
	// Jitter delays each probe by a random part of it, on top of a fixed
	// offset every check gets from its name, so that checks with the same
	// interval do not fire in lockstep (default 0; at most half the interval).
	Jitter Duration `yaml:"jitter"`
	// Conditions must all hold for a probe to pass; see package
	// uptime/condition. The default depends on the probe: status < 400,
	// connected, dns_rcode == "NOERROR", or cert_expiry > 14d.
	Conditions []string `yaml:"conditions"`
	// FailureThreshold consecutive failures open an incident (default 2);
	// SuccessThreshold consecutive passes close it (default 1).
	FailureThreshold int `yaml:"failure_threshold"`
	SuccessThreshold int `yaml:"success_threshold"`
	// Runbook is a runbook name (linked under public_url/ui/runbooks/) or a URL.
	Runbook  string `yaml:"runbook"`
	Severity string `yaml:"severity"` // default critical
	// Maintenance windows: probes inside one raise no alert and count
	// neither up nor down in the figures; the status page shows them.
	Maintenance []Maintenance `yaml:"maintenance"`
}

// DNSQuery is what a dns:// check asks.
type DNSQuery struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"` // A (default), AAAA, CNAME, MX, TXT, NS
}

// Maintenance is a planned window for a check.
type Maintenance struct {
	StartsAt time.Time `yaml:"starts_at"`
	EndsAt   time.Time `yaml:"ends_at"`
	Comment  string    `yaml:"comment"`
}

// Uptime holds the settings shared by every check.
type Uptime struct {
	// Retention keeps every probe result this long (default 90d); hourly and
	// daily rollups are kept for RollupRetention (default 400d).
	Retention       Duration   `yaml:"retention"`
	RollupRetention Duration   `yaml:"rollup_retention"`
	StatusPage      StatusPage `yaml:"status_page"`
}

// StatusPage configures the public page at /status.
type StatusPage struct {
	Enabled *bool  `yaml:"enabled"` // default true
	Title   string `yaml:"title"`
}

// Defaults and limits for checks.
const (
	DefaultCheckInterval = 30 * time.Second
	MinCheckInterval     = 5 * time.Second
	DefaultCheckTimeout  = 10 * time.Second
)

func defaultUptime() Uptime {
	return Uptime{Retention: Duration(90 * 24 * time.Hour), RollupRetention: Duration(400 * 24 * time.Hour), StatusPage: StatusPage{Title: "Service status"}}
}

var checkName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$`)

var httpMethod = regexp.MustCompile(`^[A-Z]+$`)

var dnsTypes = map[string]bool{"A": true, "AAAA": true, "CNAME": true, "MX": true, "TXT": true, "NS": true}

func (u *Uptime) validate(v *validator, checks []Check) {
	if u.Retention < Duration(24*time.Hour) {
		v.errorf("uptime.retention", "must be at least 1d")
	}
	if u.RollupRetention < u.Retention {
		v.errorf("uptime.rollup_retention", "must be at least uptime.retention")
	}
	names := map[string]bool{}
	for i := range checks {
		checks[i].validate(v, index("checks", i), names)
	}
}

func (c *Check) validate(v *validator, p string, names map[string]bool) {
	switch {
	case !checkName.MatchString(c.Name):
		v.errorf(p+".name", "%q must be 1-63 letters, digits, '.', '_' or '-' (it appears in URLs)", c.Name)
	case names[c.Name]:
		v.errorf(p+".name", "%q is used by another check", c.Name)
	}
	names[c.Name] = true
	kind := c.validateURL(v, p)
	if c.Interval == 0 {
		c.Interval = Duration(DefaultCheckInterval)
	}
	if c.Interval < Duration(MinCheckInterval) {
		v.errorf(p+".interval", "%s is below the minimum of 5s", c.Interval)
	}
	if c.Timeout == 0 {
		c.Timeout = Duration(min(DefaultCheckTimeout, c.Interval.Std()))
	}
	if c.Timeout < 0 || c.Timeout > c.Interval {
		v.errorf(p+".timeout", "must be more than 0 and at most the interval (%s)", c.Interval)
	}
	if c.Jitter < 0 || c.Jitter > c.Interval/2 {
		v.errorf(p+".jitter", "must be from 0 to half the interval (%s)", c.Interval/2)
	}
	if c.FailureThreshold == 0 {
		c.FailureThreshold = 2
	}
	if c.SuccessThreshold == 0 {
		c.SuccessThreshold = 1
	}
	if c.FailureThreshold < 1 {
		v.errorf(p+".failure_threshold", "must be at least 1")
	}
	if c.SuccessThreshold < 1 {
		v.errorf(p+".success_threshold", "must be at least 1")
	}
	if c.Severity == "" {
		c.Severity = "critical"
	}
	if c.Public == nil {
		t := true
		c.Public = &t
	}
	if len(c.Conditions) == 0 {
		c.Conditions = []string{DefaultCondition(kind)}
	}
	for j, src := range c.Conditions {
		if _, err := condition.Parse(src); err != nil {
			v.errorf(index(p+".conditions", j), "%v", err)
		}
	}
	if c.CAFile != "" {
		if _, err := LoadCAFile(c.CAFile); err != nil {
			v.errorf(p+".ca_file", "%v", err)
		}
	}
	for j, m := range c.Maintenance {
		if m.EndsAt.IsZero() || !m.EndsAt.After(m.StartsAt) {
			v.errorf(index(p+".maintenance", j)+".ends_at", "must be after starts_at (RFC 3339, e.g. 2026-12-01T02:00:00Z)")
		}
	}
}

// Kind is the probe a check's URL selects: http, tcp, tls or dns.
func (c *Check) Kind() string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return ""
	}
	switch u.Scheme {
	case "http", "https":
		return "http"
	case "tcp", "tls", "dns":
		return u.Scheme
	}
	return ""
}

// DefaultCondition is the condition a check of kind gets when it names none.
func DefaultCondition(kind string) string {
	switch kind {
	case "tcp":
		return "connected"
	case "dns":
		return `dns_rcode == "NOERROR"`
	case "tls":
		return "cert_expiry > 14d"
	default:
		return "status < 400"
	}
}

func (c *Check) validateURL(v *validator, p string) string {
	u, err := url.Parse(c.URL)
	if c.URL == "" || err != nil {
		v.errorf(p+".url", "must be a URL: http(s)://host/path, tcp://host:port, tls://host:port or dns://server:port")
		return ""
	}
	kind := c.Kind()
	switch kind {
	case "http":
		if u.Host == "" {
			v.errorf(p+".url", "%q has no host", c.URL)
		}
		if c.Method == "" {
			c.Method = "GET"
		}
		if !httpMethod.MatchString(c.Method) {
			v.errorf(p+".method", "%q is not an HTTP method (GET, HEAD, POST, ...)", c.Method)
		}
	case "tcp", "tls", "dns":
		if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" {
			v.errorf(p+".url", "%q needs host:port, like %s://127.0.0.1:5432", c.URL, kind)
		}
		if kind == "dns" {
			if c.DNS.Name == "" {
				v.errorf(p+".dns.name", "must name what to resolve")
			}
			c.DNS.Type = strings.ToUpper(c.DNS.Type)
			if c.DNS.Type == "" {
				c.DNS.Type = "A"
			}
			if !dnsTypes[c.DNS.Type] {
				v.errorf(p+".dns.type", "%q is not a query type (A, AAAA, CNAME, MX, TXT, NS)", c.DNS.Type)
			}
		}
	default:
		v.errorf(p+".url", "%q: the scheme must be http, https, tcp, tls or dns", c.URL)
	}
	return kind
}

// IsPublic says whether the check shows on the status page.
func (c *Check) IsPublic() bool { return c.Public == nil || *c.Public }

// IsEnabled says whether the public status page is served.
func (s StatusPage) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// LoadCAFile reads a PEM file of CA certificates into a pool that also
// trusts the system's roots.
func LoadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}
