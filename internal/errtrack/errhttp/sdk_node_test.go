package errhttp

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/nodetest"
)

// nodeFixture is the npm package with @sentry/node; .ci/run installs it
// with npm ci.
const nodeFixture = "../testdata/node"

// TestSentryNodeSDK runs the real @sentry/node SDK under Node against the
// real listener. It authenticates in the query string, sends chunked
// bodies without Content-Type, gzips bodies over 32 KiB and sends session
// envelopes besides events.
func TestSentryNodeSDK(t *testing.T) {
	node := nodetest.Need(t, nodeFixture, "@sentry/node")
	s := sqliteServer(t)
	dsn := strings.Replace(s.URL, "http://", "http://"+testKey+"@", 1) + "/7"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "send.js")
	cmd.Dir = nodeFixture
	cmd.Env = append(os.Environ(), "WARDEN_DSN="+dsn)
	out, err := cmd.CombinedOutput()
	// The unhandled exception ends the process with status 1 after the SDK
	// has sent it; anything else is a failure of the script.
	if exitErr, ok := err.(*exec.ExitError); err != nil && (!ok || exitErr.ExitCode() != 1) {
		t.Fatalf("node send.js: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "flushed true") {
		t.Fatalf("the SDK did not flush:\n%s", out)
	}
	issues := waitIssues(t, s, 8)
	got := titleCounts(issues)
	want := map[string]int64{
		"PaymentError: payment declined: insufficient_funds <int>":      2,
		"Error: refund of order A-<int> timed out":                      1,
		"queue depth <int> over limit <int>":                            2,
		"Error: stripe *":                                               2,
		"TypeError: Cannot read properties of undefined (reading 'id')": 1,
	}
	if fmt.Sprint(sortedCounts(got)) != fmt.Sprint(sortedCounts(want)) {
		t.Fatalf("issues:\n got  %v\n want %v\nnode output:\n%s", got, want, out)
	}
	for _, is := range issues {
		if strings.HasPrefix(is.Title, "TypeError") && is.Level != "fatal" && is.Level != "error" {
			t.Errorf("unhandled exception level %q", is.Level)
		}
	}
}
