package main

import (
	"context"
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

// subcommand is one verb of a command group (the run of warden backup run).
type subcommand func(ctx context.Context, args []string, e env) error

// dispatch runs the subcommand args[0] names; --help prints usage, and a
// missing or unknown subcommand is a usage error that shows it.
func dispatch(ctx context.Context, group, usage string, subs map[string]subcommand, args []string, e env) error {
	if len(args) == 0 {
		return usagef("%s needs a subcommand\n%s", group, usage)
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(e.stdout, usage)
		return nil
	}
	if run, ok := subs[args[0]]; ok {
		return run(ctx, args[1:], e)
	}
	return usagef("unknown %s subcommand %q\n%s", group, args[0], usage)
}
