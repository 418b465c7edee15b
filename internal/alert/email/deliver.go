package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

// errNoSTARTTLS is a configuration problem, not a passing one: retrying
// the same server gives the same answer.
var errNoSTARTTLS = errors.New("the server does not offer STARTTLS, and Warden will not send mail in clear text; use smtp.tls: tls if it speaks TLS on connect (port 465), or fix the server")

// deliver runs one SMTP session. Every step's failure comes back as an
// *alert.DeliveryError naming the step.
func (c *Channel) deliver(ctx context.Context, msg []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.addr())
	if err != nil {
		return c.fail(ctx, "connect", err)
	}
	defer conn.Close()
	// net/smtp knows no contexts: the deadline bounds every read and
	// write, and cancelling ctx moves it to the past to unblock them.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if c.cfg.TLS == TLSImplicit {
		tc := tls.Client(conn, c.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			return c.fail(ctx, "TLS handshake", err)
		}
		conn = tc
	}
	cl, err := smtp.NewClient(conn, c.cfg.Host)
	if err != nil {
		return c.fail(ctx, "greeting", err)
	}
	defer cl.Close()
	if err := cl.Hello(c.cfg.Hello); err != nil {
		return c.fail(ctx, "EHLO", err)
	}
	if c.cfg.TLS == TLSStartTLS {
		if ok, _ := cl.Extension("STARTTLS"); !ok {
			return &alert.DeliveryError{Err: fmt.Errorf("email to %s: %w", c.addr(), errNoSTARTTLS)}
		}
		if err := cl.StartTLS(c.tlsConfig()); err != nil {
			return c.fail(ctx, "STARTTLS", err)
		}
	}
	if c.cfg.Username != "" {
		auth, err := c.chooseAuth(cl)
		if err != nil {
			return &alert.DeliveryError{Err: fmt.Errorf("email to %s: %w", c.addr(), err)}
		}
		if err := cl.Auth(auth); err != nil {
			return c.fail(ctx, "AUTH", err)
		}
	}
	if err := cl.Mail(c.from.Address); err != nil {
		return c.fail(ctx, "MAIL FROM:<"+c.from.Address+">", err)
	}
	// All recipients or none: going on with some would make a retry mail
	// the accepted ones twice.
	for _, to := range c.to {
		if err := cl.Rcpt(to.Address); err != nil {
			return c.fail(ctx, "RCPT TO:<"+to.Address+">", err)
		}
	}
	w, err := cl.Data()
	if err != nil {
		return c.fail(ctx, "DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return c.fail(ctx, "sending the message", err)
	}
	if err := w.Close(); err != nil {
		return c.fail(ctx, "end of message", err)
	}
	// The server took the message with its reply to the final ".": a
	// failing QUIT cannot undo that, so it is not an error.
	_ = cl.Quit()
	return nil
}

// fail classifies err from step: SMTP 4xx replies and network trouble are
// temporary, 5xx replies and certificate errors are not.
func (c *Channel) fail(ctx context.Context, step string, err error) *alert.DeliveryError {
	where := fmt.Sprintf("email to %s: %s", c.addr(), step)
	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		return &alert.DeliveryError{
			Status:    tpe.Code,
			Retryable: tpe.Code >= 400 && tpe.Code < 500,
			Err:       fmt.Errorf("%s: server replied %d %s", where, tpe.Code, tpe.Msg),
		}
	}
	var nerr net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout()) {
		return &alert.DeliveryError{Retryable: true, Err: fmt.Errorf("%s: no answer within %v", where, c.cfg.Timeout)}
	}
	if certProblem(err) {
		return &alert.DeliveryError{Err: fmt.Errorf("%s: %v (set smtp.ca_file to trust an internal CA)", where, err)}
	}
	return &alert.DeliveryError{Retryable: true, Err: fmt.Errorf("%s: %w", where, err)}
}

func certProblem(err error) bool {
	var (
		verr *tls.CertificateVerificationError
		uerr x509.UnknownAuthorityError
		herr x509.HostnameError
		cerr x509.CertificateInvalidError
	)
	return errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) || errors.As(err, &cerr)
}
