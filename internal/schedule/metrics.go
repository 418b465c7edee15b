package schedule

import "github.com/prometheus/client_golang/prometheus"

// Result label values of warden_schedule_runs_total.
const (
	resultSuccess = "success"
	resultError   = "error"
)

// metrics are the scheduler's Prometheus series. The last-success gauge is
// what an alert on a stale job (a backup that has not succeeded for 26 h)
// is written against.
type metrics struct {
	runs        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
	skipped     *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_schedule_runs_total", Help: "Job runs on this instance, by job and result (success, error).",
		}, []string{"job", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "warden_schedule_run_duration_seconds", Help: "How long one job run took, by job.",
			// Jobs range from a health check (milliseconds) to a backup (an hour).
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60, 300, 900, 3600},
		}, []string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "warden_schedule_last_success_timestamp_seconds", Help: "Unix time the job last finished without error on this instance.",
		}, []string{"job"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_schedule_slots_skipped_total", Help: "Slots skipped because the job was still running from an earlier slot.",
		}, []string{"job"}),
	}
	if reg != nil {
		reg.MustRegister(m.runs, m.duration, m.lastSuccess, m.skipped)
	}
	return m
}
