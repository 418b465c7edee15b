// Package runbookui serves runbooks in the web UI: an index of every
// runbook, and a page per runbook with its rendered Markdown, the alerts
// that point at it and their recent firings, read from the alert store.
package runbookui

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/runbook"
	"github.com/wardenhq/warden/internal/ui"
)

//go:embed templates/*.html
var templates embed.FS

// AlertLister reads alert history; alert.Store (alertsql) implements it.
type AlertLister interface {
	ListAlerts(ctx context.Context, since time.Time, limit int) ([]alert.Alert, error)
}

// History bounds how far back, and how many stored alerts, the pages look
// for alerts that point at a runbook.
const (
	History      = 30 * 24 * time.Hour
	historyLimit = 2000
	firingsShown = 20
)

// Page serves /ui/runbooks and /ui/runbooks/{id}.
type Page struct {
	// Dir is read again on every request, so that an edited runbook shows
	// at once; a directory of runbooks is small.
	Dir    string
	Alerts AlertLister
	UI     *ui.UI
	Logger *slog.Logger
	// Now is time.Now unless a test sets it.
	Now func() time.Time

	index, detail *template.Template
}

// Register adds the index (in the navigation) and the runbook pages.
func (p *Page) Register() error {
	var err error
	if p.index, err = template.New("index").Funcs(p.UI.Funcs()).ParseFS(templates, "templates/index.html"); err != nil {
		return fmt.Errorf("runbook ui: %w", err)
	}
	if p.detail, err = template.New("runbook").Funcs(p.UI.Funcs()).ParseFS(templates, "templates/runbook.html"); err != nil {
		return fmt.Errorf("runbook ui: %w", err)
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	p.UI.AddPage(ui.Page{Path: "/ui/runbooks", Title: "Runbooks", Nav: true, Order: 80, Scope: config.ScopeRead, Handler: p.showIndex})
	p.UI.AddPage(ui.Page{Path: "/ui/runbooks/{id}", Title: "Runbook", Scope: config.ScopeRead, Handler: p.showRunbook})
	p.UI.AddOverview("runbooks", 80, p.panel)
	return nil
}

// panel summarises the runbooks on the overview: how many, whether they
// lint clean, and the runbooks of alerts firing now.
func (p *Page) panel(ctx context.Context) (ui.Panel, error) {
	panel := ui.Panel{Title: "Runbooks", Link: "/ui/runbooks", Status: "ok"}
	set, probs, err := runbook.Load(p.Dir)
	if err != nil {
		panel.Status, panel.Summary = "warn", "No runbooks: "+err.Error()
		return panel, nil
	}
	panel.Summary = fmt.Sprintf("%d runbook(s).", len(set.Runbooks))
	if len(probs) > 0 {
		panel.Status = "warn"
		panel.Summary += fmt.Sprintf(" %d problem(s) found by the lint.", len(probs))
	}
	byID, missing, err := p.pointing(ctx, set)
	if err != nil {
		return panel, err
	}
	for _, rb := range set.Runbooks {
		for _, f := range byID[rb.ID] {
			if f.Firing && len(panel.Rows) < 4 {
				panel.Rows = append(panel.Rows, [2]string{f.Name, rb.Title})
				break
			}
		}
	}
	if len(missing) > 0 {
		panel.Status = "warn"
		panel.Rows = append(panel.Rows, [2]string{"Alerts naming a missing runbook", fmt.Sprint(len(missing))})
	}
	return panel, nil
}

// Firing is one stored alert that points at a runbook.
type Firing struct {
	Name     string
	Labels   alert.Labels
	Summary  string
	Firing   bool
	StartsAt time.Time
	EndsAt   time.Time
}

// pointing groups the recent alerts by the runbook id they name. Alerts
// whose runbook is not a known id are collected under missing.
func (p *Page) pointing(ctx context.Context, set *runbook.Set) (byID map[string][]Firing, missing map[string][]string, err error) {
	now := p.Now()
	list, err := p.Alerts.ListAlerts(ctx, now.Add(-History), historyLimit)
	if err != nil {
		return nil, nil, err
	}
	byID, missing = map[string][]Firing{}, map[string][]string{}
	for _, a := range list {
		id, ok := runbook.IDFromRef(a.Annotations[alert.AnnotationRunbook])
		if !ok {
			continue
		}
		if _, known := set.Get(id); !known {
			if !contains(missing[id], a.Name()) {
				missing[id] = append(missing[id], a.Name())
			}
			continue
		}
		byID[id] = append(byID[id], Firing{
			Name: a.Name(), Labels: a.Labels, Summary: a.Annotations[alert.AnnotationSummary],
			Firing: a.StateAt(now) == alert.Firing, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
		})
	}
	for id := range byID {
		fs := byID[id]
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].StartsAt.After(fs[j].StartsAt) })
	}
	return byID, missing, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type indexRow struct {
	*runbook.Runbook
	Firing, Recent int
}

type indexData struct {
	Dir      string
	LoadErr  string
	Rows     []indexRow
	Problems []runbook.Problem
	Missing  map[string][]string
}

func (p *Page) showIndex(w http.ResponseWriter, r *http.Request) {
	data := indexData{Dir: p.Dir}
	set, probs, err := runbook.Load(p.Dir)
	if err != nil {
		data.LoadErr = err.Error()
		p.UI.Render(w, r, p.index, data)
		return
	}
	data.Problems = probs
	byID, missing, err := p.pointing(r.Context(), set)
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read alerts: "+err.Error())
		return
	}
	data.Missing = missing
	for _, rb := range set.Runbooks {
		row := indexRow{Runbook: rb, Recent: len(byID[rb.ID])}
		for _, f := range byID[rb.ID] {
			if f.Firing {
				row.Firing++
			}
		}
		data.Rows = append(data.Rows, row)
	}
	p.UI.Render(w, r, p.index, data)
}

type alertSummary struct {
	Name     string
	Firing   int
	Count    int
	LastSeen time.Time
}

type runbookData struct {
	*runbook.Runbook
	Body    template.HTML
	Alerts  []alertSummary
	Firings []Firing
	More    int
	Days    int
}

func (p *Page) showRunbook(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	set, _, err := runbook.Load(p.Dir)
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read the runbooks: "+err.Error())
		return
	}
	rb, ok := set.Get(id)
	if !ok {
		p.UI.Error(w, r, http.StatusNotFound, fmt.Sprintf("There is no runbook %q in %s. An alert or check names a runbook that does not exist; warden runbooks check finds such references.", id, p.Dir))
		return
	}
	body, err := set.HTML(rb)
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not render the runbook: "+err.Error())
		return
	}
	byID, _, err := p.pointing(r.Context(), set)
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read alerts: "+err.Error())
		return
	}
	firings := byID[id]
	data := runbookData{Runbook: rb, Body: body, Days: int(History / (24 * time.Hour))}
	data.Alerts = summarize(firings)
	if len(firings) > firingsShown {
		data.More = len(firings) - firingsShown
		firings = firings[:firingsShown]
	}
	data.Firings = firings
	p.UI.Render(w, r, p.detail, data)
}

// summarize lists each alert name once, most recently started first, with
// how often it fired in the window and whether it fires now.
func summarize(firings []Firing) []alertSummary {
	var order []string
	seen := map[string]*alertSummary{}
	for _, f := range firings {
		s, ok := seen[f.Name]
		if !ok {
			s = &alertSummary{Name: f.Name}
			seen[f.Name] = s
			order = append(order, f.Name)
		}
		s.Count++
		if f.Firing {
			s.Firing++
		}
		if f.StartsAt.After(s.LastSeen) {
			s.LastSeen = f.StartsAt
		}
	}
	out := make([]alertSummary, 0, len(order))
	for _, name := range order {
		out = append(out, *seen[name])
	}
	return out
}
