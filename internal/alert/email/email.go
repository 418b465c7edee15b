// Package email delivers alert notifications over SMTP: one
// multipart/alternative message (plain text and HTML, from package render)
// per notification to every configured recipient.
//
// Mail is encrypted in transit: implicit TLS (port 465) or STARTTLS (587),
// which is required, never opportunistic, so a stripped STARTTLS cannot
// downgrade the session to clear text. Clear text ("none") is allowed only
// to a relay on loopback, such as a local Postfix.
package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

// Type is the channel type in the config.
const Type = "email"

// Transport security modes, as spelled in the config's smtp.tls.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

// DefaultTimeout bounds one attempt when the channel sets no timeout: the
// connection, TLS, AUTH and the whole message.
const DefaultTimeout = 10 * time.Second

// Config configures a Channel.
type Config struct {
	// Name is the channel's name in the config.
	Name string
	From string
	To   []string
	Host string
	// Port defaults to 587 for starttls, 465 for tls and 25 for none.
	Port int
	// TLS is starttls (default), tls or none.
	TLS                string
	Username, Password string
	// TLSConfig is the base for the client's TLS, e.g. with RootCAs for an
	// internal CA; ServerName is set to Host when empty.
	TLSConfig *tls.Config
	// Timeout bounds one attempt (DefaultTimeout when zero).
	Timeout time.Duration
	// Hello is the name given in EHLO (this host's name when empty).
	Hello string
}

// Channel mails notifications. It implements alert.Channel.
type Channel struct {
	cfg  Config
	from *mail.Address
	to   []*mail.Address
}

var _ alert.Channel = (*Channel)(nil)

// New checks cfg and returns a Channel. It refuses clear text to anything
// but loopback, because the password and the alerts would cross the
// network readable by anyone on the path.
func New(cfg Config) (*Channel, error) {
	c := &Channel{cfg: cfg}
	if err := c.init(); err != nil {
		return nil, fmt.Errorf("email channel %q: %w", cfg.Name, err)
	}
	return c, nil
}

func (c *Channel) init() error {
	cfg := &c.cfg
	if cfg.Host == "" {
		return errors.New("smtp.host is empty")
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if !isLoopback(cfg.Host) {
			return fmt.Errorf("smtp.tls: none would send mail and password in clear text to %s; it is allowed only for a relay on loopback (localhost, 127.0.0.1, ::1): use starttls (port 587) or tls (port 465)", cfg.Host)
		}
	default:
		return fmt.Errorf("smtp.tls: %q is not starttls, tls or none", cfg.TLS)
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}[cfg.TLS]
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Hello == "" {
		cfg.Hello = helloName()
	}
	var err error
	if c.from, err = mail.ParseAddress(cfg.From); err != nil {
		return fmt.Errorf("from: %q: %v", cfg.From, err)
	}
	if len(cfg.To) == 0 {
		return errors.New("to: no recipients")
	}
	for _, s := range cfg.To {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return fmt.Errorf("to: %q: %v", s, err)
		}
		c.to = append(c.to, a)
	}
	return nil
}

// Name is the channel's name in the config.
func (c *Channel) Name() string { return c.cfg.Name }

// Type is "email".
func (c *Channel) Type() string { return Type }

// Send mails n once to all recipients. A reply of 4xx or a network error
// is worth retrying; 5xx, a missing STARTTLS and certificate errors are not.
func (c *Channel) Send(ctx context.Context, n *alert.Notification) error {
	msg, err := c.compose(n, time.Now())
	if err != nil {
		return fmt.Errorf("email: compose message: %w", err)
	}
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	err = c.deliver(actx, msg)
	if err != nil && parentDone(ctx) {
		cause := ctx.Err()
		if cause == nil {
			cause = context.DeadlineExceeded
		}
		return fmt.Errorf("email to %s: %w", c.addr(), cause)
	}
	return err
}

// parentDone tells whether the caller gave up (Warden stopping), which the
// notifier must not retry. The connection's deadline can fire a moment
// before the context's timer does, hence the look at the clock.
func parentDone(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

func (c *Channel) addr() string { return net.JoinHostPort(c.cfg.Host, strconv.Itoa(c.cfg.Port)) }

func (c *Channel) tlsConfig() *tls.Config {
	tc := &tls.Config{}
	if c.cfg.TLSConfig != nil {
		tc = c.cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = c.cfg.Host
	}
	if tc.MinVersion == 0 {
		tc.MinVersion = tls.VersionTLS12
	}
	return tc
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`)

// helloName is this host's name when it is a valid EHLO argument; some
// relays reject "localhost" from a remote peer, others reject junk.
func helloName() string {
	h, err := os.Hostname()
	if err != nil || !hostnameRE.MatchString(h) {
		return "localhost"
	}
	return h
}
