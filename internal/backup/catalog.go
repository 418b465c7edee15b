package backup

import (
	"context"
	"time"
)

// Run statuses.
const (
	StatusRunning = "running"
	StatusOK      = "ok"
	StatusFailed  = "failed"
)

// Verification statuses.
const (
	VerifyNone   = "none"
	VerifyPassed = "passed"
	VerifyFailed = "failed"
)

// Check kinds.
const (
	KindVerify = "verify"
	KindDrill  = "drill"
)

// Triggers of a run.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// Record is one backup in the catalog.
type Record struct {
	ID          string    `json:"id"`
	Target      string    `json:"target"`
	Engine      string    `json:"engine"`
	Trigger     string    `json:"trigger"`
	Status      string    `json:"status"`
	StartedAt   time.Time `json:"started_at"`
	FinishedAt  time.Time `json:"finished_at"`
	SnapshotAt  time.Time `json:"snapshot_at"`
	DurationMS  int64     `json:"duration_ms"`
	Destination string    `json:"destination"`
	Artifact    string    `json:"artifact,omitempty"`
	Size        int64     `json:"size"`
	RawSize     int64     `json:"raw_size"`
	SHA256      string    `json:"sha256,omitempty"`
	Error       string    `json:"error,omitempty"`
	Manifest    *Manifest `json:"manifest,omitempty"`

	VerifyStatus string    `json:"verify_status"`
	VerifiedAt   time.Time `json:"verified_at"`
	VerifyError  string    `json:"verify_error,omitempty"`
}

// Check is one verification or restore drill of a backup.
type Check struct {
	ID         string    `json:"id"`
	BackupID   string    `json:"backup_id"`
	Target     string    `json:"target"`
	Kind       string    `json:"kind"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
	Status     string    `json:"status"` // passed or failed
	Error      string    `json:"error,omitempty"`
	Report     Report    `json:"report"`
}

// Report is what a verification or drill found, stage by stage.
type Report struct {
	Artifact   string       `json:"artifact"`
	Checksums  string       `json:"checksums"` // "ok" or why not
	Decrypted  bool         `json:"decrypted"`
	Location   string       `json:"location,omitempty"`
	Integrity  string       `json:"integrity,omitempty"`
	Tables     []TableCheck `json:"tables,omitempty"`
	RestoreMS  int64        `json:"restore_ms"`
	SnapshotAt time.Time    `json:"snapshot_at"`
	// RPOSeconds is the age of the newest data in the backup when the
	// check ran; RTO is how long the restore took (RestoreMS).
	RPOSeconds int64 `json:"rpo_seconds"`
	// Extra holds results of target-specific checks (e.g. Warden's audit
	// trail), by name.
	Extra map[string]string `json:"extra,omitempty"`
}

// Filter selects records; zero fields select everything.
type Filter struct {
	Target string
	Status string
	Limit  int
}

// Catalog stores records and checks (backupsql implements it).
type Catalog interface {
	Insert(ctx context.Context, r *Record) error
	Update(ctx context.Context, r *Record) error
	// Get returns ErrNotFound (wrapped) for an unknown id.
	Get(ctx context.Context, id string) (*Record, error)
	// List returns records newest first.
	List(ctx context.Context, f Filter) ([]Record, error)
	Delete(ctx context.Context, id string) error
	AddCheck(ctx context.Context, c *Check) error
	// Checks returns a target's checks newest first (all targets when empty).
	Checks(ctx context.Context, target string, limit int) ([]Check, error)
}
