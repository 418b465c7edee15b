package audit

import (
	"time"
)

// Event is one thing someone did, as the app reports it. The zero values of
// ID and Time are filled in on append (a time-ordered version 7 UUID, the append time).
type Event struct {
	// ID identifies the event across retries: a client that sends the same
	// ID twice gets the first event back instead of a second one.
	ID      string    `json:"id,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	Actor   Actor     `json:"actor"`
	Action  string    `json:"action"`
	Target  Target    `json:"target,omitzero"`
	Outcome Outcome   `json:"outcome"`
	// ClientIP, UserAgent and RequestID say where the request came from.
	ClientIP  string `json:"client_ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Details is free context, scrubbed of card numbers, IBANs and secrets
	// before it is stored.
	Details map[string]any `json:"details,omitempty"`
}

// Actor is who acted.
type Actor struct {
	Type ActorType `json:"type"`
	ID   string    `json:"id"`
}

// ActorType says what kind of principal acted.
type ActorType string

// The kinds of actor. Only users' ids are personal data and so are kept
// as pseudonyms in the hashed bytes (see doc.go).
const (
	ActorUser    ActorType = "user"
	ActorService ActorType = "service"
	ActorAdmin   ActorType = "admin"
)

// Target is what was acted on.
type Target struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// TargetUser is the target type whose ids are pseudonymised like user actors.
const TargetUser = "user"

// Outcome says how the action ended.
type Outcome string

// The outcomes an event can record.
const (
	Success Outcome = "success"
	Failure Outcome = "failure"
	// Denied means the action was refused for lack of permission, which
	// auditors look for separately from plain failures.
	Denied Outcome = "denied"
)

// Record is an event as stored: its place in the chain, the exact bytes
// that were hashed and the columns queries filter on.
type Record struct {
	Seq        int64
	ID         string
	Time       time.Time
	RecordedAt time.Time
	Action     string
	ActorType  string
	// ActorRef and TargetRef are the ids as hashed: pseudonyms for users.
	ActorRef   string
	TargetType string
	TargetRef  string
	Outcome    string
	// Canonical is the exact byte string whose RFC 6962 leaf hash is Hash.
	Canonical []byte
	Hash      []byte
}

// Receipt tells an appender where its event landed.
type Receipt struct {
	Seq  int64  `json:"seq"`
	ID   string `json:"id"`
	Hash string `json:"hash"`
	// Duplicate is true when an event with this ID was already stored; the
	// receipt is the stored one's.
	Duplicate bool `json:"duplicate,omitempty"`
}
