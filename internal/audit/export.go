package audit

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Export formats.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// csvHeader is the column order of CSV exports.
var csvHeader = []string{"seq", "id", "time", "recorded_at", "action", "actor_type", "actor_id", "target_type", "target_id",
	"outcome", "client_ip", "user_agent", "request_id", "details", "hash"}

// Export streams every event the query matches, oldest first, page by page
// so memory stays flat however long the trail is. It returns how many
// events it wrote.
func (s *Service) Export(ctx context.Context, q Query, w io.Writer, format string) (int64, error) {
	write, flush, err := exportWriter(w, format)
	if err != nil {
		return 0, err
	}
	q.Ascending, q.Before, q.Limit = true, nil, maxLimit
	var n int64
	for {
		page, err := s.Query(ctx, q)
		if err != nil {
			return n, err
		}
		for _, v := range page {
			if err := write(v); err != nil {
				return n, err
			}
			n++
		}
		if len(page) < maxLimit {
			return n, flush()
		}
		last := page[len(page)-1].Seq
		q.After = &last
	}
}

func exportWriter(w io.Writer, format string) (write func(View) error, flush func() error, err error) {
	switch format {
	case FormatJSONL, "":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return func(v View) error { return enc.Encode(v) }, func() error { return nil }, nil
	case FormatCSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(csvHeader); err != nil {
			return nil, nil, err
		}
		return func(v View) error { return cw.Write(csvRow(v)) }, func() error { cw.Flush(); return cw.Error() }, nil
	}
	return nil, nil, fieldErr("format", "%q is not jsonl or csv", format)
}

func csvRow(v View) []string {
	details := ""
	if len(v.Details) > 0 {
		b, _ := json.Marshal(v.Details)
		details = string(b)
	}
	return []string{strconv.FormatInt(v.Seq, 10), v.ID, v.Time.Format(time.RFC3339Nano), v.RecordedAt.Format(time.RFC3339Nano),
		v.Action, v.Actor.Type, v.Actor.ID, v.Target.Type, v.Target.ID, string(v.Outcome),
		v.ClientIP, v.UserAgent, v.RequestID, details, v.Hash}
}

// ExportUser writes every event whose actor or target is the user (a GDPR
// access request). The export is itself recorded, as admin.audit.export by
// the actor in ctx, before any byte is written: no copy leaves without a
// trace, and if recording fails nothing is exported.
func (s *Service) ExportUser(ctx context.Context, userID string, w io.Writer, format string) (int64, error) {
	if _, _, err := exportWriter(io.Discard, format); err != nil {
		return 0, err
	}
	if userID == "" {
		return 0, fieldErr("user", "name the user whose events to export")
	}
	err := s.Record(ctx, Event{Action: "admin.audit.export", Target: Target{Type: TargetUser, ID: userID}, Outcome: Success,
		Details: map[string]any{"format": format, "scope": "user"}})
	if err != nil {
		return 0, fmt.Errorf("record the export in the audit trail: %w", err)
	}
	refs, err := s.refs(ctx, userID)
	if err != nil {
		return 0, err
	}
	write, flush, _ := exportWriter(w, format)
	var n int64
	f := Filter{EitherRefs: refs, Ascending: true, Limit: maxLimit}
	for {
		recs, err := s.store.Query(ctx, f)
		if err != nil {
			return n, err
		}
		views, err := s.views(ctx, recs)
		if err != nil {
			return n, err
		}
		for _, v := range views {
			if err := write(v); err != nil {
				return n, err
			}
			n++
		}
		if len(recs) < maxLimit {
			return n, flush()
		}
		last := recs[len(recs)-1].Seq
		f.After = &last
	}
}
