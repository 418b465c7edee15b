package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCronNext(t *testing.T) {
	tests := []struct {
		spec        string
		after, want time.Time
	}{
		{"* * * * *", utc(2026, 1, 1, 0, 0, 0), utc(2026, 1, 1, 0, 1, 0)},
		{"* * * * *", utc(2026, 1, 1, 0, 0, 59).Add(999 * time.Millisecond), utc(2026, 1, 1, 0, 1, 0)},
		{"*/15 * * * *", utc(2026, 1, 1, 10, 7, 0), utc(2026, 1, 1, 10, 15, 0)},
		{"*/15 * * * *", utc(2026, 1, 1, 10, 45, 0), utc(2026, 1, 1, 11, 0, 0)},
		{"5/20 * * * *", utc(2026, 1, 1, 10, 25, 0), utc(2026, 1, 1, 10, 45, 0)},
		{"5/20 * * * *", utc(2026, 1, 1, 10, 45, 0), utc(2026, 1, 1, 11, 5, 0)},
		{"0 3 * * *", utc(2026, 1, 1, 3, 0, 0), utc(2026, 1, 2, 3, 0, 0)},
		{" 0  3\t* * * ", utc(2026, 1, 1, 2, 0, 0), utc(2026, 1, 1, 3, 0, 0)},
		{"0 0 1 * *", utc(2026, 1, 31, 12, 0, 0), utc(2026, 2, 1, 0, 0, 0)},
		// Months without a 31st are skipped, and February waits for a leap year.
		{"0 0 31 * *", utc(2026, 1, 31, 0, 0, 0), utc(2026, 3, 31, 0, 0, 0)},
		{"0 0 29 2 *", utc(2026, 3, 1, 0, 0, 0), utc(2028, 2, 29, 0, 0, 0)},
		{"59 23 28-31 2 *", utc(2028, 2, 28, 23, 59, 0), utc(2028, 2, 29, 23, 59, 0)},
		{"30 23 31 12 *", utc(2026, 12, 31, 23, 30, 0), utc(2027, 12, 31, 23, 30, 0)},
		{"0 0 1 JAN,jul *", utc(2026, 2, 1, 0, 0, 0), utc(2026, 7, 1, 0, 0, 0)},
		// 2026-01-01 is a Thursday.
		{"0 0 * * 0", utc(2026, 1, 1, 0, 0, 0), utc(2026, 1, 4, 0, 0, 0)},
		{"0 0 * * 7", utc(2026, 1, 1, 0, 0, 0), utc(2026, 1, 4, 0, 0, 0)},
		{"0 0 * * 5-7", utc(2026, 1, 2, 0, 0, 0), utc(2026, 1, 3, 0, 0, 0)},
		{"0 9 * * MON-FRI", utc(2026, 1, 2, 10, 0, 0), utc(2026, 1, 5, 9, 0, 0)},
		{"0 12 * * sat,SUN", utc(2026, 1, 3, 12, 0, 0), utc(2026, 1, 4, 12, 0, 0)},
		// Both day fields restricted: either matches (the 13th or a Friday).
		{"0 0 13 * 5", utc(2026, 1, 1, 0, 0, 0), utc(2026, 1, 2, 0, 0, 0)},
		{"0 0 13 * 5", utc(2026, 1, 9, 0, 0, 0), utc(2026, 1, 13, 0, 0, 0)},
		// A day field starting with * counts as unrestricted: both must match
		// (odd days that are Mondays).
		{"0 0 */2 * 1", utc(2026, 1, 1, 0, 0, 0), utc(2026, 1, 5, 0, 0, 0)},
		{"0 0 */2 * 1", utc(2026, 1, 5, 0, 0, 0), utc(2026, 1, 19, 0, 0, 0)},
		{"0 0 * 2 1", utc(2026, 1, 1, 0, 0, 0), utc(2026, 2, 2, 0, 0, 0)},
		{"@hourly", utc(2026, 1, 1, 10, 0, 0), utc(2026, 1, 1, 11, 0, 0)},
		{"@daily", utc(2026, 1, 1, 10, 0, 0), utc(2026, 1, 2, 0, 0, 0)},
		{"@midnight", utc(2026, 1, 1, 10, 0, 0), utc(2026, 1, 2, 0, 0, 0)},
		{"@weekly", utc(2026, 1, 1, 10, 0, 0), utc(2026, 1, 4, 0, 0, 0)},
		{"@monthly", utc(2026, 1, 15, 0, 0, 0), utc(2026, 2, 1, 0, 0, 0)},
		{"@YEARLY", utc(2026, 1, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0)},
		{"@annually", utc(2026, 6, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0)},
		// Evaluated in UTC whatever the zone of after: 02:30+02:00 is 00:30Z.
		{"0 1 * * *", time.Date(2026, 1, 1, 2, 30, 0, 0, time.FixedZone("EET", 2*3600)), utc(2026, 1, 1, 1, 0, 0)},
		// A European DST change (2026-03-29 01:00Z) is just another night.
		{"30 1 * * *", utc(2026, 3, 29, 0, 0, 0), utc(2026, 3, 29, 1, 30, 0)},
	}
	for _, tt := range tests {
		s, err := Cron(tt.spec)
		if err != nil {
			t.Errorf("Cron(%q): %v", tt.spec, err)
			continue
		}
		got := s.Next(tt.after)
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("Cron(%q).Next(%v) = %v, want %v", tt.spec, tt.after, got, tt.want)
		}
	}
}

func TestCronErrorsNameTheField(t *testing.T) {
	tests := []struct{ spec, field, want string }{
		{"", "", "has 0 fields"},
		{"* * * *", "", "has 4 fields"},
		{"0 * * * * *", "", "seconds are not supported"},
		{"@every 5m", "", "unknown descriptor"},
		{"60 * * * *", "minute", `minute field "60": 60 is out of range 0-59`},
		{"-1 * * * *", "minute", `"" is not a number`},
		{"L * * * *", "minute", `"L" is not a number`},
		{"*/0 * * * *", "minute", `step "0" must be a number from 1 to 60`},
		{"5-1 * * * *", "minute", "range 5-1 runs backwards"},
		{"1,,2 * * * *", "minute", "empty list item"},
		{"* 24 * * *", "hour", "24 is out of range 0-23"},
		{"* * 0 * *", "day of month", "0 is out of range 1-31"},
		{"* * 32 * *", "day of month", "out of range"},
		{"* * * 13 *", "month", "13 is out of range 1-12"},
		{"* * * FOO *", "month", "neither a number nor a name like JAN"},
		{"* * * * 8", "day of week", "8 is out of range 0-7"},
		{"* * * * MON-SUN", "day of week", "runs backwards"},
		{"* * * * 1#2", "day of week", `"1#2" is neither a number nor a name like SUN`},
		{"0 0 30 2 *", "day of month", "never falls in the months given"},
		{"0 0 31 4,6,9,11 *", "day of month", "never falls"},
	}
	for _, tt := range tests {
		_, err := Cron(tt.spec)
		var ce *CronError
		if !errors.As(err, &ce) {
			t.Errorf("Cron(%q) = %v, want a *CronError", tt.spec, err)
			continue
		}
		if ce.Field != tt.field || !strings.Contains(err.Error(), tt.want) || ce.Spec != tt.spec {
			t.Errorf("Cron(%q): field %q, error %q; want field %q and %q", tt.spec, ce.Field, err, tt.field, tt.want)
		}
	}
}

func TestCronString(t *testing.T) {
	s, err := Cron(" 0 3 * * * ")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(interface{ String() string }).String(); got != "0 3 * * *" {
		t.Errorf("String() = %q", got)
	}
}

// FuzzCron checks that the parser never panics and that what it accepts
// behaves: Next moves forward to a whole minute, agrees with a minute-by-
// minute walk, and the spec's String parses to the same schedule.
func FuzzCron(f *testing.F) {
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := Cron(spec)
		if err != nil {
			var ce *CronError
			if !errors.As(err, &ce) || ce.Error() == "" {
				t.Fatalf("Cron(%q) error %v is not a *CronError", spec, err)
			}
			return
		}
		c := s.(*cron)
		from := utc(2026, 1, 1, 0, 0, 0)
		next := s.Next(from)
		if next.IsZero() || !next.After(from) || next.Second() != 0 || next.Nanosecond() != 0 {
			t.Fatalf("Cron(%q).Next(%v) = %v", spec, from, next)
		}
		if again := s.Next(next.Add(-time.Minute)); !again.Equal(next) {
			t.Fatalf("Cron(%q): Next(next-1m) = %v, want %v", spec, again, next)
		}
		// A walk over the next two days finds the same first slot.
		for m := from.Add(time.Minute); m.Before(from.Add(48 * time.Hour)); m = m.Add(time.Minute) {
			if c.matches(m) {
				if !m.Equal(next) {
					t.Fatalf("Cron(%q): walk finds %v, Next says %v", spec, m, next)
				}
				break
			}
		}
		if !c.matches(next) {
			t.Fatalf("Cron(%q): Next returned %v, which does not match", spec, next)
		}
		s2, err := Cron(c.String())
		if err != nil {
			t.Fatalf("Cron(%q).String() = %q does not parse: %v", spec, c.String(), err)
		}
		if got := s2.Next(from); !got.Equal(next) {
			t.Fatalf("reparsed %q: Next = %v, want %v", c.String(), got, next)
		}
	})
}

// matches is the plain definition Next must agree with.
func (c *cron) matches(t time.Time) bool {
	return c.minute&(1<<uint(t.Minute())) != 0 && c.hour&(1<<uint(t.Hour())) != 0 &&
		c.month&(1<<uint(t.Month())) != 0 && c.dayMatches(t)
}
