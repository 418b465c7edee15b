package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/wardenhq/warden/internal/app"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/demoapp"
	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/pkg/applog"
)

type demoCommand struct{}

const demoSynopsis = "warden demo [--listen 127.0.0.1:9090] [--app-listen 127.0.0.1:3000] [--gateway-listen 127.0.0.1:8080] [--data-dir DIR] [--traffic=true]"

// Run starts the built-in demo app and a Warden with every part switched
// on, prints what to open, and stops both on Ctrl-C.
func (c *demoCommand) Run(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("demo", demoSynopsis, e)
	listen := fs.String("listen", "127.0.0.1:9090", "Warden's API and web UI address")
	appListen := fs.String("app-listen", "127.0.0.1:3000", "the demo app's address")
	gatewayListen := fs.String("gateway-listen", "", "the WAF gateway's address in front of the demo app (default 127.0.0.1:8080, or port 0 when --listen has port 0)")
	dataDir := fs.String("data-dir", "", "keep Warden's data here (default: a temporary directory removed at exit)")
	traffic := fs.Bool("traffic", true, "send a gentle stream of realistic requests to the demo app")
	if err := parseFlags(fs, args, demoSynopsis); err != nil {
		return err
	}
	if err := noArgs(fs, demoSynopsis); err != nil {
		return err
	}
	if *gatewayListen == "" {
		*gatewayListen = "127.0.0.1:8080"
		if strings.HasSuffix(*listen, ":0") {
			*gatewayListen = "127.0.0.1:0"
		}
	}
	for _, addr := range []string{*listen, *appListen, *gatewayListen} {
		if err := loopbackOnly(addr); err != nil {
			return usagef("%v", err)
		}
	}
	if *dataDir == "" {
		dir, err := os.MkdirTemp("", "warden-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dataDir = dir
	}

	reporter := &demoErrorReporter{} // the demo app reports its errors to Warden with sentry-go
	demo := demoapp.New(demoapp.Options{Logger: applog.New(e.stderr, applog.Options{Service: "demo-app", Environment: "demo"}), OnError: reporter.OnError})
	appAddr, err := demo.Start(ctx, *appListen)
	if err != nil {
		return fmt.Errorf("start the demo app on %s: %w (pass --app-listen to pick another port)", *appListen, err)
	}
	defer demo.Close()
	cfg, creds, err := demoConfig(*listen, appAddr.String(), *dataDir)
	if err != nil {
		return err
	}
	// The demo app sits behind the WAF gateway, as an app would in production.
	cfg.Gateway.Upstream = "http://" + appAddr.String()
	cfg.Gateway.Listen = *gatewayListen
	// The demo is reached by a numeric loopback address, which the CRS
	// flags on every request (920350); an exclusion keeps the WAF events
	// to the attacks.
	cfg.Gateway.WAF.Exclusions = []config.WAFExclusion{{PathPrefix: "/", RuleIDs: []int{920350}}}
	logger, err := newLogger(cfg, e)
	if err != nil {
		return err
	}
	appURL := "http://" + appAddr.String()
	return runApp(ctx, cfg, logger, func(a *app.App) error {
		if err := reporter.start(errtrack.DSN(a.URL(), app.ErrorProjects(cfg)[0])); err != nil {
			return err
		}
		printDemoURLs(e, a, appURL, creds)
		gatewayURL := "http://" + a.GatewayAddr()
		if *traffic {
			go demo.GenerateTraffic(ctx, gatewayURL, demoapp.TrafficOptions{Rate: 1, MaxRequests: 100_000})
		}
		return nil
	})
}

// demoCredentials are minted afresh for every demo run, so no fixed secret
// ships in the binary.
type demoCredentials struct {
	user, password, adminToken, ingestToken string
}

func demoConfig(listen, appAddr, dataDir string) (*config.Config, demoCredentials, error) {
	creds := demoCredentials{user: "admin", password: randomHex(8), adminToken: randomHex(20), ingestToken: randomHex(20)}
	hash, err := bcrypt.GenerateFromPassword([]byte(creds.password), bcrypt.DefaultCost)
	if err != nil {
		return nil, creds, err
	}
	cfg := config.Default()
	cfg.Listen = listen
	cfg.DataDir = dataDir
	cfg.Environment = "demo"
	if !strings.HasSuffix(listen, ":0") { // a test's port 0 is not a URL anyone can open
		cfg.PublicURL = "http://" + listen
	}
	cfg.Tokens = []config.Token{
		{Name: "demo-ingest", Token: config.Secret(creds.ingestToken), Scopes: []string{config.ScopeIngest}},
		{Name: "demo-admin", Token: config.Secret(creds.adminToken), Scopes: []string{config.ScopeRead, config.ScopeAdmin, config.ScopeAudit}},
	}
	cfg.UI.Users = []config.User{{Name: creds.user, PasswordHash: config.Secret(hash)}}
	// The demo app stands in for Slack, so alerts and test sends are
	// delivered somewhere a person can see (its log) without any account.
	cfg.Alerts.Channels = []config.AlertChannel{{Name: "demo-slack", Type: "slack", URL: config.Secret("http://" + appAddr + "/api/test/hooks/slack")}}
	cfg.Alerts.Defaults.Channels = []string{"demo-slack"}
	cfg.Alerts.Defaults.GroupWait = config.Duration(5 * time.Second)
	// The demo app's health endpoint is checked; POST
	// /api/test/health?state=down makes it fail, to see an incident open.
	cfg.Checks = []config.Check{{
		Name: "api-health", Group: "Demo app", URL: "http://" + appAddr + "/api/health", Method: "GET",
		Conditions: []string{"status == 200", `json.status == "ok"`, "response_time < 1s"},
		Interval:   config.Duration(10 * time.Second), Timeout: config.Duration(5 * time.Second),
		FailureThreshold: 2, SuccessThreshold: 1, Severity: "critical", Runbook: "api-down",
	}}
	cfg.Uptime.StatusPage.Title = "Demo app status"
	cfg.Errors.Projects = []config.ErrorProject{{ID: 1, Name: "demo-app", Key: config.Secret(randomHex(16))}}
	return cfg, creds, nil
}

func printDemoURLs(e env, a *app.App, appURL string, creds demoCredentials) {
	base := a.URL()
	fmt.Fprintf(e.stdout, "\nWarden demo is running (data in %s). Open:\n\n", a.Config.DataDir)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  Web UI\t%s/ui/\tsign in as %s / %s\n", base, creds.user, creds.password)
	fmt.Fprintf(tw, "  Health\t%s/healthz\t\n", base)
	fmt.Fprintf(tw, "  Metrics\t%s/metrics\t\n", base)
	fmt.Fprintf(tw, "  API\t%s/api/v1/\tAuthorization: Bearer %s (read, admin, audit)\n", base, creds.adminToken)
	fmt.Fprintf(tw, "  Ingest token\t\t%s\n", creds.ingestToken)
	fmt.Fprintf(tw, "  Alerts\t%s/ui/alerts\tdelivered to the demo app's stand-in Slack webhook (see its log)\n", base)
	fmt.Fprintf(tw, "  Errors\t%s/ui/errors\tthe demo app reports its errors here with sentry-go\n", base)
	fmt.Fprintf(tw, "  Demo app\t%s/api/health\ttry %s/api/test/error\n", appURL, appURL)
	if addr := a.GatewayAddr(); addr != "" {
		fmt.Fprintf(tw, "  Gateway\thttp://%s/api/health\tthe demo app behind the WAF (add ?q=' OR 1=1-- to see a 403)\n", addr)
	}
	fmt.Fprintf(tw, "  Checks\t%s/ui/checks\tbreak the demo app with POST /api/test/health?state=down (state=up to recover)\n", base)
	fmt.Fprintf(tw, "  Status page\t%s/status\tpublic, no sign-in\n", base)
	tw.Flush()
	fmt.Fprintf(e.stdout, "\nPress Ctrl-C to stop.\n\n")
}

// loopbackOnly keeps the demo, which prints its secrets, off the network.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("the demo listens on loopback only, not %q", host)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
