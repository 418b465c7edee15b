package channeltest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// SMTPOptions shapes an SMTPServer.
type SMTPOptions struct {
	// ImplicitTLS speaks TLS from the first byte, as on port 465.
	ImplicitTLS bool
	// NoSTARTTLS leaves STARTTLS out of the EHLO answer, to test a client
	// that must refuse to send in clear text.
	NoSTARTTLS bool
	// Username and Password, when Username is set, make AUTH (PLAIN or
	// LOGIN) required before MAIL. AUTH is offered only over TLS, as real
	// servers do, unless AllowInsecureAuth is set.
	Username, Password string
	AllowInsecureAuth  bool
	// AuthMechanisms lists what AUTH offers (default PLAIN and LOGIN).
	AuthMechanisms []string
}

// Stage is a point in an SMTP session where a reply can be scripted.
type Stage string

// Stages of a session.
const (
	StageConnect Stage = "CONNECT" // the greeting
	StageEHLO    Stage = "EHLO"
	StageAUTH    Stage = "AUTH"
	StageMAIL    Stage = "MAIL"
	StageRCPT    Stage = "RCPT"
	StageDATA    Stage = "DATA"    // the answer to the DATA command
	StageMessage Stage = "MESSAGE" // the answer after the message's final "."
)

// SMTPMessage is one message an SMTPServer accepted.
type SMTPMessage struct {
	At   time.Time
	From string
	To   []string
	// Data is the message as received: CRLF line ends kept, dot-stuffing
	// undone, without the final ".".
	Data []byte
	// TLS tells whether the session was encrypted; User who authenticated.
	TLS  bool
	User string
}

type step struct {
	code  int // 0: no reply of its own, only the delay
	text  string
	delay time.Duration
}

// SMTPServer is a small SMTP server on 127.0.0.1 that accepts mail, records
// it and answers from a script. It is good enough for net/smtp and for
// real-world client quirks it is not meant to be.
type SMTPServer struct {
	t       testing.TB
	opts    SMTPOptions
	ln      net.Listener
	tlsConf *tls.Config
	roots   *x509.CertPool
	closing chan struct{}
	wg      sync.WaitGroup

	mu       sync.Mutex
	conns    map[net.Conn]bool
	script   map[Stage][]step
	messages []SMTPMessage
	changed  chan struct{}
}

// NewSMTPServer starts a server that stops when t ends.
func NewSMTPServer(t testing.TB, opts SMTPOptions) *SMTPServer {
	t.Helper()
	cert, roots, err := selfSigned()
	if err != nil {
		t.Fatalf("channeltest: certificate: %v", err)
	}
	s := &SMTPServer{
		t: t, opts: opts, roots: roots, closing: make(chan struct{}),
		tlsConf: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		conns:   map[net.Conn]bool{}, script: map[Stage][]step{}, changed: make(chan struct{}),
	}
	s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("channeltest: listen: %v", err)
	}
	if opts.ImplicitTLS {
		s.ln = tls.NewListener(s.ln, s.tlsConf)
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

// Host is "127.0.0.1".
func (s *SMTPServer) Host() string { return "127.0.0.1" }

// Port is the port the server listens on.
func (s *SMTPServer) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Addr is host:port.
func (s *SMTPServer) Addr() string { return net.JoinHostPort(s.Host(), strconv.Itoa(s.Port())) }

// RootCAs holds the server's self-signed certificate, for a client's
// tls.Config.
func (s *SMTPServer) RootCAs() *x509.CertPool { return s.roots }

// CertPEM is the server's certificate in PEM, for a test of a CA file.
func (s *SMTPServer) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.tlsConf.Certificates[0].Certificate[0]})
}

// ClientTLSConfig is a client configuration that trusts the server (and,
// having no other roots, nothing else).
func (s *SMTPServer) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.roots, ServerName: s.Host(), MinVersion: tls.VersionTLS12}
}

// Fail makes the next command at stage answer code and text instead of
// succeeding; calls queue, so Fail(StageMAIL, 451, ...) twice fails two
// sessions and the third succeeds.
func (s *SMTPServer) Fail(stage Stage, code int, text string) *SMTPServer {
	return s.add(stage, step{code: code, text: text})
}

// Stall makes the next command at stage wait d (at most MaxHang) before it
// is handled, to test a client's timeout.
func (s *SMTPServer) Stall(stage Stage, d time.Duration) *SMTPServer {
	return s.add(stage, step{delay: min(d, MaxHang)})
}

func (s *SMTPServer) add(stage Stage, st step) *SMTPServer {
	s.mu.Lock()
	s.script[stage] = append(s.script[stage], st)
	s.mu.Unlock()
	return s
}

func (s *SMTPServer) next(stage Stage) (step, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.script[stage]
	if len(q) == 0 {
		return step{}, false
	}
	s.script[stage] = q[1:]
	return q[0], true
}

// Messages returns a copy of the messages accepted so far.
func (s *SMTPServer) Messages() []SMTPMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMTPMessage(nil), s.messages...)
}

// Wait returns the first n messages once accepted, failing the test after
// timeout. Call it from the test goroutine; use Await elsewhere.
func (s *SMTPServer) Wait(n int, timeout time.Duration) []SMTPMessage {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	msgs, err := s.Await(ctx, n)
	if err != nil {
		s.t.Fatal(err)
	}
	return msgs
}

// Await returns the first n messages once accepted, or an error when ctx
// is done first.
func (s *SMTPServer) Await(ctx context.Context, n int) ([]SMTPMessage, error) {
	for {
		s.mu.Lock()
		got, changed := len(s.messages), s.changed
		if got >= n {
			msgs := append([]SMTPMessage(nil), s.messages[:n]...)
			s.mu.Unlock()
			return msgs, nil
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("channeltest: %d of %d messages received: %w", got, n, ctx.Err())
		}
	}
}

func (s *SMTPServer) record(m SMTPMessage) {
	s.mu.Lock()
	s.messages = append(s.messages, m)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

func (s *SMTPServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		select {
		case <-s.closing:
			s.mu.Unlock()
			c.Close()
			return
		default:
		}
		s.conns[c] = true
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.serve(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// sleep waits d unless the server is closing; it reports whether to go on.
func (s *SMTPServer) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.closing:
		return false
	}
}

func (s *SMTPServer) close() {
	s.mu.Lock()
	close(s.closing)
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}
