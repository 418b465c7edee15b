package errtrack

import (
	"context"
	"errors"
	"time"
)

// Issue statuses.
const (
	StatusUnresolved = "unresolved"
	StatusResolved   = "resolved"
	StatusIgnored    = "ignored"
)

// Issue is a group of events that are the same bug.
type Issue struct {
	ID        int64  `json:"id"`
	ProjectID int    `json:"project_id"`
	Hash      string `json:"hash"`
	Title     string `json:"title"`
	Culprit   string `json:"culprit"`
	Level     string `json:"level"`
	Platform  string `json:"platform"`
	Status    string `json:"status"`
	// ResolvedInRelease is set when the issue was resolved "in a release":
	// events from releases seen before it do not reopen the issue.
	ResolvedInRelease string    `json:"resolved_in_release,omitempty"`
	FirstSeen         time.Time `json:"first_seen"`
	LastSeen          time.Time `json:"last_seen"`
	Count             int64     `json:"count"`
	Users             int64     `json:"users"`
	// RegressedAt is when a resolved issue last came back.
	RegressedAt time.Time `json:"regressed_at,omitzero"`
	LastEventID string    `json:"last_event_id"`
	GroupMethod string    `json:"group_method"`
	Tags        []TagStat `json:"tags,omitempty"`
	Sparkline   []int64   `json:"sparkline,omitempty"`
}

// TagStat is a tag's most frequent values on an issue.
type TagStat struct {
	Key    string     `json:"key"`
	Values []TagValue `json:"values"`
}

// TagValue is one value of a tag and how many events carried it.
type TagValue struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// StoredEvent is an event as kept under its issue.
type StoredEvent struct {
	ID          string    `json:"id"`
	IssueID     int64     `json:"issue_id"`
	ProjectID   int       `json:"project_id"`
	Timestamp   time.Time `json:"timestamp"`
	Received    time.Time `json:"received"`
	Level       string    `json:"level"`
	Release     string    `json:"release,omitempty"`
	Environment string    `json:"environment,omitempty"`
	Title       string    `json:"title"`
	// Payload is the scrubbed event JSON as the SDK sent it.
	Payload []byte `json:"-"`
}

// IssueFilter selects issues.
type IssueFilter struct {
	ProjectID   int
	Status      string
	Level       string
	Environment string // issues with at least one event in it
	Release     string
	Query       string // substring of title or culprit
	Limit       int
	Offset      int
}

// StatusChange is a PATCH of an issue's status.
type StatusChange struct {
	Status            string
	ResolvedInRelease string
}

// SaveResult is what storing one event did to its issue.
type SaveResult struct {
	IssueID   int64
	New       bool
	Regressed bool
	// Status is the issue's status after the event.
	Status string
}

// ErrNotFound means no such issue.
var ErrNotFound = errors.New("no such issue")

// Store keeps issues and events. SaveEvents stores a batch in one
// transaction, in order, so an acknowledged event is on disk.
type Store interface {
	SaveEvents(ctx context.Context, evs []*Event) ([]SaveResult, error)
	ListIssues(ctx context.Context, f IssueFilter) ([]Issue, error)
	GetIssue(ctx context.Context, id int64) (Issue, error)
	IssueEvents(ctx context.Context, issueID int64, limit int) ([]StoredEvent, error)
	GetEvent(ctx context.Context, issueID int64, eventID string) (StoredEvent, error)
	UpdateStatus(ctx context.Context, id int64, ch StatusChange) (Issue, error)
	// CountSince counts an issue's (issueID > 0) or a project's events
	// received at or after since, in an environment and at or above a level
	// when those are set.
	CountSince(ctx context.Context, projectID int, issueID int64, since time.Time, environment, minLevel string) (int64, error)
	// HourlyCounts returns each issue's events per hour for the last n hours.
	HourlyCounts(ctx context.Context, issueIDs []int64, now time.Time, hours int) (map[int64][]int64, error)
	DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error)
}
