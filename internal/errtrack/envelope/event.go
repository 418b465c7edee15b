package envelope

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/wardenhq/warden/internal/errtrack"
)

// wireEventOf is the event payload as SDKs send it; the fields that come in
// several shapes stay raw and are read by the helpers below. E is how the
// exception is read: exceptionList takes both shapes (a list, or
// exceptionValues) in the same pass as the rest of the event.
type wireEventOf[E any] struct {
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
	User        *wireUser            `json:"user"`
	Request     *errtrack.Request    `json:"request"`
}

type wireEvent = wireEventOf[exceptionList]

// exceptionValues is the {values: [...]} shape of exception.
type exceptionValues struct {
	Values []errtrack.Exception `json:"values"`
}

type wireUser struct {
	ID        json.RawMessage `json:"id"`
	Email     string          `json:"email"`
	Username  string          `json:"username"`
	IPAddress string          `json:"ip_address"`
}

type logEntry struct {
	Message   string `json:"message"`
	Formatted string `json:"formatted"`
	Params    json.RawMessage
}

// EventError means an event payload cannot be read.
type EventError struct{ Msg string }

func (e *EventError) Error() string { return "event: " + e.Msg }

// ParseEvent reads one event payload (an envelope's event item or a store
// body). received is when Warden got it: it stands in for a missing or
// unreadable timestamp.
//
// It decodes with the maintained implementation of encoding/json's
// semantics on the v2 engine (go-json-experiment/json with
// jsonv1.DefaultOptionsV1: the same acceptance, field matching and
// results as encoding/json, 3-4x less CPU on a 26 KB event), in one pass:
// exceptionList reads both shapes of exception from the decoder itself.
// FuzzParseEventV1 checks that it agrees with encoding/json on every input.
func ParseEvent(payload []byte, received time.Time) (*errtrack.Event, error) {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, &EventError{"the payload is not a JSON object"}
	}
	var w wireEvent
	if err := unmarshal(trimmed, &w); err != nil {
		var ee *EventError
		if errors.As(err, &ee) {
			return nil, ee
		}
		return nil, &EventError{err.Error()}
	}
	return fromWire(&w, w.Exception, trimmed, received), nil
}

// v1 are encoding/json's semantics, for the v2 engine.
var v1 = jsonv1.DefaultOptionsV1()

// unmarshal is encoding/json.Unmarshal on the v2 engine.
func unmarshal(b []byte, v any) error { return jsonv2.Unmarshal(b, v, v1) }

func fromWire[E any](w *wireEventOf[E], exceptions []errtrack.Exception, trimmed []byte, received time.Time) *errtrack.Event {
	ev := &errtrack.Event{
		ID:          normaliseID(w.EventID),
		Received:    received.UTC(),
		Level:       errtrack.NormaliseLevel(strings.ToLower(w.Level)),
		Platform:    w.Platform,
		Logger:      w.Logger,
		Release:     rawString(w.Release),
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
	ev.Timestamp = parseTimestamp(w.Timestamp, ev.Received)
	ev.Message, ev.MessageTemplate = readMessage(w.Message, w.LogEntry)
	ev.Exceptions = exceptions
	if ev.Stacktrace == nil {
		ev.Stacktrace = threadStack(w.Threads)
	}
	for _, f := range w.Fingerprint {
		ev.Fingerprint = append(ev.Fingerprint, rawString(f))
	}
	ev.Tags = readTags(w.Tags)
	if w.User != nil {
		ev.User = errtrack.User{ID: rawString(w.User.ID), Email: w.User.Email, Username: w.User.Username, IPAddress: w.User.IPAddress}
	}
	if w.Request != nil {
		ev.Request = *w.Request
	}
	return ev
}

// normaliseID keeps a 32-hex-digit id (dashes removed) or mints one.
func normaliseID(id string) string {
	id = strings.ToLower(strings.ReplaceAll(id, "-", ""))
	if len(id) == 32 {
		if _, err := hex.DecodeString(id); err == nil {
			return id
		}
	}
	return NewEventID()
}

// NewEventID mints a random event id.
func NewEventID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// parseTimestamp reads RFC 3339 (with or without a zone; none means UTC)
// or unix seconds as a number or a numeric string.
func parseTimestamp(raw json.RawMessage, fallback time.Time) time.Time {
	if len(raw) == 0 || string(raw) == "null" {
		return fallback
	}
	var f float64
	if err := unmarshal(raw, &f); err == nil {
		return unixFloat(f, fallback)
	}
	var s string
	if err := unmarshal(raw, &s); err != nil {
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

func unixFloat(f float64, fallback time.Time) time.Time {
	// Beyond year 9999 or before 1970 is a broken clock, not a time.
	if math.IsNaN(f) || f < 0 || f > 253402300799 {
		return fallback
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC().Round(time.Microsecond)
}

// readMessage returns the formatted message and its template: message may
// be a string or {formatted, message, params}; logentry is the newer name.
func readMessage(message, entry json.RawMessage) (formatted, template string) {
	for _, raw := range []json.RawMessage{entry, message} {
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var s string
		if unmarshal(raw, &s) == nil {
			if s != "" {
				return s, s
			}
			continue
		}
		var le logEntry
		if unmarshal(raw, &le) == nil && (le.Formatted != "" || le.Message != "") {
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

// exceptionList reads both the list form (sentry-go) and {values: [...]},
// in the one pass of the event's decoding.
type exceptionList []errtrack.Exception

// UnmarshalJSONFrom reads the exception from the event's own decoder, so
// its stack traces are decoded once (UnmarshalJSON would get the raw bytes
// and decode them again).
func (l *exceptionList) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '[':
		var list []errtrack.Exception
		if err := jsonv2.UnmarshalDecode(dec, &list); err != nil {
			return &EventError{"exception: " + err.Error()}
		}
		*l = list
		return nil
	}
	var obj exceptionValues
	if err := jsonv2.UnmarshalDecode(dec, &obj); err != nil {
		return &EventError{"exception must be a list or {\"values\": [...]}: " + err.Error()}
	}
	*l = obj.Values
	return nil
}

// threadStack returns the crashed (or else the first) thread's stack.
func threadStack(raw json.RawMessage) *errtrack.Stacktrace {
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
		unmarshal(raw, &threads)
	} else {
		var obj struct {
			Values []thread `json:"values"`
		}
		unmarshal(raw, &obj)
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

// readTags accepts {"k": "v"} and [["k", "v"], ...]; non-string values
// are printed.
func readTags(raw json.RawMessage) map[string]string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	out := map[string]string{}
	if raw[0] == '[' {
		var pairs [][]json.RawMessage
		if unmarshal(raw, &pairs) == nil {
			for _, p := range pairs {
				if len(p) == 2 {
					out[rawString(p[0])] = rawString(p[1])
				}
			}
		}
		return out
	}
	var m map[string]json.RawMessage
	if unmarshal(raw, &m) == nil {
		for k, v := range m {
			out[k] = rawString(v)
		}
	}
	return out
}

// rawString reads a JSON string, or prints any other JSON value as text.
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(fmt.Sprint(string(raw)))
}

// ValidJSON reports whether b is one JSON value by encoding/json.Valid's
// rules (duplicate names and invalid UTF-8 are allowed), checked by the
// v2 tokenizer at a fraction of the cost. FuzzValidJSON compares the two.
func ValidJSON(b []byte) bool {
	return jsontext.Value(b).IsValid(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}
