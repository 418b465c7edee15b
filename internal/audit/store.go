package audit

import (
	"context"
	"time"
)

// Store keeps the trail. The SQL adapter (auditsql) implements it on SQLite
// and PostgreSQL with triggers that refuse updates and deletes.
type Store interface {
	// Append runs fn in one transaction that holds the chain lock, so that
	// appends from this and any other instance never fork the chain.
	Append(ctx context.Context, fn func(ctx context.Context, tx AppendTx) error) error
	// Head returns the newest event's seq and hash (seq -1 when empty).
	Head(ctx context.Context) (Head, error)
	// Scan calls fn for every event with seq >= from, in seq order.
	Scan(ctx context.Context, from int64, fn func(Record) error) error
	// LeafHashes calls fn with the hash of every event in [from, to), in order.
	LeafHashes(ctx context.Context, from, to int64, fn func(seq int64, hash []byte) error) error
	// Get returns one event by seq, or ErrNotFound.
	Get(ctx context.Context, seq int64) (Record, error)
	// GetByID returns one event by its id, or ErrNotFound.
	GetByID(ctx context.Context, id string) (Record, error)
	// Query returns events matching f; Count counts them.
	Query(ctx context.Context, f Filter) ([]Record, error)
	Count(ctx context.Context, f Filter) (int64, error)

	// AddCheckpoint stores a signed checkpoint.
	AddCheckpoint(ctx context.Context, cp Checkpoint) error
	// Checkpoints returns stored checkpoints, oldest first.
	Checkpoints(ctx context.Context) ([]Checkpoint, error)
	// LatestCheckpoint returns the newest checkpoint (of kind, when kind is
	// not empty), or ErrNotFound.
	LatestCheckpoint(ctx context.Context, kind string) (Checkpoint, error)
	// FirstSeqAtOrAfter returns the lowest seq recorded at or after t, or
	// the head seq + 1 when none is.
	FirstSeqAtOrAfter(ctx context.Context, t time.Time) (int64, error)
	// RemoveBefore deletes the events with seq < cut, all recorded before
	// cutoff, and stores cp, in one transaction: the only path the tables'
	// triggers allow a delete through.
	// It fails, removing nothing, unless exactly want events go.
	RemoveBefore(ctx context.Context, cut int64, cutoff time.Time, want int64, cp Checkpoint) error

	// Subjects returns the subjects with these pseudonyms (missing ones were
	// erased). SubjectByID returns one, or ErrNotFound.
	Subjects(ctx context.Context, pseudonyms []string) (map[string]Subject, error)
	SubjectByID(ctx context.Context, id string) (Subject, error)
	// AllSubjects calls fn for every subject, for verify.
	AllSubjects(ctx context.Context, fn func(Subject) error) error
	// DeleteSubject destroys a subject's key; it reports whether one existed.
	DeleteSubject(ctx context.Context, id string) (bool, error)

	// AddVerification keeps the result of a verification run, so that every
	// instance can show the latest; LatestVerification returns it (and when
	// it ran), or ErrNotFound.
	AddVerification(ctx context.Context, at time.Time, rep VerifyReport) error
	LatestVerification(ctx context.Context) (VerifyReport, time.Time, error)
}

// AppendTx is the inside of one append transaction.
type AppendTx interface {
	Head(ctx context.Context) (Head, error)
	// Existing returns the stored events with any of these ids.
	Existing(ctx context.Context, ids []string) (map[string]Record, error)
	// Subject returns the user's subject, creating it with create if the
	// user has none yet.
	Subject(ctx context.Context, id string, create func() (Subject, error)) (Subject, error)
	// SubjectsByID returns the existing subjects of these users, keyed by
	// user id, in one query: a batch names many users, and a round trip
	// each would dominate an append on PostgreSQL.
	SubjectsByID(ctx context.Context, ids []string) (map[string]Subject, error)
	Insert(ctx context.Context, r Record) error
}

// Head is the end of the chain.
type Head struct {
	Seq  int64
	Hash []byte
}

// Filter narrows a query. Zero fields match everything.
type Filter struct {
	ActorType string
	// ActorRefs and TargetRefs match the stored ids (pseudonyms for users);
	// the Service fills them from the ids a caller asks for.
	ActorRefs  []string
	TargetType string
	TargetRefs []string
	// Action matches exactly, or every action under a prefix ending in .*
	// (payment.* matches payment.initiated).
	Action  string
	Outcome string
	From    time.Time // inclusive, on the event time
	To      time.Time // exclusive
	// Either matches events whose actor or target is one of these refs (a
	// user's own export).
	EitherRefs []string
	// After and Before page by seq (nil: unset): After gives oldest first
	// from After+1, Before gives newest first below Before. Neither: newest
	// first.
	After  *int64
	Before *int64
	// Ascending orders oldest first even without After.
	Ascending bool
	Limit     int
}
