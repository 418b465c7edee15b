package ui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/pkg/applog"
)

const (
	sessionCookie = "warden_session"
	// maxCookieLen bounds what verify will decode: a session is far below
	// it, and a larger value is not ours.
	maxCookieLen = 4096
)

// uiScopes are the scopes that give something to see in the UI; a token that
// can only ingest may not sign in.
var uiScopes = []string{config.ScopeRead, config.ScopeAdmin, config.ScopeAudit}

// session is what the session cookie carries. The cookie is the whole
// session: nothing is stored on the server, so sessions survive restarts
// (with a kept key) and need no table. The price is that signing out only
// deletes the cookie in that browser; a copied cookie stays valid until it
// expires, which SessionTTL bounds.
type session struct {
	Name   string   `json:"n"`
	Kind   string   `json:"k"`
	Scopes []string `json:"s"`
	Expiry int64    `json:"e"` // Unix seconds
	CSRF   string   `json:"c"`
	// Pass fingerprints a user's password hash, so that changing the
	// password in the configuration ends that user's sessions.
	Pass string `json:"p,omitempty"`
}

func (s session) principal() auth.Principal {
	return auth.Principal{Name: s.Name, Kind: s.Kind, Scopes: slices.Clone(s.Scopes)}
}

// signer makes values that only the holder of the key could have made. The
// purpose is part of the MAC, so a value made for one cookie (a flash
// message) is never accepted as another (a session).
type signer struct{ key []byte }

// sign encodes v as base64url JSON followed by "." and its MAC.
func (s signer) sign(purpose string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(purpose, payload)), nil
}

// verify decodes value into v when its MAC is right, and reports whether it
// was. The MAC is checked before the JSON is parsed, so outsiders never
// reach the decoder.
func (s signer) verify(purpose, value string, v any) bool {
	if len(value) > maxCookieLen {
		return false
	}
	payload, sig, ok := strings.Cut(value, ".")
	if !ok {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(purpose, payload)) {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return false
	}
	return json.Unmarshal(b, v) == nil
}

func (s signer) mac(purpose, payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// fingerprint is a short keyed digest of a password hash: enough to notice a
// change, useless for guessing the password.
func (s signer) fingerprint(hash string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("password", hash)[:12])
}

// randomToken returns 32 random bytes in base64url.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// newSession starts a session for p.
func (u *UI) newSession(p auth.Principal) session {
	s := session{
		Name:   p.Name,
		Kind:   p.Kind,
		Scopes: slices.Clone(p.Scopes),
		Expiry: u.now().Add(u.opts.SessionTTL).Unix(),
		CSRF:   randomToken(),
	}
	if usr, ok := u.users[p.Name]; ok && p.Kind == "user" {
		s.Pass = u.signer.fingerprint(usr.PasswordHash.Value())
	}
	return s
}

// readSession returns the request's session when its cookie is ours, has not
// expired, and (for a user) the user is still configured with the same
// password. A user's scopes are read from the configuration again, so that
// a change applies without signing out. Anything else is "signed out".
func (u *UI) readSession(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	var s session
	if !u.signer.verify("session", c.Value, &s) || s.Name == "" || s.CSRF == "" {
		return session{}, false
	}
	if !u.now().Before(time.Unix(s.Expiry, 0)) {
		return session{}, false
	}
	switch s.Kind {
	case "user":
		usr, ok := u.users[s.Name]
		if !ok || !hmac.Equal([]byte(s.Pass), []byte(u.signer.fingerprint(usr.PasswordHash.Value()))) {
			return session{}, false
		}
		s.Scopes = userScopes(usr)
	case "token":
		// auth.Tokens cannot be searched by name, so a token's session
		// keeps the scopes it had at sign-in until it expires.
	default:
		return session{}, false
	}
	return s, true
}

// userScopes gives a user with no scopes everything the UI shows: such a
// user is the operator who wrote the configuration.
func userScopes(usr config.User) []string {
	if len(usr.Scopes) == 0 {
		return slices.Clone(uiScopes)
	}
	return slices.Clone(usr.Scopes)
}

// setSession writes the session cookie.
func (u *UI) setSession(w http.ResponseWriter, r *http.Request, s session) error {
	v, err := u.signer.sign("session", s)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    v,
		Path:     "/",
		MaxAge:   int(u.opts.SessionTTL / time.Second),
		HttpOnly: true,
		Secure:   isHTTPS(r),
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// clearSessionIfPresent deletes a session cookie that did not verify, so the
// browser stops sending a stale one.
func (u *UI) clearSessionIfPresent(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(sessionCookie); err == nil {
		clearCookie(w, r, sessionCookie, "/")
	}
}

func clearCookie(w http.ResponseWriter, r *http.Request, name, path string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode,
	})
}

// isHTTPS decides the cookies' Secure flag per request. Warden often listens
// on plain HTTP on loopback behind a TLS proxy: always setting Secure would
// make browsers drop the cookie on plain-HTTP installs (a LAN address, a
// first try), never setting it would let the cookie travel in clear text
// whenever the site is reached over HTTPS. So the flag follows how the
// browser reached us: TLS here, or a proxy saying X-Forwarded-Proto: https.
func isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

func setUserID(r *http.Request, p auth.Principal) {
	applog.SetUserID(r.Context(), p.Kind+":"+p.Name)
}
