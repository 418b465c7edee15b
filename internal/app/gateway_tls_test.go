package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/gateway"
)

// The gateway serves HTTPS from certificate files.
func TestGatewayServesTLS(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "proto="+r.Header.Get("X-Forwarded-Proto"))
	}))
	defer up.Close()
	prev := GatewayRecords
	GatewayRecords = func() gateway.Sink { return gateway.Tee(nil) }
	defer func() { GatewayRecords = prev }()

	dir := t.TempDir()
	pool := writeSelfSigned(t, filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	cfg := testConfig(t)
	cfg.Gateway.Upstream = up.URL
	cfg.Gateway.Listen = "127.0.0.1:0"
	cfg.Gateway.WAF.Mode = config.WAFOff
	cfg.Gateway.TLS = config.GatewayTLS{CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem")}
	a := startTestApp(t, cfg)

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := client.Get("https://" + a.GatewayAddr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "proto=https" {
		t.Errorf("over TLS: %d %s", resp.StatusCode, body)
	}
}

// A certificate that cannot be read stops start-up with an error naming it.
func TestGatewayBadCertificate(t *testing.T) {
	cfg := testConfig(t)
	cfg.Gateway.Upstream = "http://127.0.0.1:1"
	cfg.Gateway.Listen = "127.0.0.1:0"
	cfg.Gateway.WAF.Mode = config.WAFOff
	cfg.Gateway.TLS = config.GatewayTLS{CertFile: "/nonexistent/cert.pem", KeyFile: "/nonexistent/key.pem"}
	a, err := New(context.Background(), cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	if err := a.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "gateway.tls") {
		t.Errorf("start with a missing certificate: %v", err)
	}
}

func writeSelfSigned(t *testing.T, certPath, keyPath string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}
