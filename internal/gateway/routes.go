package gateway

import (
	"strings"

	"github.com/wardenhq/warden/internal/config"
)

// Route is the limits that apply to requests whose path starts with Prefix.
type Route struct {
	// Name is the prefix, or "default" for paths that match no route.
	Name    string
	Prefix  string
	MaxBody int64
	limiter *Limiter // nil: no rate limit
}

// Routes picks the first route whose prefix matches a path.
type Routes struct {
	routes []*Route
	dflt   *Route
}

// NewRoutes builds the route table from the configuration. Rate limiters
// use clk and keep at most maxClients buckets each.
func NewRoutes(cfg config.Gateway, opts LimiterOptions) *Routes {
	rs := &Routes{dflt: &Route{Name: "default", Prefix: "/", MaxBody: int64(cfg.MaxBody)}}
	for _, rc := range cfg.Routes {
		r := &Route{Name: rc.PathPrefix, Prefix: rc.PathPrefix, MaxBody: int64(rc.MaxBody)}
		if r.MaxBody == 0 {
			r.MaxBody = int64(cfg.MaxBody)
		}
		if rc.Rate != nil {
			r.limiter = NewLimiter(rc.Rate.PerSecond, rc.Rate.Burst, opts)
		}
		rs.routes = append(rs.routes, r)
	}
	return rs
}

// Match returns the first route whose prefix the path starts with, or the
// default route.
func (rs *Routes) Match(path string) *Route {
	for _, r := range rs.routes {
		if strings.HasPrefix(path, r.Prefix) {
			return r
		}
	}
	return rs.dflt
}

// MaxBody is the largest body any route lets through.
func (rs *Routes) MaxBody() int64 {
	m := rs.dflt.MaxBody
	for _, r := range rs.routes {
		m = max(m, r.MaxBody)
	}
	return m
}
