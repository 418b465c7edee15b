package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/alert/channeltest"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/store"
	"github.com/wardenhq/warden/internal/store/storetest"
)

// scripted answers its n-th request with script[n] (the last one repeats):
// each probe of the check meets the next step, whenever it runs.
type scripted struct {
	mu     sync.Mutex
	script []string
	n      int
	at     []time.Time
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	step := s.script[min(s.n, len(s.script)-1)]
	s.n++
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
	switch step {
	case "ok":
		w.Write([]byte(`{"status":"ok"}`))
	case "500":
		http.Error(w, `{"status":"error"}`, 500)
	case "hang":
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	case "keyword":
		w.Write([]byte(`{"status":"degraded"}`))
	}
}

func (s *scripted) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// TestUptimeIncidentSequenceThroughRouter is the test through the
// whole of Warden: a real server answers 200, then 500, then times out, then
// the wrong keyword, then recovers. The incident opens at the second
// failing probe and closes at the first passing one; the webhook receiver
// gets the down and the recovery notification once each.
func TestUptimeIncidentSequenceThroughRouter(t *testing.T) {
	up := &scripted{script: []string{"ok", "ok", "500", "hang", "keyword", "ok"}}
	upSrv := httptest.NewServer(up)
	defer upSrv.Close()
	hook := channeltest.NewHTTPReceiver(t)
	// A 2 s interval and 1.5 s timeout: the hanging step times out, while a
	// healthy answer on a loaded CI machine (under -race) never does.
	cfg := uptimeConfig(t, upSrv.URL, hook.URL(), 2*time.Second)
	cfg.Checks[0].Timeout = config.Duration(1500 * time.Millisecond)
	a := startTestApp(t, cfg)
	client := &http.Client{Timeout: 5 * time.Second}

	reqs := hook.Wait(2, 60*time.Second)
	if p := payload(t, reqs[0]); p.Status != "firing" {
		t.Fatalf("first notification %+v", p)
	}
	if p := payload(t, reqs[1]); p.Status != "resolved" {
		t.Fatalf("second notification %+v", p)
	}
	waitFor(t, 30*time.Second, func() bool { return up.requests() >= 9 })
	if got := hook.Requests(); len(got) != 2 {
		for _, r := range got {
			t.Logf("notification: %+v", payload(t, r))
		}
		t.Fatalf("%d notifications, want 2", len(got))
	}
	var list struct {
		Incidents []struct {
			ID          int64     `json:"id"`
			FirstFailAt time.Time `json:"first_fail_at"`
			DetectedAt  time.Time `json:"detected_at"`
			RecoveredAt time.Time `json:"recovered_at"`
			Cause       string    `json:"cause"`
			Open        bool      `json:"open"`
		} `json:"incidents"`
	}
	getJSON(t, client, a, "/api/v1/incidents", &list)
	if len(list.Incidents) != 1 {
		t.Fatalf("incidents %+v", list)
	}
	inc := list.Incidents[0]
	if inc.Open || inc.Cause != "timed out" || !inc.DetectedAt.After(inc.FirstFailAt) || !inc.RecoveredAt.After(inc.DetectedAt) {
		t.Errorf("incident %+v", inc)
	}
	var detail struct {
		Probes []struct {
			OK     bool   `json:"ok"`
			Status int    `json:"status"`
			Error  string `json:"error"`
		} `json:"probes"`
	}
	getJSON(t, client, a, fmt.Sprintf("/api/v1/incidents/%d", inc.ID), &detail)
	// Newest first: the recovery, the wrong keyword, the timeout, the 500.
	want := []string{"ok", `failed: json.status == "ok" (json.status = "degraded")`, "timed out", "failed: status == 200 (status = 500); json.status == \"ok\" (json.status = \"error\")"}
	if len(detail.Probes) != len(want) {
		t.Fatalf("probes in the incident: %+v", detail.Probes)
	}
	for i, w := range want {
		got := detail.Probes[i].Error
		if w == "ok" {
			if !detail.Probes[i].OK {
				t.Errorf("probe %d: %+v, want a pass", i, detail.Probes[i])
			}
			continue
		}
		if got != w {
			t.Errorf("probe %d error %q, want %q", i, got, w)
		}
	}
}

// TestUptimeOneInstanceProbesEachSlot runs two Warden instances on one
// PostgreSQL database: every slot of the check is probed once, by one of
// them, not twice.
func TestUptimeOneInstanceProbesEachSlot(t *testing.T) {
	u := storetest.PostgresURL(t)
	name := fmt.Sprintf("wt_uptime_%d", time.Now().UnixNano())
	admin, err := store.Open(context.Background(), store.Options{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	})
	up := &scripted{script: []string{"ok"}}
	upSrv := httptest.NewServer(up)
	defer upSrv.Close()
	hook := channeltest.NewHTTPReceiver(t)
	var apps []*App
	for range 2 {
		cfg := uptimeConfig(t, upSrv.URL, hook.URL(), time.Second)
		cfg.Database.URL = config.Secret(storetest.WithDatabase(t, u, name))
		apps = append(apps, startTestApp(t, cfg))
	}
	start := time.Now()
	waitFor(t, 20*time.Second, func() bool { return up.requests() >= 8 })
	time.Sleep(2 * time.Second)
	elapsed := time.Since(start)
	up.mu.Lock()
	at := append([]time.Time(nil), up.at...)
	up.mu.Unlock()
	// One probe a second: two instances each probing would show pairs of
	// requests a few milliseconds apart.
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < 300*time.Millisecond {
			t.Errorf("requests %d and %d came %s apart: two instances probed one slot", i-1, i, gap)
		}
	}
	if max := int(elapsed.Seconds()) + 3; len(at) > max {
		t.Errorf("%d probes in %s, want at most %d", len(at), elapsed, max)
	}
	var out struct {
		Checks []struct {
			State string `json:"state"`
		} `json:"checks"`
	}
	getJSON(t, &http.Client{Timeout: 5 * time.Second}, apps[1], "/api/v1/checks", &out)
	if len(out.Checks) != 1 || out.Checks[0].State != "up" {
		t.Errorf("the second instance sees %+v", out)
	}
}
