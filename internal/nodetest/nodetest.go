// Package nodetest finds Node.js and an npm test fixture's installed
// modules for tests that drive real Node.js clients (Sentry SDK, OpenTelemetry
// exporters, pino). Locally such a test skips when either is missing; in CI
// (CI set) it fails instead, because .ci/run installs both.
package nodetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Need returns the path of node, after checking that fixture (a directory
// with package.json, relative to the test's package) has module installed
// under node_modules. It skips or, in CI, fails the test otherwise.
func Need(t testing.TB, fixture, module string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	_, statErr := os.Stat(filepath.Join(fixture, "node_modules", filepath.FromSlash(module)))
	if err != nil || statErr != nil {
		msg := fmt.Sprintf("this test runs Node.js with %s: it needs node and %s/node_modules (run: npm ci --prefix %s); node: %v, module: %v",
			module, fixture, fixture, err, statErr)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node
}
