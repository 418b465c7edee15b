package ui

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
)

const (
	testPassword   = "correct horse battery staple"
	testAdminToken = "tok-admin-0123456789"
	testIngest     = "tok-ingest-0123456789"
)

// fakeClock is a settable clock: tests move time instead of sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func hash(t testing.TB, password string) config.Secret {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return config.Secret(h)
}

type env struct {
	t     *testing.T
	ui    *UI
	srv   *httpapi.Server
	clock *fakeClock
	key   []byte
}

func testOptions(t *testing.T, clock *fakeClock, key []byte) Options {
	return Options{
		Users: []config.User{
			{Name: "ada", PasswordHash: hash(t, testPassword)},
			{Name: "reader", PasswordHash: hash(t, testPassword), Scopes: []string{"read"}},
		},
		Tokens: auth.NewTokens([]auth.Token{
			{Name: "ops", Secret: testAdminToken, Scopes: []string{"read", "admin", "audit"}},
			{Name: "app", Secret: testIngest, Scopes: []string{"ingest"}},
		}),
		SessionKey:  key,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Environment: "staging",
		Version:     "v1.2.3",
		Clock:       clock.Now,
	}
}

// newEnv builds a UI on an API server; setup runs between New and Register.
func newEnv(t *testing.T, setup func(*UI)) *env {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	key := bytes.Repeat([]byte{7}, keySize)
	u, err := New(testOptions(t, clock, key))
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(u)
	}
	srv := httpapi.New(httpapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	u.Register(srv)
	return &env{t: t, ui: u, srv: srv, clock: clock, key: key}
}

// req is one request to the test server.
type req struct {
	method, path string
	form         url.Values
	cookies      []*http.Cookie
	header       map[string]string
	remote       string
}

func (e *env) do(r req) *http.Response {
	e.t.Helper()
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	hr := httptest.NewRequestWithContext(context.Background(), cmpOr(r.method, http.MethodGet), r.path, body)
	if r.form != nil {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	for _, c := range r.cookies {
		hr.AddCookie(c)
	}
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, hr)
	return rec.Result()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// loginForm fetches the sign-in form and returns its cookie and token.
func (e *env) loginForm() (*http.Cookie, string) {
	e.t.Helper()
	resp := e.do(req{path: "/ui/login"})
	body := readBody(e.t, resp)
	m := csrfRe.FindStringSubmatch(body)
	c := cookieNamed(resp, loginCookie)
	if resp.StatusCode != http.StatusOK || m == nil || c == nil {
		e.t.Fatalf("login form: status %d, token %v, cookie %v", resp.StatusCode, m, c)
	}
	return c, m[1]
}

// postLogin submits the sign-in form with fields.
func (e *env) postLogin(fields url.Values, extra ...func(*req)) *http.Response {
	e.t.Helper()
	c, tok := e.loginForm()
	fields.Set("csrf_token", tok)
	r := req{method: http.MethodPost, path: "/ui/login", form: fields, cookies: []*http.Cookie{c}}
	for _, f := range extra {
		f(&r)
	}
	return e.do(r)
}

// signIn signs in as user and returns the session cookie and CSRF token.
func (e *env) signIn(user string) (*http.Cookie, string) {
	e.t.Helper()
	resp := e.postLogin(url.Values{"name": {user}, "password": {testPassword}})
	c := cookieNamed(resp, sessionCookie)
	if resp.StatusCode != http.StatusSeeOther || c == nil {
		e.t.Fatalf("sign in as %s: status %d, body %s", user, resp.StatusCode, readBody(e.t, resp))
	}
	var s session
	if !e.ui.signer.verify("session", c.Value, &s) {
		e.t.Fatal("session cookie does not verify")
	}
	return c, s.CSRF
}
