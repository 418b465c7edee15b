package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/runbook"
)

const runbooksUsage = `usage:
  warden runbooks check [DIR] [--config F]   lint runbooks; with the config, check every runbook it names`

func runRunbooks(ctx context.Context, args []string, e env) error {
	return dispatch(ctx, "runbooks", runbooksUsage, map[string]subcommand{
		"check": (&runbooksCheckCommand{}).Run,
	}, args, e)
}

type runbooksCheckCommand struct{}

const runbooksCheckSynopsis = "warden runbooks check [DIR] [--config warden.yaml]"

// Run lints every runbook in DIR (default: runbooks.dir of the config, else
// ./runbooks) and, when the runbooks checked are the config's, every
// runbook id the config names (log alarms, checks, alert annotations). Each
// problem is printed as file:line: message; any problem exits 1.
func (c *runbooksCheckCommand) Run(_ context.Context, args []string, e env) error {
	fs := newFlagSet("runbooks check", runbooksCheckSynopsis, e)
	path := configFlag(fs)
	if err := parseFlags(fs, args, runbooksCheckSynopsis); err != nil {
		return err
	}
	// Flags may come after DIR too.
	var dir string
	if fs.NArg() > 0 {
		dir = fs.Arg(0)
		if err := parseFlags(fs, fs.Args()[1:], runbooksCheckSynopsis); err != nil {
			return err
		}
		if err := noArgs(fs, runbooksCheckSynopsis); err != nil {
			return err
		}
	}
	given := configGiven(fs)
	refs, cfgDir, err := readConfigRefs(*path, given)
	if err != nil {
		return err
	}
	checkRefs := given || dir == ""
	if dir == "" {
		dir = cfgDir
	}
	if dir == "" {
		dir = config.DefaultRunbooksDir
	}
	set, probs, err := runbook.Load(dir)
	if err != nil {
		return fmt.Errorf("%w (give the directory: %s)", err, runbooksCheckSynopsis)
	}
	if checkRefs {
		probs = append(probs, set.CheckRefs(refs)...)
	}
	for _, p := range probs {
		fmt.Fprintln(e.stderr, p.String())
	}
	if len(probs) > 0 {
		fmt.Fprintf(e.stderr, "%s: %d problem(s) in %d runbook(s)\n", dir, len(probs), len(set.Runbooks))
		return errReported
	}
	msg := fmt.Sprintf("%s: %d runbook(s), no problems", dir, len(set.Runbooks))
	if checkRefs && len(refs) > 0 {
		msg += fmt.Sprintf("; the %d runbook reference(s) in %s resolve", len(refs), *path)
	}
	fmt.Fprintln(e.stdout, msg)
	return nil
}

// readConfigRefs reads the runbook references and runbooks.dir from the
// config file without validating the rest of it, so that the runbooks can
// be checked where the config's secrets are not set.
func readConfigRefs(path string, given bool) ([]runbook.Ref, string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !given {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read config: %w", err)
	}
	return runbook.ConfigRefs(path, data)
}
