// Package errtrack is Warden's Sentry-compatible error tracking domain:
// events from unmodified Sentry SDKs are grouped into issues (fingerprint,
// in-app stack frames, exception type and value, normalised message),
// counted, resolved and reopened on regression, and alerted on through
// alert.Raiser. Parsing the wire format lives in errtrack/envelope, storage
// in errtrack/errsql, the API in errtrack/errhttp and the page in
// errtrack/errui.
//
// The pipeline, wired in Service:
//
//	envelope/store body -> decode -> parse -> scrub -> Event
//	  -> group (hash, title, culprit) -> batch -> Store.SaveEvents
//	  -> alerts on new, regressed and spiking issues
package errtrack

import (
	"encoding/json"
	"time"
)

// Event is one error or message event, normalised from the many shapes the
// SDKs send. Raw keeps the whole (scrubbed) payload for display.
type Event struct {
	ID          string    // 32 hex digits, from the SDK or minted
	ProjectID   int       //
	Timestamp   time.Time // when it happened, per the SDK
	Received    time.Time // when Warden accepted it
	Level       string    // fatal, error, warning, info, debug
	Platform    string
	Logger      string
	Release     string
	Environment string
	ServerName  string
	Transaction string
	Culprit     string // the SDK's own, if it sent one
	Message     string // formatted message
	// MessageTemplate is the message before parameters were filled in
	// (logentry.message when params were given); grouping prefers it.
	MessageTemplate string
	Exceptions      []Exception // cause first, the raised one last (Sentry's order)
	Stacktrace      *Stacktrace // a message's or thread's stack, when no exception has one
	Fingerprint     []string
	Tags            map[string]string
	User            User
	Request         Request
	Raw             json.RawMessage
	// Stored is Raw as the store writes it (EncodePayload); Ingest sets
	// it on the request's goroutine, so the one writer need not. A store
	// given an event without it encodes Raw itself.
	Stored []byte

	// Set by grouping.
	GroupHash   string
	GroupMethod string
	Title       string
}

// Exception is one exception of a chain.
type Exception struct {
	Type       string      `json:"type,omitempty"`
	Value      string      `json:"value,omitempty"`
	Module     string      `json:"module,omitempty"`
	Stacktrace *Stacktrace `json:"stacktrace,omitempty"`
}

// Stacktrace lists frames oldest call first, as Sentry sends them.
type Stacktrace struct {
	Frames []Frame `json:"frames"`
}

// Frame is one stack frame.
type Frame struct {
	Function    string `json:"function,omitempty"`
	Module      string `json:"module,omitempty"`
	Filename    string `json:"filename,omitempty"`
	AbsPath     string `json:"abs_path,omitempty"`
	Lineno      int    `json:"lineno,omitempty"`
	Colno       int    `json:"colno,omitempty"`
	InApp       *bool  `json:"in_app,omitempty"`
	ContextLine string `json:"context_line,omitempty"`
}

// IsInApp reports whether the SDK marked the frame as the app's own code.
func (f Frame) IsInApp() bool { return f.InApp != nil && *f.InApp }

// User is who saw the error.
type User struct {
	ID        string `json:"id,omitempty"`
	Email     string `json:"email,omitempty"`
	Username  string `json:"username,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
}

// Key identifies the user for "users affected": the id, else the email,
// username or IP address.
func (u User) Key() string {
	for _, s := range []string{u.ID, u.Email, u.Username, u.IPAddress} {
		if s != "" {
			return s
		}
	}
	return ""
}

// Request is the HTTP request being handled when the error happened.
type Request struct {
	Method string `json:"method,omitempty"`
	URL    string `json:"url,omitempty"`
}

// Levels in increasing severity.
var levelRank = map[string]int{"debug": 0, "info": 1, "warning": 2, "error": 3, "fatal": 4}

// LevelAtLeast reports whether level is as severe as min or more.
func LevelAtLeast(level, min string) bool {
	if min == "" {
		return true
	}
	return levelRank[level] >= levelRank[min]
}

// NormaliseLevel maps the SDKs' spellings onto Sentry's five levels.
func NormaliseLevel(s string) string {
	switch s {
	case "fatal", "critical":
		return "fatal"
	case "warning", "warn":
		return "warning"
	case "info", "log":
		return "info"
	case "debug":
		return "debug"
	}
	return "error"
}
