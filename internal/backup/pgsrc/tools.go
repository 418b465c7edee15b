package pgsrc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Tools are the PostgreSQL client programs a Source runs.
type Tools struct {
	Dump, Restore string
	// Major is pg_dump's major version; Version its full version line.
	Major   int
	Version string
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?`)

// FindTools locates pg_dump and pg_restore: in binDir when given, else in
// the newest /usr/lib/postgresql/<major>/bin (Debian installs clients
// there), else on PATH.
func FindTools(ctx context.Context, binDir string) (Tools, error) {
	var dirs []string
	if binDir != "" {
		dirs = []string{binDir}
	} else {
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(found, func(i, j int) bool { return dirMajor(found[i]) > dirMajor(found[j]) })
		dirs = found
	}
	for _, d := range dirs {
		dump, restore := filepath.Join(d, "pg_dump"), filepath.Join(d, "pg_restore")
		if isExec(dump) && isExec(restore) {
			return toolsAt(ctx, dump, restore)
		}
	}
	if binDir != "" {
		return Tools{}, fmt.Errorf("pg_dump and pg_restore are not in %s", binDir)
	}
	dump, err1 := exec.LookPath("pg_dump")
	restore, err2 := exec.LookPath("pg_restore")
	if err1 != nil || err2 != nil {
		return Tools{}, fmt.Errorf("pg_dump and pg_restore were not found in /usr/lib/postgresql/*/bin nor on PATH (install the postgresql-client package)")
	}
	return toolsAt(ctx, dump, restore)
}

func toolsAt(ctx context.Context, dump, restore string) (Tools, error) {
	out, err := exec.CommandContext(ctx, dump, "--version").Output()
	if err != nil {
		return Tools{}, fmt.Errorf("%s --version: %w", dump, err)
	}
	line := strings.TrimSpace(string(out))
	major, err := ParseMajor(line)
	if err != nil {
		return Tools{}, fmt.Errorf("%s: %w", dump, err)
	}
	return Tools{Dump: dump, Restore: restore, Major: major, Version: line}, nil
}

// ParseMajor reads the major version from "pg_dump (PostgreSQL) 15.18 (...)".
func ParseMajor(line string) (int, error) {
	m := versionRE.FindStringSubmatch(line)
	if m == nil {
		return 0, fmt.Errorf("cannot read a version from %q", line)
	}
	return strconv.Atoi(m[1])
}

// CheckCompatible refuses a pg_dump older than the server: it cannot read
// a newer server's catalog and would fail or, worse, miss objects.
func CheckCompatible(client, server int) error {
	if client < server {
		return fmt.Errorf("pg_dump is version %d but the server is version %d; pg_dump must be at least the server's major version (install postgresql-client-%d and set pg_bin_dir)", client, server, server)
	}
	return nil
}

func dirMajor(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
