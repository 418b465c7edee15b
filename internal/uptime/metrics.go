package uptime

import "github.com/prometheus/client_golang/prometheus"

// metrics are the monitor's Prometheus series, for dashboards and for
// alerting on Warden from outside.
type metrics struct {
	probes   *prometheus.CounterVec
	duration *prometheus.HistogramVec
	up       *prometheus.GaugeVec
}

func newMetrics() *metrics {
	m := &metrics{
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_uptime_probes_total", Help: "Probes run on this instance, by check and result (pass, fail, maintenance).",
		}, []string{"check", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "warden_uptime_probe_duration_seconds", Help: "How long one probe took (the response time), by check.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"check"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "warden_uptime_check_up", Help: "1 while the check is up, 0 while an incident is open, as last seen by this instance.",
		}, []string{"check"}),
	}
	return m
}

func (m *metrics) observe(r Result, down bool) {
	result := "pass"
	switch {
	case r.Maintenance:
		result = "maintenance"
	case !r.OK:
		result = "fail"
	}
	m.probes.WithLabelValues(r.Check, result).Inc()
	m.duration.WithLabelValues(r.Check).Observe(r.Latency.Seconds())
	v := 1.0
	if down {
		v = 0
	}
	m.up.WithLabelValues(r.Check).Set(v)
}

// RegisterMetrics registers the monitor's series with reg (serve does; the
// CLI does not).
func (m *Monitor) RegisterMetrics(reg prometheus.Registerer) {
	reg.MustRegister(m.metrics.probes, m.metrics.duration, m.metrics.up)
}
