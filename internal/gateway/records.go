package gateway

import (
	"context"
	"log/slog"
	"time"
)

// AccessRecord is one line per request that reached the gateway.
type AccessRecord struct {
	Time       time.Time `json:"time"`
	RequestID  string    `json:"request_id"`
	ClientIP   string    `json:"client_ip"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Host       string    `json:"host"`
	Route      string    `json:"route"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
	BytesIn    int64     `json:"bytes_in"`
	BytesOut   int64     `json:"bytes_out"`
	// UpstreamMS is how long the upstream took to answer with headers; 0
	// when the request never reached it.
	UpstreamMS float64 `json:"upstream_ms"`
	// WAF is the WAF's outcome: off, pass, detected or blocked.
	WAF string `json:"waf"`
	// Reason says why the gateway answered itself: waf, body_too_large,
	// rate_limited, upstream_error, upstream_timeout; empty when proxied.
	Reason    string `json:"reason,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
}

// WAF outcomes.
const (
	WAFOutcomeOff      = "off"
	WAFOutcomePass     = "pass"
	WAFOutcomeDetected = "detected"
	WAFOutcomeBlocked  = "blocked"
)

// Event is what the WAF found in one request: every rule that matched.
type Event struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id"`
	ClientIP  string    `json:"client_ip"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Route     string    `json:"route"`
	Mode      string    `json:"mode"`
	// Action is blocked or detected.
	Action        string      `json:"action"`
	AnomalyScore  int         `json:"anomaly_score"`
	RuleIDs       []int       `json:"rule_ids"`
	Rules         []RuleMatch `json:"rules"`
	BlockedByRule int         `json:"blocked_by_rule,omitempty"`
}

// RuleMatch is one rule that matched.
type RuleMatch struct {
	ID       int      `json:"id"`
	Message  string   `json:"message,omitempty"`
	Severity string   `json:"severity,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	// Matches are the variables that matched (ARGS:q, REQUEST_HEADERS:...),
	// with the matched data truncated and scrubbed.
	Matches []VarMatch `json:"matches,omitempty"`
}

// VarMatch is one matched variable.
type VarMatch struct {
	Variable string `json:"variable"`
	Data     string `json:"data,omitempty"`
}

// Sink receives the gateway's records: package gwlog puts them in the log
// store; SlogSink writes them as JSON lines where there is none. Calls come
// from request goroutines and must not block for long.
type Sink interface {
	Access(ctx context.Context, r AccessRecord)
	WAFEvent(ctx context.Context, e Event)
}

// SlogSink writes records through a slog.Logger (JSON lines on stdout in
// warden serve), with msg "access" or "waf".
type SlogSink struct{ Logger *slog.Logger }

// Access logs an access record.
func (s SlogSink) Access(ctx context.Context, r AccessRecord) {
	s.Logger.LogAttrs(ctx, slog.LevelInfo, "access",
		slog.String("request_id", r.RequestID), slog.String("client_ip", r.ClientIP),
		slog.String("method", r.Method), slog.String("path", r.Path), slog.String("host", r.Host),
		slog.String("route", r.Route), slog.Int("status", r.Status),
		slog.Float64("duration_ms", r.DurationMS), slog.Int64("bytes_in", r.BytesIn), slog.Int64("bytes_out", r.BytesOut),
		slog.Float64("upstream_ms", r.UpstreamMS), slog.String("waf", r.WAF),
		slog.String("reason", r.Reason), slog.String("user_agent", r.UserAgent))
}

// WAFEvent logs a WAF event.
func (s SlogSink) WAFEvent(ctx context.Context, e Event) {
	level := slog.LevelWarn
	s.Logger.LogAttrs(ctx, level, "waf",
		slog.String("request_id", e.RequestID), slog.String("client_ip", e.ClientIP),
		slog.String("method", e.Method), slog.String("path", e.Path), slog.String("route", e.Route),
		slog.String("mode", e.Mode), slog.String("action", e.Action), slog.Int("anomaly_score", e.AnomalyScore),
		slog.Any("rule_ids", e.RuleIDs), slog.Any("rules", e.Rules), slog.Int("blocked_by_rule", e.BlockedByRule))
}

// Tee sends records to several sinks.
type Tee []Sink

// Access sends r to every sink.
func (t Tee) Access(ctx context.Context, r AccessRecord) {
	for _, s := range t {
		s.Access(ctx, r)
	}
}

// WAFEvent sends e to every sink.
func (t Tee) WAFEvent(ctx context.Context, e Event) {
	for _, s := range t {
		s.WAFEvent(ctx, e)
	}
}
