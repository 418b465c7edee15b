package demoapp

import (
	"net/http"
	"testing"
)

func TestHealthUpAndDown(t *testing.T) {
	ta := newTestApp(t)

	r := ta.do("GET", "/api/health", "", nil)
	wantStatus(t, r, http.StatusOK)
	if r.body["status"] != "ok" {
		t.Fatalf("status field %v, want ok", r.body["status"])
	}

	wantStatus(t, ta.do("POST", "/api/test/health?state=down", "", nil), http.StatusOK)
	r = ta.do("GET", "/api/health", "", nil)
	wantStatus(t, r, http.StatusServiceUnavailable)
	if r.body["status"] != "down" {
		t.Fatalf("status field %v, want down", r.body["status"])
	}

	// Other traffic does not change health, and health down does not stop
	// the rest of the API.
	ta.login("alice", "wonderland")
	wantStatus(t, ta.do("GET", "/api/health?verbose=1", "", nil), http.StatusServiceUnavailable)

	wantStatus(t, ta.do("POST", "/api/test/health?state=up", "", nil), http.StatusOK)
	wantStatus(t, ta.do("GET", "/api/health", "", nil), http.StatusOK)

	// A health that is down is a state, not an error: nothing to report.
	if got := ta.reported(); len(got) != 0 {
		t.Fatalf("OnError called %d times, want 0", len(got))
	}
}

func TestSetHealthRejectsUnknownState(t *testing.T) {
	ta := newTestApp(t)
	wantError(t, ta.do("POST", "/api/test/health?state=sideways", "", nil), http.StatusBadRequest, "state")
	wantError(t, ta.do("POST", "/api/test/health", "", nil), http.StatusBadRequest, "state")
	wantStatus(t, ta.do("GET", "/api/health", "", nil), http.StatusOK)
}
