package statuspage

import (
	"context"
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
	show := r.URL.Query().Get("show")
	switch show {
	case "", "uptime", "status", "response":
	default:
		httpapi.WriteError(w, r, http.StatusBadRequest, "show", "show must be uptime, status or response")
		return
	}
	p.serveCached(w, r, "badge "+c.Name+" "+show+" "+window, func() (int, string, []byte, error) {
		label, value, colour, err := p.badgeText(r.Context(), c, show, window)
		if err != nil {
			return 0, "", nil, err
		}
		return http.StatusOK, "image/svg+xml", []byte(svg(label, value, colour)), nil
	})
}

func (p *Page) badgeText(ctx context.Context, c *uptime.Check, show, window string) (label, value, colour string, err error) {
	now := p.Monitor.Now()
	switch show {
	case "", "uptime":
		f, err := p.Monitor.Figures(ctx, c.Name, now)
		if err != nil {
			return "", "", "", err
		}
		var u *float64
		for _, x := range f.Uptime {
			if x.Window == window {
				u = x.Percent
			}
		}
		return "uptime " + window, pct(u), uptimeColour(u), nil
	case "status":
		st, err := p.Monitor.Store().State(ctx, c.Name)
		if err != nil {
			return "", "", "", err
		}
		state := st.StateName(c, now)
		colour = map[string]string{uptime.StateUp: "#4c1", uptime.StateDown: "#e05d44", uptime.StateMaintenance: "#007ec6"}[state]
		if colour == "" {
			colour = "#9f9f9f"
		}
		return c.Name, strings.ToLower(stateWord(state)), colour, nil
	default: // response
		f, err := p.Monitor.Figures(ctx, c.Name, now)
		if err != nil {
			return "", "", "", err
		}
		if f.P95 == 0 {
			return "p95 24h", "—", "#9f9f9f", nil
		}
		return "p95 24h", fmt.Sprintf("%.0f ms", f.P95), "#007ec6", nil
	}
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
