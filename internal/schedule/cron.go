package schedule

import (
	"fmt"
	"math/bits"
	"strings"
	"time"
)

// CronError reports a cron spec that does not parse, naming the field at
// fault so that a config error can point the user at it.
type CronError struct {
	// Spec is the spec as given.
	Spec string
	// Field is "minute", "hour", "day of month", "month" or "day of week",
	// or empty when the spec as a whole is wrong (field count, descriptor).
	Field string
	// Value is the part of the field at fault.
	Value string
	// Reason says what is wrong and, where it helps, what is wanted.
	Reason string
}

// Error formats the problem as `cron "spec": field "value": reason`.
func (e *CronError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("cron %q: %s", e.Spec, e.Reason)
	}
	return fmt.Sprintf("cron %q: %s field %q: %s", e.Spec, e.Field, e.Value, e.Reason)
}

type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var (
	minuteField = cronField{name: "minute", min: 0, max: 59}
	hourField   = cronField{name: "hour", min: 0, max: 23}
	domField    = cronField{name: "day of month", min: 1, max: 31}
	monthField  = cronField{name: "month", min: 1, max: 12,
		names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
	// 7 is accepted as Sunday, as in Vixie cron; it is folded onto 0.
	dowField = cronField{name: "day of week", min: 0, max: 7,
		names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
)

var descriptors = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

const cronHint = `want 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 3 * * *") or one of @yearly, @monthly, @weekly, @daily, @hourly`

// cron is a parsed spec: one bit per allowed value of each field.
type cron struct {
	spec                          string
	minute, hour, dom, month, dow uint64
	domStar, dowStar              bool
}

// Cron parses a standard 5-field cron spec (minute hour day-of-month month
// day-of-week, with *, lists, ranges, steps and JAN-DEC / SUN-SAT names) or
// a descriptor such as @daily, and returns a Schedule evaluated in UTC so
// that it means the same on every host and never meets a DST gap. As in
// Vixie cron, when both day fields are restricted a day matching either one
// fires. A spec that can never fire (say "0 0 30 2 *") is an error.
func Cron(spec string) (Schedule, error) {
	trimmed := strings.TrimSpace(spec)
	expanded := trimmed
	if strings.HasPrefix(trimmed, "@") {
		var ok bool
		if expanded, ok = descriptors[strings.ToLower(trimmed)]; !ok {
			return nil, &CronError{Spec: spec, Reason: "unknown descriptor; " + cronHint}
		}
	}
	fields := strings.Fields(expanded)
	if len(fields) != 5 {
		reason := fmt.Sprintf("has %d fields; %s", len(fields), cronHint)
		if len(fields) == 6 {
			reason += " (seconds are not supported)"
		}
		return nil, &CronError{Spec: spec, Reason: reason}
	}
	c := &cron{spec: trimmed}
	specs := []struct {
		f   cronField
		dst *uint64
	}{{minuteField, &c.minute}, {hourField, &c.hour}, {domField, &c.dom}, {monthField, &c.month}, {dowField, &c.dow}}
	for i, s := range specs {
		b, err := parseCronField(fields[i], s.f)
		if err != nil {
			err.Spec = spec
			return nil, err
		}
		*s.dst = b
	}
	if c.dow&(1<<7) != 0 {
		c.dow = c.dow&^(1<<7) | 1
	}
	// Vixie cron treats a day field as unrestricted when it starts with *,
	// which includes steps such as */2.
	c.domStar = strings.HasPrefix(fields[2], "*")
	c.dowStar = strings.HasPrefix(fields[4], "*")
	if c.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, &CronError{Spec: spec, Field: domField.name, Value: fields[2], Reason: "never falls in the months given"}
	}
	return c, nil
}

func parseCronField(s string, f cronField) (uint64, *CronError) {
	fail := func(part, format string, args ...any) (uint64, *CronError) {
		return 0, &CronError{Field: f.name, Value: part, Reason: fmt.Sprintf(format, args...)}
	}
	var set uint64
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			return fail(s, "empty list item")
		}
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, ok := parseNumber(stepText)
			if !ok || n < 1 || n > f.max-f.min+1 {
				return fail(part, "step %q must be a number from 1 to %d", stepText, f.max-f.min+1)
			}
			step = n
		}
		var lo, hi int
		switch {
		case rng == "*":
			lo, hi = f.min, f.max
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err string
			if lo, err = f.value(a); err != "" {
				return fail(part, "%s", err)
			}
			if hi, err = f.value(b); err != "" {
				return fail(part, "%s", err)
			}
			if lo > hi {
				return fail(part, "range %s-%s runs backwards", a, b)
			}
		default:
			var err string
			if lo, err = f.value(rng); err != "" {
				return fail(part, "%s", err)
			}
			hi = lo
			if hasStep { // "a/n" means from a to the end of the range
				hi = f.max
			}
		}
		for v := lo; v <= hi; v += step {
			set |= 1 << uint(v)
		}
	}
	return set, nil
}

// value parses one number or name of the field, or says why it cannot.
func (f cronField) value(s string) (int, string) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, ""
		}
	}
	n, ok := parseNumber(s)
	if !ok {
		if f.names != nil {
			return 0, fmt.Sprintf("%q is neither a number nor a name like %s", s, f.names[0])
		}
		return 0, fmt.Sprintf("%q is not a number", s)
	}
	if n < f.min || n > f.max {
		return 0, fmt.Sprintf("%d is out of range %d-%d", n, f.min, f.max)
	}
	return n, ""
}

// parseNumber accepts plain decimal digits only (no sign, no spaces), short
// enough that no field can overflow.
func parseNumber(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// searchYears bounds Next's search: a spec that only matches 29 February
// fires at least once in any 8 years (2096 to 2104 skips 2100).
const searchYears = 8

// Next returns the first matching minute strictly after after, in UTC.
func (c *cron) Next(after time.Time) time.Time {
	t := after.UTC().Truncate(time.Minute).Add(time.Minute)
	limit := t.AddDate(searchYears, 0, 0)
	for t.Before(limit) {
		switch {
		case c.month&(1<<uint(t.Month())) == 0:
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		case !c.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
		case c.hour&(1<<uint(t.Hour())) == 0:
			t = t.Truncate(time.Hour).Add(time.Hour)
		case c.minute&(1<<uint(t.Minute())) == 0:
			// Jump to the next allowed minute of this hour, or the next hour.
			rest := c.minute >> uint(t.Minute())
			if rest == 0 {
				t = t.Truncate(time.Hour).Add(time.Hour)
			} else {
				t = t.Add(time.Duration(bits.TrailingZeros64(rest)) * time.Minute)
			}
		default:
			return t
		}
	}
	return time.Time{}
}

func (c *cron) dayMatches(t time.Time) bool {
	dom := c.dom&(1<<uint(t.Day())) != 0
	dow := c.dow&(1<<uint(t.Weekday())) != 0
	if c.domStar || c.dowStar {
		return dom && dow
	}
	return dom || dow
}

// String returns the spec as written, for the UI and logs.
func (c *cron) String() string { return c.spec }
