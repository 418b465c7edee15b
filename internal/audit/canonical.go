package audit

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// canonicalVersion is written into every event so that a future change of
// the encoding can be told apart from tampering.
const canonicalVersion = 1

// TimeFormat is RFC 3339 in UTC with exactly nine fraction digits: fixed
// width, so that one instant has one spelling.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// linked is an event with its place in the chain: what the canonical bytes
// hold. Actor and target ids are already pseudonymised where needed.
type linked struct {
	Event      Event
	Seq        int64
	Prev       []byte
	RecordedAt time.Time
}

// canonicalRef is an actor or target in the canonical encoding.
type canonicalRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// canonicalOut is the canonical encoding's shape. Its fields are declared in
// sorted key order, which is the order encoding/json writes them: the bytes
// are those of a map with sorted keys (TestCanonicalIsDeterministic pins
// them), without the reflection and sorting a map costs in the one writer
// goroutine every append goes through. Details is a map, whose keys the
// encoder sorts at every level.
type canonicalOut struct {
	Action     string         `json:"action"`
	Actor      canonicalRef   `json:"actor"`
	ClientIP   string         `json:"client_ip"`
	Details    map[string]any `json:"details"`
	ID         string         `json:"id"`
	Outcome    string         `json:"outcome"`
	Prev       string         `json:"prev"`
	RecordedAt string         `json:"recorded_at"`
	RequestID  string         `json:"request_id"`
	Seq        int64          `json:"seq"`
	Target     canonicalRef   `json:"target"`
	Time       string         `json:"time"`
	UserAgent  string         `json:"user_agent"`
	V          int            `json:"v"`
}

// canonical encodes l deterministically: JSON with keys sorted at every
// level, no insignificant whitespace, no HTML escaping, fixed-width UTC
// times and every field present. It runs once, at append; the result is
// stored and hashed verbatim and never rebuilt, so a later change of
// encoder cannot break verification.
func canonical(l linked) ([]byte, error) {
	e := l.Event
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	doc := canonicalOut{
		Action:     e.Action,
		Actor:      canonicalRef{ID: e.Actor.ID, Type: string(e.Actor.Type)},
		ClientIP:   e.ClientIP,
		Details:    details,
		ID:         e.ID,
		Outcome:    string(e.Outcome),
		Prev:       hex.EncodeToString(l.Prev),
		RecordedAt: l.RecordedAt.UTC().Format(TimeFormat),
		RequestID:  e.RequestID,
		Seq:        l.Seq,
		Target:     canonicalRef{ID: e.Target.ID, Type: e.Target.Type},
		Time:       e.Time.UTC().Format(TimeFormat),
		UserAgent:  e.UserAgent,
		V:          canonicalVersion,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// canonicalDoc is the canonical form read back, for display and for verify,
// which compares it with the queryable columns.
type canonicalDoc struct {
	V          int            `json:"v"`
	Seq        int64          `json:"seq"`
	Prev       string         `json:"prev"`
	RecordedAt string         `json:"recorded_at"`
	ID         string         `json:"id"`
	Time       string         `json:"time"`
	Actor      Actor          `json:"actor"`
	Action     string         `json:"action"`
	Target     Target         `json:"target"`
	Outcome    Outcome        `json:"outcome"`
	ClientIP   string         `json:"client_ip"`
	UserAgent  string         `json:"user_agent"`
	RequestID  string         `json:"request_id"`
	Details    map[string]any `json:"details"`
}

// parseCanonical reads canonical bytes back.
func parseCanonical(b []byte) (*canonicalDoc, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var d canonicalDoc
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("canonical bytes are not an event: %w", err)
	}
	return &d, nil
}

// event rebuilds the Event as hashed (with pseudonyms, not user ids).
func (d *canonicalDoc) event() (Event, error) {
	t, err := time.Parse(TimeFormat, d.Time)
	if err != nil {
		return Event{}, fmt.Errorf("time %q: %w", d.Time, err)
	}
	return Event{
		ID: d.ID, Time: t, Actor: d.Actor, Action: d.Action, Target: d.Target, Outcome: d.Outcome,
		ClientIP: d.ClientIP, UserAgent: d.UserAgent, RequestID: d.RequestID, Details: d.Details,
	}, nil
}

// Canonical returns the canonical encoding an event would have at seq after
// prev, recorded at recordedAt. Outside tools and tests use it to see what
// Warden hashes; Warden itself stores the bytes it computed at append.
func Canonical(e Event, seq int64, prev []byte, recordedAt time.Time) ([]byte, error) {
	return canonical(linked{Event: e, Seq: seq, Prev: prev, RecordedAt: recordedAt})
}
