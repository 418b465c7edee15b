// Package webhook delivers alert notifications as JSON to any HTTP endpoint,
// in Alertmanager's webhook format version 4 (see Message), so receivers
// built for Alertmanager work with Warden as they are.
//
// # Signatures
//
// When the channel has an hmac_secret, every request carries two headers:
//
//	X-Warden-Timestamp: 1767225600
//	X-Warden-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// The timestamp is the Unix time of the attempt, in seconds; the body is the
// exact bytes received. A receiver verifies in three steps: read the raw
// body before parsing it, recompute the HMAC over timestamp "." body and
// compare it in constant time with the header, and refuse a timestamp more
// than five minutes from its clock, which stops a captured request from
// being replayed. In Go, Verify and Fresh do this; elsewhere:
//
//	printf '%s.%s' "$timestamp" "$body" | openssl dgst -sha256 -hmac "$secret"
//
// A retry is a new attempt with a new timestamp and signature but the same
// body; receivers that must not act twice deduplicate on groupKey and the
// alerts' fingerprints and statuses.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/channels/httpsend"
)

// Type is the channel type in the config.
const Type = "webhook"

// Config configures a Channel.
type Config struct {
	// Name is the channel's name in the config.
	Name string
	URL  string
	// Secret, when set, signs every request (see the package comment).
	Secret string
	// Header is sent with every request, for receivers that want a token
	// or a routing key; it cannot replace Content-Type or the signature.
	Header map[string]string
	// Timeout bounds one attempt (10s when zero).
	Timeout time.Duration
	// HTTPClient sends the requests (http.DefaultClient when nil).
	HTTPClient *http.Client
	// Now stamps signed requests (time.Now when nil).
	Now func() time.Time
}

// Channel posts notifications to one webhook. It implements alert.Channel.
type Channel struct {
	cfg Config
}

var _ alert.Channel = (*Channel)(nil)

// New returns a Channel for cfg.
func New(cfg Config) (*Channel, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("webhook channel %q: no url", cfg.Name)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Channel{cfg: cfg}, nil
}

// Name is the channel's name in the config.
func (c *Channel) Name() string { return c.cfg.Name }

// Type is "webhook".
func (c *Channel) Type() string { return Type }

// Send posts n once; any 2xx answer means delivered.
func (c *Channel) Send(ctx context.Context, n *alert.Notification) error {
	body, err := json.Marshal(NewMessage(n))
	if err != nil {
		return fmt.Errorf("webhook: encode message: %w", err)
	}
	h := http.Header{}
	for k, v := range c.cfg.Header {
		h.Set(k, v)
	}
	h.Set("Content-Type", "application/json")
	if n.Test {
		h.Set("X-Warden-Test", "true")
	}
	if c.cfg.Secret != "" {
		ts := strconv.FormatInt(c.cfg.Now().Unix(), 10)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, Sign(c.cfg.Secret, ts, body))
	}
	return httpsend.Do(ctx, c.cfg.HTTPClient, httpsend.Request{
		What: "webhook", URL: c.cfg.URL, Header: h, Body: body, Timeout: c.cfg.Timeout,
	})
}
