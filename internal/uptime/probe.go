package uptime

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/wardenhq/warden/internal/uptime/condition"
)

// maxBody is how much of a response body a probe reads and keeps for the
// conditions; health endpoints are small.
const maxBody = 1 << 20

// Result is one probe of one check and its verdict.
type Result struct {
	ID     int64     `json:"id,omitempty"`
	Check  string    `json:"check"`
	At     time.Time `json:"at"` // when the probe started
	OK     bool      `json:"ok"`
	Status int       `json:"status,omitempty"`
	// Latency is how long the probe took (the response time).
	Latency time.Duration `json:"-"`
	// Error says why the probe failed: a network error or the conditions
	// that did not hold, with the values they saw.
	Error string `json:"error,omitempty"`
	// Maintenance is set when the probe ran inside a maintenance window.
	Maintenance bool `json:"maintenance,omitempty"`
	// Conditions is each condition's outcome; kept in memory for the CLI,
	// not stored.
	Conditions []ConditionResult `json:"conditions,omitempty"`
}

type resultJSON Result

// MarshalJSON writes the latency as latency_ms.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		resultJSON
		LatencyMS float64 `json:"latency_ms"`
	}{resultJSON(r), float64(r.Latency.Microseconds()) / 1000})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (r *Result) UnmarshalJSON(b []byte) error {
	var v struct {
		resultJSON
		LatencyMS float64 `json:"latency_ms"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Result(v.resultJSON)
	r.Latency = time.Duration(v.LatencyMS * float64(time.Millisecond))
	return nil
}

// ConditionResult is one condition's outcome for one probe.
type ConditionResult struct {
	Condition string   `json:"condition"`
	OK        bool     `json:"ok"`
	Values    []string `json:"values,omitempty"`
}

// Prober runs probes. The zero value works; RootCAs lets tests and private
// deployments trust their own certificate authority.
type Prober struct {
	RootCAs *x509.CertPool
}

// Probe runs one probe of c and judges it. It never returns an error: a
// probe that cannot run is a failed result saying why.
func (p *Prober) Probe(ctx context.Context, c *Check, now func() time.Time) Result {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	start := now()
	began := time.Now() // latency on the monotonic clock, whatever now is
	var f condition.Facts
	var err error
	switch c.Kind {
	case KindHTTP:
		err = p.probeHTTP(ctx, c, &f)
	case KindTCP:
		err = probeTCP(ctx, c, &f)
	case KindTLS:
		err = p.probeTLS(ctx, c, &f)
	case KindDNS:
		err = probeDNS(ctx, c, &f)
	default:
		err = fmt.Errorf("unknown probe kind %q", c.Kind)
	}
	r := Result{Check: c.Name, At: start, Latency: time.Since(began), Status: f.Status}
	f.ResponseTime = r.Latency
	return judge(c, r, &f, err)
}

// judge evaluates the conditions; a transport error fails the probe even
// if the conditions would hold (a TCP check judges connected instead).
func judge(c *Check, r Result, f *condition.Facts, probeErr error) Result {
	var failed []string
	for _, e := range c.Conditions {
		o := e.Eval(f)
		r.Conditions = append(r.Conditions, ConditionResult{Condition: e.String(), OK: o.OK, Values: o.Values})
		if !o.OK {
			msg := e.String()
			if len(o.Values) > 0 {
				msg += " (" + strings.Join(o.Values, ", ") + ")"
			}
			failed = append(failed, msg)
		}
	}
	switch {
	case probeErr != nil && !(c.Kind == KindTCP && f.HasConnect):
		r.Error = probeErr.Error()
	case len(failed) > 0:
		r.Error = "failed: " + strings.Join(failed, "; ")
	default:
		r.OK = true
	}
	return r
}

func (p *Prober) roots(c *Check) *x509.CertPool {
	if c.RootCAs != nil {
		return c.RootCAs
	}
	return p.RootCAs
}

func (p *Prober) tlsConfig(c *Check, serverName string) *tls.Config {
	return &tls.Config{RootCAs: p.roots(c), ServerName: serverName, MinVersion: tls.VersionTLS12}
}

func (p *Prober) probeHTTP(ctx context.Context, c *Check, f *condition.Facts) error {
	var body io.Reader
	if c.Body != "" {
		body = strings.NewReader(c.Body)
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, c.URL, body)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "Warden-Uptime/1")
	for k, v := range c.Headers {
		req.Header.Set(k, v)
		if strings.EqualFold(k, "Host") {
			req.Host = v
		}
	}
	u, _ := url.Parse(c.URL)
	tr := &http.Transport{
		TLSClientConfig:   p.tlsConfig(c, u.Hostname()),
		DisableKeepAlives: true, // every probe measures a fresh connection, as a user's first visit does
		Proxy:             nil,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	resp, err := client.Do(req)
	if err != nil {
		return trimURLError(err)
	}
	defer resp.Body.Close()
	f.HasStatus, f.Status, f.Header = true, resp.StatusCode, resp.Header
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	f.Body = b
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		left := time.Until(resp.TLS.PeerCertificates[0].NotAfter)
		f.CertExpiry = &left
	}
	if err != nil {
		return fmt.Errorf("read body: %w", trimURLError(err))
	}
	return nil
}

// trimURLError drops the method and URL that net/http repeats in front of
// every error; the check already names them.
func trimURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if errors.Is(ue.Err, context.DeadlineExceeded) {
			return errors.New("timed out")
		}
		return ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("timed out")
	}
	return err
}

func hostPort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}

func probeTCP(ctx context.Context, c *Check, f *condition.Facts) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", hostPort(c.URL))
	f.HasConnect = true
	if err != nil {
		return trimURLError(err)
	}
	f.Connected = true
	return conn.Close()
}

// probeTLS completes a handshake and reads the leaf certificate. The chain
// is verified after the handshake rather than during it, so that an expired
// certificate still yields its cert_expiry (negative) as well as the error.
func (p *Prober) probeTLS(ctx context.Context, c *Check, f *condition.Facts) error {
	host := hostPort(c.URL)
	name, _, _ := net.SplitHostPort(host)
	cfg := p.tlsConfig(c, name)
	cfg.InsecureSkipVerify = true
	d := tls.Dialer{Config: cfg}
	f.HasConnect = true
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return trimURLError(err)
	}
	defer conn.Close()
	f.Connected = true
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return errors.New("the server sent no certificate")
	}
	left := time.Until(certs[0].NotAfter)
	f.CertExpiry = &left
	opts := x509.VerifyOptions{Roots: p.roots(c), DNSName: name, Intermediates: x509.NewCertPool()}
	for _, ic := range certs[1:] {
		opts.Intermediates.AddCert(ic)
	}
	if _, err := certs[0].Verify(opts); err != nil {
		return fmt.Errorf("certificate: %w", err)
	}
	return nil
}

func probeDNS(ctx context.Context, c *Check, f *condition.Facts) error {
	qtype, ok := dns.StringToType[c.DNSType]
	if !ok {
		return fmt.Errorf("unknown DNS type %q", c.DNSType)
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(c.DNSName), qtype)
	client := &dns.Client{Net: "udp"}
	in, _, err := client.ExchangeContext(ctx, m, hostPort(c.URL))
	if err == nil && in.Truncated {
		client.Net = "tcp"
		in, _, err = client.ExchangeContext(ctx, m, hostPort(c.URL))
	}
	if err != nil {
		return trimURLError(err)
	}
	f.DNSRcode = dns.RcodeToString[in.Rcode]
	f.Addrs = []string{}
	for _, rr := range in.Answer {
		switch v := rr.(type) {
		case *dns.A:
			f.Addrs = append(f.Addrs, v.A.String())
		case *dns.AAAA:
			f.Addrs = append(f.Addrs, v.AAAA.String())
		case *dns.CNAME:
			f.Addrs = append(f.Addrs, strings.TrimSuffix(v.Target, "."))
		case *dns.MX:
			f.Addrs = append(f.Addrs, strings.TrimSuffix(v.Mx, "."))
		case *dns.NS:
			f.Addrs = append(f.Addrs, strings.TrimSuffix(v.Ns, "."))
		case *dns.TXT:
			f.Addrs = append(f.Addrs, strings.Join(v.Txt, ""))
		}
	}
	f.Body = []byte(strings.Join(f.Addrs, "\n"))
	return nil
}
