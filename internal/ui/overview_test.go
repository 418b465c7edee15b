package ui

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestOverviewPanels(t *testing.T) {
	e := newEnv(t, func(u *UI) {
		u.AddOverview("Uptime", 10, func(ctx context.Context) (Panel, error) {
			return Panel{Status: "warn", Summary: "1 of 3 checks is down.", Link: "/ui/checks",
				Rows: [][2]string{{"api-health", "down"}}}, nil
		})
		u.AddOverview("Backups", 20, func(ctx context.Context) (Panel, error) {
			return Panel{}, errors.New("catalog unreachable")
		})
		u.AddOverview("Broken", 30, func(ctx context.Context) (Panel, error) { panic("boom") })
		u.AddOverview("Alerts", 5, func(ctx context.Context) (Panel, error) {
			return Panel{Title: "Alerts", Status: "ok", Summary: "Nothing firing.", Link: "javascript:alert(1)"}, nil
		})
	})
	c, _ := e.signIn("ada")
	resp := e.do(req{path: "/ui/", cookies: []*http.Cookie{c}})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`<a href="/ui/checks">Uptime</a>`,
		`<span class="badge warn">Warning</span>`,
		"1 of 3 checks is down.",
		"<dt>api-health</dt><dd>down</dd>",
		"Could not load this panel: catalog unreachable",
		"Could not load this panel: this panel crashed",
		`<section class="panel status-fail">`,
		"<dt>Version</dt><dd>v1.2.3</dd>",
		"<dt>Environment</dt><dd>staging</dd>",
		`<a href="/ui/" class="current" aria-current="page">Overview</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %s", want)
		}
	}
	if strings.Contains(body, "No parts are enabled yet") {
		t.Error("the empty-state notice shows with panels")
	}
	if strings.Contains(body, "javascript:") {
		t.Error("a javascript: link was rendered")
	}
	// Order: Alerts (5), Uptime (10), Backups (20), Broken (30), System last.
	idx := func(s string) int { return strings.Index(body, s) }
	if !(idx(">Alerts<") < idx(">Uptime<") && idx(">Uptime<") < idx(">Backups<") && idx(">Backups<") < idx(">Broken<") && idx(">Broken<") < idx(">System<")) {
		t.Error("panels are out of order")
	}
}

func TestOverviewWithoutPanels(t *testing.T) {
	e := newEnv(t, nil)
	c, _ := e.signIn("ada")
	e.clock.Add(90 * time.Minute)
	body := readBody(t, e.do(req{path: "/ui/", cookies: []*http.Cookie{c}}))
	for _, want := range []string{"No parts are enabled yet", ">System<", "<dt>Up for</dt><dd>1h 30m</dd>"} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %s\n%s", want, body)
		}
	}
}

func TestOverviewPanelTimeout(t *testing.T) {
	e := newEnv(t, func(u *UI) {
		u.AddOverview("Slow", 1, func(ctx context.Context) (Panel, error) {
			if _, ok := ctx.Deadline(); !ok {
				return Panel{}, errors.New("no deadline")
			}
			return Panel{Summary: "has a deadline"}, nil
		})
	})
	c, _ := e.signIn("ada")
	if body := readBody(t, e.do(req{path: "/ui/", cookies: []*http.Cookie{c}})); !strings.Contains(body, "has a deadline") {
		t.Error("panel ran without a deadline")
	}
}
