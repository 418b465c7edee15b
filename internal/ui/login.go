package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
)

// The sign-in form has no session to bind a CSRF token to, so it gets its
// own: GET /ui/login sets a short-lived signed cookie (warden_login) holding
// a random nonce and puts the same nonce in the form. POST /ui/login needs
// both to match, and passes the same Origin check as every other form. A
// cross-site page can neither read the cookie nor mint a signed one, so it
// cannot sign a victim in to an account of the attacker's choosing.
const (
	loginCookie   = "warden_login"
	loginPath     = "/ui/login"
	loginTokenTTL = time.Hour
	failedSignIn  = "Wrong name, password or token."
)

type loginToken struct {
	Nonce  string `json:"n"`
	Expiry int64  `json:"e"`
}

// loginPage is the data of the sign-in template.
type loginPage struct {
	Title, Environment string
	EnvClass           string
	CSRF               string
	Next               string
	Name               string
	Error              string
	TokenTab           bool // reopen the token form after a failed token sign-in
}

func (u *UI) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if s, ok := u.readSession(r); ok {
		setUserID(r, s.principal())
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	u.clearSessionIfPresent(w, r)
	u.showLogin(w, r, http.StatusOK, loginPage{Next: next})
}

// showLogin renders the sign-in form with a fresh form token.
func (u *UI) showLogin(w http.ResponseWriter, r *http.Request, status int, data loginPage) {
	tok := loginToken{Nonce: randomToken(), Expiry: u.now().Add(loginTokenTTL).Unix()}
	v, err := u.signer.sign("login", tok)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: loginCookie, Value: v, Path: loginPath, MaxAge: int(loginTokenTTL / time.Second),
		// Strict: the cookie is only ever needed by a form on this very page.
		HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteStrictMode,
	})
	data.Title, data.Environment, data.EnvClass = u.opts.Title, u.opts.Environment, envClass(u.opts.Environment)
	data.CSRF = tok.Nonce
	u.renderBare(w, r, status, "Sign in", "login", data)
}

func (u *UI) loginSubmit(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"))
	data := loginPage{Next: next, Name: r.PostFormValue("name"), TokenTab: r.PostFormValue("token") != ""}
	if err := checkOrigin(r); err != nil {
		u.opts.Logger.WarnContext(r.Context(), "ui: refused a sign-in form", "reason", err.Error())
		data.Error = "This sign-in came from another site and was refused."
		u.showLogin(w, r, http.StatusForbidden, data)
		return
	}
	if !u.loginTokenOK(r) {
		data.Error = "The sign-in form had expired (or the browser blocks cookies). Please try again."
		u.showLogin(w, r, http.StatusForbidden, data)
		return
	}
	ip := clientIP(r)
	if wait := u.throttle.retryAfter(ip, u.now()); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		data.Error = fmt.Sprintf("Too many failed sign-ins from your address. Try again in %d seconds.", secs)
		u.showLogin(w, r, http.StatusTooManyRequests, data)
		return
	}
	p, ok := u.authenticate(r)
	if !ok {
		u.throttle.fail(ip, u.now())
		// The name is not logged: people type passwords into it.
		u.opts.Logger.WarnContext(r.Context(), "ui: failed sign-in", "client_ip", ip)
		data.Error = failedSignIn
		u.showLogin(w, r, http.StatusUnauthorized, data)
		return
	}
	if !slices.ContainsFunc(uiScopes, p.Has) {
		data.Error = fmt.Sprintf("The %s %q has none of the scopes the UI needs (%s).", p.Kind, p.Name, strings.Join(uiScopes, ", "))
		u.showLogin(w, r, http.StatusForbidden, data)
		return
	}
	if err := u.setSession(w, r, u.newSession(p)); err != nil {
		u.fail(w, r, err)
		return
	}
	clearCookie(w, r, loginCookie, loginPath)
	setUserID(r, p)
	u.opts.Logger.InfoContext(r.Context(), "ui: signed in", "principal", p.Kind+":"+p.Name, "client_ip", ip)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (u *UI) loginTokenOK(r *http.Request) bool {
	c, err := r.Cookie(loginCookie)
	if err != nil {
		return false
	}
	var tok loginToken
	if !u.signer.verify("login", c.Value, &tok) || !u.now().Before(time.Unix(tok.Expiry, 0)) {
		return false
	}
	return checkToken(r, tok.Nonce) == nil
}

// newDummyHash returns the hash compared against when the user name is
// unknown, so that an unknown name takes as long as a wrong password and
// names cannot be probed by timing. It uses the cost of the configured
// hashes, and is made on first use so that starting Warden stays fast.
func newDummyHash(users []config.User) func() []byte {
	cost := bcrypt.DefaultCost
	for _, usr := range users {
		if c, err := bcrypt.Cost([]byte(usr.PasswordHash.Value())); err == nil {
			cost = c
			break
		}
	}
	return sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("warden-no-such-user"), cost)
		return h
	})
}

// authenticate checks the form's API token, or else its name and password.
func (u *UI) authenticate(r *http.Request) (auth.Principal, bool) {
	if token := strings.TrimSpace(r.PostFormValue("token")); token != "" {
		return u.opts.Tokens.Lookup(token)
	}
	name, password := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("password")
	usr, known := u.users[name]
	hash := u.dummyHash()
	if known {
		hash = []byte(usr.PasswordHash.Value())
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if !known || password == "" || err != nil {
		if err != nil && !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) && known {
			u.opts.Logger.ErrorContext(r.Context(), "ui: a user's password hash is unusable", "user", name, "error", err)
		}
		return auth.Principal{}, false
	}
	return auth.Principal{Name: usr.Name, Kind: "user", Scopes: userScopes(usr)}, true
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request) {
	clearCookie(w, r, sessionCookie, "/")
	if p, ok := auth.FromContext(r.Context()); ok {
		u.opts.Logger.InfoContext(r.Context(), "ui: signed out", "principal", p.Kind+":"+p.Name)
	}
	u.Flash(w, r, "You have signed out.")
	http.Redirect(w, r, loginPath, http.StatusSeeOther)
}

// safeNext returns next when it is a path inside the UI, else /ui/. Only a
// local path is followed after sign-in: "//evil.example", "https://evil",
// "/\evil" and the like would send a freshly signed-in user to another site
// (an open redirect).
func safeNext(next string) string {
	const home = "/ui/"
	if next == "" || !strings.HasPrefix(next, "/ui/") || strings.ContainsAny(next, "\\\x00\r\n\t") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	if u.Path == loginPath || u.Path == "/ui/logout" {
		return home
	}
	return next
}

// loginNext is where to come back to after signing in: the page asked for,
// or for a form post (whose data cannot be replayed) the page it posted to.
func loginNext(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return safeNext(r.URL.RequestURI())
	}
	return safeNext(r.URL.Path)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
