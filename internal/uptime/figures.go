package uptime

import (
	"context"
	"sort"
	"time"
)

// Windows are the spans uptime is reported over.
var Windows = []struct {
	Name string
	Span time.Duration
}{{"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}, {"90d", 90 * 24 * time.Hour}}

// Uptime is a share of passing probes in a window; probes in maintenance
// count neither way. Percent is nil when the window holds no counted probe.
type Uptime struct {
	Window  string   `json:"window"`
	Percent *float64 `json:"percent"`
	Passed  int64    `json:"passed"`
	Failed  int64    `json:"failed"`
}

// Figures sum up one check, or every check when Check is empty.
type Figures struct {
	Check  string   `json:"check,omitempty"`
	Uptime []Uptime `json:"uptime"`
	// Latency percentiles over the last 24 hours, in milliseconds.
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	// MTTD (first failing probe to detection) and MTTR (detection to
	// recovery), over incidents detected in the last 90 days, in seconds.
	MTTD      float64 `json:"mttd_seconds"`
	MTTR      float64 `json:"mttr_seconds"`
	Incidents int     `json:"incidents"`
}

// Figures computes the figures of one check as of now. Uptime counts
// probes in hourly rollups (check-count, as Gatus does), from the start of
// the hour a window begins in.
func (m *Monitor) Figures(ctx context.Context, check string, now time.Time) (Figures, error) {
	f := Figures{Check: check}
	for _, w := range Windows {
		rs, err := m.opts.Store.Rollups(ctx, check, Hour, now.Add(-w.Span).Truncate(time.Hour), now.Add(time.Hour))
		if err != nil {
			return f, err
		}
		u := Uptime{Window: w.Name}
		for _, r := range rs {
			u.Passed += r.Passed
			u.Failed += r.Failed
		}
		if n := u.Passed + u.Failed; n > 0 {
			p := 100 * float64(u.Passed) / float64(n)
			u.Percent = &p
		}
		f.Uptime = append(f.Uptime, u)
	}
	lat, err := m.opts.Store.Latencies(ctx, check, now.Add(-24*time.Hour), now.Add(time.Second))
	if err != nil {
		return f, err
	}
	f.P50, f.P95, f.P99 = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
	incs, err := m.opts.Store.Incidents(ctx, IncidentFilter{Check: check, Since: now.Add(-90 * 24 * time.Hour), Limit: 10000})
	if err != nil {
		return f, err
	}
	f.MTTD, f.MTTR, f.Incidents = meanTimes(incs, now.Add(-90*24*time.Hour))
	return f, nil
}

// Overall computes uptime and MTTD/MTTR across every check: uptime pools all
// probes, MTTD and MTTR all incidents.
func (m *Monitor) Overall(ctx context.Context, now time.Time) (Figures, error) {
	var all Figures
	var incs []Incident
	for i, c := range m.opts.Checks {
		f, err := m.Figures(ctx, c.Name, now)
		if err != nil {
			return all, err
		}
		if i == 0 {
			all.Uptime = make([]Uptime, len(f.Uptime))
			for j := range f.Uptime {
				all.Uptime[j].Window = f.Uptime[j].Window
			}
		}
		for j, u := range f.Uptime {
			all.Uptime[j].Passed += u.Passed
			all.Uptime[j].Failed += u.Failed
		}
		ci, err := m.opts.Store.Incidents(ctx, IncidentFilter{Check: c.Name, Since: now.Add(-90 * 24 * time.Hour), Limit: 10000})
		if err != nil {
			return all, err
		}
		incs = append(incs, ci...)
	}
	for j := range all.Uptime {
		if n := all.Uptime[j].Passed + all.Uptime[j].Failed; n > 0 {
			p := 100 * float64(all.Uptime[j].Passed) / float64(n)
			all.Uptime[j].Percent = &p
		}
	}
	all.MTTD, all.MTTR, all.Incidents = meanTimes(incs, now.Add(-90*24*time.Hour))
	return all, nil
}

// meanTimes averages time to detect over incidents detected since since,
// and time to recover over those of them that have recovered.
func meanTimes(incs []Incident, since time.Time) (mttd, mttr float64, n int) {
	var detect, recover time.Duration
	var recovered int
	for _, i := range incs {
		if i.DetectedAt.Before(since) {
			continue
		}
		n++
		detect += i.TimeToDetect()
		if !i.RecoveredAt.IsZero() {
			recovered++
			recover += i.TimeToRecover()
		}
	}
	if n > 0 {
		mttd = detect.Seconds() / float64(n)
	}
	if recovered > 0 {
		mttr = recover.Seconds() / float64(recovered)
	}
	return mttd, mttr, n
}

// percentile is the nearest-rank percentile of sorted latencies, in ms.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	if !sort.SliceIsSorted(sorted, func(i, j int) bool { return sorted[i] < sorted[j] }) {
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return float64(sorted[rank].Microseconds()) / 1000
}

// DayBar is one day of a check's history bar.
type DayBar struct {
	Date        time.Time `json:"date"`
	Percent     *float64  `json:"percent"`
	Passed      int64     `json:"passed"`
	Failed      int64     `json:"failed"`
	Maintenance int64     `json:"maintenance"`
}

// Days returns the last n days of daily rollups, oldest first, one bar per
// day whether or not it has probes.
func (m *Monitor) Days(ctx context.Context, check string, n int, now time.Time) ([]DayBar, error) {
	today := now.UTC().Truncate(24 * time.Hour)
	from := today.Add(-time.Duration(n-1) * 24 * time.Hour)
	rs, err := m.opts.Store.Rollups(ctx, check, Day, from, today.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	byDay := map[int64]Rollup{}
	for _, r := range rs {
		byDay[r.Start.Unix()] = r
	}
	out := make([]DayBar, n)
	for i := range out {
		d := from.Add(time.Duration(i) * 24 * time.Hour)
		r := byDay[d.Unix()]
		b := DayBar{Date: d, Passed: r.Passed, Failed: r.Failed, Maintenance: r.Maintenance}
		if t := r.Passed + r.Failed; t > 0 {
			p := 100 * float64(r.Passed) / float64(t)
			b.Percent = &p
		}
		out[i] = b
	}
	return out, nil
}
