package gateway

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the gateway's Prometheus series. A nil *Metrics records
// nothing.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	upstream *prometheus.HistogramVec
	waf      *prometheus.CounterVec
	rules    *prometheus.CounterVec
}

// NewMetrics registers the gateway's series with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_gateway_requests_total", Help: "Requests through the gateway by route, status code class, WAF outcome and reason.",
		}, []string{"route", "code", "waf", "reason"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "warden_gateway_request_duration_seconds", Help: "Time from request to the end of the response, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		upstream: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "warden_gateway_upstream_duration_seconds", Help: "Time the upstream took to answer with headers, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		waf: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_gateway_waf_events_total", Help: "Requests on which WAF rules matched, by action (blocked or detected).",
		}, []string{"action"}),
		rules: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_gateway_waf_rule_matches_total", Help: "WAF rule matches by rule ID.",
		}, []string{"rule_id"}),
	}
	reg.MustRegister(m.requests, m.duration, m.upstream, m.waf, m.rules)
	return m
}

func (m *Metrics) observe(r *AccessRecord) {
	if m == nil {
		return
	}
	code := strconv.Itoa(r.Status/100) + "xx"
	m.requests.WithLabelValues(r.Route, code, r.WAF, r.Reason).Inc()
	m.duration.WithLabelValues(r.Route).Observe(r.DurationMS / 1000)
	if r.UpstreamMS > 0 {
		m.upstream.WithLabelValues(r.Route).Observe(r.UpstreamMS / 1000)
	}
}

func (m *Metrics) wafEvent(e *Event) {
	if m == nil {
		return
	}
	m.waf.WithLabelValues(e.Action).Inc()
	for _, id := range e.RuleIDs {
		m.rules.WithLabelValues(strconv.Itoa(id)).Inc()
	}
}
