package logs

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ErrOverloaded is what a Store returns when it cannot take more now; the
// HTTP layer answers 429 with Retry-After.
var ErrOverloaded = errors.New("log store is overloaded: the write buffer is full; retry shortly")

// Metrics are the logs part's Prometheus series.
type Metrics struct {
	lines    *prometheus.CounterVec
	redacted prometheus.Counter
	refused  prometheus.Counter
	queries  prometheus.Histogram
}

// NewMetrics creates the series and registers them with reg (nil: none).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		lines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_logs_ingested_lines_total", Help: "Log lines stored, by environment.",
		}, []string{"env"}),
		redacted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warden_logs_redactions_total", Help: "Sensitive values redacted from log lines before storage.",
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warden_logs_refused_appends_total", Help: "Appends refused with 429 because the write buffer was full.",
		}),
		queries: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "warden_logs_query_duration_seconds", Help: "Time log queries took.",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 10},
		}),
	}
	if reg != nil {
		reg.MustRegister(m.lines, m.redacted, m.refused, m.queries)
	}
	return m
}

func (m *Metrics) appended(env string, n, redacted int, err error) {
	if m == nil {
		return
	}
	switch {
	case err == nil:
		m.lines.WithLabelValues(env).Add(float64(n))
		m.redacted.Add(float64(redacted))
	case errors.Is(err, ErrOverloaded):
		m.refused.Inc()
	}
}

func (m *Metrics) queried(d time.Duration) {
	if m != nil {
		m.queries.Observe(d.Seconds())
	}
}
