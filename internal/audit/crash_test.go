package audit_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/audit/auditsql"
	"github.com/wardenhq/warden/internal/store"
)

const crashDirEnv = "WARDEN_AUDIT_CRASH_DIR"

// TestCrashChild is the process TestKill9LosesNoAcknowledgedEvent kills: it
// appends as fast as it can and prints each acknowledged id.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestKill9LosesNoAcknowledgedEvent")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, auditsql.Migrations); err != nil {
		t.Fatal(err)
	}
	svc, err := audit.New(audit.Options{Store: auditsql.New(db), BatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	svc.Start(ctx)
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				evs := []audit.Event{event(i), event(i + 1)}
				evs[0].ID, evs[1].ID = fmt.Sprintf("w%d-%d-a", w, i), fmt.Sprintf("w%d-%d-b", w, i)
				if _, err := svc.Append(ctx, evs...); err != nil {
					fmt.Fprintln(os.Stderr, err)
					return
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %s\nack %s\n", evs[0].ID, evs[1].ID)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func TestKill9LosesNoAcknowledgedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
			acked = append(acked, id)
		}
		if len(acked) == 400 {
			cmd.Process.Kill() // SIGKILL: no deferred code, no flush
		}
	}
	cmd.Wait()
	if len(acked) < 400 {
		t.Fatalf("child acknowledged only %d events before dying", len(acked))
	}

	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := auditsql.New(db)
	for _, id := range acked {
		if _, err := st.GetByID(ctx, id); err != nil {
			t.Fatalf("acknowledged event %s lost after kill -9: %v", id, err)
		}
	}
	e := newEnv(t, db)
	mustOK(t, e.verify(t))
	e.appendN(t, 3) // the chain goes on from the surviving head
	rep := e.verify(t)
	mustOK(t, rep)
	t.Logf("%d acknowledged, %d stored, all present; verify OK", len(acked), rep.Size)
}
