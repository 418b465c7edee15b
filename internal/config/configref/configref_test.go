package configref

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/configuration.md")

const reference = "../../../docs/configuration.md"

// The reference in docs/ is what the code generates: a field added to the
// config without regenerating fails here.
func TestReferenceMatchesCode(t *testing.T) {
	got, err := Generate("..")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(reference, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(reference)
	if err != nil {
		t.Fatalf("%v (create it with: go test ./internal/config/configref -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("docs/configuration.md is out of date with internal/config; regenerate it with:\n  go test ./internal/config/configref -update")
	}
	for _, want := range []string{"| `listen` | string | `127.0.0.1:9090` |", "| `alerts.channels[].url` | secret |", "| `runbooks.dir` | string |", "| `alerts.defaults.group_wait` | duration | `10s` |"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("reference lacks %q", want)
		}
	}
}
