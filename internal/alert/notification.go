package alert

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Notification is what one channel is asked to deliver: the alerts of one
// aggregation group at one moment. Its fields follow Alertmanager's webhook
// payload (version 4) so the webhook channel can send it as it is.
type Notification struct {
	// Receiver is the channel's name.
	Receiver string
	// GroupKey identifies the aggregation group (route and group labels).
	GroupKey string
	// Status is firing when any alert in it fires, else resolved.
	Status            State
	GroupLabels       Labels
	CommonLabels      Labels
	CommonAnnotations Labels
	// Alerts are firing ones first, then resolved, each in fingerprint order.
	Alerts []Alert
	// ExternalURL is Warden's public URL, for links back.
	ExternalURL string
	// Now is when the notification was made; renderers use it for "since".
	Now time.Time
	// Test marks a notification sent by `warden alerts test`.
	Test bool
}

// Firing returns the alerts that fire at n.Now.
func (n *Notification) Firing() []Alert { return n.filter(Firing) }

// ResolvedAlerts returns the alerts that have resolved at n.Now.
func (n *Notification) ResolvedAlerts() []Alert { return n.filter(Resolved) }

func (n *Notification) filter(s State) []Alert {
	var out []Alert
	for _, a := range n.Alerts {
		if a.StateAt(n.Now) == s {
			out = append(out, a)
		}
	}
	return out
}

// Channel delivers notifications to one destination: a Slack webhook, a
// mailbox, a generic webhook. Send makes exactly one attempt; the notifier
// decides on retries from the error it returns.
type Channel interface {
	// Name is the channel's name in the config.
	Name() string
	// Type is slack, email or webhook.
	Type() string
	// Send makes one delivery attempt.
	Send(ctx context.Context, n *Notification) error
}

// DeliveryError says why an attempt failed and whether to try again.
type DeliveryError struct {
	// Status is the HTTP status or SMTP reply code, 0 for network errors.
	Status int
	// Retryable is true for 5xx, 429, SMTP 4xx and network errors.
	Retryable bool
	// RetryAfter is the wait the receiver asked for (429 Retry-After).
	RetryAfter time.Duration
	Err        error
}

func (e *DeliveryError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("status %d: %v", e.Status, e.Err)
	}
	return e.Err.Error()
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// retryable reports whether err is worth another attempt, and how long the
// receiver asked to wait. Errors that are not DeliveryErrors (a cancelled
// context, a bug) are not retried.
func retryable(err error) (bool, time.Duration) {
	var de *DeliveryError
	if errors.As(err, &de) {
		return de.Retryable, de.RetryAfter
	}
	return false, 0
}

// Title is a one-line summary of the notification, such as
// "[FIRING:2] HighErrorRate" or "[RESOLVED] BackupStale", for subjects and
// the delivery log.
func (n *Notification) Title() string {
	name := n.GroupLabels[LabelAlertName]
	if name == "" {
		name = n.CommonLabels[LabelAlertName]
	}
	if name == "" && len(n.Alerts) > 0 {
		name = n.Alerts[0].Name()
	}
	if f := len(n.Firing()); f > 0 {
		return fmt.Sprintf("[FIRING:%d] %s", f, name)
	}
	return "[RESOLVED] " + name
}
