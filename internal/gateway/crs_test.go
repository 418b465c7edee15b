package gateway

import (
	"bufio"
	"io"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	crstests "github.com/corazawaf/coraza-coreruleset/v4/tests"
	"github.com/corazawaf/coraza/v3/types"
	"github.com/coreruleset/albedo/server"
	ftwconfig "github.com/coreruleset/go-ftw/v2/config"
	"github.com/coreruleset/go-ftw/v2/output"
	"github.com/coreruleset/go-ftw/v2/runner"
	"github.com/coreruleset/go-ftw/v2/test"
	"github.com/rs/zerolog"

	"github.com/wardenhq/warden/internal/config"
)

// crsTestSettings are the settings the CRS regression tests assume (the
// SecAction 900005 block of the CRS tests README) plus a marker rule that
// logs the X-CRS-Test header, which go-ftw uses to cut each test's lines
// out of the log, and log actions for the response phases.
const crsTestSettings = `
SecDefaultAction "phase:3,log,auditlog,pass"
SecDefaultAction "phase:4,log,auditlog,pass"
SecDefaultAction "phase:5,log,auditlog,pass"
SecAction "id:900005,phase:1,nolog,pass,ctl:ruleEngine=DetectionOnly,ctl:ruleRemoveById=910000,\
  setvar:tx.blocking_paranoia_level=4,setvar:tx.crs_validate_utf8_encoding=1,\
  setvar:tx.arg_name_length=100,setvar:tx.arg_length=400,setvar:tx.total_arg_length=64000,\
  setvar:tx.max_num_args=255,setvar:tx.max_file_size=64100,setvar:tx.combined_file_sizes=65535"
SecRule REQUEST_HEADERS:X-CRS-Test "@rx ^.*$" "id:999999,phase:1,pass,t:none,log,msg:'X-CRS-Test %{MATCHED_VAR}',ctl:ruleRemoveById=1-999999"
`

// TestCRSRegressionCorpus replays the OWASP CRS regression corpus, which
// ships inside the coraza-coreruleset module, through Warden's gateway
// (its own WAF set-up, request handling and proxy) in front of albedo, the
// backend the tests expect, and checks which rules fired with go-ftw.
// Tests that cannot pass are listed, each with its reason, in
// testdata/crs-ftw.yml (ignored) and testdata/crs-overrides.yml (expected
// result changed); nothing else is skipped.
func TestCRSRegressionCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("the CRS corpus takes about a minute; run without -short")
	}
	if raceEnabled && os.Getenv("WARDEN_CRS_INCLUDE") == "" {
		// The replay is sequential, so the race detector has nothing to
		// find, and it slows Coraza tenfold. .ci/run runs the corpus in a
		// step of its own without -race.
		t.Skip("the CRS corpus runs without -race (see .ci/run); set WARDEN_CRS_INCLUDE to run part of it here")
	}
	logPath := filepath.Join(t.TempDir(), "waf.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	var logMu sync.Mutex
	logw := bufio.NewWriter(logFile)
	errorCallback := func(mr types.MatchedRule) {
		logMu.Lock()
		defer logMu.Unlock()
		io.WriteString(logw, mr.ErrorLog()+"\n")
		logw.Flush()
	}

	backend := httptest.NewServer(server.Handler())
	defer backend.Close()
	cfg := gatewayConfig(backend.URL, config.WAFDetect)
	cfg.WAF.ParanoiaLevel = 4
	cfg.WAF.InspectResponseBody = true
	// The corpus tests the CRS's own method list; Warden's default adds
	// PUT, PATCH and DELETE for APIs.
	cfg.WAF.AllowedMethods = []string{"GET", "HEAD", "POST", "OPTIONS"}
	cfg.Routes = nil
	cfg.MaxBody = 13 << 20
	srv, _ := startGateway(t, Options{Config: cfg, Sink: Tee(nil), WAFOptions: WAFOptions{
		ExtraDirectives: crsTestSettings, ErrorCallback: errorCallback,
	}})

	var tests []*test.FTWTest
	err = fs.WalkDir(crstests.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		b, err := fs.ReadFile(crstests.FS, path)
		if err != nil {
			return err
		}
		ft, err := test.GetTestFromYaml(b, filepath.Base(path))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		tests = append(tests, ft)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	zerolog.SetGlobalLevel(zerolog.WarnLevel)
	if os.Getenv("WARDEN_CRS_DEBUG") != "" {
		zerolog.SetGlobalLevel(zerolog.DebugLevel)
	}
	fc, err := ftwconfig.NewConfigFromFile("testdata/crs-ftw.yml")
	if err != nil {
		t.Fatal(err)
	}
	fc.LogFile = logPath
	u, _ := url.Parse(srv.URL)
	host := u.Hostname()
	port, _ := strconv.Atoi(u.Port())
	fc.TestOverride.Overrides.DestAddr = &host
	fc.TestOverride.Overrides.Port = &port
	rc := ftwconfig.NewRunnerConfiguration(fc)
	rc.ShowOnlyFailed = false
	// Generous: at paranoia level 4 a request with hundreds of arguments
	// takes a while on a busy machine, and a timeout is not a detection
	// result.
	rc.ReadTimeout = 30 * time.Second
	rc.ConnectTimeout = 10 * time.Second
	if err := rc.LoadPlatformOverrides("testdata/crs-overrides.yml"); err != nil {
		t.Fatal(err)
	}
	if pattern := os.Getenv("WARDEN_CRS_INCLUDE"); pattern != "" {
		re, err := ftwconfig.NewFTWRegexp(pattern)
		if err != nil {
			t.Fatal(err)
		}
		rc.Include = (*regexp.Regexp)(re)
	}
	var out strings.Builder
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler)) // albedo logs every request
	defer slog.SetDefault(prev)
	res, err := runner.Run(rc, tests, output.NewOutput("normal", &out))
	if err != nil {
		t.Fatalf("%v\n%s", err, lastLines(out.String(), 20))
	}
	st := res.Stats
	total := len(st.Success) + len(st.Failed) + len(st.ForcedFail)
	t.Logf("CRS regression corpus: %d files; %d passed, %d failed, %d ignored, %d skipped, %d forced (%.2f%% of %d run passed) in %s",
		len(tests), len(st.Success), st.TotalFailed(), len(st.Ignored), len(st.Skipped), len(st.ForcedPass)+len(st.ForcedFail),
		100*float64(len(st.Success))/float64(max(total, 1)), total, st.TotalTime)
	if st.TotalFailed() > 0 {
		sort.Strings(st.Failed)
		t.Errorf("failed tests (%d): %v", len(st.Failed), st.Failed)
		if p := os.Getenv("WARDEN_CRS_OUTPUT"); p != "" {
			_ = os.WriteFile(p, []byte(out.String()), 0o644)
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
