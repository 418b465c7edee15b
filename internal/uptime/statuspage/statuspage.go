// Package statuspage serves the public status page at /status and SVG
// badges at /status/badge/<check>.svg: no token, read-only, server-rendered,
// public checks only. It shows states and figures, never probe errors or
// URLs, which may describe the inside of the system.
package statuspage

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/uptime"
)

//go:embed templates/*.html
var templates embed.FS

// Page is the public status page.
type Page struct {
	Monitor *uptime.Monitor
	Title   string
	// CacheFor is how long a rendered page or badge is served before it is
	// built again (default 10s). Anyone may call these URLs, so a burst of
	// requests must not turn into a burst of database queries.
	CacheFor time.Duration
	tmpl     *template.Template

	mu    sync.Mutex // held while building, so concurrent misses build once
	cache map[string]cached
}

type cached struct {
	at     time.Time
	status int
	ctype  string
	body   []byte
}

// serveCached answers from the cache, or builds with build and keeps the
// result. Only successful answers are kept.
func (p *Page) serveCached(w http.ResponseWriter, r *http.Request, key string, build func() (int, string, []byte, error)) {
	p.mu.Lock()
	now := p.Monitor.Now()
	c, ok := p.cache[key]
	if !ok || now.Sub(c.at) >= p.CacheFor || now.Before(c.at) {
		status, ctype, body, err := build()
		if err != nil {
			p.mu.Unlock()
			httpapi.WriteErr(w, r, err)
			return
		}
		c = cached{at: now, status: status, ctype: ctype, body: body}
		if status == http.StatusOK {
			p.cache[key] = c
		}
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", c.ctype)
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(p.CacheFor.Seconds())))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(c.status)
	w.Write(c.body)
}

// Register adds /status and the badges to s, without authentication.
func (p *Page) Register(s *httpapi.Server) error {
	t, err := template.New("status.html").Funcs(template.FuncMap{
		"pct":   pct,
		"stamp": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"span":  span,
		"barX":  func(i int) int { return i * 4 },
		"date":  func(t time.Time) string { return t.Format("Jan 2, 2006") },
	}).ParseFS(templates, "templates/status.html")
	if err != nil {
		return fmt.Errorf("status page: %w", err)
	}
	p.tmpl = t
	if p.CacheFor <= 0 {
		p.CacheFor = 10 * time.Second
	}
	p.cache = map[string]cached{}
	s.HandlePublic("GET /status", http.HandlerFunc(p.page))
	s.HandlePublic("GET /status/badge/{file}", http.HandlerFunc(p.badge))
	return nil
}

// View is what the page shows.
type View struct {
	Title       string
	Now         time.Time
	Overall     string // up, down, maintenance
	Groups      []Group
	Open        []IncidentView
	Recent      []IncidentView
	Maintenance []MaintenanceView
}

// Group is a heading of checks.
type Group struct {
	Name   string
	Checks []CheckView
}

// CheckView is one public check.
type CheckView struct {
	Name   string
	State  string
	Uptime []uptime.Uptime
	Days   []uptime.DayBar
}

// IncidentView is an incident without its cause.
type IncidentView struct {
	Check       string
	DetectedAt  time.Time
	RecoveredAt time.Time
	Duration    time.Duration
}

// MaintenanceView is a current or coming maintenance window.
type MaintenanceView struct {
	Check  string
	Window uptime.Window
	Active bool
}

// Build gathers the view as of now.
func (p *Page) Build(ctx context.Context) (View, error) {
	m := p.Monitor
	now := m.Now()
	v := View{Title: p.Title, Now: now, Overall: uptime.StateUp}
	public := map[string]bool{}
	groups := map[string]*Group{}
	var order []string
	for _, c := range m.Checks() {
		if !c.Public {
			continue
		}
		public[c.Name] = true
		st, err := m.Store().State(ctx, c.Name)
		if err != nil {
			return v, err
		}
		f, err := m.Figures(ctx, c.Name, now)
		if err != nil {
			return v, err
		}
		days, err := m.Days(ctx, c.Name, 90, now)
		if err != nil {
			return v, err
		}
		cv := CheckView{Name: c.Name, State: st.StateName(c, now), Uptime: f.Uptime, Days: days}
		switch {
		case cv.State == uptime.StateDown:
			v.Overall = uptime.StateDown
		case cv.State == uptime.StateMaintenance && v.Overall == uptime.StateUp:
			v.Overall = uptime.StateMaintenance
		}
		name := c.Group
		if name == "" {
			name = "Services"
		}
		g, ok := groups[name]
		if !ok {
			g = &Group{Name: name}
			groups[name] = g
			order = append(order, name)
		}
		g.Checks = append(g.Checks, cv)
		for _, w := range c.Maintenance {
			if w.EndsAt.After(now) && w.StartsAt.Before(now.Add(14*24*time.Hour)) {
				v.Maintenance = append(v.Maintenance, MaintenanceView{Check: c.Name, Window: w, Active: !now.Before(w.StartsAt)})
			}
		}
	}
	for _, name := range order {
		v.Groups = append(v.Groups, *groups[name])
	}
	incs, err := m.Store().Incidents(ctx, uptime.IncidentFilter{Since: now.Add(-14 * 24 * time.Hour), Limit: 200})
	if err != nil {
		return v, err
	}
	for _, inc := range incs {
		if !public[inc.Check] {
			continue
		}
		iv := IncidentView{Check: inc.Check, DetectedAt: inc.DetectedAt, RecoveredAt: inc.RecoveredAt}
		if inc.Open() {
			iv.Duration = now.Sub(inc.FirstFailAt)
			v.Open = append(v.Open, iv)
		} else {
			iv.Duration = inc.RecoveredAt.Sub(inc.FirstFailAt)
			if len(v.Recent) < 20 {
				v.Recent = append(v.Recent, iv)
			}
		}
	}
	return v, nil
}

func (p *Page) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'")
	p.serveCached(w, r, "page", func() (int, string, []byte, error) {
		v, err := p.Build(r.Context())
		if err != nil {
			return 0, "", nil, err
		}
		var buf bytes.Buffer
		if err := p.tmpl.Execute(&buf, v); err != nil {
			return 0, "", nil, err
		}
		return http.StatusOK, "text/html; charset=utf-8", buf.Bytes(), nil
	})
}

func pct(p *float64) string {
	if p == nil {
		return "—"
	}
	if *p == 100 {
		return "100%"
	}
	return fmt.Sprintf("%.2f%%", *p)
}

func span(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return d.String()
	case d < time.Hour:
		return fmt.Sprintf("%dm %ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// barClass colours a day: no data, maintenance only, and bands of uptime.
func barClass(b uptime.DayBar) string {
	switch {
	case b.Percent == nil && b.Maintenance > 0:
		return "maint"
	case b.Percent == nil:
		return "none"
	case *b.Percent >= 99.9:
		return "up"
	case *b.Percent >= 99:
		return "minor"
	}
	return "down"
}

// BarTitle is a day's tooltip.
func (c CheckView) BarTitle(b uptime.DayBar) string {
	s := b.Date.Format("Jan 2") + ": "
	if b.Percent == nil {
		if b.Maintenance > 0 {
			return s + "maintenance"
		}
		return s + "no data"
	}
	s += pct(b.Percent) + " up"
	if b.Failed > 0 {
		s += fmt.Sprintf(", %d failed probes", b.Failed)
	}
	if b.Maintenance > 0 {
		s += ", maintenance"
	}
	return s
}

// BarClass is a day's colour class.
func (c CheckView) BarClass(b uptime.DayBar) string { return barClass(b) }

// UptimeOf returns the uptime of window name ("90d").
func (c CheckView) UptimeOf(name string) *float64 {
	for _, u := range c.Uptime {
		if u.Window == name {
			return u.Percent
		}
	}
	return nil
}

func stateWord(s string) string {
	switch s {
	case uptime.StateUp:
		return "Operational"
	case uptime.StateDown:
		return "Down"
	case uptime.StateMaintenance:
		return "Maintenance"
	}
	return "No data yet"
}

// StateWord is the state for people.
func (c CheckView) StateWord() string { return stateWord(c.State) }

// OverallWord sums up the page.
func (v View) OverallWord() string {
	switch v.Overall {
	case uptime.StateDown:
		return "Some systems are down"
	case uptime.StateMaintenance:
		return "Maintenance in progress"
	}
	return "All systems operational"
}
