package webhook

import (
	"time"

	"github.com/wardenhq/warden/internal/alert"
)

// Version is the Alertmanager webhook payload version Warden sends.
const Version = "4"

// Message is the request body, Alertmanager's webhook payload version 4
// field for field, so receivers written for Alertmanager (PagerDuty and
// Opsgenie bridges, chat bots, custom scripts) work unchanged. A Go receiver
// can decode into it.
type Message struct {
	Version         string `json:"version"`
	GroupKey        string `json:"groupKey"`
	TruncatedAlerts int    `json:"truncatedAlerts"`
	// Status is "firing" when any alert fires, else "resolved".
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []Alert           `json:"alerts"`
}

// Alert is one alert in a Message.
type Alert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	// EndsAt is 0001-01-01T00:00:00Z while the alert fires, as in
	// Alertmanager; receivers test for that value.
	EndsAt       time.Time `json:"endsAt"`
	GeneratorURL string    `json:"generatorURL"`
	Fingerprint  string    `json:"fingerprint"`
}

// NewMessage converts n to the version 4 payload. Label maps are never
// null, because some receivers index them without checking.
func NewMessage(n *alert.Notification) *Message {
	m := &Message{
		Version:           Version,
		GroupKey:          n.GroupKey,
		Status:            string(n.Status),
		Receiver:          n.Receiver,
		GroupLabels:       kv(n.GroupLabels),
		CommonLabels:      kv(n.CommonLabels),
		CommonAnnotations: kv(n.CommonAnnotations),
		ExternalURL:       n.ExternalURL,
		Alerts:            make([]Alert, 0, len(n.Alerts)),
	}
	anyFiring := false
	for _, a := range n.Alerts {
		state := a.StateAt(n.Now)
		anyFiring = anyFiring || state == alert.Firing
		m.Alerts = append(m.Alerts, Alert{
			Status:       string(state),
			Labels:       kv(a.Labels),
			Annotations:  kv(a.Annotations),
			StartsAt:     a.StartsAt.UTC(),
			EndsAt:       a.EndsAt.UTC(),
			GeneratorURL: a.GeneratorURL,
			Fingerprint:  a.Fingerprint(),
		})
	}
	if m.Status == "" {
		m.Status = string(alert.Resolved)
		if anyFiring {
			m.Status = string(alert.Firing)
		}
	}
	return m
}

func kv(l alert.Labels) map[string]string {
	out := make(map[string]string, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out
}
