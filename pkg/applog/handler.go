package applog

import (
	"context"
	"log/slog"
)

// Keys added by the context handler and the access line.
const (
	requestIDKey = "request_id"
	userIDKey    = "user_id"
)

// NewContextHandler wraps next so that every record logged with a context
// from Middleware or WithRequestID carries request_id, and user_id once
// SetUserID was called. New already uses it; call it yourself only to add
// request IDs to a handler of your own.
//
// The fields stay at the top level even under logger.WithGroup, because
// Warden looks them up there, and are not repeated when the caller already
// logged a field with the same key.
func NewContextHandler(next slog.Handler) slog.Handler {
	return &contextHandler{next: next, root: next}
}

// contextHandler adds the per-request fields at Handle time, since they are
// only known from the context and user_id can change during a request.
type contextHandler struct {
	next slog.Handler // root with all attrs and groups applied

	// root is next before the first WithGroup; ops replays what came after
	// it, so the request fields can be added to root and stay top-level.
	root slog.Handler
	ops  []func(slog.Handler) slog.Handler

	// hasID and hasUser record top-level attrs the caller already added
	// with logger.With, to avoid duplicate JSON keys.
	hasID, hasUser bool
}

func (h *contextHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *contextHandler) Handle(ctx context.Context, r slog.Record) error {
	st := stateFrom(ctx)
	if st == nil {
		return h.next.Handle(ctx, r)
	}
	hasID, hasUser := h.hasID, h.hasUser
	if len(h.ops) == 0 {
		// Attrs of a record under a group belong to the group, so only
		// without groups can the record itself hold the same keys.
		r.Attrs(func(a slog.Attr) bool {
			hasID = hasID || a.Key == requestIDKey
			hasUser = hasUser || a.Key == userIDKey
			return !(hasID && hasUser)
		})
	}
	attrs := make([]slog.Attr, 0, 2)
	if !hasID && st.id != "" {
		attrs = append(attrs, slog.String(requestIDKey, st.id))
	}
	if u := st.user(); !hasUser && u != "" {
		attrs = append(attrs, slog.String(userIDKey, u))
	}
	if len(attrs) == 0 {
		return h.next.Handle(ctx, r)
	}
	if len(h.ops) == 0 {
		r = r.Clone() // the caller may still hold r; don't share its attrs.
		r.AddAttrs(attrs...)
		return h.next.Handle(ctx, r)
	}
	// Rare path (a grouped logger used with a request context): rebuild the
	// handler chain with the fields added before the first group.
	next := h.root.WithAttrs(attrs)
	for _, op := range h.ops {
		next = op(next)
	}
	return next.Handle(ctx, r)
}

func (h *contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	h2.next = h.next.WithAttrs(attrs)
	if len(h.ops) == 0 {
		h2.root = h2.next
		for _, a := range attrs {
			h2.hasID = h2.hasID || a.Key == requestIDKey
			h2.hasUser = h2.hasUser || a.Key == userIDKey
		}
	} else {
		h2.ops = append(h.ops[:len(h.ops):len(h.ops)], func(n slog.Handler) slog.Handler {
			return n.WithAttrs(attrs)
		})
	}
	return &h2
}

func (h *contextHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.next = h.next.WithGroup(name)
	h2.ops = append(h.ops[:len(h.ops):len(h.ops)], func(n slog.Handler) slog.Handler {
		return n.WithGroup(name)
	})
	return &h2
}
