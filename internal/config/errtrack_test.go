package config

import (
	"strings"
	"testing"
	"time"
)

func TestErrorsSection(t *testing.T) {
	cfg, err := Parse("w.yaml", []byte(`errors:
  retention: 14d
  max_body: 2MiB
  projects:
    - { id: 1, name: app, key: "${K}", rate: { per_second: 50, burst: 100 },
        spike: { events: 10, window: 5m, environment: production, level: error } }
`), env(map[string]string{"K": "0123456789abcdef0123456789abcdef"}))
	if err != nil {
		t.Fatal(err)
	}
	e := cfg.Errors
	if e.Retention.Std() != 14*24*time.Hour || e.MaxBody != 2<<20 || len(e.Projects) != 1 {
		t.Fatalf("%+v", e)
	}
	p := e.Projects[0]
	if p.Key.Value() != "0123456789abcdef0123456789abcdef" || p.Rate.PerSecond != 50 || p.Spike.Per != "issue" || p.Spike.Window.Std() != 5*time.Minute {
		t.Fatalf("%+v %+v", p, p.Spike)
	}
	if d := Default().Errors; d.Retention.Std() != 30*24*time.Hour || d.MaxBody != 5<<20 {
		t.Fatalf("defaults %+v", d)
	}
}

func TestErrorsSectionErrors(t *testing.T) {
	_, err := Parse("w.yaml", []byte(`errors:
  projects:
    - { id: 0, name: app, key: short }
    - { id: 2, name: app, key: "0123456789abcdef0123456789abcdef", rate: { per_second: -1 } }
    - { id: 2, name: b, key: "0123456789abcdef0123456789abcdef", spike: { events: 0, window: 0s, per: team, level: loud } }
    - { id: 4, name: c, key: "abcdef0123456789abcdef0123456789", forward: "https://sentry.io/1" }
`), env(nil))
	errs, ok := err.(Errors)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	got := errs.Error()
	for _, want := range []string{
		"w.yaml:3: errors.projects[0].id: must be a positive number",
		"w.yaml:3: errors.projects[0].key: must be 16 to 128",
		`w.yaml:4: errors.projects[1].name: "app" is used by another project`,
		"errors.projects[1].rate.per_second: must not be negative",
		"w.yaml:5: errors.projects[2].id: 2 is used by another project",
		"errors.projects[2].key: is used by another project",
		"errors.projects[2].spike.events: must be at least 1",
		"errors.projects[2].spike.window: must be more than 0",
		`errors.projects[2].spike.per: "team" must be issue or project`,
		`errors.projects[2].spike.level: "loud" is not a level`,
		"w.yaml:6: errors.projects[3].forward: must be a Sentry DSN",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
