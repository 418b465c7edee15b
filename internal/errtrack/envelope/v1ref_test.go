package envelope

// This file is ParseEvent as it was before it moved to the v2 engine:
// encoding/json itself, kept as the reference FuzzParseEventV1 compares
// the current reader with.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/errtrack"
)

// refWireEventOf is the event payload as SDKs send it; the fields that come in
// several shapes stay raw and are read by the helpers below. E is how the
// exception is read: refExceptionList takes both shapes, refExceptionValues only
// {values: [...]} but in the same pass as the rest of the event.
type refWireEventOf[E any] struct {
	EventID     string               `json:"event_id"`
	Timestamp   json.RawMessage      `json:"timestamp"`
	Level       string               `json:"level"`
	Platform    string               `json:"platform"`
	Logger      string               `json:"logger"`
	Release     json.RawMessage      `json:"release"`
	Environment string               `json:"environment"`
	ServerName  string               `json:"server_name"`
	Transaction string               `json:"transaction"`
	Culprit     string               `json:"culprit"`
	Message     json.RawMessage      `json:"message"`
	LogEntry    json.RawMessage      `json:"logentry"`
	Exception   E                    `json:"exception"`
	Stacktrace  *errtrack.Stacktrace `json:"stacktrace"`
	Threads     json.RawMessage      `json:"threads"`
	Fingerprint []json.RawMessage    `json:"fingerprint"`
	Tags        json.RawMessage      `json:"tags"`
	User        *refWireUser         `json:"user"`
	Request     *errtrack.Request    `json:"request"`
}

type refWireEvent = refWireEventOf[refExceptionList]

// refExceptionValues is the {values: [...]} shape of exception.
type refExceptionValues struct {
	Values []errtrack.Exception `json:"values"`
}

type refWireUser struct {
	ID        json.RawMessage `json:"id"`
	Email     string          `json:"email"`
	Username  string          `json:"username"`
	IPAddress string          `json:"ip_address"`
}

type refLogEntry struct {
	Message   string `json:"message"`
	Formatted string `json:"formatted"`
	Params    json.RawMessage
}

// refParseEvent reads one event payload (an envelope's event item or a store
// body). received is when Warden got it: it stands in for a missing or
// unreadable timestamp.
func refParseEvent(payload []byte, received time.Time) (*errtrack.Event, error) {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, &EventError{"the payload is not a JSON object"}
	}
	// Most SDKs send exception as {values: [...]}: read it in the one pass
	// of the event (refExceptionList's UnmarshalJSON validates and decodes the
	// stack traces a second time). Anything unusual takes the general path
	// below, so both always agree.
	if refObjectExceptionOnce(trimmed) {
		var w refWireEventOf[refExceptionValues]
		if json.Unmarshal(trimmed, &w) == nil {
			return refFromWire(&w, w.Exception.Values, trimmed, received), nil
		}
	}
	return refParseEventGeneral(trimmed, received)
}

// refParseEventGeneral is refParseEvent for every shape of exception.
func refParseEventGeneral(trimmed []byte, received time.Time) (*errtrack.Event, error) {
	var w refWireEvent
	if err := json.Unmarshal(trimmed, &w); err != nil {
		var ee *EventError
		if errors.As(err, &ee) {
			return nil, ee
		}
		return nil, &EventError{err.Error()}
	}
	return refFromWire(&w, w.Exception, trimmed, received), nil
}

// refObjectExceptionOnce reports whether the payload has exactly one
// "exception" key and its value starts with '{', and no \u00 escape that
// could spell another one: then decoding {values: [...]} in place is the
// same as refExceptionList. A string followed by ':' is a key; keys match
// case-insensitively, as encoding/json matches them.
func refObjectExceptionOnce(b []byte) bool {
	if bytes.Contains(b, []byte(`\u00`)) {
		return false
	}
	const key = `exception"`
	found := false
	for i := 1; i+len(key) <= len(b); i++ {
		if b[i-1] != '"' || !bytes.EqualFold(b[i:i+len(key)], []byte(key)) {
			continue
		}
		j := i + len(key)
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
			j++
		}
		if j == len(b) || b[j] != ':' {
			continue // a value, not a key
		}
		for j++; j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r'); j++ {
		}
		if found || j == len(b) || b[j] != '{' {
			return false
		}
		found = true
	}
	return found
}

func refFromWire[E any](w *refWireEventOf[E], exceptions []errtrack.Exception, trimmed []byte, received time.Time) *errtrack.Event {
	ev := &errtrack.Event{
		ID:          refNormaliseID(w.EventID),
		Received:    received.UTC(),
		Level:       errtrack.NormaliseLevel(strings.ToLower(w.Level)),
		Platform:    w.Platform,
		Logger:      w.Logger,
		Release:     refRawString(w.Release),
		Environment: w.Environment,
		ServerName:  w.ServerName,
		Transaction: w.Transaction,
		Culprit:     w.Culprit,
		Stacktrace:  w.Stacktrace,
		Raw:         json.RawMessage(trimmed),
	}
	if w.Level == "" {
		ev.Level = "error"
	}
	ev.Timestamp = refParseTimestamp(w.Timestamp, ev.Received)
	ev.Message, ev.MessageTemplate = refReadMessage(w.Message, w.LogEntry)
	ev.Exceptions = exceptions
	if ev.Stacktrace == nil {
		ev.Stacktrace = refThreadStack(w.Threads)
	}
	for _, f := range w.Fingerprint {
		ev.Fingerprint = append(ev.Fingerprint, refRawString(f))
	}
	ev.Tags = refReadTags(w.Tags)
	if w.User != nil {
		ev.User = errtrack.User{ID: refRawString(w.User.ID), Email: w.User.Email, Username: w.User.Username, IPAddress: w.User.IPAddress}
	}
	if w.Request != nil {
		ev.Request = *w.Request
	}
	return ev
}

// refNormaliseID keeps a 32-hex-digit id (dashes removed) or mints one.
func refNormaliseID(id string) string {
	id = strings.ToLower(strings.ReplaceAll(id, "-", ""))
	if len(id) == 32 {
		if _, err := hex.DecodeString(id); err == nil {
			return id
		}
	}
	return NewEventID()
}

// refParseTimestamp reads RFC 3339 (with or without a zone; none means UTC)
// or unix seconds as a number or a numeric string.
func refParseTimestamp(raw json.RawMessage, fallback time.Time) time.Time {
	if len(raw) == 0 || string(raw) == "null" {
		return fallback
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return unixFloat(f, fallback)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return fallback
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return unixFloat(f, fallback)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return fallback
}

// refReadMessage returns the formatted message and its template: message may
// be a string or {formatted, message, params}; logentry is the newer name.
func refReadMessage(message, entry json.RawMessage) (formatted, template string) {
	for _, raw := range []json.RawMessage{entry, message} {
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if s != "" {
				return s, s
			}
			continue
		}
		var le refLogEntry
		if json.Unmarshal(raw, &le) == nil && (le.Formatted != "" || le.Message != "") {
			formatted, template = le.Formatted, le.Message
			if formatted == "" {
				formatted = le.Message
			}
			if template == "" {
				template = formatted
			}
			return formatted, template
		}
	}
	return "", ""
}

// refExceptionList reads both the list form (sentry-go) and {values: [...]},
// in the one pass of the event's decoding.
type refExceptionList []errtrack.Exception

func (l *refExceptionList) UnmarshalJSON(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '[' {
		var list []errtrack.Exception
		if err := json.Unmarshal(raw, &list); err != nil {
			return &EventError{"exception: " + err.Error()}
		}
		*l = list
		return nil
	}
	var obj struct {
		Values []errtrack.Exception `json:"values"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return &EventError{"exception must be a list or {\"values\": [...]}: " + err.Error()}
	}
	*l = obj.Values
	return nil
}

// refThreadStack returns the crashed (or else the first) thread's stack.
func refThreadStack(raw json.RawMessage) *errtrack.Stacktrace {
	if len(raw) == 0 {
		return nil
	}
	type thread struct {
		Crashed    bool                 `json:"crashed"`
		Current    bool                 `json:"current"`
		Stacktrace *errtrack.Stacktrace `json:"stacktrace"`
	}
	var threads []thread
	if raw[0] == '[' {
		json.Unmarshal(raw, &threads)
	} else {
		var obj struct {
			Values []thread `json:"values"`
		}
		json.Unmarshal(raw, &obj)
		threads = obj.Values
	}
	var first *errtrack.Stacktrace
	for _, t := range threads {
		if t.Stacktrace == nil {
			continue
		}
		if t.Crashed || t.Current {
			return t.Stacktrace
		}
		if first == nil {
			first = t.Stacktrace
		}
	}
	return first
}

// refReadTags accepts {"k": "v"} and [["k", "v"], ...]; non-string values
// are printed.
func refReadTags(raw json.RawMessage) map[string]string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	out := map[string]string{}
	if raw[0] == '[' {
		var pairs [][]json.RawMessage
		if json.Unmarshal(raw, &pairs) == nil {
			for _, p := range pairs {
				if len(p) == 2 {
					out[refRawString(p[0])] = refRawString(p[1])
				}
			}
		}
		return out
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) == nil {
		for k, v := range m {
			out[k] = refRawString(v)
		}
	}
	return out
}

// refRawString reads a JSON string, or prints any other JSON value as text.
func refRawString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(fmt.Sprint(string(raw)))
}
