package schedule

import (
	"testing"
	"time"
)

func utc(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

func TestEveryNext(t *testing.T) {
	tests := []struct {
		d           time.Duration
		after, want time.Time
	}{
		{time.Minute, utc(2026, 1, 1, 0, 0, 30), utc(2026, 1, 1, 0, 1, 0)},
		{time.Minute, utc(2026, 1, 1, 0, 1, 0), utc(2026, 1, 1, 0, 2, 0)}, // strictly after
		{time.Hour, utc(2026, 3, 29, 1, 59, 59), utc(2026, 3, 29, 2, 0, 0)},
		{24 * time.Hour, utc(2026, 2, 28, 13, 0, 0), utc(2026, 3, 1, 0, 0, 0)},
		// Slots count from the Unix epoch, not from the hour: 13 min does not divide an hour.
		{13 * time.Minute, utc(2026, 1, 1, 0, 0, 0), utc(2026, 1, 1, 0, 2, 0)},
		{11 * time.Minute, utc(2026, 1, 1, 0, 0, 0), utc(2026, 1, 1, 0, 5, 0)},
		{200 * time.Millisecond, utc(2026, 1, 1, 0, 0, 0).Add(150 * time.Millisecond), utc(2026, 1, 1, 0, 0, 0).Add(200 * time.Millisecond)},
		{time.Hour, utc(1969, 12, 31, 23, 30, 0), utc(1970, 1, 1, 0, 0, 0)},
		{time.Hour, utc(1969, 12, 31, 22, 0, 0), utc(1969, 12, 31, 23, 0, 0)},
		// The zone of after does not matter.
		{time.Hour, time.Date(2026, 1, 1, 5, 30, 0, 0, time.FixedZone("X", 5*3600+1800)), utc(2026, 1, 1, 1, 0, 0)},
	}
	for _, tt := range tests {
		got := Every(tt.d).Next(tt.after)
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("Every(%v).Next(%v) = %v, want %v", tt.d, tt.after, got, tt.want)
		}
	}
}

func TestEveryRejectsSubMillisecond(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second, time.Microsecond} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Every(%v) did not panic", d)
				}
			}()
			Every(d)
		}()
	}
}

func TestLatestDue(t *testing.T) {
	hourly := Every(time.Hour)
	daily, err := Cron("0 3 * * *")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name             string
		s                Schedule
		after, now, want time.Time
	}{
		{"none due", hourly, utc(2026, 1, 1, 10, 0, 0), utc(2026, 1, 1, 10, 59, 0), time.Time{}},
		{"one due", hourly, utc(2026, 1, 1, 10, 0, 0), utc(2026, 1, 1, 11, 0, 0), utc(2026, 1, 1, 11, 0, 0)},
		{"years of downtime", Every(time.Second), utc(2020, 1, 1, 0, 0, 0), utc(2026, 1, 1, 10, 0, 0).Add(300 * time.Millisecond), utc(2026, 1, 1, 10, 0, 0)},
		{"cron", daily, utc(2026, 1, 1, 3, 0, 0), utc(2026, 1, 9, 2, 0, 0), utc(2026, 1, 8, 3, 0, 0)},
	}
	for _, tt := range tests {
		if got := latestDue(tt.s, tt.after, tt.now); !got.Equal(tt.want) {
			t.Errorf("%s: latestDue = %v, want %v", tt.name, got, tt.want)
		}
	}
}
