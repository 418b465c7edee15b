package audit

import (
	"encoding/json"
	"net/netip"
	"regexp"
	"time"
	"unicode/utf8"
)

// Limits on event fields, so that one client cannot bloat the trail.
const (
	maxIDLen        = 64
	maxActorIDLen   = 256
	maxTargetIDLen  = 256
	maxUserAgentLen = 512
	maxRequestIDLen = 128
	maxDetailsBytes = 16 << 10
	// maxFutureSkew tolerates client clocks a little ahead of ours.
	maxFutureSkew = 5 * time.Minute
)

var (
	idPattern         = regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)
	targetTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// Validate checks an event against the taxonomy and the field limits and
// returns the first problem as a *FieldError. now bounds the event time.
func Validate(e *Event, tax *Taxonomy, now time.Time) error {
	if e.ID != "" && (len(e.ID) > maxIDLen || !idPattern.MatchString(e.ID)) {
		return fieldErr("id", "must be at most %d letters, digits or ._:- (a UUID is best)", maxIDLen)
	}
	if e.Action == "" {
		return fieldErr("action", "is required, e.g. payment.initiated")
	}
	if err := tax.Check(e.Action); err != nil {
		return fieldErr("action", "%v", err)
	}
	switch e.Actor.Type {
	case ActorUser, ActorService, ActorAdmin:
	case "":
		return fieldErr("actor.type", "is required: user, service or admin")
	default:
		return fieldErr("actor.type", "%q is not user, service or admin", e.Actor.Type)
	}
	if err := checkText("actor.id", e.Actor.ID, maxActorIDLen, true); err != nil {
		return err
	}
	if e.Target.Type != "" || e.Target.ID != "" {
		if !targetTypePattern.MatchString(e.Target.Type) {
			return fieldErr("target.type", "must be a lower-case word such as payment or user")
		}
		if err := checkText("target.id", e.Target.ID, maxTargetIDLen, true); err != nil {
			return err
		}
	}
	switch e.Outcome {
	case Success, Failure, Denied:
	case "":
		return fieldErr("outcome", "is required: success, failure or denied")
	default:
		return fieldErr("outcome", "%q is not success, failure or denied", e.Outcome)
	}
	if e.ClientIP != "" {
		if _, err := netip.ParseAddr(e.ClientIP); err != nil {
			return fieldErr("client_ip", "%q is not an IP address", e.ClientIP)
		}
	}
	if err := checkText("user_agent", e.UserAgent, maxUserAgentLen, false); err != nil {
		return err
	}
	if err := checkText("request_id", e.RequestID, maxRequestIDLen, false); err != nil {
		return err
	}
	if !e.Time.IsZero() {
		if e.Time.After(now.Add(maxFutureSkew)) {
			return fieldErr("time", "%s is in the future (is the client's clock right?)", e.Time.Format(time.RFC3339))
		}
		if e.Time.Year() < 2000 || e.Time.Year() > 9999 {
			return fieldErr("time", "%s is out of range", e.Time.Format(time.RFC3339))
		}
	}
	if e.Details != nil {
		if !validUTF8Deep(e.Details) {
			return fieldErr("details", "holds a string that is not valid UTF-8")
		}
		b, err := json.Marshal(e.Details)
		if err != nil {
			return fieldErr("details", "cannot be encoded as JSON: %v", err)
		}
		if len(b) > maxDetailsBytes {
			return fieldErr("details", "is %d bytes encoded; the limit is %d", len(b), maxDetailsBytes)
		}
	}
	return nil
}

func checkText(field, s string, max int, required bool) error {
	switch {
	case required && s == "":
		return fieldErr(field, "is required")
	case len(s) > max:
		return fieldErr(field, "is longer than %d bytes", max)
	case !utf8.ValidString(s):
		return fieldErr(field, "is not valid UTF-8")
	}
	return nil
}

// validUTF8Deep checks every string in details, keys included: the JSON
// encoder would replace bad bytes, so the hashed text would not be what the
// caller sent.
func validUTF8Deep(v any) bool {
	switch v := v.(type) {
	case string:
		return utf8.ValidString(v)
	case map[string]any:
		for k, x := range v {
			if !utf8.ValidString(k) || !validUTF8Deep(x) {
				return false
			}
		}
	case []any:
		for _, x := range v {
			if !validUTF8Deep(x) {
				return false
			}
		}
	}
	return true
}
