package statuspage

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/httpapi"
	"github.com/wardenhq/warden/internal/uptime"
)

// badge serves /status/badge/<check>.svg. ?show=uptime (default), status or
// response; ?window=24h, 7d, 30d (default) or 90d.
func (p *Page) badge(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	name, ok := strings.CutSuffix(file, ".svg")
	c, found := p.Monitor.Check(name)
	if !ok || !found || !c.Public {
		httpapi.WriteError(w, r, http.StatusNotFound, "check", "no public check named %q (badges are at /status/badge/<check>.svg)", name)
		return
	}
	window := r.URL.Query().Get("window")
	if window == "" {
		window = "30d"
	}
	valid := false
	for _, wd := range uptime.Windows {
		valid = valid || wd.Name == window
	}
	if !valid {
		httpapi.WriteError(w, r, http.StatusBadRequest, "window", "window must be 24h, 7d, 30d or 90d")
		return
	}
	now := p.Monitor.Now()
	var label, value, colour string
	switch show := r.URL.Query().Get("show"); show {
	case "", "uptime":
		f, err := p.Monitor.Figures(r.Context(), c.Name, now)
		if err != nil {
			httpapi.WriteErr(w, r, err)
			return
		}
		var u *float64
		for _, x := range f.Uptime {
			if x.Window == window {
				u = x.Percent
			}
		}
		label, value, colour = "uptime "+window, pct(u), uptimeColour(u)
	case "status":
		st, err := p.Monitor.Store().State(r.Context(), c.Name)
		if err != nil {
			httpapi.WriteErr(w, r, err)
			return
		}
		state := st.StateName(c, now)
		label, value = c.Name, strings.ToLower(stateWord(state))
		colour = map[string]string{uptime.StateUp: "#4c1", uptime.StateDown: "#e05d44", uptime.StateMaintenance: "#007ec6"}[state]
		if colour == "" {
			colour = "#9f9f9f"
		}
	case "response":
		f, err := p.Monitor.Figures(r.Context(), c.Name, now)
		if err != nil {
			httpapi.WriteErr(w, r, err)
			return
		}
		label, value, colour = "p95 24h", fmt.Sprintf("%.0f ms", f.P95), "#007ec6"
		if f.P95 == 0 {
			value, colour = "—", "#9f9f9f"
		}
	default:
		httpapi.WriteError(w, r, http.StatusBadRequest, "show", "show must be uptime, status or response")
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	fmt.Fprint(w, svg(label, value, colour))
}

func uptimeColour(p *float64) string {
	switch {
	case p == nil:
		return "#9f9f9f"
	case *p >= 99.9:
		return "#4c1"
	case *p >= 99:
		return "#dfb317"
	}
	return "#e05d44"
}

// svg draws a flat two-part badge in the shields.io style; widths are
// estimated at 7 px a character.
func svg(label, value, colour string) string {
	lw, vw := 10+7*utf8.RuneCountInString(label), 10+7*utf8.RuneCountInString(value)
	l, v := html.EscapeString(label), html.EscapeString(value)
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s: %s">`+
		`<title>%s: %s</title><rect width="%d" height="20" fill="#555"/><rect x="%d" width="%d" height="20" fill="%s"/>`+
		`<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">`+
		`<text x="%d" y="14">%s</text><text x="%d" y="14">%s</text></g></svg>`,
		lw+vw, l, v, l, v, lw, lw, vw, colour, lw/2, l, lw+vw/2, v)
}
