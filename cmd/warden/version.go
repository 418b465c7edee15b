package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/wardenhq/warden/internal/app"
)

type versionCommand struct{}

const versionSynopsis = "warden version"

// Run prints the version and the Go toolchain that built it.
func (c *versionCommand) Run(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("version", versionSynopsis, e)
	if err := parseFlags(fs, args, versionSynopsis); err != nil {
		return err
	}
	if err := noArgs(fs, versionSynopsis); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "warden %s (%s, %s/%s)\n", app.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
