// Package config reads warden.yaml: one file with ${ENV} expansion whose
// every error names the file, the line and the field path. Each section
// validates itself and sets its own defaults, next to its fields.
package config

import (
	"net"
	"strings"
	"time"
)

// DefaultFile is the configuration file read when --config is not given.
const DefaultFile = "warden.yaml"

// Config is the whole of warden.yaml.
type Config struct {
	DataDir     string   `yaml:"data_dir"`
	Environment string   `yaml:"environment"`
	Listen      string   `yaml:"listen"`
	PublicURL   string   `yaml:"public_url"`
	Log         Log      `yaml:"log"`
	Server      Server   `yaml:"server"`
	Database    Database `yaml:"database"`
	Tokens      []Token  `yaml:"tokens"`
	UI          UI       `yaml:"ui"`
	Alerts      Alerts   `yaml:"alerts"`
	Gateway     Gateway  `yaml:"gateway"`
	Logs        Logs     `yaml:"logs"`

	Errors   ErrorTracking `yaml:"errors"`
	Audit    Audit         `yaml:"audit"`
	Checks   []Check       `yaml:"checks"`
	Uptime   Uptime        `yaml:"uptime"`
	Backups  []Backup      `yaml:"backups"`
	Runbooks Runbooks      `yaml:"runbooks"`
}

// Log sets Warden's own logging (JSON lines on stderr).
type Log struct {
	Level string `yaml:"level"` // debug, info, warn, error
}

// Server tunes the API listener.
type Server struct {
	// ShutdownGrace is how long in-flight requests may take to finish after
	// SIGTERM before they are cut off.
	ShutdownGrace Duration `yaml:"shutdown_grace"`
	// MaxBody caps request bodies on endpoints that do not set their own cap.
	MaxBody Size `yaml:"max_body"`
	// ReadHeaderTimeout bounds slow-loris clients.
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
}

// Database selects where relational state lives.
type Database struct {
	// URL is empty for SQLite in data_dir, or a postgres:// URL.
	URL Secret `yaml:"url"`
}

// Token is an API token with the scopes it grants.
type Token struct {
	Name   string   `yaml:"name"`
	Token  Secret   `yaml:"token"`
	Scopes []string `yaml:"scopes"`
}

// Scopes a token can carry.
const (
	ScopeIngest = "ingest"
	ScopeRead   = "read"
	ScopeAdmin  = "admin"
	ScopeAudit  = "audit"
)

// KnownScopes lists every scope, in the order the docs present them.
var KnownScopes = []string{ScopeIngest, ScopeRead, ScopeAdmin, ScopeAudit}

// UI configures the web UI's sign-in.
type UI struct {
	// Users sign in with a name and password; the password is stored as a
	// bcrypt hash (warden config hash-password prints one).
	Users []User `yaml:"users"`
	// SessionTTL is how long a sign-in lasts.
	SessionTTL Duration `yaml:"session_ttl"`
}

// User is a web UI user.
type User struct {
	Name         string   `yaml:"name"`
	PasswordHash Secret   `yaml:"password_hash"`
	Scopes       []string `yaml:"scopes"`
}

// Default returns the configuration used when there is no file: SQLite in
// ./warden-data and the API on loopback.
func Default() *Config {
	return &Config{
		DataDir:     "./warden-data",
		Environment: "production",
		Listen:      "127.0.0.1:9090",
		Log:         Log{Level: "info"},
		Server: Server{
			ShutdownGrace:     Duration(10 * time.Second),
			MaxBody:           1 << 20,
			ReadHeaderTimeout: Duration(10 * time.Second),
		},
		UI:     UI{SessionTTL: Duration(12 * time.Hour)},
		Alerts: defaultAlerts(),

		Gateway: defaultGateway(), // on only when gateway.upstream is set
		Logs:    defaultLogs(),
		Errors:  defaultErrors(),
		Audit:   defaultAudit(),
		Uptime:  defaultUptime(),
	}
}

func (c *Config) validate(v *validator) {
	if c.DataDir == "" {
		v.errorf("data_dir", "must not be empty")
	}
	if c.Environment == "" {
		v.errorf("environment", "must not be empty")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		v.errorf("listen", "%q is not host:port", c.Listen)
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		v.errorf("public_url", "%q must start with http:// or https://", c.PublicURL)
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "warning", "error":
	default:
		v.errorf("log.level", "%q is not a level (use debug, info, warn or error)", c.Log.Level)
	}
	c.Server.validate(v)
	c.Database.validate(v)
	names := map[string]bool{}
	for i := range c.Tokens {
		c.Tokens[i].validate(v, index("tokens", i), names)
	}
	c.UI.validate(v)
	c.Alerts.validate(v)
	c.Gateway.validate(v)
	c.Logs.validate(v)
	c.Errors.validate(v)
	c.Audit.validate(v)
	c.Uptime.validate(v, c.Checks)
	validateBackups(v, c.Backups)
	c.Runbooks.validate(v)
}

func (s *Server) validate(v *validator) {
	if s.ShutdownGrace < 0 {
		v.errorf("server.shutdown_grace", "must not be negative")
	}
	if s.MaxBody <= 0 {
		v.errorf("server.max_body", "must be more than 0")
	}
}

func (d *Database) validate(v *validator) {
	u := d.URL.Value()
	if u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		v.errorf("database.url", "must be empty (SQLite in data_dir) or a postgres:// URL")
	}
}

func (t *Token) validate(v *validator, path string, names map[string]bool) {
	if t.Name == "" {
		v.errorf(path+".name", "must not be empty")
	} else if names[t.Name] {
		v.errorf(path+".name", "%q is used by another token", t.Name)
	}
	names[t.Name] = true
	if len(t.Token.Value()) < 16 {
		v.errorf(path+".token", "must be at least 16 characters (generate one with: openssl rand -hex 32)")
	}
	validateScopes(v, path+".scopes", t.Scopes)
}

func validateScopes(v *validator, path string, scopes []string) {
	if len(scopes) == 0 {
		v.errorf(path, "must name at least one scope (%s)", strings.Join(KnownScopes, ", "))
	}
	for i, s := range scopes {
		if !isKnownScope(s) {
			v.errorf(index(path, i), "%q is not a scope (use %s)", s, strings.Join(KnownScopes, ", "))
		}
	}
}

func isKnownScope(s string) bool {
	for _, k := range KnownScopes {
		if s == k {
			return true
		}
	}
	return false
}

func (u *UI) validate(v *validator) {
	if u.SessionTTL <= 0 {
		v.errorf("ui.session_ttl", "must be more than 0")
	}
	for i, usr := range u.Users {
		p := index("ui.users", i)
		if usr.Name == "" {
			v.errorf(p+".name", "must not be empty")
		}
		if h := usr.PasswordHash.Value(); !strings.HasPrefix(h, "$2a$") && !strings.HasPrefix(h, "$2b$") && !strings.HasPrefix(h, "$2y$") {
			v.errorf(p+".password_hash", "must be a bcrypt hash (make one with: warden config hash-password)")
		}
		if len(usr.Scopes) > 0 {
			validateScopes(v, p+".scopes", usr.Scopes)
		}
	}
}
