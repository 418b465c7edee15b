package uptime_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/wardenhq/warden/internal/uptime"
)

func probe(t *testing.T, p *uptime.Prober, c *uptime.Check) uptime.Result {
	t.Helper()
	return p.Probe(context.Background(), c, time.Now)
}

func TestProbeHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			if r.Header.Get("X-Probe") != "yes" || r.Method != "POST" {
				http.Error(w, "missing header", 400)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"status":"ok"}`))
		case "/fail":
			http.Error(w, `{"status":"broken"}`, 500)
		case "/hang":
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	p := &uptime.Prober{}
	ok := mustCheck(t, uptime.Check{Name: "ok", Kind: "http", URL: srv.URL + "/ok", Method: "POST", Body: "{}", Headers: map[string]string{"X-Probe": "yes"}},
		`status == 200`, `json.status == "ok"`, `header.Content-Type contains "json"`, `response_time < 2s`)
	if r := probe(t, p, ok); !r.OK || r.Status != 200 || len(r.Conditions) != 4 {
		t.Errorf("ok: %+v", r)
	}
	fail := mustCheck(t, uptime.Check{Name: "fail", Kind: "http", URL: srv.URL + "/fail"}, `status == 200`, `json.status == "ok"`)
	r := probe(t, p, fail)
	if r.OK || r.Status != 500 || !strings.Contains(r.Error, `status == 200 (status = 500)`) || !strings.Contains(r.Error, `json.status = "broken"`) {
		t.Errorf("fail: %+v", r)
	}
	hang := mustCheck(t, uptime.Check{Name: "hang", Kind: "http", URL: srv.URL + "/hang", Timeout: 200 * time.Millisecond}, `status == 200`)
	if r := probe(t, p, hang); r.OK || r.Error != "timed out" {
		t.Errorf("hang: %+v", r)
	}
	refused := mustCheck(t, uptime.Check{Name: "refused", Kind: "http", URL: "http://" + closedAddr(t) + "/"}, `status == 200`)
	if r := probe(t, p, refused); r.OK || !strings.Contains(r.Error, "refused") {
		t.Errorf("refused: %+v", r)
	}
}

func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// shortLivedTLS starts a TLS server on loopback whose certificate, signed by
// a fresh CA, expires in validFor.
func shortLivedTLS(t *testing.T, validFor time.Duration) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(validFor),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return srv, pool
}

func TestProbeTLSCertificateExpiry(t *testing.T) {
	srv, pool := shortLivedTLS(t, 72*time.Hour)
	hostport := strings.TrimPrefix(srv.URL, "https://")
	p := &uptime.Prober{RootCAs: pool}

	soon := mustCheck(t, uptime.Check{Name: "cert", Kind: "tls", URL: "tls://" + hostport}, `cert_expiry > 14d`)
	r := probe(t, p, soon)
	if r.OK || !strings.Contains(r.Error, "cert_expiry > 14d (cert_expiry = 7") {
		t.Errorf("a 3-day certificate passed cert_expiry > 14d: %+v", r)
	}
	fine := mustCheck(t, uptime.Check{Name: "cert", Kind: "tls", URL: "tls://" + hostport}, `cert_expiry > 2d`, `connected`)
	if r := probe(t, p, fine); !r.OK {
		t.Errorf("cert_expiry > 2d: %+v", r)
	}
	// Over HTTPS the same figure is there.
	https := mustCheck(t, uptime.Check{Name: "https", Kind: "http", URL: srv.URL}, `status == 200`, `cert_expiry < 3d`, `body == "ok"`)
	if r := probe(t, p, https); !r.OK {
		t.Errorf("https: %+v", r)
	}
	// A check's own CA (checks[].ca_file) is used over the Prober's.
	own := mustCheck(t, uptime.Check{Name: "own", Kind: "http", URL: srv.URL, RootCAs: pool}, `status == 200`)
	if r := probe(t, &uptime.Prober{}, own); !r.OK {
		t.Errorf("check with its own CA: %+v", r)
	}
	// Without the CA the chain does not verify, and the probe says so.
	if r := probe(t, &uptime.Prober{}, fine); r.OK || !strings.Contains(r.Error, "certificate") {
		t.Errorf("untrusted: %+v", r)
	}
}

func TestProbeTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	c := mustCheck(t, uptime.Check{Name: "db", Kind: "tcp", URL: "tcp://" + l.Addr().String()}, `connected`, `response_time < 1s`)
	if r := probe(t, &uptime.Prober{}, c); !r.OK {
		t.Errorf("open port: %+v", r)
	}
	l.Close()
	if r := probe(t, &uptime.Prober{}, c); r.OK || !strings.Contains(r.Error, "connected (connected = false)") {
		t.Errorf("closed port: %+v", r)
	}
}

func TestProbeDNS(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		if q.Question[0].Name == "app.test." && q.Question[0].Qtype == dns.TypeA {
			rr, _ := dns.NewRR("app.test. 60 IN A 127.0.0.7")
			m.Answer = append(m.Answer, rr)
		} else {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	p := &uptime.Prober{}
	ok := mustCheck(t, uptime.Check{Name: "dns", Kind: "dns", URL: "dns://" + pc.LocalAddr().String(), DNSName: "app.test", DNSType: "A"},
		`dns_rcode == "NOERROR"`, `addrs contains "127.0.0.7"`)
	if r := probe(t, p, ok); !r.OK {
		t.Errorf("resolves: %+v", r)
	}
	missing := mustCheck(t, uptime.Check{Name: "dns", Kind: "dns", URL: "dns://" + pc.LocalAddr().String(), DNSName: "nope.test", DNSType: "A"},
		`dns_rcode == "NOERROR"`)
	if r := probe(t, p, missing); r.OK || !strings.Contains(r.Error, `dns_rcode = "NXDOMAIN"`) {
		t.Errorf("nxdomain: %+v", r)
	}
}
