package alert

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/config"
)

// Route sends alerts whose labels match to channels, grouped by GroupBy.
type Route struct {
	// ID names the route in group keys: its index in alerts.routes, or
	// "default" for alerts that match no route.
	ID       string
	Match    map[string]string
	MatchRE  map[string]*regexp.Regexp
	Channels []string
	// GroupBy lists the labels that split alerts into groups; GroupByAll
	// (group_by: ["..."]) makes every alert its own group.
	GroupBy        []string
	GroupByAll     bool
	GroupWait      time.Duration
	GroupInterval  time.Duration
	RepeatInterval time.Duration
	Continue       bool
}

// RoutesFromConfig builds the routes in order, filling unset timings from
// the defaults, with the default route last.
func RoutesFromConfig(cfg config.Alerts) ([]*Route, error) {
	var out []*Route
	for i, rc := range cfg.Routes {
		r, err := newRoute(fmt.Sprint(i), rc, cfg.Defaults)
		if err != nil {
			return nil, fmt.Errorf("alerts.routes[%d]: %w", i, err)
		}
		out = append(out, r)
	}
	def, err := newRoute("default", cfg.Defaults, cfg.Defaults)
	if err != nil {
		return nil, fmt.Errorf("alerts.defaults: %w", err)
	}
	return append(out, def), nil
}

func newRoute(id string, rc, def config.AlertRoute) (*Route, error) {
	r := &Route{
		ID: id, Match: rc.Match, MatchRE: map[string]*regexp.Regexp{}, Channels: rc.Channels, Continue: rc.Continue,
		GroupWait: rc.GroupWait.Std(), GroupInterval: rc.GroupInterval.Std(), RepeatInterval: rc.RepeatInterval.Std(),
	}
	for name, expr := range rc.MatchRE {
		re, err := regexp.Compile("^(?:" + expr + ")$")
		if err != nil {
			return nil, fmt.Errorf("match_re.%s: %w", name, err)
		}
		r.MatchRE[name] = re
	}
	groupBy := rc.GroupBy
	if groupBy == nil {
		groupBy = def.GroupBy
	}
	for _, l := range groupBy {
		if l == "..." {
			r.GroupByAll = true
		}
	}
	r.GroupBy = append([]string(nil), groupBy...)
	sort.Strings(r.GroupBy)
	if len(r.Channels) == 0 {
		r.Channels = def.Channels
	}
	if r.GroupWait == 0 {
		r.GroupWait = def.GroupWait.Std()
	}
	if r.GroupInterval == 0 {
		r.GroupInterval = def.GroupInterval.Std()
	}
	if r.RepeatInterval == 0 {
		r.RepeatInterval = def.RepeatInterval.Std()
	}
	// A group_interval of zero would flush in a busy loop.
	if r.GroupInterval <= 0 {
		r.GroupInterval = time.Second
	}
	return r, nil
}

// Matches reports whether every Match and MatchRE label matches.
func (r *Route) Matches(l Labels) bool {
	for k, v := range r.Match {
		if l[k] != v {
			return false
		}
	}
	for k, re := range r.MatchRE {
		if !re.MatchString(l[k]) {
			return false
		}
	}
	return true
}

// groupLabels picks the labels the alert is grouped by on this route.
func (r *Route) groupLabels(l Labels) Labels {
	if r.GroupByAll {
		return l.Clone()
	}
	out := Labels{}
	for _, k := range r.GroupBy {
		if v, ok := l[k]; ok {
			out[k] = v
		}
	}
	return out
}

// groupKey names an aggregation group: the route and its group labels.
func (r *Route) groupKey(groupLabels Labels) string {
	return "route=" + r.ID + ":" + groupLabels.String()
}

// matchRoutes returns the routes an alert goes to: the first that matches,
// and those after it while Continue is set; the default route when none do.
func matchRoutes(routes []*Route, l Labels) []*Route {
	var out []*Route
	for _, r := range routes[:len(routes)-1] {
		if !r.Matches(l) {
			continue
		}
		out = append(out, r)
		if !r.Continue {
			return out
		}
	}
	if len(out) == 0 {
		out = append(out, routes[len(routes)-1])
	}
	return out
}

// describe is a short human form of a route, for logs and the UI.
func (r *Route) describe() string {
	var parts []string
	for k, v := range r.Match {
		parts = append(parts, k+"="+v)
	}
	for k, re := range r.MatchRE {
		parts = append(parts, k+"=~"+strings.TrimSuffix(strings.TrimPrefix(re.String(), "^(?:"), ")$"))
	}
	sort.Strings(parts)
	return fmt.Sprintf("route %s {%s} -> %s", r.ID, strings.Join(parts, ", "), strings.Join(r.Channels, ", "))
}
