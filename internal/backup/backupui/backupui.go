// Package backupui is the backups page of the web UI: each target with its
// newest good backup, a chart of backup sizes over time coloured by
// verification, and the recent backups and checks.
package backupui

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/ui"
)

//go:embed templates/*.html
var templates embed.FS

// Page serves /ui/backups.
type Page struct {
	Manager *backup.Manager
	UI      *ui.UI
	// Schedules maps target names to their schedules.
	Schedules map[string]string
	tmpl      *template.Template
}

// Register adds the page and the overview panel.
func (p *Page) Register() error {
	funcs := p.UI.Funcs()
	funcs["bytes"] = humanBytes
	t, err := template.New("backups").Funcs(funcs).ParseFS(templates, "templates/backups.html")
	if err != nil {
		return fmt.Errorf("backup ui: %w", err)
	}
	p.tmpl = t
	p.UI.AddPage(ui.Page{Path: "/ui/backups", Title: "Backups", Nav: true, Order: 50, Scope: config.ScopeRead, Handler: p.show})
	p.UI.AddOverview("backups", 50, p.panel)
	return nil
}

type targetView struct {
	Name, Engine, Source, Schedule, Destination string
	MaxAge                                      time.Duration
	LastGood                                    *backup.Record
	Last                                        *backup.Record
	Stale                                       bool
	Chart                                       []bar
	ChartWidth                                  int
}

// bar is one backup in the size chart (an inline SVG).
type bar struct {
	X, Y, W, H int
	Class      string
	Title      string
}

const chartHeight = 60

type pageData struct {
	Targets []targetView
	Backups []backup.Record
	Checks  []backup.Check
}

func (p *Page) show(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var data pageData
	now := time.Now()
	for _, t := range p.Manager.Targets() {
		tv := targetView{Name: t.Name, Engine: t.Source.Engine(), Source: t.Source.Describe(), Schedule: p.Schedules[t.Name],
			Destination: t.Dest.String(), MaxAge: t.MaxAge}
		recs, err := p.Manager.List(ctx, backup.Filter{Target: t.Name, Limit: 30})
		if err != nil {
			p.UI.Error(w, r, http.StatusInternalServerError, "could not read the backup catalog: "+err.Error())
			return
		}
		if len(recs) > 0 {
			tv.Last = &recs[0]
		}
		for i := range recs {
			if recs[i].Status == backup.StatusOK {
				tv.LastGood = &recs[i]
				break
			}
		}
		tv.Stale = t.MaxAge > 0 && (tv.LastGood == nil || now.Sub(tv.LastGood.FinishedAt) > t.MaxAge)
		tv.Chart, tv.ChartWidth = chart(recs)
		data.Targets = append(data.Targets, tv)
	}
	var err error
	if data.Backups, err = p.Manager.List(ctx, backup.Filter{Limit: 50}); err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read the backup catalog: "+err.Error())
		return
	}
	if data.Checks, err = p.Manager.Catalog().Checks(ctx, "", 20); err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read the backup checks: "+err.Error())
		return
	}
	p.UI.Render(w, r, p.tmpl, data)
}

// chart draws recs (newest first) oldest to newest, bar height by size.
func chart(recs []backup.Record) ([]bar, int) {
	var max int64 = 1
	for _, r := range recs {
		if r.Size > max {
			max = r.Size
		}
	}
	const w, gap = 10, 3
	var bars []bar
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		h := int(r.Size * chartHeight / max)
		if h < 2 {
			h = 2
		}
		class := "ok"
		switch {
		case r.Status == backup.StatusFailed:
			class, h = "fail", chartHeight
		case r.VerifyStatus == backup.VerifyFailed:
			class = "fail"
		case r.VerifyStatus != backup.VerifyPassed:
			class = "warn"
		}
		x := len(bars) * (w + gap)
		bars = append(bars, bar{X: x, Y: chartHeight - h, W: w, H: h, Class: class,
			Title: fmt.Sprintf("%s: %s, %s, verification %s", r.ID, r.Status, humanBytes(r.Size), r.VerifyStatus)})
	}
	return bars, len(bars)*(w+gap) + 1
}

func (p *Page) panel(ctx context.Context) (ui.Panel, error) {
	panel := ui.Panel{Title: "Backups", Link: "/ui/backups", Status: "ok"}
	stale, failed := 0, 0
	for _, t := range p.Manager.Targets() {
		recs, err := p.Manager.List(ctx, backup.Filter{Target: t.Name, Limit: 1})
		if err != nil {
			return panel, err
		}
		good, _ := p.Manager.Latest(ctx, t.Name, false)
		value := "no good backup yet"
		if good != nil {
			value = fmt.Sprintf("%s ago, verification %s", time.Since(good.FinishedAt).Round(time.Minute), good.VerifyStatus)
		}
		if len(recs) > 0 && (recs[0].Status == backup.StatusFailed || recs[0].VerifyStatus == backup.VerifyFailed) {
			failed++
		}
		if t.MaxAge > 0 && (good == nil || time.Since(good.FinishedAt) > t.MaxAge) {
			stale++
		}
		panel.Rows = append(panel.Rows, [2]string{t.Name, value})
	}
	switch {
	case failed > 0:
		panel.Status, panel.Summary = "fail", fmt.Sprintf("%d target(s) failed their last backup or verification", failed)
	case stale > 0:
		panel.Status, panel.Summary = "warn", fmt.Sprintf("%d target(s) have no backup within max_age", stale)
	default:
		panel.Summary = "every target has a recent backup"
	}
	return panel, nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
