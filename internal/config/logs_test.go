package config

import (
	"strings"
	"testing"
	"time"
)

func TestLogsDefaultsAreValid(t *testing.T) {
	cfg := Default()
	v := &validator{file: "warden.yaml", lines: map[string]int{}}
	cfg.validate(v)
	if len(v.errs) > 0 {
		t.Fatalf("defaults do not validate: %v", v.errs)
	}
	if cfg.Logs.RetentionFor("production") != 30*24*time.Hour || cfg.Logs.RetentionFor("qa") != 14*24*time.Hour {
		t.Fatalf("retention: %v", cfg.Logs.Retention)
	}
}

func TestLogsErrorsNameTheField(t *testing.T) {
	yaml := `logs:
  retention: { staging: 1h }
  alarms:
    - { name: x, query: 'level:=', condition: "n >" }
`
	_, err := Parse("warden.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"warden.yaml:2: logs.retention.staging", "warden.yaml:4: logs.alarms[0].query", "column 8", "logs.alarms[0].condition"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
