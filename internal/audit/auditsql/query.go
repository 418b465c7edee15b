package auditsql

import (
	"context"
	"strings"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/store"
)

// where builds the WHERE clause of a filter.
func where(f audit.Filter) (string, []any) {
	var conds []string
	var args []any
	eq := func(col, v string) {
		if v != "" {
			conds = append(conds, col+" = ?")
			args = append(args, v)
		}
	}
	in := func(cols []string, vals []string) {
		if len(vals) == 0 {
			return
		}
		var ors []string
		for _, c := range cols {
			ors = append(ors, c+" IN ("+placeholders(len(vals))+")")
			for _, v := range vals {
				args = append(args, v)
			}
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	eq("actor_type", f.ActorType)
	eq("target_type", f.TargetType)
	eq("outcome", f.Outcome)
	if prefix, ok := strings.CutSuffix(f.Action, "*"); ok {
		// _ is a LIKE wildcard and common in action names: escape it.
		conds = append(conds, `action LIKE ? ESCAPE '!'`)
		args = append(args, strings.NewReplacer("!", "!!", "_", "!_", "%", "!%").Replace(prefix)+"%")
	} else {
		eq("action", f.Action)
	}
	in([]string{"actor_ref"}, f.ActorRefs)
	in([]string{"target_ref"}, f.TargetRefs)
	in([]string{"actor_ref", "target_ref"}, f.EitherRefs)
	if !f.From.IsZero() {
		conds = append(conds, "time >= ?")
		args = append(args, store.Millis(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "time < ?")
		args = append(args, store.Millis(f.To))
	}
	if f.After != nil {
		conds = append(conds, "seq > ?")
		args = append(args, *f.After)
	}
	if f.Before != nil {
		conds = append(conds, "seq < ?")
		args = append(args, *f.Before)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Query implements audit.Store.
func (s *Store) Query(ctx context.Context, f audit.Filter) ([]audit.Record, error) {
	w, args := where(f)
	order := " ORDER BY seq DESC"
	if f.After != nil || f.Ascending {
		order = " ORDER BY seq"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+eventColumns+" FROM audit_events"+w+order+" LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Count implements audit.Store.
func (s *Store) Count(ctx context.Context, f audit.Filter) (int64, error) {
	w, args := where(f)
	var n int64
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_events"+w, args...).Scan(&n)
	return n, err
}
