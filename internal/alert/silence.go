package alert

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/config"
)

// Matcher tests one label: name = value, != value, =~ regex or !~ regex
// (regexes anchored at both ends, as in Alertmanager).
type Matcher struct {
	Name  string `json:"name"`
	Op    string `json:"op"`
	Value string `json:"value"`
	re    *regexp.Regexp
}

// ParseMatcher reads `name="value"`, `name!="value"`, `name=~"re"` or `name!~"re"`.
func ParseMatcher(s string) (Matcher, error) {
	name, op, value, err := config.ParseMatcher(s)
	if err != nil {
		return Matcher{}, err
	}
	return NewMatcher(name, op, value)
}

// NewMatcher builds a matcher from its parts.
func NewMatcher(name, op, value string) (Matcher, error) {
	m := Matcher{Name: name, Op: op, Value: value}
	switch op {
	case "=", "!=":
	case "=~", "!~":
		re, err := regexp.Compile("^(?:" + value + ")$")
		if err != nil {
			return Matcher{}, fmt.Errorf("matcher %s: %w", m, err)
		}
		m.re = re
	default:
		return Matcher{}, fmt.Errorf("matcher %s%s%q: the operator must be =, !=, =~ or !~", name, op, value)
	}
	return m, nil
}

// Matches tests the matcher against a label set; a missing label is "".
func (m Matcher) Matches(l Labels) bool {
	v := l[m.Name]
	switch m.Op {
	case "=":
		return v == m.Value
	case "!=":
		return v != m.Value
	case "=~":
		return m.re.MatchString(v)
	case "!~":
		return !m.re.MatchString(v)
	}
	return false
}

// String prints the matcher as it is written.
func (m Matcher) String() string { return fmt.Sprintf("%s%s%q", m.Name, m.Op, m.Value) }

// Silence mutes the alerts that every matcher matches, from StartsAt to
// EndsAt. Maintenance windows are silences too.
type Silence struct {
	ID        string    `json:"id"`
	Matchers  []Matcher `json:"matchers"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt"`
	CreatedBy string    `json:"createdBy"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"createdAt"`
}

// SilenceState is pending (not yet started), active or expired.
func (s *Silence) SilenceState(now time.Time) string {
	switch {
	case now.Before(s.StartsAt):
		return "pending"
	case now.Before(s.EndsAt):
		return "active"
	}
	return "expired"
}

// Mutes reports whether the silence is active at now and matches l.
func (s *Silence) Mutes(l Labels, now time.Time) bool {
	if s.SilenceState(now) != "active" {
		return false
	}
	for _, m := range s.Matchers {
		if !m.Matches(l) {
			return false
		}
	}
	return true
}

// Validate checks a silence before it is stored, Alertmanager's rules: at
// least one matcher, one of which must not match the empty string (so a
// silence can never mute everything by accident), an end after the start,
// and who created it and why.
func (s *Silence) Validate() error {
	if len(s.Matchers) == 0 {
		return fmt.Errorf("a silence needs at least one matcher")
	}
	empty := true
	for i := range s.Matchers {
		m, err := NewMatcher(s.Matchers[i].Name, s.Matchers[i].Op, s.Matchers[i].Value)
		if err != nil {
			return err
		}
		s.Matchers[i] = m
		if !m.Matches(Labels{}) {
			empty = false
		}
	}
	if empty {
		return fmt.Errorf("at least one matcher must not match an empty label (it would silence every alert)")
	}
	if !s.EndsAt.After(s.StartsAt) {
		return fmt.Errorf("endsAt must be after startsAt")
	}
	if strings.TrimSpace(s.CreatedBy) == "" {
		return fmt.Errorf("createdBy must say who creates the silence")
	}
	if strings.TrimSpace(s.Comment) == "" {
		return fmt.Errorf("comment must say why")
	}
	return nil
}

// compile restores the regexes of matchers decoded from storage or JSON.
func (s *Silence) compile() error {
	for i, m := range s.Matchers {
		c, err := NewMatcher(m.Name, m.Op, m.Value)
		if err != nil {
			return err
		}
		s.Matchers[i] = c
	}
	return nil
}
