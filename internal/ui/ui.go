// Package ui is Warden's web UI: server-rendered html/template pages embedded
// in the binary, plain forms that work without JavaScript, one stylesheet and
// a few lines of optional script. There is no front-end build step.
//
// The package is a shell. It owns sign-in, sessions, CSRF protection, the
// layout (navigation, flash messages, sign-out) and the overview page; every
// other part of Warden (alerts, logs, errors, audit, uptime, backups) adds its
// own pages with AddPage and its overview panel with AddOverview, and renders
// its templates inside the layout with Render.
//
// A part's page handler runs only for a signed-in principal that carries the
// page's scope, with the principal in the request context (auth.FromContext),
// and a part's POST handler runs only after the CSRF token and the Origin
// have been checked. Parts therefore never see cookies or tokens.
//
// The stylesheet gives parts ready classes, so that every page looks alike:
// plain <table> elements are styled (wrap wide ones in <div class="table-wrap">),
// "badge ok|warn|fail|muted" colour a status, "button", "button secondary" and
// "button danger" style buttons and links, "card" boxes content, "toolbar" lays
// out a filter form in one row, and "muted" greys text. A form with
// data-confirm="question?" asks before it submits (warden.js). The
// Content-Security-Policy forbids inline scripts and style attributes: draw
// charts with inline SVG and its presentation attributes (width, fill).
package ui

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
)

// DefaultSessionTTL is how long a sign-in lasts when Options.SessionTTL is
// zero: a working day, so that nobody signs in twice a shift.
const DefaultSessionTTL = 12 * time.Hour

// Options configures a UI.
type Options struct {
	// Users sign in with a name and a password checked against their bcrypt
	// hash. A user with no Scopes gets read, admin and audit.
	Users []config.User
	// Tokens lets anyone holding an API token sign in with it; the session
	// carries the token's scopes.
	Tokens *auth.Tokens
	// SessionKey signs session cookies with HMAC-SHA256. It must be 32 bytes;
	// LoadOrCreateKey keeps one in the data directory so that sessions
	// survive a restart.
	SessionKey []byte
	// SessionTTL is how long a sign-in lasts (DefaultSessionTTL when zero).
	SessionTTL time.Duration
	// Logger receives sign-in events and rendering errors (slog.Default when nil).
	Logger *slog.Logger
	// Title names the product in the navigation and in page titles ("Warden").
	Title string
	// Environment ("production", "staging", ...) is shown next to the title,
	// so that nobody mistakes production for staging.
	Environment string
	// Version is shown on the overview's System panel.
	Version string
	// Clock returns the current time (time.Now when nil); tests set it.
	Clock func() time.Time
}

// UI serves the web UI. Build it with New, add pages and panels, then
// Register it on the API server.
type UI struct {
	opts      Options
	now       func() time.Time
	started   time.Time
	signer    signer
	users     map[string]config.User
	dummyHash func() []byte
	throttle  *throttle

	tmpl          *template.Template // layouts and the built-in pages
	overviewTmpl  *template.Template
	static        fs.FS
	staticVersion string

	mu     sync.Mutex
	pages  []Page
	panels []panelSource
	srv    *httpapi.Server
}

// Page is one screen of the UI, added by a part with AddPage.
type Page struct {
	// Path is where the page lives, under /ui/ ("/ui/alerts"). It is an
	// http.ServeMux path, so it may hold wildcards ("/ui/issues/{id}") and a
	// Path ending in "/" matches the whole subtree.
	Path string
	// Title heads the page and names it in the navigation.
	Title string
	// Nav lists the page in the navigation (pages with wildcards never are).
	Nav bool
	// Order sorts the navigation, smallest first; the overview is 0.
	Order int
	// Scope is the scope a principal needs to see the page ("read",
	// "admin", "audit"); empty means any signed-in principal. The page is
	// hidden from the navigation of those who lack it, and answers 403.
	Scope string
	// Handler answers GET (and HEAD) requests.
	Handler func(w http.ResponseWriter, r *http.Request)
	// Post, when set, answers POST requests to the same path; the CSRF
	// token and the Origin are already checked when it runs. Answer with
	// Flash and a 303 redirect (post/redirect/get), so that reloading the
	// result does not submit the form again.
	Post func(w http.ResponseWriter, r *http.Request)
}

// New checks opts and returns a UI with the overview page.
func New(opts Options) (*UI, error) {
	if len(opts.SessionKey) != keySize {
		return nil, fmt.Errorf("ui: session key is %d bytes, want %d (use ui.LoadOrCreateKey)", len(opts.SessionKey), keySize)
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Title == "" {
		opts.Title = "Warden"
	}
	if opts.Tokens == nil {
		opts.Tokens = auth.NewTokens(nil)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	u := &UI{
		opts:     opts,
		now:      opts.Clock,
		started:  opts.Clock(),
		signer:   signer{key: slices.Clone(opts.SessionKey)},
		users:    make(map[string]config.User, len(opts.Users)),
		throttle: newThrottle(maxFailures, failureWindow, maxThrottleKeys),
	}
	u.dummyHash = newDummyHash(opts.Users)
	for _, usr := range opts.Users {
		if usr.Name == "" {
			return nil, errors.New("ui: a user has no name")
		}
		if _, dup := u.users[usr.Name]; dup {
			return nil, fmt.Errorf("ui: user %q is configured twice", usr.Name)
		}
		u.users[usr.Name] = usr
	}
	if err := u.parseTemplates(); err != nil {
		return nil, err
	}
	if err := u.loadStatic(); err != nil {
		return nil, err
	}
	u.AddPage(Page{Path: "/ui/", Title: "Overview", Nav: true, Order: 0, Handler: u.overview})
	return u, nil
}

// AddPage adds a page. Call it before or after Register; it panics, as
// http.ServeMux does, when the path is not under /ui/ or has no handler,
// because that is a programming error found by the first test.
func (u *UI) AddPage(p Page) {
	if !strings.HasPrefix(p.Path, "/ui/") || p.Handler == nil {
		panic(fmt.Sprintf("ui: page %q must have a path under /ui/ and a handler", p.Path))
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.pages = append(u.pages, p)
	slices.SortStableFunc(u.pages, func(a, b Page) int { return a.Order - b.Order })
	if u.srv != nil {
		u.registerPage(u.srv, p)
	}
}

// Register serves the UI on srv: sign-in and sign-out, the overview, the
// static assets, a redirect from / to /ui/, and every page added so far or
// later.
func (u *UI) Register(srv *httpapi.Server) {
	srv.HandlePublic("GET /ui/static/", u.secure(u.staticHandler()))
	srv.HandleSelfAuth("GET /{$}", u.secure(http.RedirectHandler("/ui/", http.StatusSeeOther)))
	srv.HandleSelfAuth("GET /ui/login", u.secure(http.HandlerFunc(u.loginForm)))
	srv.HandleSelfAuth("POST /ui/login", u.secure(http.HandlerFunc(u.loginSubmit)))
	srv.HandleSelfAuth("POST /ui/logout", u.secure(u.signedIn(Page{}, http.HandlerFunc(u.logout))))
	// Any other /ui/ path is a page that does not exist: answer inside the
	// layout, and only to signed-in callers, so the URL space is not probed.
	srv.HandleSelfAuth("GET /ui/", u.secure(u.signedIn(Page{Title: "Not found"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.Error(w, r, http.StatusNotFound, "There is no page at "+r.URL.Path+".")
	}))))
	u.mu.Lock()
	defer u.mu.Unlock()
	u.srv = srv
	for _, p := range u.pages {
		u.registerPage(srv, p)
	}
}

func (u *UI) registerPage(srv *httpapi.Server, p Page) {
	path := p.Path
	if path == "/ui/" {
		path = "/ui/{$}" // the overview, not the catch-all
	}
	srv.HandleSelfAuth("GET "+path, u.secure(u.signedIn(p, http.HandlerFunc(p.Handler))))
	if p.Post != nil {
		srv.HandleSelfAuth("POST "+path, u.secure(u.signedIn(p, http.HandlerFunc(p.Post))))
	}
}

// signedIn lets a request through only with a valid session whose principal
// has page.Scope, and, for POST, with the session's CSRF token and a
// same-origin Origin. It puts the principal in the context and names it in
// the access log.
func (u *UI) signedIn(page Page, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &reqState{page: page}
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		s, ok := u.readSession(r)
		if !ok {
			u.clearSessionIfPresent(w, r)
			http.Redirect(w, r, "/ui/login?next="+urlQueryEscape(loginNext(r)), http.StatusSeeOther)
			return
		}
		st.session = &s
		p := s.principal()
		r = r.WithContext(auth.WithPrincipal(r.Context(), p))
		setUserID(r, p)
		if page.Scope != "" && !p.Has(page.Scope) {
			u.Error(w, r, http.StatusForbidden, fmt.Sprintf("This page needs the %s scope, which your sign-in (%s %s) lacks. Ask an administrator to add it.", page.Scope, p.Kind, p.Name))
			return
		}
		if r.Method == http.MethodPost {
			if err := checkOrigin(r); err != nil {
				u.forbidden(w, r, err)
				return
			}
			if err := checkToken(r, s.CSRF); err != nil {
				u.forbidden(w, r, err)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (u *UI) forbidden(w http.ResponseWriter, r *http.Request, err error) {
	u.opts.Logger.WarnContext(r.Context(), "ui: refused a form", "reason", err.Error())
	u.Error(w, r, http.StatusForbidden, "This form could not be accepted: "+err.Error()+". Reload the page and try again.")
}

// navItem is one entry of the navigation.
type navItem struct {
	Title, Path string
	Current     bool
}

// nav lists the pages p may see, marking the one r is on: the page whose
// path is the longest prefix of the request path, so that /ui/issues/42
// highlights Issues.
func (u *UI) nav(r *http.Request, p auth.Principal) []navItem {
	u.mu.Lock()
	pages := slices.Clone(u.pages)
	u.mu.Unlock()
	var items []navItem
	best, bestLen := -1, 0
	for _, pg := range pages {
		if !pg.Nav || strings.Contains(pg.Path, "{") || (pg.Scope != "" && !p.Has(pg.Scope)) {
			continue
		}
		if matchesPath(r.URL.Path, pg.Path) && len(pg.Path) > bestLen {
			best, bestLen = len(items), len(pg.Path)
		}
		items = append(items, navItem{Title: pg.Title, Path: pg.Path})
	}
	if best >= 0 {
		items[best].Current = true
	}
	return items
}

func matchesPath(reqPath, pagePath string) bool {
	if pagePath == "/ui/" {
		return reqPath == "/ui/"
	}
	base := strings.TrimSuffix(pagePath, "/")
	return reqPath == base || strings.HasPrefix(reqPath, base+"/")
}
