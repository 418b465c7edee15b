package ui

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// panelTimeout bounds one panel, so a slow store delays the overview by
// seconds rather than forever.
const panelTimeout = 5 * time.Second

// Panel is one part's summary on the overview page.
type Panel struct {
	// Title names the part ("Uptime").
	Title string
	// Status colours the panel: "ok", "warn", "fail", or "" for none.
	Status string
	// Summary is one sentence on the state of the part ("2 of 14 checks are down").
	Summary string
	// Link is the part's page, linked from the panel ("/ui/checks").
	Link string
	// Rows are label and value pairs shown under the summary.
	Rows [][2]string
}

type panelSource struct {
	name  string
	order int
	f     func(ctx context.Context) (Panel, error)
}

// AddOverview adds a panel to the overview. f is called on every view of the
// overview, with the others at the same time and under a timeout, so it
// should answer from data at hand; when it fails (or panics) its panel shows
// the error instead of taking the page down. Panels are sorted by order,
// then name, which is also the panel's title when f leaves it empty.
func (u *UI) AddOverview(name string, order int, f func(ctx context.Context) (Panel, error)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.panels = append(u.panels, panelSource{name: name, order: order, f: f})
	slices.SortStableFunc(u.panels, func(a, b panelSource) int {
		return cmp.Or(cmp.Compare(a.order, b.order), strings.Compare(a.name, b.name))
	})
}

// panelView is a panel as the overview template shows it.
type panelView struct {
	Panel
	Err string
}

type overviewData struct {
	Panels []panelView
	System panelView
}

func (u *UI) overview(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	sources := slices.Clone(u.panels)
	u.mu.Unlock()
	ctx, cancel := context.WithTimeout(r.Context(), panelTimeout)
	defer cancel()
	views := make([]panelView, len(sources))
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Go(func() { views[i] = u.runPanel(ctx, src) })
	}
	wg.Wait()
	u.Render(w, r, u.overviewTmpl, overviewData{Panels: views, System: panelView{Panel: u.systemPanel()}})
}

// runPanel calls one panel's func, turning an error or a panic into a panel
// that says so.
func (u *UI) runPanel(ctx context.Context, src panelSource) (v panelView) {
	defer func() {
		if rec := recover(); rec != nil {
			u.opts.Logger.ErrorContext(ctx, "ui: overview panel panicked", "panel", src.name, "panic", fmt.Sprint(rec))
			v = panelView{Panel: Panel{Title: src.name, Status: "fail"}, Err: "this panel crashed; the details are in Warden's log"}
		}
	}()
	p, err := src.f(ctx)
	if p.Title == "" {
		p.Title = src.name
	}
	if err != nil {
		u.opts.Logger.WarnContext(ctx, "ui: overview panel failed", "panel", src.name, "error", err)
		return panelView{Panel: Panel{Title: p.Title, Status: "fail", Link: p.Link}, Err: err.Error()}
	}
	return panelView{Panel: p}
}

// systemPanel describes Warden itself; with no part enabled it is the whole
// overview.
func (u *UI) systemPanel() Panel {
	now := u.now()
	version := cmp.Or(u.opts.Version, "dev")
	env := cmp.Or(u.opts.Environment, "not set")
	return Panel{
		Title:   "System",
		Status:  "ok",
		Summary: fmt.Sprintf("%s is running.", u.opts.Title),
		Rows: [][2]string{
			{"Version", version},
			{"Environment", env},
			{"Up for", formatDuration(now.Sub(u.started))},
			{"Started", formatTime(u.started)},
		},
	}
}
