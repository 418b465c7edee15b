package alert

import (
	"context"
	"time"
)

// Store keeps the router's state so that a restart neither forgets a firing
// alert nor sends a burst again: alerts, aggregation groups with their next
// flush time, the notification log, silences and the delivery log.
type Store interface {
	// PutAlert inserts or replaces the alert with its fingerprint. Closed
	// alerts are resolved ones already notified; they stay as history.
	PutAlert(ctx context.Context, a Alert, closed bool) error
	// OpenAlerts returns the alerts that are not closed.
	OpenAlerts(ctx context.Context) ([]Alert, error)
	// ListAlerts returns alerts updated since a time, newest first.
	ListAlerts(ctx context.Context, since time.Time, limit int) ([]Alert, error)
	// CloseAlerts marks resolved alerts as notified.
	CloseAlerts(ctx context.Context, fingerprints []string) error

	SaveGroup(ctx context.Context, g GroupState) error
	DeleteGroup(ctx context.Context, key string) error
	Groups(ctx context.Context) ([]GroupState, error)

	// PutNotifyEntry records what a channel was last told about a group.
	PutNotifyEntry(ctx context.Context, e NotifyEntry) error
	NotifyEntries(ctx context.Context) ([]NotifyEntry, error)

	AddDelivery(ctx context.Context, d Delivery) error
	Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)

	CreateSilence(ctx context.Context, s Silence) error
	// ExpireSilence sets the silence's end to at if it ends later.
	ExpireSilence(ctx context.Context, id string, at time.Time) (bool, error)
	Silences(ctx context.Context) ([]Silence, error)
}

// GroupState is the persisted part of an aggregation group: when it flushes
// next. Its members are derived again from the open alerts and the routes.
type GroupState struct {
	Key       string
	RouteID   string
	Labels    Labels
	NextFlush time.Time
	CreatedAt time.Time
}

// NotifyEntry is the notification log: which alerts a channel was last told
// were firing and resolved in a group, and when. The router sends only when
// this changes or the repeat interval has passed (Alertmanager's nflog).
type NotifyEntry struct {
	GroupKey string
	Channel  string
	Firing   []string // fingerprints
	Resolved []string
	SentAt   time.Time
}

// Delivery is one attempt to deliver a notification.
type Delivery struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	Channel     string    `json:"channel"`
	ChannelType string    `json:"channel_type"`
	GroupKey    string    `json:"group_key"`
	Attempt     int       `json:"attempt"`
	// Status is delivered, retrying (it failed and will be tried again) or
	// failed (it will not be).
	Status     string `json:"status"`
	Code       int    `json:"code,omitempty"`
	Error      string `json:"error,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	Firing     int    `json:"firing"`
	Resolved   int    `json:"resolved"`
	Title      string `json:"title"`
	Test       bool   `json:"test,omitempty"`
}

// Delivery statuses.
const (
	DeliveryDelivered = "delivered"
	DeliveryRetrying  = "retrying"
	DeliveryFailed    = "failed"
)

// DeliveryFilter narrows the delivery log.
type DeliveryFilter struct {
	Channel  string
	GroupKey string
	Limit    int
}
