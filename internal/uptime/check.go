// Package uptime runs Warden's uptime checks: it probes HTTP(S) endpoints,
// TCP ports, DNS names and TLS certificates on a schedule, judges each probe
// with the check's conditions, opens and closes incidents after consecutive
// failures and passes, raises and resolves alerts through the router, and
// computes uptime, response times, MTTD and MTTR from the stored history.
//
// The pipeline for one probe, in Monitor.Run:
//
//	probe -> judge conditions -> maintenance? -> incident transition
//	  -> store result, rollups, state and incident (one transaction)
//	  -> tell the alert router (retried on every later probe until it took)
package uptime

import (
	"crypto/x509"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/uptime/condition"
)

// Probe kinds.
const (
	KindHTTP = "http"
	KindTCP  = "tcp"
	KindTLS  = "tls"
	KindDNS  = "dns"
)

// Check is one configured check, ready to probe.
type Check struct {
	Name, Group string
	Public      bool
	Kind        string
	URL         string
	Method      string
	Headers     map[string]string
	Body        string
	DNSName     string
	DNSType     string
	Interval    time.Duration
	Timeout     time.Duration
	Jitter      time.Duration
	Conditions  []*condition.Expr
	// FailureThreshold consecutive failures open an incident;
	// SuccessThreshold consecutive passes close it.
	FailureThreshold int
	SuccessThreshold int
	RunbookURL       string
	Severity         string
	Maintenance      []Window
	// RootCAs, when set, verifies this check's certificates instead of the
	// Prober's pool (checks[].ca_file).
	RootCAs *x509.CertPool
}

// Window is a maintenance window: probes inside it raise nothing and count
// neither up nor down.
type Window struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Comment  string    `json:"comment"`
}

// InMaintenance returns the window that covers t, if any.
func (c *Check) InMaintenance(t time.Time) (Window, bool) {
	for _, w := range c.Maintenance {
		if !t.Before(w.StartsAt) && t.Before(w.EndsAt) {
			return w, true
		}
	}
	return Window{}, false
}

// Offset is where in each interval the check's slots fall: a fixed spread
// taken from its name, so that checks with equal intervals do not all fire
// at the same instant, and every instance computes the same slots.
func (c *Check) Offset() time.Duration {
	h := fnv.New64a()
	h.Write([]byte(c.Name))
	return time.Duration(h.Sum64() % uint64(c.Interval))
}

// ChecksFromConfig builds the checks of a validated configuration.
// publicURL roots runbook links given by name.
func ChecksFromConfig(cs []config.Check, publicURL string) ([]*Check, error) {
	out := make([]*Check, 0, len(cs))
	for i, cc := range cs {
		c := &Check{
			Name: cc.Name, Group: cc.Group, Public: cc.IsPublic(), Kind: cc.Kind(), URL: cc.URL,
			Method: cc.Method, Body: cc.Body, DNSName: cc.DNS.Name, DNSType: cc.DNS.Type,
			Interval: cc.Interval.Std(), Timeout: cc.Timeout.Std(), Jitter: cc.Jitter.Std(),
			FailureThreshold: cc.FailureThreshold, SuccessThreshold: cc.SuccessThreshold,
			RunbookURL: RunbookURL(cc.Runbook, publicURL), Severity: cc.Severity,
			Headers: map[string]string{},
		}
		for k, v := range cc.Headers {
			c.Headers[k] = v.Value()
		}
		conds := cc.Conditions
		if len(conds) == 0 {
			conds = []string{config.DefaultCondition(c.Kind)}
		}
		for j, src := range conds {
			e, err := condition.Parse(src)
			if err != nil {
				return nil, fmt.Errorf("checks[%d].conditions[%d]: %w", i, j, err)
			}
			c.Conditions = append(c.Conditions, e)
		}
		if cc.CAFile != "" {
			pool, err := config.LoadCAFile(cc.CAFile)
			if err != nil {
				return nil, fmt.Errorf("checks[%d].ca_file: %w", i, err)
			}
			c.RootCAs = pool
		}
		for _, m := range cc.Maintenance {
			c.Maintenance = append(c.Maintenance, Window{StartsAt: m.StartsAt, EndsAt: m.EndsAt, Comment: m.Comment})
		}
		if c.Interval <= 0 || c.Timeout <= 0 || c.FailureThreshold < 1 || c.SuccessThreshold < 1 {
			return nil, fmt.Errorf("checks[%d] %q: interval, timeout and thresholds must be set (validate the config first)", i, c.Name)
		}
		out = append(out, c)
	}
	return out, nil
}

// RunbookURL turns a runbook name into a link under the UI; a URL is kept.
func RunbookURL(runbook, publicURL string) string {
	if runbook == "" {
		return ""
	}
	if u, err := url.Parse(runbook); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return runbook
	}
	return strings.TrimRight(publicURL, "/") + "/ui/runbooks/" + url.PathEscape(runbook)
}
