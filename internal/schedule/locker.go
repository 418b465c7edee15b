package schedule

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/store"
)

// Locker keeps a job from running twice at once, across every instance that
// shares the database. The slot claim alone cannot: a run that overruns its
// interval would otherwise overlap the run of the next slot.
type Locker interface {
	// TryLock takes the lock for the job name without waiting. It reports
	// false if someone else holds it. unlock releases it; it must be called
	// exactly once, and never fails from the caller's point of view.
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// NewLocker picks the lock that spans every instance that can share db. Parts
// that need one instance to lead (the alert router) use it too.
func NewLocker(db *store.DB) Locker {
	if db.Dialect == store.Postgres {
		return pgLocker{db: db}
	}
	return localLocker{path: db.Path}
}

// pgLocker holds a session-level advisory lock on a dedicated connection for
// the length of the run. If the instance dies, PostgreSQL ends the session
// and releases the lock, so a crash never wedges a job.
type pgLocker struct{ db *store.DB }

// lockKey derives the advisory lock key from the job name. It must be stable
// across builds and instances, hence FNV rather than a seeded map hash; the
// prefix keeps Warden's keys apart from other users of advisory locks.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("schedule:" + name))
	return int64(h.Sum64())
}

func (l pgLocker) TryLock(ctx context.Context, name string) (func(), bool, error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock job %s: %w", name, err)
	}
	key := lockKey(name)
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
		discard(conn)
		return nil, false, fmt.Errorf("lock job %s: %w", name, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	unlock := func() {
		// The run's context may be cancelled by now; the unlock must still happen.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
			discard(conn) // closing the session is the other way to release the lock
			return
		}
		conn.Close()
	}
	return unlock, true, nil
}

// discard closes conn's session instead of returning it to the pool, where it
// might carry an advisory lock nobody would release.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// localLocks is process-wide so that two Schedulers on one SQLite file in
// one process (a test, or a CLI run beside the server code) still exclude
// each other. SQLite is single-instance by design, so a process-wide lock
// spans every instance there is.
var localLocks = struct {
	sync.Mutex
	held map[string]bool
}{held: map[string]bool{}}

type localLocker struct{ path string }

func (l localLocker) TryLock(_ context.Context, name string) (func(), bool, error) {
	key := l.path + "\x00" + name
	localLocks.Lock()
	defer localLocks.Unlock()
	if localLocks.held[key] {
		return nil, false, nil
	}
	localLocks.held[key] = true
	return func() {
		localLocks.Lock()
		delete(localLocks.held, key)
		localLocks.Unlock()
	}, true, nil
}
