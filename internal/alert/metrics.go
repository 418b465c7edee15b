package alert

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the router's Prometheus series.
type Metrics struct {
	firing     prometheus.Gauge
	received   *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	latency    *prometheus.HistogramVec
}

// NewMetrics creates the router's series and registers them with reg (nil
// for none, in tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		firing: prometheus.NewGauge(prometheus.GaugeOpts{Name: "warden_alerts_firing", Help: "Alerts firing now."}),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_alerts_raised_total", Help: "Alerts raised (newly firing), by source.",
		}, []string{"source"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_alert_delivery_attempts_total", Help: "Notification delivery attempts by channel and status (delivered, retrying, failed).",
		}, []string{"channel", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "warden_alert_delivery_duration_seconds", Help: "Time one delivery attempt took, by channel.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"channel"}),
	}
	if reg != nil {
		reg.MustRegister(m.firing, m.received, m.deliveries, m.latency)
	}
	return m
}
