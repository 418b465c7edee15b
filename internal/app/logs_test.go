package app

import (
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/logs"
)

// TestLogAlarmReachesTheRouter ingests errors through the in-process API
// and waits for the alarm, run by the scheduler, to fire in the alert
// router; it logs how long that took from the first offending line.
func TestLogAlarmReachesTheRouter(t *testing.T) {
	cfg := testConfig(t)
	cfg.Logs.Alarms = []config.LogAlarm{{Name: "error-rate", Query: "level:=error | stats count() n", Window: config.Duration(time.Minute),
		Every: config.Duration(time.Second), Condition: "n > 10", Severity: "critical", Runbook: "app-errors"}}
	a := startTestApp(t, cfg)
	start := time.Now()
	var recs []logs.Record
	for i := 0; i < 11; i++ {
		recs = append(recs, logs.Record{Fields: []logs.Field{{Name: "level", Value: "error"}, {Name: "_msg", Value: "boom"}}})
	}
	// The exact call the gateway makes for its access lines.
	if err := a.Logs.Append(context.Background(), "", "gateway", recs); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range a.Alerts.Firing() {
			if s.Alert.Name() == "error-rate" && s.Alert.Labels["source"] == "logs" {
				t.Logf("alert firing %s after the first offending line", time.Since(start).Round(time.Millisecond))
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the alarm did not fire; firing: %+v", a.Alerts.Firing())
}
