package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSignInWithPassword(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.postLogin(url.Values{"name": {"ada"}, "password": {testPassword}, "next": {"/ui/alerts?state=firing"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/alerts?state=firing" {
		t.Fatalf("status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	c := cookieNamed(resp, sessionCookie)
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Fatalf("session cookie = %+v", c)
	}
	var s session
	if !e.ui.signer.verify("session", c.Value, &s) || s.Name != "ada" || s.Kind != "user" {
		t.Fatalf("session = %+v", s)
	}
	if strings.Join(s.Scopes, ",") != "read,admin,audit" {
		t.Errorf("a user with no scopes got %v", s.Scopes)
	}
	if gone := cookieNamed(resp, loginCookie); gone == nil || gone.MaxAge >= 0 {
		t.Errorf("login cookie not cleared")
	}

	page := e.do(req{path: "/ui/", cookies: []*http.Cookie{c}})
	body := readBody(t, page)
	if page.StatusCode != http.StatusOK || !strings.Contains(body, "ada") || !strings.Contains(body, `action="/ui/logout"`) {
		t.Fatalf("overview: %d\n%s", page.StatusCode, body)
	}
	// Signed in, the sign-in page sends the user on.
	if again := e.do(req{path: "/ui/login?next=/ui/x", cookies: []*http.Cookie{c}}); again.Header.Get("Location") != "/ui/x" {
		t.Errorf("login while signed in: %d %q", again.StatusCode, again.Header.Get("Location"))
	}
}

func TestSecureCookieBehindTLSProxy(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.postLogin(url.Values{"name": {"ada"}, "password": {testPassword}}, func(r *req) {
		r.header = map[string]string{"X-Forwarded-Proto": "https"}
	})
	if c := cookieNamed(resp, sessionCookie); c == nil || !c.Secure {
		t.Fatalf("cookie over https = %+v", c)
	}
}

func TestSignInWithToken(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.postLogin(url.Values{"token": {testAdminToken}})
	c := cookieNamed(resp, sessionCookie)
	if resp.StatusCode != http.StatusSeeOther || c == nil {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var s session
	e.ui.signer.verify("session", c.Value, &s)
	if s.Name != "ops" || s.Kind != "token" || strings.Join(s.Scopes, ",") != "read,admin,audit" {
		t.Fatalf("session = %+v", s)
	}
	if page := e.do(req{path: "/ui/", cookies: []*http.Cookie{c}}); page.StatusCode != http.StatusOK {
		t.Fatalf("overview with token session: %d", page.StatusCode)
	}

	// An ingest-only token has nothing to see.
	resp = e.postLogin(url.Values{"token": {testIngest}})
	if resp.StatusCode != http.StatusForbidden || cookieNamed(resp, sessionCookie) != nil {
		t.Fatalf("ingest token: %d", resp.StatusCode)
	}
}

func TestSignInFails(t *testing.T) {
	e := newEnv(t, nil)
	for name, form := range map[string]url.Values{
		"wrong password": {"name": {"ada"}, "password": {"nope"}},
		"unknown user":   {"name": {"eve"}, "password": {testPassword}},
		"empty":          {"name": {""}, "password": {""}},
		"wrong token":    {"token": {"tok-guess"}},
	} {
		resp := e.postLogin(form)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnauthorized || cookieNamed(resp, sessionCookie) != nil {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
		if !strings.Contains(body, "Wrong name, password or token.") || !strings.Contains(body, `name="password"`) {
			t.Errorf("%s: no generic message and form:\n%s", name, body)
		}
	}
}

func TestSignInThrottle(t *testing.T) {
	e := newEnv(t, nil)
	bad := url.Values{"name": {"ada"}, "password": {"guess"}}
	from := func(ip string) func(*req) { return func(r *req) { r.remote = ip + ":5000" } }
	for i := range maxFailures {
		if resp := e.postLogin(bad, from("203.0.113.9")); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
		e.clock.Add(time.Second)
	}
	// Even the right password waits now.
	good := url.Values{"name": {"ada"}, "password": {testPassword}}
	resp := e.postLogin(good, from("203.0.113.9"))
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after %d failures: %d", maxFailures, resp.StatusCode)
	}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After = %q", resp.Header.Get("Retry-After"))
	}
	// Another address is not affected.
	if resp := e.postLogin(good, from("198.51.100.1")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("other address: %d", resp.StatusCode)
	}
	e.clock.Add(failureWindow)
	if resp := e.postLogin(good, from("203.0.113.9")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
}

func TestThrottleBoundsMemory(t *testing.T) {
	th := newThrottle(2, time.Minute, 2)
	now := time.Unix(1000, 0)
	th.fail("a", now)
	th.fail("b", now)
	if th.retryAfter("c", now) == 0 {
		t.Fatal("a new key was let in with the table full")
	}
	if th.retryAfter("c", now.Add(time.Minute)) != 0 {
		t.Fatal("stale keys were not pruned")
	}
}

func TestClientIP(t *testing.T) {
	for _, tc := range []struct{ remote, xff, want string }{
		{"203.0.113.9:1234", "", "203.0.113.9"},
		{"203.0.113.9:1234", "1.2.3.4", "203.0.113.9"}, // not from a local proxy: ignored
		{"127.0.0.1:1234", "", "127.0.0.1"},
		{"127.0.0.1:1234", "6.6.6.6, 198.51.100.7", "198.51.100.7"},
		{"[::1]:1234", "198.51.100.7", "198.51.100.7"},
		{"127.0.0.1:1234", "garbage", "127.0.0.1"},
	} {
		r, _ := http.NewRequest(http.MethodPost, "/ui/login", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := clientIP(r); got != tc.want {
			t.Errorf("clientIP(%s, %q) = %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

func TestRedirectToSignIn(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do(req{path: "/ui/alerts?state=firing"})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login?next=%2Fui%2Falerts%3Fstate%3Dfiring" {
		t.Fatalf("status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := e.do(req{path: "/"}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" {
		t.Fatalf("/: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The next field of the form is the validated one.
	body := readBody(t, e.do(req{path: "/ui/login?next=//evil.com"}))
	if !strings.Contains(body, `name="next" value="/ui/"`) {
		t.Errorf("unsafe next kept in the form:\n%s", body)
	}
	for _, next := range []string{"//evil.com", "https://evil", "/\\evil.com"} {
		resp := e.postLogin(url.Values{"name": {"ada"}, "password": {testPassword}, "next": {next}})
		if loc := resp.Header.Get("Location"); loc != "/ui/" {
			t.Errorf("next=%s: redirected to %q", next, loc)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/ui/",
		"/ui/":                 "/ui/",
		"/ui/alerts":           "/ui/alerts",
		"/ui/logs?q=a%20b#x":   "/ui/logs?q=a%20b#x",
		"//evil.com":           "/ui/",
		"///evil.com":          "/ui/",
		"https://evil":         "/ui/",
		"http://evil/ui/":      "/ui/",
		"/\\evil.com":          "/ui/",
		"/ui/\\evil":           "/ui/",
		"/ui/\r\nSet-Cookie:x": "/ui/",
		"javascript:alert(1)":  "/ui/",
		"/metrics":             "/ui/",
		"/ui/login":            "/ui/",
		"/ui/logout":           "/ui/",
		"ui/alerts":            "/ui/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSignOut(t *testing.T) {
	e := newEnv(t, nil)
	c, csrf := e.signIn("ada")
	// Without the token the form is refused, so other sites cannot sign users out.
	if resp := e.do(req{method: http.MethodPost, path: "/ui/logout", form: url.Values{}, cookies: []*http.Cookie{c}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out without token: %d", resp.StatusCode)
	}
	resp := e.do(req{method: http.MethodPost, path: "/ui/logout", form: url.Values{"csrf_token": {csrf}}, cookies: []*http.Cookie{c}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login" {
		t.Fatalf("sign-out: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if gone := cookieNamed(resp, sessionCookie); gone == nil || gone.MaxAge >= 0 {
		t.Fatal("session cookie not cleared")
	}
	flash := cookieNamed(resp, flashCookie)
	page := e.do(req{path: "/ui/login", cookies: []*http.Cookie{flash}})
	if body := readBody(t, page); !strings.Contains(body, "You have signed out.") {
		t.Errorf("no flash after sign-out:\n%s", body)
	}
	if c := cookieNamed(page, flashCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("flash not cleared after showing")
	}
}

func TestSignInFormCSRF(t *testing.T) {
	e := newEnv(t, nil)
	good := url.Values{"name": {"ada"}, "password": {testPassword}}

	// No form cookie: a cross-site form cannot have one.
	_, tok := e.loginForm()
	form := url.Values{"name": {"ada"}, "password": {testPassword}, "csrf_token": {tok}}
	if resp := e.do(req{method: http.MethodPost, path: "/ui/login", form: form}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("without form cookie: %d", resp.StatusCode)
	}
	// Cookie of one form, token of another.
	resp := e.postLogin(good, func(r *req) { r.form.Set("csrf_token", "forged") })
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("wrong form token: %d", resp.StatusCode)
	}
	resp = e.postLogin(good, func(r *req) { r.header = map[string]string{"Origin": "https://evil.example"} })
	if resp.StatusCode != http.StatusForbidden || cookieNamed(resp, sessionCookie) != nil {
		t.Fatalf("cross-origin sign-in: %d", resp.StatusCode)
	}
	// An expired form asks to try again.
	c, tok := e.loginForm()
	e.clock.Add(loginTokenTTL)
	form = url.Values{"name": {"ada"}, "password": {testPassword}, "csrf_token": {tok}}
	resp = e.do(req{method: http.MethodPost, path: "/ui/login", form: form, cookies: []*http.Cookie{c}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "expired") {
		t.Fatalf("expired form: %d", resp.StatusCode)
	}
	// Same-origin headers pass.
	resp = e.postLogin(good, func(r *req) {
		r.header = map[string]string{"Origin": "http://example.com", "Sec-Fetch-Site": "same-origin"}
	})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin sign-in: %d", resp.StatusCode)
	}
}
