package app

import (
	"context"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/loghttp"
	"github.com/wardenhq/warden/internal/logs/logql"
	"github.com/wardenhq/warden/internal/logs/logstore"
	"github.com/wardenhq/warden/internal/logs/logui"
	"github.com/wardenhq/warden/internal/logs/victorialogs"
	"github.com/wardenhq/warden/internal/schedule"
)

// wireLogs opens the log store in data_dir/logs and adds ingest, query,
// retention and alarms. a.Logs is the in-process ingest API for the other
// parts (the gateway's access lines and WAF events).
func (a *App) wireLogs(ctx context.Context) error {
	cfg := a.Config.Logs
	if cfg.Backend == "victorialogs" {
		return a.wireLogsOn(&victorialogs.Store{InsertURL: cfg.VictoriaLogs.InsertURL, SelectURL: cfg.VictoriaLogs.SelectURL}, func() bool { return true })
	}
	st, err := logstore.Open(logstore.Options{
		Dir:           filepath.Join(a.Config.DataDir, "logs"),
		FlushInterval: cfg.FlushInterval.Std(),
		MaxBuffer:     int64(cfg.MaxBuffer),
		Logger:        a.Logger,
	})
	if err != nil {
		return err
	}
	a.OnStop("log store", func(context.Context) error { return st.Close() })
	a.Registry.MustRegister(&partitionCollector{st: st})
	if err := a.Scheduler.Add(schedule.Job{
		Name: "logs:retention", Schedule: schedule.Every(time.Hour), Timeout: 10 * time.Minute,
		Run: func(ctx context.Context) error {
			gone, err := st.Retain(time.Now(), cfg.RetentionFor)
			for _, p := range gone {
				a.Logger.Info("log retention deleted a partition", "env", p.Env, "day", p.Day, "lines", p.Lines, "bytes", p.Bytes)
			}
			return err
		},
	}); err != nil {
		return err
	}
	return a.wireLogsOn(st, storeReady(st))
}

// storeReady says whether the embedded store ever held a line: alarms wait
// for it, so that no-logs does not fire on a fresh install.
func storeReady(st *logstore.Store) func() bool {
	return func() bool { return len(st.Stats()) > 0 || st.Buffered() > 0 }
}

// wireLogsOn builds the service on a store and adds the API, the page and
// the alarms. ready says whether any line was ever stored.
func (a *App) wireLogsOn(st logs.Store, ready func() bool) error {
	cfg := a.Config.Logs
	svc := logs.NewService(logs.Options{
		Store: st, Clock: clock.Real{}, Logger: a.Logger, DefaultEnv: a.Config.Environment,
		Metrics: logs.NewMetrics(a.Registry),
	})
	a.Logs = svc
	(&loghttp.Handlers{Service: svc, MaxBody: int64(cfg.MaxBody), Sources: cfg.Tokens}).Register(a.API)
	if err := (&logui.Page{Service: svc, UI: a.UI, Saved: cfg.SavedQueries}).Register(); err != nil {
		return err
	}

	var raiser alert.Raiser = alert.Discard{}
	if a.Alerts != nil {
		raiser = a.Alerts
	}
	ev := &logs.Evaluator{Service: svc, Raiser: raiser, Ready: ready}
	return addLogAlarms(a.Scheduler, ev, cfg.Alarms)
}

// addLogAlarms schedules each configured alarm as a job run every
// alarms[].every (default 30 s) over its window (default 5 m).
func addLogAlarms(sched *schedule.Scheduler, ev *logs.Evaluator, alarms []config.LogAlarm) error {
	for _, ac := range alarms {
		cond, err := logql.ParseCondition(ac.Condition)
		if err != nil {
			return err // config validation has already refused it
		}
		if ac.Every <= 0 {
			ac.Every = config.Duration(30 * time.Second)
		}
		if ac.Window <= 0 {
			ac.Window = config.Duration(5 * time.Minute)
		}
		alarm := logs.Alarm{Name: ac.Name, Query: ac.Query, Window: ac.Window.Std(), Condition: cond,
			Severity: ac.Severity, Runbook: ac.Runbook, Env: ac.Env}
		if err := sched.Add(schedule.Job{
			Name: "logs-alarm:" + ac.Name, Schedule: schedule.Every(ac.Every.Std()), Timeout: ac.Every.Std(),
			Run: func(ctx context.Context) error { return ev.Evaluate(ctx, alarm) },
		}); err != nil {
			return err
		}
	}
	return nil
}

// partitionCollector reports lines and bytes per partition on /metrics.
type partitionCollector struct{ st *logstore.Store }

var (
	partLinesDesc = prometheus.NewDesc("warden_logs_partition_lines", "Log lines on disk per environment and day.", []string{"env", "day"}, nil)
	partBytesDesc = prometheus.NewDesc("warden_logs_partition_bytes", "Bytes on disk per environment and day.", []string{"env", "day"}, nil)
	bufferedDesc  = prometheus.NewDesc("warden_logs_buffered_bytes", "Log bytes in memory, durable in the WAL, not yet in parts.", nil, nil)
)

func (c *partitionCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- partLinesDesc
	ch <- partBytesDesc
	ch <- bufferedDesc
}

func (c *partitionCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.st.Stats() {
		ch <- prometheus.MustNewConstMetric(partLinesDesc, prometheus.GaugeValue, float64(p.Lines), p.Env, p.Day)
		ch <- prometheus.MustNewConstMetric(partBytesDesc, prometheus.GaugeValue, float64(p.Bytes), p.Env, p.Day)
	}
	ch <- prometheus.MustNewConstMetric(bufferedDesc, prometheus.GaugeValue, float64(c.st.Buffered()))
}
