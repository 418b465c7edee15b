// Package alertui is the alert router's web UI page: what fires, what was
// sent and whether it arrived, and the silences, with a form to add one.
package alertui

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/ui"
)

//go:embed templates/*.html
var templates embed.FS

// Page serves /ui/alerts.
type Page struct {
	Router *alert.Router
	Store  alert.Store
	UI     *ui.UI
	// Audit records silences made here (nil until the audit part exists).
	Audit func(ctx context.Context, action, target string, details map[string]any)
	tmpl  *template.Template
}

// Register adds the page and the overview panel to u.
func (p *Page) Register() error {
	t, err := template.New("alerts").Funcs(p.UI.Funcs()).ParseFS(templates, "templates/alerts.html")
	if err != nil {
		return fmt.Errorf("alert ui: %w", err)
	}
	p.tmpl = t
	p.UI.AddPage(ui.Page{Path: "/ui/alerts", Title: "Alerts", Nav: true, Order: 20, Scope: config.ScopeRead, Handler: p.show, Post: p.post})
	p.UI.AddOverview("alerts", 20, p.panel)
	return nil
}

type pageData struct {
	Alerts     []alert.AlertStatus
	Deliveries []alert.Delivery
	Silences   []alert.SilenceStatus
	Channels   []string
	CanAdmin   bool
	Form       silenceForm
}

type silenceForm struct {
	Matchers, Duration, Comment string
}

func (p *Page) show(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, silenceForm{Duration: "2h"})
}

func (p *Page) render(w http.ResponseWriter, r *http.Request, form silenceForm) {
	ds, err := p.Store.Deliveries(r.Context(), alert.DeliveryFilter{Limit: 30})
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read the delivery log: "+err.Error())
		return
	}
	pr, _ := auth.FromContext(r.Context())
	p.UI.Render(w, r, p.tmpl, pageData{
		Alerts: p.Router.Firing(), Deliveries: ds, Silences: p.Router.Silences(),
		Channels: p.Router.ChannelNames(), CanAdmin: pr.Has(config.ScopeAdmin), Form: form,
	})
}

// post handles the page's forms: add a silence, expire one, send a test.
func (p *Page) post(w http.ResponseWriter, r *http.Request) {
	pr, _ := auth.FromContext(r.Context())
	if !pr.Has(config.ScopeAdmin) {
		p.UI.Error(w, r, http.StatusForbidden, "changing silences needs the admin scope")
		return
	}
	switch r.PostFormValue("action") {
	case "silence":
		p.addSilence(w, r, pr)
	case "expire":
		id := r.PostFormValue("id")
		ok, err := p.Router.ExpireSilence(r.Context(), id)
		if err != nil || !ok {
			p.UI.Flash(w, r, fmt.Sprintf("Could not expire silence %s: %v", id, orNotFound(err)))
		} else {
			p.audit(r.Context(), "admin.silence.expire", id, nil)
			p.UI.Flash(w, r, "Silence "+id+" expired.")
		}
		http.Redirect(w, r, "/ui/alerts", http.StatusSeeOther)
	case "test":
		ds, err := p.Router.Test(r.Context(), r.PostFormValue("channel"))
		switch {
		case err != nil:
			p.UI.Flash(w, r, "Test failed: "+err.Error())
		case len(ds) > 0 && ds[0].Status == alert.DeliveryDelivered:
			p.UI.Flash(w, r, fmt.Sprintf("Test alert delivered to %s after %d attempt(s).", ds[0].Channel, ds[0].Attempt))
		case len(ds) > 0:
			p.UI.Flash(w, r, fmt.Sprintf("Test alert to %s failed: %s", ds[0].Channel, ds[0].Error))
		}
		http.Redirect(w, r, "/ui/alerts", http.StatusSeeOther)
	default:
		p.UI.Error(w, r, http.StatusBadRequest, "unknown action")
	}
}

func orNotFound(err error) error {
	if err == nil {
		return fmt.Errorf("no such silence")
	}
	return err
}

func (p *Page) addSilence(w http.ResponseWriter, r *http.Request, pr auth.Principal) {
	form := silenceForm{Matchers: r.PostFormValue("matchers"), Duration: r.PostFormValue("duration"), Comment: r.PostFormValue("comment")}
	s := alert.Silence{CreatedBy: pr.Kind + ":" + pr.Name, Comment: strings.TrimSpace(form.Comment)}
	var problems []string
	for _, line := range strings.FieldsFunc(form.Matchers, func(c rune) bool { return c == '\n' || c == ',' }) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m, err := alert.ParseMatcher(line)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		s.Matchers = append(s.Matchers, m)
	}
	d, err := config.ParseDuration(strings.TrimSpace(form.Duration))
	if err != nil {
		problems = append(problems, "duration: "+err.Error())
	}
	if len(problems) == 0 {
		s.StartsAt = time.Now()
		s.EndsAt = s.StartsAt.Add(d.Std())
		created, err := p.Router.AddSilence(r.Context(), s)
		if err == nil {
			p.audit(r.Context(), "admin.silence.create", created.ID, map[string]any{"matchers": form.Matchers, "ends_at": created.EndsAt, "comment": created.Comment})
			p.UI.Flash(w, r, "Silence "+created.ID+" added until "+created.EndsAt.UTC().Format("2006-01-02 15:04 UTC")+".")
			http.Redirect(w, r, "/ui/alerts", http.StatusSeeOther)
			return
		}
		problems = append(problems, err.Error())
	}
	// Re-show the form with what was typed, so nothing is lost.
	p.UI.Flash(w, r, "The silence was not added: "+strings.Join(problems, "; "))
	p.render(w, r, form)
}

func (p *Page) audit(ctx context.Context, action, target string, details map[string]any) {
	if p.Audit != nil {
		p.Audit(ctx, action, target, details)
	}
}

func (p *Page) panel(ctx context.Context) (ui.Panel, error) {
	list := p.Router.Firing()
	firing, silenced := 0, 0
	var rows [][2]string
	for _, a := range list {
		if a.State != alert.Firing {
			continue
		}
		if len(a.SilencedBy) > 0 {
			silenced++
			continue
		}
		firing++
		if len(rows) < 4 {
			rows = append(rows, [2]string{a.Name(), "since " + a.StartsAt.UTC().Format("15:04 UTC")})
		}
	}
	panel := ui.Panel{Title: "Alerts", Link: "/ui/alerts", Status: "ok", Summary: "Nothing is firing.", Rows: rows}
	if firing > 0 {
		panel.Status, panel.Summary = "fail", fmt.Sprintf("%d alert(s) firing.", firing)
	}
	if silenced > 0 {
		panel.Rows = append(panel.Rows, [2]string{"Silenced", fmt.Sprint(silenced)})
	}
	ds, err := p.Store.Deliveries(ctx, alert.DeliveryFilter{Limit: 1})
	if err != nil {
		return panel, err
	}
	if len(ds) > 0 {
		panel.Rows = append(panel.Rows, [2]string{"Last notification", ds[0].Status + ", " + ds[0].At.UTC().Format("2006-01-02 15:04 UTC")})
		if ds[0].Status == alert.DeliveryFailed && panel.Status == "ok" {
			panel.Status, panel.Summary = "warn", "The last notification was not delivered."
		}
	}
	return panel, nil
}
