package errhttp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/wardenhq/warden/internal/errtrack"
)

var errDeclined = errors.New("payment declined: insufficient_funds")

func chargeCard(amount int) error { return fmt.Errorf("charge %d EUR: %w", amount, errDeclined) }

func refund(order string) error { return fmt.Errorf("refund of order %s: provider timeout", order) }

// TestSentryGoSDK sends handled and unhandled errors, messages and a custom
// fingerprint with the real sentry-go client to the real listener and
// checks the issues that result.
func TestSentryGoSDK(t *testing.T) {
	s := sqliteServer(t)
	dsn := strings.Replace(s.URL, "http://", "http://"+testKey+"@", 1) + "/7"
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: dsn, Release: "shop@2.0.0", Environment: "test"})
	if err != nil {
		t.Fatal(err)
	}
	hub := sentry.NewHub(client, sentry.NewScope())
	hub.Scope().SetUser(sentry.User{ID: "42"})

	for _, amount := range []int{250, 990} { // one bug, two events
		hub.CaptureException(chargeCard(amount))
	}
	hub.CaptureException(refund("A-17"))
	hub.CaptureMessage("queue depth <int> over limit <int>")
	hub.CaptureMessage("queue depth 99 over limit 10")
	for _, e := range []error{errors.New("stripe 502"), errors.New("stripe connection reset")} {
		hub.WithScope(func(scope *sentry.Scope) {
			scope.SetFingerprint([]string{"payment-provider-down"})
			hub.CaptureException(e)
		})
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				hub.RecoverWithContext(context.Background(), r)
			}
		}()
		var m map[string]int
		m["boom"]++ // an unhandled panic: assignment to entry in nil map
	}()
	if !hub.Flush(10 * time.Second) {
		t.Fatal("sentry-go did not flush within 10s")
	}

	issues := waitIssues(t, s, 8)
	got := titleCounts(issues)
	want := map[string]int64{
		"*fmt.wrapError: charge <int> EUR: payment declined: insufficient_funds": 2,
		"*errors.errorString: refund of order A-<int>: provider timeout":         1,
		"queue depth <int> over limit <int>":                                     2,
		"*errors.errorString: stripe *":                                          2,
		"runtime.plainError: assignment to entry in nil map":                     1,
	}
	if fmt.Sprint(sortedCounts(got)) != fmt.Sprint(sortedCounts(want)) {
		t.Fatalf("issues:\n got  %v\n want %v", got, want)
	}
	for _, is := range issues {
		if is.Users != 1 {
			t.Errorf("%q: users %d, want 1", is.Title, is.Users)
		}
		if strings.HasPrefix(is.Title, "runtime.") && is.Level != "fatal" {
			t.Errorf("the panic's level is %q, want fatal", is.Level)
		}
	}
}

// titleCounts maps issue titles to counts. An issue's title is its first
// event's, and SDKs send concurrently, so titles are compared with their
// numbers normalised and the fingerprinted errors' text cut at "stripe *".
func titleCounts(issues []errtrack.Issue) map[string]int64 {
	got := map[string]int64{}
	for _, is := range issues {
		title := errtrack.NormaliseMessage(is.Title)
		if i := strings.Index(title, "stripe "); i >= 0 {
			title = title[:i] + "stripe *"
		}
		got[title] = is.Count
	}
	return got
}

func sortedCounts(m map[string]int64) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(out)
	return out
}

// waitIssues polls until the issues add up to want events in total or 10s
// pass: SDKs send in the background, and a flush only says they sent.
func waitIssues(t *testing.T, s *server, wantEvents int64) []errtrack.Issue {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var issues []errtrack.Issue
	for {
		var err error
		issues, err = s.svc.Store().ListIssues(t.Context(), errtrack.IssueFilter{ProjectID: 7})
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, is := range issues {
			total += is.Count
		}
		if total >= wantEvents || time.Now().After(deadline) {
			return issues
		}
		time.Sleep(50 * time.Millisecond)
	}
}
