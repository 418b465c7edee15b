package demoapp

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"
)

// tokenTTL is how long a login token works. Expiry makes the traffic
// generator log in again now and then, as real clients do.
const tokenTTL = time.Hour

// demoUser is a built-in account. The passwords are public on purpose: the
// demo's README tells visitors to use them.
type demoUser struct {
	id, password string
}

var demoUsers = map[string]demoUser{
	"alice": {id: "u_1001", password: "wonderland"},
	"bob":   {id: "u_1002", password: "builder"},
}

// sessions maps bearer tokens to the user they were issued to.
type sessions struct {
	mu     sync.Mutex
	tokens map[string]session
}

type session struct {
	userID  string
	expires time.Time
}

func newSessions() *sessions {
	return &sessions{tokens: map[string]session{}}
}

// issue mints a token for userID and drops expired ones, which keeps the map
// bounded by the login rate times tokenTTL however long the demo runs.
func (s *sessions) issue(userID string, now time.Time) string {
	token := "tok_" + rand.Text()
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, sess := range s.tokens {
		if !now.Before(sess.expires) {
			delete(s.tokens, t)
		}
	}
	s.tokens[token] = session{userID: userID, expires: now.Add(tokenTTL)}
	return token
}

// user returns the user a live token belongs to.
func (s *sessions) user(token string, now time.Time) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.tokens[token]
	if !ok || !now.Before(sess.expires) {
		return "", false
	}
	return sess.userID, true
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token  string `json:"token"`
	UserID string `json:"user_id"`
}

// handleLogin trades a demo user's password for a bearer token. Every
// attempt is logged as an auth.login event: failed logins are what a
// brute-force alarm in Warden counts.
func (a *App) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	user, known := demoUsers[req.Username]
	// Compare even for unknown users so that timing does not tell which
	// usernames exist.
	match := subtle.ConstantTimeCompare([]byte(req.Password), []byte(user.password)) == 1
	log := a.requestLogger(r)
	if !known || !match || req.Password == "" {
		reason := "bad_password"
		if !known {
			reason = "unknown_user"
		}
		attrs := []any{"event", "auth.login", "outcome", "failure", "reason", reason}
		if known {
			attrs = append(attrs, "user_id", user.id)
		}
		log.WarnContext(r.Context(), "login failed", attrs...)
		// One message for both reasons, for the same cause as above.
		writeError(w, http.StatusUnauthorized, "invalid username or password")
		return
	}
	token := a.sessions.issue(user.id, a.now())
	info(r).userID = user.id
	log.InfoContext(r.Context(), "login succeeded",
		"event", "auth.login", "outcome", "success", "user_id", user.id)
	writeJSON(w, http.StatusOK, loginResponse{Token: token, UserID: user.id})
}

// requireUser lets a request through only with a live bearer token, and
// tells the handler (and the access line) whose request it is.
func (a *App) requireUser(next func(w http.ResponseWriter, r *http.Request, userID string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		userID, live := a.sessions.user(strings.TrimSpace(token), a.now())
		if !ok || !live {
			w.Header().Set("WWW-Authenticate", `Bearer realm="demo"`)
			writeError(w, http.StatusUnauthorized, "missing or invalid bearer token")
			return
		}
		info(r).userID = userID
		next(w, r, userID)
	}
}
