package render

import (
	"fmt"
	"time"
)

// stampLayout shows seconds because incident timelines are compared to the
// second with logs; UTC because the team may sit in several time zones.
const stampLayout = "2006-01-02 15:04:05 UTC"

func stamp(t time.Time) string { return t.UTC().Format(stampLayout) }

// Duration prints d the way people say it: 45s, 5m, 1h30m, 2d3h. Smaller
// units are dropped past the first two because "for 2d3h" is what matters
// at 3 a.m., not the seconds.
func Duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < day:
		return twoUnits(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "m")
	}
	return twoUnits(int(d/day), "d", int(d%day/time.Hour), "h")
}

func twoUnits(a int, au string, b int, bu string) string {
	if b == 0 {
		return fmt.Sprintf("%d%s", a, au)
	}
	return fmt.Sprintf("%d%s%d%s", a, au, b, bu)
}
