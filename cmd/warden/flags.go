package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errHelp means --help was asked for and printed; the exit status is 0.
var errHelp = errors.New("help printed")

// newFlagSet returns a flag set whose --help prints to stdout and whose
// errors become usage errors (exit 2), with the synopsis on top.
func newFlagSet(name, synopsis string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: %s\n\n", synopsis)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args, turning --help into errHelp and other mistakes
// into usage errors that repeat the synopsis.
func parseFlags(fs *flag.FlagSet, args []string, synopsis string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return errHelp
		}
		return usagef("%v\nusage: %s", err, synopsis)
	}
	return nil
}

// configFlag registers --config and reports whether the user gave it, since
// only the default path may be missing.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "warden.yaml", "configuration file (a missing default file means built-in defaults)")
}

func configGiven(fs *flag.FlagSet) bool {
	given := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			given = true
		}
	})
	return given
}

func noArgs(fs *flag.FlagSet, synopsis string) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q\nusage: %s", strings.Join(fs.Args(), " "), synopsis)
	}
	return nil
}
