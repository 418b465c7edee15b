// Package errui is error tracking's web UI: the issue list with counts and
// 24-hour sparklines, and an issue's page with its stack trace, request,
// tags and events, and buttons to resolve, ignore or reopen it.
package errui

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/errtrack/envelope"
	"github.com/wardenhq/warden/internal/ui"
)

//go:embed templates/*.html
var templates embed.FS

// Page serves /ui/errors and /ui/errors/{id}.
type Page struct {
	Service *errtrack.Service
	UI      *ui.UI
	Now     func() time.Time
	list    *template.Template
	detail  *template.Template
}

// Register adds the pages and the overview panel.
func (p *Page) Register() error {
	if p.Now == nil {
		p.Now = time.Now
	}
	funcs := p.UI.Funcs()
	funcs["sparkline"] = sparkline
	var err error
	if p.list, err = template.New("errors").Funcs(funcs).ParseFS(templates, "templates/issues.html"); err != nil {
		return fmt.Errorf("errors ui: %w", err)
	}
	if p.detail, err = template.New("issue").Funcs(funcs).ParseFS(templates, "templates/issue.html"); err != nil {
		return fmt.Errorf("errors ui: %w", err)
	}
	p.UI.AddPage(ui.Page{Path: "/ui/errors", Title: "Errors", Nav: true, Order: 30, Scope: config.ScopeRead, Handler: p.showList})
	p.UI.AddPage(ui.Page{Path: "/ui/errors/{id}", Title: "Issue", Scope: config.ScopeRead, Handler: p.showIssue, Post: p.post})
	p.UI.AddOverview("errors", 30, p.panel)
	return nil
}

type listData struct {
	Issues   []errtrack.Issue
	Status   string
	Query    string
	Statuses []string
}

func (p *Page) showList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status := q.Get("status")
	if status == "" {
		status = errtrack.StatusUnresolved
	}
	f := errtrack.IssueFilter{Query: q.Get("query"), Limit: 100}
	if status != "all" {
		f.Status = status
	}
	issues, err := p.Service.Store().ListIssues(r.Context(), f)
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read issues: "+err.Error())
		return
	}
	ids := make([]int64, len(issues))
	for i, is := range issues {
		ids[i] = is.ID
	}
	counts, err := p.Service.Store().HourlyCounts(r.Context(), ids, p.Now(), 24)
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not count events: "+err.Error())
		return
	}
	for i := range issues {
		issues[i].Sparkline = counts[issues[i].ID]
	}
	p.UI.Render(w, r, p.list, listData{Issues: issues, Status: status, Query: f.Query,
		Statuses: []string{errtrack.StatusUnresolved, errtrack.StatusResolved, errtrack.StatusIgnored, "all"}})
}

type issueData struct {
	Issue    errtrack.Issue
	Latest   *errtrack.Event
	Events   []errtrack.StoredEvent
	CanAdmin bool
}

func (p *Page) issueID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		p.UI.Error(w, r, http.StatusNotFound, "There is no issue "+r.PathValue("id")+".")
		return 0, false
	}
	return id, true
}

func (p *Page) showIssue(w http.ResponseWriter, r *http.Request) {
	id, ok := p.issueID(w, r)
	if !ok {
		return
	}
	is, err := p.Service.Store().GetIssue(r.Context(), id)
	if errors.Is(err, errtrack.ErrNotFound) {
		p.UI.Error(w, r, http.StatusNotFound, "There is no issue "+r.PathValue("id")+".")
		return
	}
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read the issue: "+err.Error())
		return
	}
	evs, err := p.Service.Store().IssueEvents(r.Context(), id, 50)
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read events: "+err.Error())
		return
	}
	d := issueData{Issue: is, Events: evs}
	pick := is.LastEventID
	if e := r.URL.Query().Get("event"); e != "" {
		pick = e
	}
	if se, err := p.Service.Store().GetEvent(r.Context(), id, pick); err == nil {
		d.Latest, _ = envelope.ParseEvent(se.Payload, se.Received)
	}
	pr, _ := auth.FromContext(r.Context())
	d.CanAdmin = pr.Has(config.ScopeAdmin)
	p.UI.Render(w, r, p.detail, d)
}

func (p *Page) post(w http.ResponseWriter, r *http.Request) {
	id, ok := p.issueID(w, r)
	if !ok {
		return
	}
	pr, _ := auth.FromContext(r.Context())
	if !pr.Has(config.ScopeAdmin) {
		p.UI.Error(w, r, http.StatusForbidden, "changing an issue's status needs the admin scope")
		return
	}
	ch := errtrack.StatusChange{}
	switch action := r.PostFormValue("action"); action {
	case "resolve":
		ch.Status = errtrack.StatusResolved
		ch.ResolvedInRelease = strings.TrimSpace(r.PostFormValue("release"))
	case "ignore":
		ch.Status = errtrack.StatusIgnored
	case "unresolve":
		ch.Status = errtrack.StatusUnresolved
	default:
		p.UI.Error(w, r, http.StatusBadRequest, "unknown action "+strconv.Quote(action))
		return
	}
	is, err := p.Service.SetStatus(r.Context(), id, ch)
	if err != nil {
		p.UI.Flash(w, r, "The status was not changed: "+err.Error())
	} else {
		msg := "Issue " + strconv.FormatInt(id, 10) + " is now " + is.Status
		if is.ResolvedInRelease != "" {
			msg += " in release " + is.ResolvedInRelease
		}
		p.UI.Flash(w, r, msg+".")
	}
	http.Redirect(w, r, "/ui/errors/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (p *Page) panel(ctx context.Context) (ui.Panel, error) {
	issues, err := p.Service.Store().ListIssues(ctx, errtrack.IssueFilter{Status: errtrack.StatusUnresolved, Limit: 1000})
	if err != nil {
		return ui.Panel{}, err
	}
	panel := ui.Panel{Title: "Errors", Link: "/ui/errors", Status: "ok", Summary: "No unresolved issues."}
	if len(issues) > 0 {
		panel.Status, panel.Summary = "warn", fmt.Sprintf("%d unresolved issue(s).", len(issues))
		for i, is := range issues {
			if i == 4 {
				break
			}
			panel.Rows = append(panel.Rows, [2]string{is.Title, fmt.Sprintf("%d events", is.Count)})
		}
	}
	return panel, nil
}

// sparkline draws counts as an inline SVG polyline, 96x20 pixels.
func sparkline(counts []int64) template.HTML {
	if len(counts) == 0 {
		return ""
	}
	var max int64 = 1
	for _, c := range counts {
		if c > max {
			max = c
		}
	}
	const w, h = 96.0, 20.0
	step := w / float64(max64(int64(len(counts)-1), 1))
	var pts strings.Builder
	for i, c := range counts {
		fmt.Fprintf(&pts, "%.1f,%.1f ", float64(i)*step, h-1-float64(c)/float64(max)*(h-2))
	}
	return template.HTML(fmt.Sprintf(`<svg class="sparkline" width="96" height="20" viewBox="0 0 96 20" role="img" aria-label="events per hour, last 24 hours"><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="%s"/></svg>`, strings.TrimSpace(pts.String())))
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
