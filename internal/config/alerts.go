package config

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Alerts configures the alert router: where alerts go and how they are
// grouped, with Alertmanager's vocabulary.
type Alerts struct {
	Channels []AlertChannel `yaml:"channels"`
	// Defaults apply to every route that does not set its own value, and
	// route alerts that match no route.
	Defaults AlertRoute   `yaml:"defaults"`
	Routes   []AlertRoute `yaml:"routes"`
	Silences []Silence    `yaml:"silences"`
	// ResolveTimeout resolves an alert received over the Alertmanager API
	// without endsAt when it has not been re-sent for this long.
	ResolveTimeout Duration `yaml:"resolve_timeout"`
	Retry          Retry    `yaml:"retry"`
}

// AlertChannel is one destination: slack, email or webhook.
type AlertChannel struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"` // slack, email, webhook
	// URL is the Slack incoming webhook or the webhook endpoint; it usually
	// holds a credential, so it is a Secret.
	URL Secret `yaml:"url"`
	// HMACSecret signs webhook bodies (X-Warden-Signature: sha256=<hex>).
	HMACSecret Secret            `yaml:"hmac_secret"`
	Headers    map[string]string `yaml:"headers"`
	From       string            `yaml:"from"`
	To         []string          `yaml:"to"`
	SMTP       SMTP              `yaml:"smtp"`
	// SendResolved sends a notification when alerts clear (default true).
	SendResolved *bool `yaml:"send_resolved"`
	// Timeout bounds one delivery attempt (default 10s).
	Timeout Duration `yaml:"timeout"`
}

// SMTP is a mail server for the email channel.
type SMTP struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// TLS is starttls (default; port 587), tls (implicit, port 465) or none
	// (only for a relay on loopback).
	TLS      string `yaml:"tls"`
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	// CAFile trusts an extra CA, for an internal relay.
	CAFile string `yaml:"ca_file"`
}

// AlertRoute sends alerts whose labels match to channels.
type AlertRoute struct {
	// Match holds labels that must be equal; MatchRE labels that must match
	// an anchored regular expression.
	Match    map[string]string `yaml:"match"`
	MatchRE  map[string]string `yaml:"match_re"`
	Channels []string          `yaml:"channels"`
	// GroupBy batches alerts with equal values of these labels into one
	// notification; ["..."] groups by all labels (no batching).
	GroupBy        []string `yaml:"group_by"`
	GroupWait      Duration `yaml:"group_wait"`
	GroupInterval  Duration `yaml:"group_interval"`
	RepeatInterval Duration `yaml:"repeat_interval"`
	// Continue lets later routes match the same alert too.
	Continue bool `yaml:"continue"`
}

// Silence mutes matching alerts between two times (a maintenance window).
type Silence struct {
	Matchers  []string  `yaml:"matchers"` // `name="value"`, `name!="v"`, `name=~"re"`, `name!~"re"`
	StartsAt  time.Time `yaml:"starts_at"`
	EndsAt    time.Time `yaml:"ends_at"`
	CreatedBy string    `yaml:"created_by"`
	Comment   string    `yaml:"comment"`
}

// Retry bounds redelivery of a failed notification.
type Retry struct {
	MaxAttempts    int      `yaml:"max_attempts"`
	InitialBackoff Duration `yaml:"initial_backoff"`
	MaxBackoff     Duration `yaml:"max_backoff"`
}

func defaultAlerts() Alerts {
	return Alerts{
		Defaults: AlertRoute{
			GroupBy:        []string{"alertname"},
			GroupWait:      Duration(10 * time.Second), // not 30 s: log alarms (every 30 s) must alert within 60 s; see TestLogAlarmLatencyWithDefaults
			GroupInterval:  Duration(5 * time.Minute),
			RepeatInterval: Duration(4 * time.Hour),
		},
		ResolveTimeout: Duration(5 * time.Minute),
		Retry:          Retry{MaxAttempts: 8, InitialBackoff: Duration(time.Second), MaxBackoff: Duration(5 * time.Minute)},
	}
}

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

func (a *Alerts) validate(v *validator) {
	names := map[string]bool{}
	for i := range a.Channels {
		a.Channels[i].validate(v, index("alerts.channels", i), names)
	}
	a.Defaults.validate(v, "alerts.defaults", names)
	for i := range a.Routes {
		r := &a.Routes[i]
		p := index("alerts.routes", i)
		if len(r.Channels) == 0 {
			v.errorf(p+".channels", "must name at least one channel")
		}
		r.validate(v, p, names)
	}
	for i, s := range a.Silences {
		p := index("alerts.silences", i)
		if len(s.Matchers) == 0 {
			v.errorf(p+".matchers", "must hold at least one matcher, like alertname=\"Backup\"")
		}
		for j, m := range s.Matchers {
			if err := ValidateMatcher(m); err != nil {
				v.errorf(index(p+".matchers", j), "%v", err)
			}
		}
		if s.EndsAt.IsZero() || !s.EndsAt.After(s.StartsAt) {
			v.errorf(p+".ends_at", "must be after starts_at (RFC 3339, e.g. 2026-12-01T02:00:00Z)")
		}
	}
	if a.Retry.MaxAttempts < 1 {
		v.errorf("alerts.retry.max_attempts", "must be at least 1")
	}
}

func (c *AlertChannel) validate(v *validator, p string, names map[string]bool) {
	if c.Name == "" {
		v.errorf(p+".name", "must not be empty")
	} else if names[c.Name] {
		v.errorf(p+".name", "%q is used by another channel", c.Name)
	}
	names[c.Name] = true
	switch c.Type {
	case "slack", "webhook":
		u, err := url.Parse(c.URL.Value())
		if c.URL.Value() == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.errorf(p+".url", "must be an http:// or https:// URL")
		}
	case "email":
		if _, err := mail.ParseAddress(c.From); err != nil {
			v.errorf(p+".from", "%q is not an email address", c.From)
		}
		if len(c.To) == 0 {
			v.errorf(p+".to", "must name at least one address")
		}
		for j, to := range c.To {
			if _, err := mail.ParseAddress(to); err != nil {
				v.errorf(index(p+".to", j), "%q is not an email address", to)
			}
		}
		if c.SMTP.Host == "" {
			v.errorf(p+".smtp.host", "must not be empty")
		}
		if c.SMTP.Port <= 0 || c.SMTP.Port > 65535 {
			v.errorf(p+".smtp.port", "must be a port number (587 for starttls, 465 for tls)")
		}
		switch c.SMTP.TLS {
		case "", "starttls", "tls", "none":
		default:
			v.errorf(p+".smtp.tls", "%q is not starttls, tls or none", c.SMTP.TLS)
		}
	default:
		v.errorf(p+".type", "%q is not a channel type (use slack, email or webhook)", c.Type)
	}
	if c.Timeout < 0 {
		v.errorf(p+".timeout", "must not be negative")
	}
}

func (r *AlertRoute) validate(v *validator, p string, channels map[string]bool) {
	for j, ch := range r.Channels {
		if !channels[ch] {
			v.errorf(index(p+".channels", j), "%q is not a channel in alerts.channels", ch)
		}
	}
	for name, re := range r.MatchRE {
		if _, err := regexp.Compile("^(?:" + re + ")$"); err != nil {
			v.errorf(p+".match_re."+name, "%q is not a regular expression: %v", re, err)
		}
	}
	for j, l := range r.GroupBy {
		if l != "..." && !labelName.MatchString(l) {
			v.errorf(index(p+".group_by", j), "%q is not a label name", l)
		}
	}
	if r.GroupWait < 0 || r.GroupInterval < 0 || r.RepeatInterval < 0 {
		v.errorf(p, "group_wait, group_interval and repeat_interval must not be negative")
	}
}

// ValidateMatcher checks a silence matcher such as severity="critical" or
// service=~"api|web".
func ValidateMatcher(s string) error {
	_, _, _, err := ParseMatcher(s)
	return err
}

// ParseMatcher splits `name<op>"value"` into its parts; op is =, !=, =~ or !~.
// Quotes around the value are optional.
func ParseMatcher(s string) (name, op, value string, err error) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, "=!")
	if i <= 0 {
		return "", "", "", errorString("%q is not a matcher (use name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\")", s)
	}
	name = strings.TrimSpace(s[:i])
	rest := s[i:]
	for _, o := range []string{"=~", "!~", "!=", "="} {
		if strings.HasPrefix(rest, o) {
			op, value = o, strings.TrimSpace(rest[len(o):])
			break
		}
	}
	if op == "" || !labelName.MatchString(name) {
		return "", "", "", errorString("%q is not a matcher (use name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\")", s)
	}
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	if op == "=~" || op == "!~" {
		if _, rerr := regexp.Compile("^(?:" + value + ")$"); rerr != nil {
			return "", "", "", errorString("%q: bad regular expression: %v", s, rerr)
		}
	}
	return name, op, value, nil
}
