package uptime

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned for an incident that does not exist.
var ErrNotFound = errors.New("not found")

// Record is everything one probe writes besides the check's state, stored
// with it in one transaction so that a crash cannot leave a result without
// its state or an incident half open.
type Record struct {
	Result Result
	Open   *Incident // insert; State.IncidentID is set to its ID
	Close  *Incident // update RecoveredAt and ResolvedAt of Close.ID
}

// BatchItem is one probe for Store.RecordBatch: Apply is called with the
// check's state, read inside the transaction (locked against other
// instances), as Record calls it; State and Incident are what Record
// returns.
type BatchItem struct {
	Check string
	Apply func(st *State) Record
	// Set by RecordBatch when it succeeds.
	State    State
	Incident int64
}

// Rollup counts one check's probes in one hour or day.
type Rollup struct {
	Check       string        `json:"check"`
	Start       time.Time     `json:"start"`
	Passed      int64         `json:"passed"`
	Failed      int64         `json:"failed"`
	Maintenance int64         `json:"maintenance"`
	LatencySum  time.Duration `json:"-"`
	LatencyMax  time.Duration `json:"-"`
}

// Periods of rollups.
const (
	Hour = "h"
	Day  = "d"
)

// IncidentFilter selects incidents, newest first.
type IncidentFilter struct {
	Check string
	// Since keeps incidents that were open at any time after it.
	Since    time.Time
	OpenOnly bool
	Limit    int
}

// Store keeps results, rollups, state and incidents. uptimesql implements it
// on SQLite and PostgreSQL.
type Store interface {
	// Record reads the check's state (locked against other instances),
	// lets apply change it and say what to write, and stores the probe, its
	// rollups, the incident change and the new state in one transaction. It
	// returns the stored state and the opened incident's ID.
	Record(ctx context.Context, check string, apply func(st *State) Record) (State, int64, error)
	// RecordBatch does what Record does for every item, in item order, in
	// one transaction: one commit (and one fsync) for many probes. Items of
	// the same check see each other's state changes, in order. On success
	// each item's State and Incident are set; on error nothing is stored.
	RecordBatch(ctx context.Context, items []*BatchItem) error
	// State returns a check's state; a check never probed has a zero State.
	State(ctx context.Context, check string) (State, error)
	// SetAlerted records what the router was told.
	SetAlerted(ctx context.Context, check, alerted string) error
	Results(ctx context.Context, check string, from, to time.Time, limit int) ([]Result, error)
	// Latencies returns the latencies of passing and failing (not
	// maintenance) probes in [from, to), for percentiles.
	Latencies(ctx context.Context, check string, from, to time.Time) ([]time.Duration, error)
	Rollups(ctx context.Context, check, period string, from, to time.Time) ([]Rollup, error)
	Incidents(ctx context.Context, f IncidentFilter) ([]Incident, error)
	Incident(ctx context.Context, id int64) (Incident, error)
	AddNote(ctx context.Context, id int64, n Note) error
	// Prune deletes results before resultsBefore and rollups before
	// rollupsBefore, returning how many rows went.
	Prune(ctx context.Context, resultsBefore, rollupsBefore time.Time) (int64, error)
}
