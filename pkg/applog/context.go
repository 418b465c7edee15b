package applog

import (
	"context"
	"sync"
)

// stateKey is the context key of the per-request state.
type stateKey struct{}

// requestState is shared by pointer between the middleware, the handler and
// anything they start, so a user ID set deep in a handler is seen by the
// access line written after it returns. The mutex is there because handlers
// may hand the context to goroutines that log while another sets the user.
type requestState struct {
	id string

	mu     sync.Mutex
	userID string
	route  string
}

func stateFrom(ctx context.Context) *requestState {
	if ctx == nil {
		return nil
	}
	st, _ := ctx.Value(stateKey{}).(*requestState)
	return st
}

func (st *requestState) user() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.userID
}

func (st *requestState) routePattern() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.route
}

// WithRequestID returns a copy of ctx carrying id as the request ID, for work
// that does not come through Middleware (queue consumers, cron jobs) but
// whose lines should still be grouped. Use NewRequestID to mint one. The
// user ID already in ctx, if any, is kept: a job started for a user still
// acts for that user.
func WithRequestID(ctx context.Context, id string) context.Context {
	st := &requestState{id: id}
	if parent := stateFrom(ctx); parent != nil {
		st.userID = parent.user()
	}
	return context.WithValue(ctx, stateKey{}, st)
}

// RequestID returns the request ID carried by ctx, or "" if there is none,
// for passing it on to downstream calls or showing it in error pages.
func RequestID(ctx context.Context) string {
	if st := stateFrom(ctx); st != nil {
		return st.id
	}
	return ""
}

// SetUserID records who the request is acting for, once a handler or an
// authentication middleware knows it. Later lines logged with ctx, and the
// access line, carry it as user_id. It is safe for concurrent use, and does
// nothing if ctx did not come from Middleware or WithRequestID, because a
// context cannot be changed in place.
func SetUserID(ctx context.Context, id string) {
	if st := stateFrom(ctx); st != nil {
		st.mu.Lock()
		st.userID = id
		st.mu.Unlock()
	}
}

// UserID returns the user ID set by SetUserID, or "" if none was set.
func UserID(ctx context.Context) string {
	if st := stateFrom(ctx); st != nil {
		return st.user()
	}
	return ""
}

// SetRoute records the route pattern the access line reports. Middleware
// already reads http.ServeMux's pattern; call SetRoute from routers that do
// not set Request.Pattern, or when a middleware between Middleware and the
// mux replaces the request (as http.StripPrefix does), hiding the pattern.
func SetRoute(ctx context.Context, pattern string) {
	if st := stateFrom(ctx); st != nil {
		st.mu.Lock()
		st.route = pattern
		st.mu.Unlock()
	}
}
