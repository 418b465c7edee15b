package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/uptime"
)

const checksUsage = `usage:
  warden checks run [NAME...] [--config F] [--json]   probe now (every check without NAME), print each condition's outcome
  warden checks list [--config F] [--json]            show each check's state, uptime, MTTD and MTTR`

func runChecks(ctx context.Context, args []string, e env) error {
	return dispatch(ctx, "checks", checksUsage, map[string]subcommand{
		"run":  checksRun,
		"list": checksList,
	}, args, e)
}

// checksRun probes without storing anything or raising alerts: it answers
// "would this check pass right now, and why not?".
func checksRun(ctx context.Context, args []string, e env) error {
	const synopsis = "warden checks run [--config warden.yaml] [--json] [NAME...]"
	fs := newFlagSet("checks run", synopsis, e)
	path := configFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	cfg, err := loadConfig(*path, configGiven(fs), e)
	if err != nil {
		return err
	}
	m, err := app.NewMonitor(cfg, nil, alert.Discard{}, clock.Real{}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	checks := m.Checks()
	if names := fs.Args(); len(names) > 0 {
		checks = nil
		for _, n := range names {
			c, ok := m.Check(n)
			if !ok {
				return usagef("no check named %q in %s (warden checks list shows them)", n, *path)
			}
			checks = append(checks, c)
		}
	}
	if len(checks) == 0 {
		return fmt.Errorf("no checks are configured (add a checks: list to %s)", *path)
	}
	results := make([]uptime.Result, len(checks))
	for i, c := range checks {
		results[i] = m.Probe(ctx, c)
	}
	failed := 0
	for _, r := range results {
		if !r.OK && !r.Maintenance {
			failed++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	} else {
		for i, r := range results {
			printResult(e, checks[i], r)
		}
	}
	if failed > 0 {
		fmt.Fprintf(e.stderr, "%d of %d check(s) failed\n", failed, len(results))
		return errReported
	}
	return nil
}

func printResult(e env, c *uptime.Check, r uptime.Result) {
	verdict := "PASS"
	switch {
	case r.Maintenance:
		verdict = "MAINTENANCE"
	case !r.OK:
		verdict = "FAIL"
	}
	fmt.Fprintf(e.stdout, "%s  %s  %s %s  %s", verdict, c.Name, c.Kind, c.URL, r.Latency.Round(time.Millisecond))
	if r.Status != 0 {
		fmt.Fprintf(e.stdout, "  status %d", r.Status)
	}
	fmt.Fprintln(e.stdout)
	for _, cr := range r.Conditions {
		mark := "ok  "
		if !cr.OK {
			mark = "FAIL"
		}
		line := "    " + mark + "  " + cr.Condition
		if len(cr.Values) > 0 {
			line += "   (" + strings.Join(cr.Values, ", ") + ")"
		}
		fmt.Fprintln(e.stdout, line)
	}
	if !r.OK && r.Error != "" && !strings.HasPrefix(r.Error, "failed: ") {
		fmt.Fprintf(e.stdout, "    error: %s\n", r.Error)
	}
}

func checksList(ctx context.Context, args []string, e env) error {
	const synopsis = "warden checks list [--config warden.yaml] [--json]"
	fs := newFlagSet("checks list", synopsis, e)
	path := configFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if err := noArgs(fs, synopsis); err != nil {
		return err
	}
	cfg, err := loadConfig(*path, configGiven(fs), e)
	if err != nil {
		return err
	}
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := app.NewMonitor(cfg, db, alert.Discard{}, clock.Real{}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	sts, err := m.Statuses(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	type row struct {
		uptime.CheckStatus
		Figures uptime.Figures `json:"figures"`
	}
	rows := make([]row, 0, len(sts))
	for _, st := range sts {
		f, err := m.Figures(ctx, st.Name, now)
		if err != nil {
			return err
		}
		rows = append(rows, row{st, f})
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"checks": rows})
	}
	if len(rows) == 0 {
		fmt.Fprintf(e.stdout, "No checks are configured (add a checks: list to %s).\n", *path)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tEVERY\tSTATE\tUPTIME 24H\tUPTIME 30D\tP95 24H\tMTTD\tMTTR\tLAST PROBE")
	for _, r := range rows {
		last := "never"
		if r.Last != nil {
			last = r.Last.At.UTC().Format(time.RFC3339)
			if r.Last.Error != "" {
				last += " " + r.Last.Error
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.0fms\t%s\t%s\t%s\n", r.Name, r.Kind, r.Interval, r.State,
			pctString(r.Figures.Uptime[0].Percent), pctString(r.Figures.Uptime[2].Percent), r.Figures.P95,
			secsString(r.Figures.MTTD), secsString(r.Figures.MTTR), last)
	}
	return tw.Flush()
}

func pctString(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", *p)
}

func secsString(s float64) string {
	if s == 0 {
		return "-"
	}
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}
