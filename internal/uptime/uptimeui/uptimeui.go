// Package uptimeui is the uptime checks' page in the signed-in web UI:
// every check with its state and figures, open and recent incidents, and
// one incident's timeline with its probes and notes, where an operator with
// the admin scope adds a note.
package uptimeui

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/scrub"
	"github.com/wardenhq/warden/internal/ui"
	"github.com/wardenhq/warden/internal/uptime"
)

//go:embed templates/*.html
var templates embed.FS

// Page serves /ui/checks.
type Page struct {
	Monitor *uptime.Monitor
	UI      *ui.UI
	tmpl    *template.Template
}

// Register adds the page and its overview panel.
func (p *Page) Register() error {
	funcs := p.UI.Funcs()
	funcs["pct"] = func(v *float64) string {
		if v == nil {
			return "—"
		}
		return fmt.Sprintf("%.2f%%", *v)
	}
	funcs["secs"] = func(s float64) string {
		if s == 0 {
			return "—"
		}
		return (time.Duration(s * float64(time.Second))).Round(time.Second).String()
	}
	funcs["ms"] = func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }
	t, err := template.New("checks").Funcs(funcs).ParseFS(templates, "templates/checks.html")
	if err != nil {
		return fmt.Errorf("uptime ui: %w", err)
	}
	p.tmpl = t
	p.UI.AddPage(ui.Page{Path: "/ui/checks", Title: "Checks", Nav: true, Order: 30, Scope: config.ScopeRead, Handler: p.show, Post: p.post})
	p.UI.AddOverview("uptime", 30, p.panel)
	return nil
}

type checkRow struct {
	uptime.CheckStatus
	Figures uptime.Figures
}

type pageData struct {
	Checks   []checkRow
	Overall  uptime.Figures
	Open     []uptime.Incident
	Recent   []uptime.Incident
	Incident *uptime.Incident
	Probes   []uptime.Result
	CanAdmin bool
}

// Uptime returns the uptime of a window ("24h") for the table.
func (r checkRow) Uptime(window string) *float64 {
	for _, u := range r.Figures.Uptime {
		if u.Window == window {
			return u.Percent
		}
	}
	return nil
}

func (p *Page) show(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m := p.Monitor
	now := m.Now()
	sts, err := m.Statuses(ctx)
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read check states: "+err.Error())
		return
	}
	pr, _ := auth.FromContext(ctx)
	d := pageData{CanAdmin: pr.Has(config.ScopeAdmin)}
	for _, st := range sts {
		f, err := m.Figures(ctx, st.Name, now)
		if err != nil {
			p.UI.Error(w, r, http.StatusInternalServerError, "could not compute figures: "+err.Error())
			return
		}
		d.Checks = append(d.Checks, checkRow{CheckStatus: st, Figures: f})
	}
	if d.Overall, err = m.Overall(ctx, now); err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not compute figures: "+err.Error())
		return
	}
	incs, err := m.Store().Incidents(ctx, uptime.IncidentFilter{Since: now.Add(-30 * 24 * time.Hour), Limit: 50})
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read incidents: "+err.Error())
		return
	}
	for _, inc := range incs {
		if inc.Open() {
			d.Open = append(d.Open, inc)
		} else {
			d.Recent = append(d.Recent, inc)
		}
	}
	if s := r.URL.Query().Get("incident"); s != "" {
		id, _ := strconv.ParseInt(s, 10, 64)
		inc, err := m.Store().Incident(ctx, id)
		if err != nil {
			p.UI.Error(w, r, http.StatusNotFound, fmt.Sprintf("incident %q: %v", s, err))
			return
		}
		end := inc.ResolvedAt
		if end.IsZero() {
			end = now
		}
		if d.Probes, err = m.Store().Results(ctx, inc.Check, inc.FirstFailAt, end.Add(time.Millisecond), 500); err != nil {
			p.UI.Error(w, r, http.StatusInternalServerError, "could not read probes: "+err.Error())
			return
		}
		d.Incident = &inc
	}
	p.UI.Render(w, r, p.tmpl, d)
}

// post adds a note to an incident.
func (p *Page) post(w http.ResponseWriter, r *http.Request) {
	pr, _ := auth.FromContext(r.Context())
	if !pr.Has(config.ScopeAdmin) {
		p.UI.Error(w, r, http.StatusForbidden, "adding notes needs the admin scope")
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("incident"), 10, 64)
	text := strings.TrimSpace(r.PostFormValue("text"))
	back := fmt.Sprintf("/ui/checks?incident=%d", id)
	switch {
	case err != nil:
		p.UI.Error(w, r, http.StatusBadRequest, "the form names no incident")
		return
	case text == "" || len(text) > 10000:
		p.UI.Flash(w, r, "The note was not added: write 1 to 10000 characters.")
	default:
		n := uptime.Note{At: p.Monitor.Now(), Author: pr.Name, Text: scrub.String(text)}
		if err := p.Monitor.Store().AddNote(r.Context(), id, n); err != nil {
			p.UI.Flash(w, r, "The note was not added: "+err.Error())
		} else {
			p.UI.Flash(w, r, "Note added.")
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (p *Page) panel(ctx context.Context) (ui.Panel, error) {
	sts, err := p.Monitor.Statuses(ctx)
	if err != nil {
		return ui.Panel{}, err
	}
	down := 0
	var rows [][2]string
	for _, st := range sts {
		if st.State == uptime.StateDown {
			down++
			rows = append(rows, [2]string{st.Name, "down"})
		}
	}
	panel := ui.Panel{Title: "Uptime", Link: "/ui/checks", Status: "ok", Summary: fmt.Sprintf("All %d checks are up.", len(sts)), Rows: rows}
	if len(sts) == 0 {
		panel.Status, panel.Summary = "", "No checks are configured."
	}
	if down > 0 {
		panel.Status, panel.Summary = "fail", fmt.Sprintf("%d of %d checks are down.", down, len(sts))
	}
	return panel, nil
}
