package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/alertsql"
	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/store"
)

const alertsUsage = `usage:
  warden alerts test [CHANNEL] [--config F]     send a test alert (to every channel without CHANNEL)
  warden alerts list [--config F] [--json]      show open alerts
  warden alerts deliveries [--channel C] [--limit N] [--config F]
  warden alerts silence add --match 'name="value"' [--match ...] (--duration 2h | --until TIME) --comment WHY [--by WHO]
  warden alerts silence list [--config F]
  warden alerts silence expire ID [--config F]`

func runAlerts(ctx context.Context, args []string, e env) error {
	return dispatch(ctx, "alerts", alertsUsage, map[string]subcommand{
		"test":       alertsTest,
		"list":       alertsList,
		"deliveries": alertsDeliveries,
		"silence":    runSilence,
	}, args, e)
}

// alertsEnv loads the config and opens the database for an alerts command.
type alertsEnv struct {
	cfg    *config.Config
	db     *store.DB
	router *alert.Router
}

func openAlerts(ctx context.Context, path string, given bool, e env) (*alertsEnv, error) {
	cfg, err := loadConfig(path, given, e)
	if err != nil {
		return nil, err
	}
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	r, err := app.NewRouter(cfg, db, clock.Real{}, nil)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := r.ReloadSilences(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &alertsEnv{cfg: cfg, db: db, router: r}, nil
}

func alertsTest(ctx context.Context, args []string, e env) error {
	const synopsis = "warden alerts test [CHANNEL] [--config warden.yaml]"
	fs := newFlagSet("alerts test", synopsis, e)
	path := configFlag(fs)
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	ae, err := openAlerts(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer ae.db.Close()
	names := fs.Args()
	if len(names) == 0 {
		names = ae.router.ChannelNames()
	}
	if len(names) == 0 {
		return fmt.Errorf("no channels are configured (add alerts.channels to %s)", *path)
	}
	failed := 0
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tATTEMPT\tSTATUS\tCODE\tTOOK\tERROR")
	for _, name := range names {
		ds, err := ae.router.Test(ctx, name)
		if err != nil {
			return err
		}
		// The log is newest first; print in the order the attempts happened.
		for i := len(ds) - 1; i >= 0; i-- {
			d := ds[i]
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%dms\t%s\n", d.Channel, d.Attempt, d.Status, codeString(d.Code), d.DurationMS, d.Error)
		}
		if len(ds) == 0 || ds[0].Status != alert.DeliveryDelivered {
			failed++
		}
	}
	tw.Flush()
	if failed > 0 {
		fmt.Fprintf(e.stderr, "%d of %d channel(s) did not deliver\n", failed, len(names))
		return errReported
	}
	return nil
}

func codeString(c int) string {
	if c == 0 {
		return "-"
	}
	return fmt.Sprint(c)
}

func alertsList(ctx context.Context, args []string, e env) error {
	const synopsis = "warden alerts list [--config warden.yaml] [--json]"
	fs := newFlagSet("alerts list", synopsis, e)
	path := configFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if err := noArgs(fs, synopsis); err != nil {
		return err
	}
	ae, err := openAlerts(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer ae.db.Close()
	// Sync loads the stored alerts without arming timers: listing must
	// never make this process send notifications.
	if err := ae.router.Sync(ctx); err != nil {
		return err
	}
	list := ae.router.Firing()
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"alerts": list})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no open alerts")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATE\tALERT\tSINCE\tLABELS\tSILENCED")
	for _, a := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.State, a.Name(), a.StartsAt.Format(time.RFC3339), otherLabels(a.Labels), strings.Join(a.SilencedBy, ","))
	}
	return tw.Flush()
}

func otherLabels(l alert.Labels) string {
	var parts []string
	for k, v := range l {
		if k != alert.LabelAlertName {
			parts = append(parts, k+"="+v)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func alertsDeliveries(ctx context.Context, args []string, e env) error {
	const synopsis = "warden alerts deliveries [--channel C] [--limit N] [--config warden.yaml]"
	fs := newFlagSet("alerts deliveries", synopsis, e)
	path := configFlag(fs)
	channel := fs.String("channel", "", "only this channel")
	limit := fs.Int("limit", 20, "how many attempts, newest first")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if err := noArgs(fs, synopsis); err != nil {
		return err
	}
	ae, err := openAlerts(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer ae.db.Close()
	ds, err := alertsql.New(ae.db).Deliveries(ctx, alert.DeliveryFilter{Channel: *channel, Limit: *limit})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tCHANNEL\tATTEMPT\tSTATUS\tCODE\tTITLE\tERROR")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", d.At.Format(time.RFC3339), d.Channel, d.Attempt, d.Status, codeString(d.Code), d.Title, d.Error)
	}
	return tw.Flush()
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runSilence(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return usagef("silence needs add, list or expire\n%s", alertsUsage)
	}
	switch args[0] {
	case "add":
		return silenceAdd(ctx, args[1:], e)
	case "list":
		return silenceList(ctx, args[1:], e)
	case "expire":
		return silenceExpire(ctx, args[1:], e)
	}
	return usagef("unknown silence subcommand %q (use add, list or expire)", args[0])
}

func silenceAdd(ctx context.Context, args []string, e env) error {
	const synopsis = `warden alerts silence add --match 'name="value"' [--match ...] (--duration 2h | --until 2026-12-01T06:00:00Z) --comment WHY [--by WHO] [--starts TIME]`
	fs := newFlagSet("alerts silence add", synopsis, e)
	path := configFlag(fs)
	var matchers multiFlag
	fs.Var(&matchers, "match", `a label matcher: name="value", name!="value", name=~"regex", name!~"regex" (repeatable; all must match)`)
	duration := fs.String("duration", "", "how long the silence lasts, from its start")
	until := fs.String("until", "", "when the silence ends (RFC 3339)")
	starts := fs.String("starts", "", "when the silence starts (RFC 3339; default now)")
	comment := fs.String("comment", "", "why (required)")
	by := fs.String("by", "", "who creates it (default $USER)")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if err := noArgs(fs, synopsis); err != nil {
		return err
	}
	s := alert.Silence{Comment: *comment, CreatedBy: *by}
	if s.CreatedBy == "" {
		s.CreatedBy = "cli:" + os.Getenv("USER")
	}
	for _, m := range matchers {
		pm, err := alert.ParseMatcher(m)
		if err != nil {
			return usagef("--match: %v", err)
		}
		s.Matchers = append(s.Matchers, pm)
	}
	s.StartsAt = time.Now().UTC()
	if *starts != "" {
		t, err := time.Parse(time.RFC3339, *starts)
		if err != nil {
			return usagef("--starts: %q is not an RFC 3339 time", *starts)
		}
		s.StartsAt = t
	}
	switch {
	case *duration != "" && *until != "":
		return usagef("give --duration or --until, not both")
	case *duration != "":
		d, err := config.ParseDuration(*duration)
		if err != nil {
			return usagef("--duration: %v", err)
		}
		s.EndsAt = s.StartsAt.Add(d.Std())
	case *until != "":
		t, err := time.Parse(time.RFC3339, *until)
		if err != nil {
			return usagef("--until: %q is not an RFC 3339 time", *until)
		}
		s.EndsAt = t
	default:
		return usagef("give --duration or --until\nusage: %s", synopsis)
	}
	ae, err := openAlerts(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer ae.db.Close()
	created, err := ae.router.AddSilence(ctx, s)
	if err != nil {
		return usagef("%v", err)
	}
	fmt.Fprintf(e.stdout, "silence %s: %s until %s (%s)\n", created.ID, matcherList(created.Matchers), created.EndsAt.Format(time.RFC3339), created.Comment)
	return nil
}

func matcherList(ms []alert.Matcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, ", ")
}

func silenceList(ctx context.Context, args []string, e env) error {
	const synopsis = "warden alerts silence list [--config warden.yaml]"
	fs := newFlagSet("alerts silence list", synopsis, e)
	path := configFlag(fs)
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if err := noArgs(fs, synopsis); err != nil {
		return err
	}
	ae, err := openAlerts(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer ae.db.Close()
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tMATCHERS\tSTARTS\tENDS\tBY\tCOMMENT")
	for _, s := range ae.router.Silences() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.State, matcherList(s.Matchers),
			s.StartsAt.Format(time.RFC3339), s.EndsAt.Format(time.RFC3339), s.CreatedBy, s.Comment)
	}
	return tw.Flush()
}

func silenceExpire(ctx context.Context, args []string, e env) error {
	const synopsis = "warden alerts silence expire ID [--config warden.yaml]"
	fs := newFlagSet("alerts silence expire", synopsis, e)
	path := configFlag(fs)
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name one silence ID\nusage: %s", synopsis)
	}
	ae, err := openAlerts(ctx, *path, configGiven(fs), e)
	if err != nil {
		return err
	}
	defer ae.db.Close()
	ok, err := ae.router.ExpireSilence(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no silence %q (warden alerts silence list shows them)", fs.Arg(0))
	}
	fmt.Fprintf(e.stdout, "silence %s expired\n", fs.Arg(0))
	return nil
}
