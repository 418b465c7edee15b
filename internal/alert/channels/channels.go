// Package channels builds alert channels from the config: it is the one
// place that knows every channel type, so the router stays free of Slack,
// SMTP and HTTP details and each adapter stays free of the config format.
package channels

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/email"
	"github.com/wardenhq/warden/internal/alert/slack"
	"github.com/wardenhq/warden/internal/alert/webhook"
	"github.com/wardenhq/warden/internal/config"
)

// Options are what the config does not say.
type Options struct {
	// HTTPClient sends Slack and webhook requests (http.DefaultClient when
	// nil); the attempt timeout comes from the channel's config, not here.
	HTTPClient *http.Client
	// TLSConfig is the base for the email channel's TLS, e.g. trusting a
	// test SMTP server's certificate; a channel's smtp.ca_file is added to
	// its RootCAs.
	TLSConfig *tls.Config
}

// New returns the channel cfg describes. It expects a config that passed
// validation but still refuses what would be unsafe or cannot work, such
// as clear-text SMTP to a remote host or an unreadable CA file.
func New(cfg config.AlertChannel, opts Options) (alert.Channel, error) {
	switch cfg.Type {
	case slack.Type:
		return slack.New(slack.Config{
			Name: cfg.Name, URL: cfg.URL.Value(), Timeout: cfg.Timeout.Std(), HTTPClient: opts.HTTPClient,
		})
	case webhook.Type:
		return webhook.New(webhook.Config{
			Name: cfg.Name, URL: cfg.URL.Value(), Secret: cfg.HMACSecret.Value(), Header: cfg.Headers,
			Timeout: cfg.Timeout.Std(), HTTPClient: opts.HTTPClient,
		})
	case email.Type:
		tc, err := tlsConfig(opts.TLSConfig, cfg.SMTP.CAFile)
		if err != nil {
			return nil, fmt.Errorf("email channel %q: %w", cfg.Name, err)
		}
		return email.New(email.Config{
			Name: cfg.Name, From: cfg.From, To: cfg.To,
			Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, TLS: cfg.SMTP.TLS,
			Username: cfg.SMTP.Username, Password: cfg.SMTP.Password.Value(),
			TLSConfig: tc, Timeout: cfg.Timeout.Std(),
		})
	}
	return nil, fmt.Errorf("channel %q: %q is not a channel type (use slack, email or webhook)", cfg.Name, cfg.Type)
}

// SendResolved tells whether the channel wants a notification when its
// alerts clear. It defaults to true for every type, unlike Alertmanager's
// false for Slack, because a resolve is how on-call knows to stand down.
func SendResolved(cfg config.AlertChannel) bool {
	return cfg.SendResolved == nil || *cfg.SendResolved
}

// tlsConfig adds the PEM certificates in caFile to base's roots (or to the
// system's when base has none), so an internal CA is trusted on top of the
// public ones.
func tlsConfig(base *tls.Config, caFile string) (*tls.Config, error) {
	if caFile == "" {
		return base, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("smtp.ca_file: %w", err)
	}
	tc := &tls.Config{}
	if base != nil {
		tc = base.Clone()
	}
	pool := tc.RootCAs
	if pool == nil {
		if pool, err = x509.SystemCertPool(); err != nil {
			pool = x509.NewCertPool()
		}
	} else {
		pool = pool.Clone()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("smtp.ca_file: %s holds no PEM certificate", caFile)
	}
	tc.RootCAs = pool
	return tc, nil
}
