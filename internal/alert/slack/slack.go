// Package slack delivers alert notifications to a Slack incoming webhook.
//
// A message is a plain `text` line (the title, which Slack shows in
// notifications and previews) and up to two attachments: a red ("danger")
// one holding the firing alerts and a green ("good") one holding the
// resolved alerts, each alert one section block that says what, where,
// since when and the value, and links the Warden page and the runbook.
// Attachments are used for their colour bar, which blocks alone lack.
package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/channels/httpsend"
)

// Type is the channel type in the config.
const Type = "slack"

// Config configures a Channel.
type Config struct {
	// Name is the channel's name in the config.
	Name string
	// URL is the incoming webhook, https://hooks.slack.com/services/...
	URL string
	// Timeout bounds one attempt (10s when zero).
	Timeout time.Duration
	// HTTPClient sends the requests (http.DefaultClient when nil).
	HTTPClient *http.Client
}

// Channel posts notifications to one Slack incoming webhook. It implements
// alert.Channel.
type Channel struct {
	cfg Config
}

var _ alert.Channel = (*Channel)(nil)

// New returns a Channel for cfg.
func New(cfg Config) (*Channel, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("slack channel %q: no webhook URL", cfg.Name)
	}
	return &Channel{cfg: cfg}, nil
}

// Name is the channel's name in the config.
func (c *Channel) Name() string { return c.cfg.Name }

// Type is "slack".
func (c *Channel) Type() string { return Type }

// Send posts n once. Slack answers 200 "ok"; any 2xx counts as delivered,
// because a Slack-compatible receiver (Mattermost, Rocket.Chat) may answer
// differently and retrying a post it accepted would post it twice.
func (c *Channel) Send(ctx context.Context, n *alert.Notification) error {
	body, err := json.Marshal(NewMessage(n))
	if err != nil {
		return fmt.Errorf("slack: encode message: %w", err)
	}
	return httpsend.Do(ctx, c.cfg.HTTPClient, httpsend.Request{
		What:    "slack webhook",
		URL:     c.cfg.URL,
		Header:  http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:    body,
		Timeout: c.cfg.Timeout,
		Hint:    hint,
	})
}

// hint tells the user what to do about Slack's documented error strings;
// none of them goes away by retrying.
func hint(status int, body string) string {
	switch body {
	case "invalid_payload", "no_text", "too_many_attachments":
		return "Slack rejected the message Warden built; please report this as a bug"
	case "invalid_token", "action_prohibited", "no_service", "no_team":
		return "the webhook was revoked or its Slack app removed; create a new incoming webhook and update the channel's url"
	case "channel_not_found":
		return "the webhook's Slack channel no longer exists; create a new incoming webhook"
	case "channel_is_archived":
		return "the Slack channel is archived; unarchive it or create a webhook for another channel"
	}
	if status == http.StatusNotFound || status == http.StatusForbidden {
		return "check the channel's url: it is not a working Slack incoming webhook"
	}
	return ""
}
