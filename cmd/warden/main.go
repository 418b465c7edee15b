// Command warden runs Warden: the WAF gateway, logs, error tracking, audit
// trail, uptime checks, alert routing and backups of a regulated web app, in
// one process. Each subcommand lives in its own file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Warden: the operational backbone of a regulated web app, in one binary.

Usage:
  warden <command> [flags]

Commands:
  serve          run every part the config enables
  demo           run Warden next to a built-in demo app, all parts on
  config check   validate a config file, list every error, print the effective config
  config hash-password   print a bcrypt hash for a web UI user
  alerts         test channels, list alerts and deliveries, add and expire silences
  logs           query logs, ship JSON lines from stdin; 'warden run -- CMD' ships an app's output
  errors dsn     print each error tracking project's Sentry DSN
  audit          verify the audit trail, export it (or one user's events), checkpoint it
  checks         run uptime checks once, list their state, uptime, MTTD and MTTR
  backup         run|list|verify|restore|drill backups of the app's databases and Warden's own state
  runbooks check lint runbooks and the runbook ids the config names
  version        print the version

Run 'warden <command> --help' for a command's flags.
`

// Exit statuses: 0 success, 1 runtime failure, 2 usage error.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError is a mistake in the command line; it exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// env is what a command reads and writes besides its arguments, so that
// tests run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) (string, bool)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv}))
}

func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "serve":
		err = (&serveCommand{}).Run(ctx, args[1:], e)
	case "demo":
		err = (&demoCommand{}).Run(ctx, args[1:], e)
	case "config":
		err = runConfig(ctx, args[1:], e)
	case "version":
		err = (&versionCommand{}).Run(ctx, args[1:], e)
	case "alerts":
		err = runAlerts(ctx, args[1:], e)
	case "logs":
		err = runLogs(ctx, args[1:], e)
	case "run":
		err = (&runCommand{}).Run(ctx, args[1:], e)
	case "errors":
		err = runErrors(ctx, args[1:], e)
	case "audit":
		err = runAudit(ctx, args[1:], e)
	case "checks":
		err = runChecks(ctx, args[1:], e)
	case "backup":
		err = runBackup(ctx, args[1:], e)
	case "runbooks":
		err = runRunbooks(ctx, args[1:], e)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	default:
		err = usagef("unknown command %q\n\n%s", args[0], usage)
	}
	return report(err, e)
}

// report prints err (if any) and picks the exit status.
func report(err error, e env) int {
	var ue *usageError
	var ec *exitCodeError
	switch {
	case errors.As(err, &ec):
		return ec.code
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintln(e.stderr, "warden:", ue.msg)
		return exitUsage
	case errors.Is(err, errReported):
		return exitFailure
	default:
		fmt.Fprintln(e.stderr, "warden:", err)
		return exitFailure
	}
}

// errReported means the command already printed why it failed.
var errReported = errors.New("failure already reported")
