package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/channeltest"
)

// amData mirrors Alertmanager's notify/webhook.Message (template.Data plus
// version, groupKey and truncatedAlerts), written out here independently so
// the test catches a drift in Message.
type amData struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   uint64            `json:"truncatedAlerts"`
	Receiver          string            `json:"receiver"`
	Status            string            `json:"status"`
	Alerts            []amAlert         `json:"alerts"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
}

type amAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

var now = time.Date(2026, 3, 1, 14, 5, 0, 0, time.UTC)

func notification() *alert.Notification {
	firing := alert.Alert{
		Labels:       alert.Labels{"alertname": "HighErrorRate", "environment": "production", "service": "api"},
		Annotations:  alert.Labels{"summary": "Error rate above 5%", "runbook_url": "https://warden.example.com/runbooks/app-errors"},
		StartsAt:     now.Add(-5 * time.Minute),
		GeneratorURL: "https://warden.example.com/logs",
	}
	resolved := alert.Alert{
		Labels:   alert.Labels{"alertname": "HighErrorRate", "environment": "production", "service": "web"},
		StartsAt: now.Add(-time.Hour), EndsAt: now.Add(-time.Minute),
	}
	return &alert.Notification{
		Receiver: "pager", GroupKey: `{}:{alertname="HighErrorRate"}`, Status: alert.Firing,
		GroupLabels:       alert.Labels{"alertname": "HighErrorRate"},
		CommonLabels:      alert.Labels{"alertname": "HighErrorRate", "environment": "production"},
		CommonAnnotations: alert.Labels{},
		Alerts:            []alert.Alert{firing, resolved},
		ExternalURL:       "https://warden.example.com", Now: now,
	}
}

func send(t *testing.T, cfg Config, rcv *channeltest.HTTPReceiver) channeltest.Request {
	t.Helper()
	cfg.URL = rcv.URL() + "/hook"
	ch, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), notification()); err != nil {
		t.Fatal(err)
	}
	return rcv.Wait(1, 5*time.Second)[0]
}

func TestPayloadV4(t *testing.T) {
	req := send(t, Config{Name: "pager"}, channeltest.NewHTTPReceiver(t))
	var got amData
	dec := json.NewDecoder(strings.NewReader(string(req.Body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	n := notification()
	want := amData{
		Version: "4", GroupKey: n.GroupKey, Receiver: "pager", Status: "firing",
		GroupLabels: n.GroupLabels, CommonLabels: n.CommonLabels, CommonAnnotations: map[string]string{},
		ExternalURL: "https://warden.example.com",
		Alerts: []amAlert{
			{Status: "firing", Labels: n.Alerts[0].Labels, Annotations: n.Alerts[0].Annotations, StartsAt: n.Alerts[0].StartsAt,
				GeneratorURL: "https://warden.example.com/logs", Fingerprint: n.Alerts[0].Labels.Fingerprint()},
			{Status: "resolved", Labels: n.Alerts[1].Labels, Annotations: map[string]string{}, StartsAt: n.Alerts[1].StartsAt,
				EndsAt: n.Alerts[1].EndsAt, Fingerprint: n.Alerts[1].Labels.Fingerprint()},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("payload\n got %+v\nwant %+v", got, want)
	}
	if len(got.Alerts[0].Fingerprint) != 16 {
		t.Errorf("fingerprint %q is not 16 hex digits", got.Alerts[0].Fingerprint)
	}

	// The exact key set and the zero endsAt spelling, which decoding hides.
	var raw struct {
		Top    map[string]json.RawMessage
		Alerts []map[string]json.RawMessage `json:"alerts"`
	}
	if err := json.Unmarshal(req.Body, &raw.Top); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(req.Body, &raw); err != nil {
		t.Fatal(err)
	}
	if keys := sortedKeys(raw.Top); !slices.Equal(keys, []string{"alerts", "commonAnnotations", "commonLabels", "externalURL", "groupKey", "groupLabels", "receiver", "status", "truncatedAlerts", "version"}) {
		t.Errorf("top-level keys %v", keys)
	}
	if keys := sortedKeys(raw.Alerts[0]); !slices.Equal(keys, []string{"annotations", "endsAt", "fingerprint", "generatorURL", "labels", "startsAt", "status"}) {
		t.Errorf("alert keys %v", keys)
	}
	if s := string(raw.Alerts[0]["endsAt"]); s != `"0001-01-01T00:00:00Z"` {
		t.Errorf("endsAt of a firing alert = %s", s)
	}
	if s := string(raw.Alerts[1]["startsAt"]); s != `"2026-03-01T13:05:00Z"` {
		t.Errorf("startsAt = %s", s)
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if req.Header.Get(HeaderSignature) != "" {
		t.Error("unsigned channel sent a signature")
	}
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestSignatureAndHeaders(t *testing.T) {
	at := time.Unix(1767225600, 0)
	req := send(t, Config{
		Name: "pager", Secret: "s3cret", Now: func() time.Time { return at },
		Header: map[string]string{"Authorization": "Bearer abc", "X-Routing-Key": "ops", "Content-Type": "text/plain"},
	}, channeltest.NewHTTPReceiver(t))

	ts, sig := req.Header.Get(HeaderTimestamp), req.Header.Get(HeaderSignature)
	if ts != "1767225600" || !strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64 {
		t.Fatalf("timestamp %q signature %q", ts, sig)
	}
	if !Verify("s3cret", ts, req.Body, sig) {
		t.Error("signature does not verify")
	}
	if Verify("wrong", ts, req.Body, sig) {
		t.Error("signature verifies with a wrong secret")
	}
	if Verify("s3cret", "1767225601", req.Body, sig) {
		t.Error("signature verifies with another timestamp")
	}
	if Verify("s3cret", ts, append(req.Body, ' '), sig) {
		t.Error("signature verifies a changed body")
	}
	if !Fresh(ts, at.Add(time.Minute), DefaultTolerance) || Fresh(ts, at.Add(10*time.Minute), DefaultTolerance) {
		t.Error("Fresh misjudges the timestamp")
	}
	if req.Header.Get("Authorization") != "Bearer abc" || req.Header.Get("X-Routing-Key") != "ops" {
		t.Errorf("custom headers not sent: %v", req.Header)
	}
	if req.Header.Get("Content-Type") != "application/json" {
		t.Error("a custom header replaced Content-Type")
	}
}

func TestFailures(t *testing.T) {
	for _, tc := range []struct {
		status    int
		retryable bool
	}{{500, true}, {503, true}, {429, true}, {400, false}, {404, false}} {
		rcv := channeltest.NewHTTPReceiver(t).Respond(tc.status, channeltest.Body("nope"))
		ch, _ := New(Config{Name: "pager", URL: rcv.URL()})
		err := ch.Send(context.Background(), notification())
		var de *alert.DeliveryError
		if !errors.As(err, &de) || de.Status != tc.status || de.Retryable != tc.retryable || !strings.Contains(err.Error(), "nope") {
			t.Errorf("%d: err = %v", tc.status, err)
		}
	}
	rcv := channeltest.NewHTTPReceiver(t).Respond(http.StatusAccepted, channeltest.Body(""))
	ch, _ := New(Config{Name: "pager", URL: rcv.URL()})
	if err := ch.Send(context.Background(), notification()); err != nil {
		t.Errorf("202: %v", err)
	}
}
