package uptime

import "time"

// Check states.
const (
	StateUnknown     = "unknown" // no probe yet
	StateUp          = "up"
	StateDown        = "down"
	StateMaintenance = "maintenance"
)

// State is what Warden remembers about a check between probes. It lives in
// the database so that any instance can take the next probe.
type State struct {
	Check string `json:"check"`
	// Down is set from detection until recovery.
	Down bool `json:"down"`
	// ConsecutiveFailures and ConsecutivePasses count the current streak.
	ConsecutiveFailures int `json:"consecutive_failures"`
	ConsecutivePasses   int `json:"consecutive_passes"`
	// FirstFailAt is when the current failure streak began; RecoveringAt
	// when the current pass streak after an outage began.
	FirstFailAt  time.Time `json:"first_fail_at,omitzero"`
	RecoveringAt time.Time `json:"recovering_at,omitzero"`
	// IncidentID is the open incident while Down.
	IncidentID int64 `json:"incident_id,omitempty"`
	// Alerted is what the alert router was last told successfully: "firing",
	// "resolved" or "" (never). A probe that finds it behind tells it again.
	Alerted string `json:"alerted,omitempty"`
	// Last is the most recent probe.
	Last *Result `json:"last,omitempty"`
}

// Incident is one outage of one check.
type Incident struct {
	ID    int64  `json:"id"`
	Check string `json:"check"`
	// FirstFailAt is when the first failing probe ran; DetectedAt when the
	// failure threshold was reached (the incident opened); RecoveredAt when
	// the first passing probe of the recovery ran; ResolvedAt when the
	// success threshold was reached (zero while open).
	FirstFailAt time.Time `json:"first_fail_at"`
	DetectedAt  time.Time `json:"detected_at"`
	RecoveredAt time.Time `json:"recovered_at,omitzero"`
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	// Cause is the error of the probe that opened it.
	Cause string `json:"cause"`
	Notes []Note `json:"notes,omitempty"`
}

// Open says whether the incident has not recovered.
func (i *Incident) Open() bool { return i.ResolvedAt.IsZero() }

// TimeToDetect is first failing probe to detection.
func (i *Incident) TimeToDetect() time.Duration { return i.DetectedAt.Sub(i.FirstFailAt) }

// TimeToRecover is detection to recovery (zero while open).
func (i *Incident) TimeToRecover() time.Duration {
	if i.RecoveredAt.IsZero() {
		return 0
	}
	return i.RecoveredAt.Sub(i.DetectedAt)
}

// Note is an operator's remark on an incident.
type Note struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
}

// Transition is what one probe changed: at most one incident opened or
// resolved.
type Transition struct {
	Opened   *Incident
	Resolved *Incident // only ID, RecoveredAt and ResolvedAt are set
}

// step applies one probe result to the state, following the thresholds.
// Probes inside a maintenance window change nothing: they neither open nor
// close an incident. done is when the probe finished, the detection time.
func step(c *Check, st *State, r Result, done time.Time) Transition {
	var t Transition
	if r.Maintenance {
		return t
	}
	if !r.OK {
		st.ConsecutivePasses, st.RecoveringAt = 0, time.Time{}
		if st.ConsecutiveFailures == 0 {
			st.FirstFailAt = r.At
		}
		st.ConsecutiveFailures++
		if !st.Down && st.ConsecutiveFailures >= c.FailureThreshold {
			st.Down = true
			t.Opened = &Incident{Check: c.Name, FirstFailAt: st.FirstFailAt, DetectedAt: done, Cause: r.Error}
		}
		return t
	}
	st.ConsecutiveFailures, st.FirstFailAt = 0, time.Time{}
	if !st.Down {
		st.ConsecutivePasses = 0
		return t
	}
	if st.ConsecutivePasses == 0 {
		st.RecoveringAt = r.At
	}
	st.ConsecutivePasses++
	if st.ConsecutivePasses >= c.SuccessThreshold {
		t.Resolved = &Incident{ID: st.IncidentID, Check: c.Name, RecoveredAt: st.RecoveringAt, ResolvedAt: done}
		st.Down, st.ConsecutivePasses, st.RecoveringAt, st.IncidentID = false, 0, time.Time{}, 0
	}
	return t
}

// StateName is the check's state for display.
func (st *State) StateName(c *Check, now time.Time) string {
	if _, ok := c.InMaintenance(now); ok {
		return StateMaintenance
	}
	switch {
	case st.Down:
		return StateDown
	case st.Last == nil:
		return StateUnknown
	}
	return StateUp
}
