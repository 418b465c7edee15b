package ui

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/httpapi"
)

//go:embed testdata/part.html
var partFS embed.FS

// addTestPages adds what a part would: a page with a form, an admin-only
// page, and a hidden detail page.
func addTestPages(u *UI, posted *int) {
	tmpl := template.Must(template.New("part").Funcs(u.Funcs()).ParseFS(partFS, "testdata/part.html"))
	u.AddPage(Page{
		Path: "/ui/test", Title: "Test part", Nav: true, Order: 10, Scope: "read",
		Handler: func(w http.ResponseWriter, r *http.Request) {
			u.Render(w, r, tmpl, map[string]any{"Name": "<disk-full>", "At": time.Date(2026, 3, 1, 11, 55, 0, 0, time.UTC)})
		},
		Post: func(w http.ResponseWriter, r *http.Request) {
			*posted++
			u.Flash(w, r, "Silenced.")
			http.Redirect(w, r, "/ui/test", http.StatusSeeOther)
		},
	})
	u.AddPage(Page{
		Path: "/ui/admin", Title: "Admin only", Nav: true, Order: 20, Scope: "admin",
		Handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("secret")) },
	})
	u.AddPage(Page{
		Path: "/ui/test/{id}", Title: "Detail", Scope: "read",
		Handler: func(w http.ResponseWriter, r *http.Request) {
			u.Error(w, r, http.StatusNotFound, "no test "+r.PathValue("id"))
		},
	})
}

func TestPageRendersInsideLayout(t *testing.T) {
	var posted int
	e := newEnv(t, func(u *UI) { addTestPages(u, &posted) })
	c, _ := e.signIn("ada")
	resp := e.do(req{path: "/ui/test", cookies: []*http.Cookie{c}})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`<title>Alert &lt;disk-full&gt; · Warden (staging)</title>`, // the part's title template, escaped once
		`<h1>Alert &lt;disk-full&gt;</h1>`,
		`<div class="page-actions"><a class="button" href="/ui/test/new">New</a></div>`,
		`id="part-content"`,
		`fired 5 minutes ago`,
		`id="admin-only"`,
		`<a href="/ui/test" class="current" aria-current="page">Test part</a>`,
		`<a href="/ui/">Overview</a>`,
		`<a href="/ui/admin">Admin only</a>`,
		`action="/ui/logout"`,
		`<span class="env env-staging"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, "Detail") {
		t.Error("a page with a wildcard is in the navigation")
	}
	if m := csrfRe.FindAllStringSubmatch(body, -1); len(m) != 2 || m[0][1] != m[1][1] {
		t.Errorf("csrfField and the sign-out form should carry the session token: %v", m)
	}
	// Sub-pages highlight their parent.
	sub := readBody(t, e.do(req{path: "/ui/test/42", cookies: []*http.Cookie{c}}))
	if !strings.Contains(sub, `<a href="/ui/test" class="current"`) || !strings.Contains(sub, "no test 42") {
		t.Errorf("detail page:\n%s", sub)
	}
}

func TestPageScope(t *testing.T) {
	var posted int
	e := newEnv(t, func(u *UI) { addTestPages(u, &posted) })
	c, _ := e.signIn("reader")
	resp := e.do(req{path: "/ui/admin", cookies: []*http.Cookie{c}})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusForbidden || strings.Contains(body, "secret") || !strings.Contains(body, "needs the admin scope") {
		t.Fatalf("admin page for a reader: %d\n%s", resp.StatusCode, body)
	}
	page := readBody(t, e.do(req{path: "/ui/test", cookies: []*http.Cookie{c}}))
	if strings.Contains(page, "/ui/admin") || strings.Contains(page, `id="admin-only"`) {
		t.Error("a reader sees admin navigation or content")
	}
}

func TestFormCSRF(t *testing.T) {
	var posted int
	e := newEnv(t, func(u *UI) { addTestPages(u, &posted) })
	c, csrf := e.signIn("ada")
	post := func(form url.Values, header map[string]string) *http.Response {
		return e.do(req{method: http.MethodPost, path: "/ui/test", form: form, cookies: []*http.Cookie{c}, header: header})
	}
	for name, tc := range map[string]struct {
		form   url.Values
		header map[string]string
	}{
		"no token":       {url.Values{}, nil},
		"wrong token":    {url.Values{"csrf_token": {csrf + "x"}}, nil},
		"other origin":   {url.Values{"csrf_token": {csrf}}, map[string]string{"Origin": "https://evil.example"}},
		"null origin":    {url.Values{"csrf_token": {csrf}}, map[string]string{"Origin": "null"}},
		"other referer":  {url.Values{"csrf_token": {csrf}}, map[string]string{"Referer": "https://evil.example/x"}},
		"cross-site":     {url.Values{"csrf_token": {csrf}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		"sibling domain": {url.Values{"csrf_token": {csrf}}, map[string]string{"Sec-Fetch-Site": "same-site"}},
	} {
		if resp := post(tc.form, tc.header); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
	}
	if posted != 0 {
		t.Fatalf("handler ran %d times on refused forms", posted)
	}
	for name, header := range map[string]map[string]string{
		"no headers":    nil,
		"same origin":   {"Origin": "http://example.com", "Sec-Fetch-Site": "same-origin"},
		"default port":  {"Origin": "http://example.com:80"},
		"same referer":  {"Referer": "http://example.com/ui/test"},
		"behind proxy":  {"Origin": "https://warden.example", "X-Forwarded-Host": "warden.example"},
		"user navigate": {"Sec-Fetch-Site": "none"},
	} {
		resp := post(url.Values{"csrf_token": {csrf}}, header)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: status %d %s", name, resp.StatusCode, readBody(t, resp))
		}
	}
	if posted != 6 {
		t.Fatalf("handler ran %d times, want 6", posted)
	}

	// Post/redirect/get: the flash shows on the next page, once.
	resp := post(url.Values{"csrf_token": {csrf}}, nil)
	flash := cookieNamed(resp, flashCookie)
	body := readBody(t, e.do(req{path: "/ui/test", cookies: []*http.Cookie{c, flash}}))
	if !strings.Contains(body, `<div class="flash" role="status">Silenced.</div>`) {
		t.Errorf("no flash:\n%s", body)
	}

	// A forged flash cookie is ignored.
	forged := &http.Cookie{Name: flashCookie, Value: "eyJtIjoiVmlzaXQgZXZpbC5leGFtcGxlIn0.AAAA"}
	if body := readBody(t, e.do(req{path: "/ui/test", cookies: []*http.Cookie{c, forged}})); strings.Contains(body, "evil") {
		t.Error("unsigned flash shown")
	}
}

func TestPostWithoutSessionRedirects(t *testing.T) {
	var posted int
	e := newEnv(t, func(u *UI) { addTestPages(u, &posted) })
	resp := e.do(req{method: http.MethodPost, path: "/ui/test", form: url.Values{"csrf_token": {"x"}}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login?next=%2Fui%2Ftest" || posted != 0 {
		t.Fatalf("%d %q posted=%d", resp.StatusCode, resp.Header.Get("Location"), posted)
	}
}

func TestAddPageAfterRegister(t *testing.T) {
	e := newEnv(t, nil)
	e.ui.AddPage(Page{Path: "/ui/late", Title: "Late", Nav: true, Order: 5, Handler: func(w http.ResponseWriter, r *http.Request) {
		e.ui.Error(w, r, http.StatusTeapot, "late page")
	}})
	c, _ := e.signIn("ada")
	resp := e.do(req{path: "/ui/late", cookies: []*http.Cookie{c}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusTeapot || !strings.Contains(body, "late page") {
		t.Fatalf("%d\n%s", resp.StatusCode, body)
	}
}

func TestUnknownPage(t *testing.T) {
	e := newEnv(t, nil)
	if resp := e.do(req{path: "/ui/nope"}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed out: %d", resp.StatusCode)
	}
	c, _ := e.signIn("ada")
	resp := e.do(req{path: "/ui/nope", cookies: []*http.Cookie{c}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "There is no page at /ui/nope.") {
		t.Fatalf("%d\n%s", resp.StatusCode, body)
	}
}

func TestRenderError(t *testing.T) {
	e := newEnv(t, nil)
	broken := template.Must(template.New("broken").Funcs(e.ui.Funcs()).Parse(`{{define "content"}}{{.Missing.Field}}{{end}}`))
	e.ui.AddPage(Page{Path: "/ui/broken", Title: "Broken", Handler: func(w http.ResponseWriter, r *http.Request) {
		e.ui.Render(w, r, broken, 42)
	}})
	c, _ := e.signIn("ada")
	resp := e.do(req{path: "/ui/broken", cookies: []*http.Cookie{c}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "Request ID") {
		t.Fatalf("%d\n%s", resp.StatusCode, body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, nil)
	c, _ := e.signIn("ada")
	for _, path := range []string{"/", "/ui/login", "/ui/", "/ui/static/warden.css", "/ui/nope"} {
		resp := e.do(req{path: path, cookies: []*http.Cookie{c}})
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self'") ||
			!strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	css := e.do(req{path: e.ui.staticURL("warden.css")})
	if css.StatusCode != http.StatusOK || !strings.Contains(css.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Errorf("css: %d %v", css.StatusCode, css.Header)
	}
	if resp := e.do(req{path: "/ui/static/"}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("static directory listing: %d", resp.StatusCode)
	}
}

func TestRoutesAuthenticateThemselves(t *testing.T) {
	e := newEnv(t, nil)
	for _, rt := range e.srv.Routes() {
		switch {
		case rt.Pattern == "GET /ui/static/":
			if rt.Access != httpapi.Public {
				t.Errorf("%s: access %v", rt.Pattern, rt.Access)
			}
		case strings.Contains(rt.Pattern, " /ui/") || rt.Pattern == "GET /{$}":
			if rt.Access != httpapi.SelfAuth {
				t.Errorf("%s: access %v", rt.Pattern, rt.Access)
			}
		}
	}
}
