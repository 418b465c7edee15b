package config

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/logs/logql"
)

// Logs configures the log store, its retention and alarms.
type Logs struct {
	// Backend is "embedded" (the store in data_dir/logs) or
	// "victorialogs" (a VictoriaLogs cluster, past one machine).
	Backend      string       `yaml:"backend"`
	VictoriaLogs VictoriaLogs `yaml:"victorialogs"`
	// Retention keeps each environment's lines this long; "default" covers
	// the environments not named. 0 keeps forever. Whole days are deleted.
	Retention map[string]Duration `yaml:"retention"`
	// FlushInterval is how often buffered lines become files on disk (they
	// are durable in the write-ahead log before that).
	FlushInterval Duration `yaml:"flush_interval"`
	// MaxBuffer caps lines held in memory; past it ingest answers 429.
	MaxBuffer Size `yaml:"max_buffer"`
	// MaxBody caps one ingest request, compressed or not.
	MaxBody Size `yaml:"max_body"`
	// Alarms raise alerts on query results.
	Alarms []LogAlarm `yaml:"alarms"`
	// Tokens give the lines sent with a token (by its name in tokens[]) an
	// environment and a service, so a shipper need not name them:
	// { app: { env: production, service: api } }. Query parameters win.
	Tokens map[string]LogSource `yaml:"tokens"`
	// SavedQueries are offered on the logs page; {request_id} and
	// {user_id} are filled in from the page's form.
	SavedQueries []SavedQuery `yaml:"saved_queries"`
}

// VictoriaLogs locates a VictoriaLogs cluster: vlinsert and vlselect, or
// one single-node URL for both.
type VictoriaLogs struct {
	URL       string `yaml:"url"`
	InsertURL string `yaml:"insert_url"`
	SelectURL string `yaml:"select_url"`
}

// LogSource is where lines come from.
type LogSource struct {
	Env     string `yaml:"env"`
	Service string `yaml:"service"`
}

// SavedQuery is a named query on the logs page.
type SavedQuery struct {
	Name  string `yaml:"name"`
	Query string `yaml:"query"`
}

// LogAlarm is a query run every Every over the last Window; when a result
// row meets Condition, an alert fires (one per row, labelled with the
// row's group fields), and it resolves when no row does.
type LogAlarm struct {
	Name  string `yaml:"name"`
	Query string `yaml:"query"`
	// Window is how far back each evaluation looks (default 5m).
	Window Duration `yaml:"window"`
	// Condition tests each result row: "n > 10", "< 1" (the row's last
	// number), "p95 > 500 and n >= 20".
	Condition string `yaml:"condition"`
	// Every is the evaluation interval (default 30s).
	Every    Duration `yaml:"every"`
	Severity string   `yaml:"severity"` // default warning
	Runbook  string   `yaml:"runbook"`
	// Env limits the alarm to one environment (default: all).
	Env string `yaml:"env"`
}

// RetentionFor returns how long env's lines are kept.
func (l *Logs) RetentionFor(env string) time.Duration {
	if d, ok := l.Retention[env]; ok {
		return d.Std()
	}
	return l.Retention["default"].Std()
}

func defaultLogs() Logs {
	return Logs{
		Backend: "embedded",
		Retention: map[string]Duration{
			"production": Duration(30 * 24 * time.Hour),
			"staging":    Duration(7 * 24 * time.Hour),
			"default":    Duration(14 * 24 * time.Hour),
		},
		FlushInterval: Duration(5 * time.Second),
		MaxBuffer:     256 << 20,
		MaxBody:       32 << 20,
		SavedQueries: []SavedQuery{
			{Name: "All errors in the last hour", Query: "_time:1h level:=error"},
			{Name: "One user's activity", Query: `user_id:="{user_id}" | sort by (_time)`},
			{Name: "One request's trace", Query: `request_id:="{request_id}" | sort by (_time)`},
			{Name: "Endpoint performance", Query: "duration_ms:* | stats by (method, path) count() n, avg(duration_ms) avg_ms, quantile(0.95, duration_ms) p95_ms, quantile(0.99, duration_ms) p99_ms | sort by (p95_ms desc)"},
			{Name: "Slow requests (over 1 s)", Query: "duration_ms:>1000 | sort by (duration_ms desc) | limit 100"},
			{Name: "Authentication events", Query: `path:="/api/auth/"* or auth or login or logout`},
			{Name: "Payment failures", Query: `payment (failed or declined or error) or (path:="/api/payments"* status:>=400)`},
		},
		Alarms: []LogAlarm{
			{Name: "error-rate", Query: "level:=error | stats count() n", Window: Duration(time.Minute), Every: Duration(30 * time.Second), Condition: "n > 10", Severity: "critical", Runbook: "app-errors"},
			{Name: "no-logs", Query: "* | stats count() n", Window: Duration(5 * time.Minute), Every: Duration(30 * time.Second), Condition: "n < 1", Severity: "critical", Runbook: "no-logs"},
			{Name: "database-errors", Query: `level:=error (database or db or postgres or sqlite or sql or "connection refused") | stats count() n`,
				Window: Duration(5 * time.Minute), Every: Duration(30 * time.Second), Condition: "n > 5", Severity: "critical", Runbook: "database"},
		},
	}
}

var logEnvName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$`)

func (l *Logs) validate(v *validator) {
	envs := make([]string, 0, len(l.Retention))
	for env := range l.Retention {
		envs = append(envs, env)
	}
	sort.Strings(envs)
	for _, env := range envs {
		if l.Retention[env] < 0 {
			v.errorf("logs.retention."+env, "must not be negative (0 keeps forever)")
		} else if d := l.Retention[env]; d > 0 && d < Duration(24*time.Hour) {
			v.errorf("logs.retention."+env, "must be at least 1d: whole days are deleted")
		}
	}
	switch l.Backend {
	case "embedded":
	case "victorialogs":
		vl := &l.VictoriaLogs
		if vl.InsertURL == "" {
			vl.InsertURL = vl.URL
		}
		if vl.SelectURL == "" {
			vl.SelectURL = vl.URL
		}
		for _, u := range []struct{ path, v string }{{"insert_url", vl.InsertURL}, {"select_url", vl.SelectURL}} {
			if !strings.HasPrefix(u.v, "http://") && !strings.HasPrefix(u.v, "https://") {
				v.errorf("logs.victorialogs."+u.path, "must be an http:// or https:// URL (or set logs.victorialogs.url for both)")
			}
		}
	default:
		v.errorf("logs.backend", "%q is not embedded or victorialogs", l.Backend)
	}
	if l.FlushInterval < Duration(100*time.Millisecond) {
		v.errorf("logs.flush_interval", "must be at least 100ms")
	}
	if l.MaxBuffer < 1<<20 {
		v.errorf("logs.max_buffer", "must be at least 1MiB")
	}
	if l.MaxBody < 1<<10 {
		v.errorf("logs.max_body", "must be at least 1KiB")
	}
	for i, q := range l.SavedQueries {
		p := index("logs.saved_queries", i)
		if q.Name == "" {
			v.errorf(p+".name", "must not be empty")
		}
		filled := strings.NewReplacer("{request_id}", "x", "{user_id}", "x").Replace(q.Query)
		if _, err := logql.Parse(filled); err != nil {
			v.errorf(p+".query", "%v", err)
		}
	}
	for name, src := range l.Tokens {
		if src.Env != "" && !logEnvName.MatchString(src.Env) {
			v.errorf("logs.tokens."+name+".env", "%q must be letters, digits, '_', '.' or '-'", src.Env)
		}
	}
	names := map[string]bool{}
	for i := range l.Alarms {
		a := &l.Alarms[i]
		p := index("logs.alarms", i)
		if a.Name == "" {
			v.errorf(p+".name", "must not be empty")
		} else if names[a.Name] {
			v.errorf(p+".name", "%q is used by another alarm", a.Name)
		}
		names[a.Name] = true
		if _, err := logql.Parse(a.Query); err != nil {
			v.errorf(p+".query", "%v", err)
		}
		if _, err := logql.ParseCondition(a.Condition); err != nil {
			v.errorf(p+".condition", "%q: %v", a.Condition, err)
		}
		if a.Window == 0 {
			a.Window = Duration(5 * time.Minute)
		}
		if a.Every == 0 {
			a.Every = Duration(30 * time.Second)
		}
		if a.Window < 0 || a.Every < Duration(time.Second) {
			v.errorf(p, "window must be positive and every at least 1s")
		}
		switch a.Severity {
		case "":
			a.Severity = "warning"
		case "critical", "warning", "info":
		default:
			v.errorf(p+".severity", "%q is not critical, warning or info", a.Severity)
		}
	}
}
