package config

import (
	"net/url"
	pathpkg "path"
	"regexp"
	"time"
)

// ErrorTracking configures Sentry-compatible error tracking: the projects whose
// SDKs send events (each with its DSN key), the decoded size cap, event
// retention and alerting on spikes.
type ErrorTracking struct {
	Projects []ErrorProject `yaml:"projects"`
	// MaxBody caps an envelope or store body after content decoding, so a
	// small gzip or brotli bomb is refused rather than inflated.
	MaxBody Size `yaml:"max_body"`
	// Retention deletes events older than this; issues and counts stay.
	Retention Duration `yaml:"retention"`
}

// ErrorProject is one Sentry project: the SDK's DSN is
// <scheme>://<key>@<warden host>/<id>.
type ErrorProject struct {
	ID   int    `yaml:"id"`
	Name string `yaml:"name"`
	// Key is the DSN's public key (32 hex digits from a real Sentry DSN, or
	// any 16+ character token).
	Key Secret `yaml:"key"`
	// Rate caps accepted events per second; above it ingest answers 429 with
	// Retry-After. 0 turns the cap off.
	Rate ErrorRate `yaml:"rate"`
	// Spike raises an alert when more than Events events arrive within
	// Window (per issue, or for the whole project with per: project).
	Spike *ErrorSpike `yaml:"spike"`
	// Forward also sends each accepted event, scrubbed, to this upstream
	// Sentry DSN, from a bounded queue that never slows ingest.
	Forward Secret `yaml:"forward"`
}

// ErrorRate is a token bucket: PerSecond events per second on average,
// bursts of up to Burst.
type ErrorRate struct {
	PerSecond float64 `yaml:"per_second"`
	Burst     int     `yaml:"burst"`
}

// ErrorSpike is the spike alert's threshold and filter.
type ErrorSpike struct {
	Events      int      `yaml:"events"`
	Window      Duration `yaml:"window"`
	Per         string   `yaml:"per"` // issue (default) or project
	Environment string   `yaml:"environment"`
	Level       string   `yaml:"level"` // minimum level: debug, info, warning, error, fatal
}

func defaultErrors() ErrorTracking {
	return ErrorTracking{MaxBody: 5 << 20, Retention: Duration(30 * 24 * time.Hour)}
}

var errorKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,128}$`)

func (e *ErrorTracking) validate(v *validator) {
	if e.MaxBody <= 0 {
		v.errorf("errors.max_body", "must be more than 0")
	}
	if e.Retention <= 0 {
		v.errorf("errors.retention", "must be more than 0 (e.g. 30d)")
	}
	ids, names, keys := map[int]bool{}, map[string]bool{}, map[string]bool{}
	for i := range e.Projects {
		p := &e.Projects[i]
		path := index("errors.projects", i)
		if p.ID <= 0 {
			v.errorf(path+".id", "must be a positive number (the last part of the DSN)")
		} else if ids[p.ID] {
			v.errorf(path+".id", "%d is used by another project", p.ID)
		}
		ids[p.ID] = true
		if p.Name == "" {
			v.errorf(path+".name", "must not be empty")
		} else if names[p.Name] {
			v.errorf(path+".name", "%q is used by another project", p.Name)
		}
		names[p.Name] = true
		if !errorKeyPattern.MatchString(p.Key.Value()) {
			v.errorf(path+".key", "must be 16 to 128 letters, digits, - or _ (generate one with: openssl rand -hex 16)")
		} else if keys[p.Key.Value()] {
			v.errorf(path+".key", "is used by another project")
		}
		keys[p.Key.Value()] = true
		if p.Rate.PerSecond < 0 {
			v.errorf(path+".rate.per_second", "must not be negative (0 turns the cap off)")
		}
		if p.Rate.Burst < 0 {
			v.errorf(path+".rate.burst", "must not be negative")
		}
		if f := p.Forward.Value(); f != "" {
			if u, err := url.Parse(f); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User == nil || u.User.Username() == "" || pathpkg.Base(u.Path) == "" || u.Path == "/" {
				v.errorf(path+".forward", "must be a Sentry DSN like https://<key>@o1.ingest.sentry.io/<project>")
			}
		}
		if s := p.Spike; s != nil {
			if s.Events < 1 {
				v.errorf(path+".spike.events", "must be at least 1")
			}
			if s.Window <= 0 {
				v.errorf(path+".spike.window", "must be more than 0 (e.g. 5m)")
			}
			switch s.Per {
			case "":
				s.Per = "issue"
			case "issue", "project":
			default:
				v.errorf(path+".spike.per", "%q must be issue or project", s.Per)
			}
			switch s.Level {
			case "", "debug", "info", "warning", "error", "fatal":
			default:
				v.errorf(path+".spike.level", "%q is not a level (debug, info, warning, error, fatal)", s.Level)
			}
		}
	}
}
