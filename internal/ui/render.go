package ui

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strings"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/pkg/applog"
)

//go:embed templates/*.html
var templateFS embed.FS

// reqState is what the UI knows about one request: the page it is for, the
// session, and a flash message set while it is handled. It is shared by
// pointer, so Flash can reach Render through the same context.
type reqState struct {
	page    Page
	session *session
	flash   string
}

type stateKey struct{}

func stateFrom(ctx context.Context) *reqState {
	st, _ := ctx.Value(stateKey{}).(*reqState)
	return st
}

func (u *UI) parseTemplates() error {
	t, err := template.New("ui").Funcs(u.Funcs()).ParseFS(templateFS, "templates/layout.html", "templates/login.html", "templates/error.html")
	if err != nil {
		return fmt.Errorf("ui: parse templates: %w", err)
	}
	u.tmpl = t
	// The overview is rendered the way parts render their pages.
	u.overviewTmpl, err = template.New("overview").Funcs(u.Funcs()).ParseFS(templateFS, "templates/overview.html")
	if err != nil {
		return fmt.Errorf("ui: parse templates: %w", err)
	}
	return nil
}

// layoutData is what the layout template shows around a page.
type layoutData struct {
	AppTitle    string
	Title       string
	Environment string
	EnvClass    string
	Nav         []navItem
	Principal   *auth.Principal
	CSRF        string
	Flash       string
	Body        template.HTML
	Actions     template.HTML
	CSS, JS     string
	Icon        string
	RequestID   string
}

// Render executes a part's template with data and answers 200 with it
// inside the layout. content is the part's own template (parsed with
// u.Funcs() from the part's embed.FS): its "content" template, when it
// defines one, else content itself, makes the page body; its "title"
// template, when defined, replaces the page's Title (for a detail page named
// after its subject), and its "actions" template, when defined, is put
// beside the heading (buttons such as "Run now"). An error while executing
// answers 500 with nothing half-written.
func (u *UI) Render(w http.ResponseWriter, r *http.Request, content *template.Template, data any) {
	// A clone gets functions bound to this request (csrfField, hasScope);
	// the part's template is never executed, so it can be cloned again.
	t, err := content.Clone()
	if err != nil {
		u.fail(w, r, fmt.Errorf("clone template %q: %w", content.Name(), err))
		return
	}
	t.Funcs(u.requestFuncs(r))
	name := t.Name()
	if t.Lookup("content") != nil {
		name = "content"
	}
	var body bytes.Buffer
	if err := t.ExecuteTemplate(&body, name, data); err != nil {
		u.fail(w, r, fmt.Errorf("render %q: %w", content.Name(), err))
		return
	}
	title := ""
	if st := stateFrom(r.Context()); st != nil {
		title = st.page.Title
	}
	var extra [2]bytes.Buffer
	for i, part := range []string{"title", "actions"} {
		if t.Lookup(part) == nil {
			continue
		}
		if err := t.ExecuteTemplate(&extra[i], part, data); err != nil {
			u.fail(w, r, fmt.Errorf("render %s of %q: %w", part, content.Name(), err))
			return
		}
	}
	if s := strings.TrimSpace(extra[0].String()); s != "" {
		// Executed by html/template, so already escaped: unescape for the
		// layout, which escapes it again.
		title = html.UnescapeString(s)
	}
	u.renderLayout(w, r, http.StatusOK, title, template.HTML(body.String()), template.HTML(extra[1].String()))
}

// Error answers status with msg in a page of its own: inside the layout when
// the caller is signed in, on a bare page otherwise. The request ID is shown
// so that a user can quote it and an operator can find the log lines.
func (u *UI) Error(w http.ResponseWriter, r *http.Request, status int, msg string) {
	data := struct {
		Status    int
		Text, Msg string
		RequestID string
	}{status, http.StatusText(status), msg, applog.RequestID(r.Context())}
	var body bytes.Buffer
	if err := u.tmpl.ExecuteTemplate(&body, "error", data); err != nil {
		u.opts.Logger.ErrorContext(r.Context(), "ui: render error page", "error", err)
		http.Error(w, msg, status)
		return
	}
	title := http.StatusText(status)
	if st := stateFrom(r.Context()); st != nil && st.session != nil {
		u.renderLayout(w, r, status, title, template.HTML(body.String()), "")
		return
	}
	u.writePage(w, r, status, "bare", u.baseData(r, title, template.HTML(body.String())))
}

// fail logs err and answers 500 without its details, which are for the log.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	u.opts.Logger.ErrorContext(r.Context(), "ui: page failed", "path", r.URL.Path, "error", err)
	u.Error(w, r, http.StatusInternalServerError, "Something went wrong on our side. The details are in Warden's log.")
}

// renderBare renders one of the UI's own templates on the bare page (no
// navigation), for the sign-in form.
func (u *UI) renderBare(w http.ResponseWriter, r *http.Request, status int, title, name string, data any) {
	var body bytes.Buffer
	if err := u.tmpl.ExecuteTemplate(&body, name, data); err != nil {
		u.opts.Logger.ErrorContext(r.Context(), "ui: render", "template", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	u.writePage(w, r, status, "bare", u.baseData(r, title, template.HTML(body.String())))
}

// renderLayout wraps body in the signed-in layout.
func (u *UI) renderLayout(w http.ResponseWriter, r *http.Request, status int, title string, body, actions template.HTML) {
	d := u.baseData(r, title, body)
	d.Actions = actions
	if st := stateFrom(r.Context()); st != nil && st.session != nil {
		p := st.session.principal()
		d.Principal = &p
		d.CSRF = st.session.CSRF
		d.Nav = u.nav(r, p)
	}
	u.writePage(w, r, status, "layout", d)
}

func (u *UI) baseData(r *http.Request, title string, body template.HTML) layoutData {
	return layoutData{
		AppTitle:    u.opts.Title,
		Title:       title,
		Environment: u.opts.Environment,
		EnvClass:    envClass(u.opts.Environment),
		Flash:       u.takeFlash(r),
		Body:        body,
		CSS:         u.staticURL("warden.css"),
		JS:          u.staticURL("warden.js"),
		Icon:        u.staticURL("favicon.svg"),
		RequestID:   applog.RequestID(r.Context()),
	}
}

// writePage executes a layout into a buffer first, so that a template error
// still leaves the status line and headers ours to choose.
func (u *UI) writePage(w http.ResponseWriter, r *http.Request, status int, layout string, d layoutData) {
	var page bytes.Buffer
	if err := u.tmpl.ExecuteTemplate(&page, layout, d); err != nil {
		u.opts.Logger.ErrorContext(r.Context(), "ui: render layout", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if d.Flash != "" {
		u.clearFlash(w, r)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(page.Bytes())
}

// envClass colours the environment badge: red for production, so it is
// never mistaken for a test system.
func envClass(env string) string {
	switch strings.ToLower(env) {
	case "production", "prod", "live":
		return "env-production"
	case "staging", "stage", "preprod", "test", "testing":
		return "env-staging"
	}
	return "env-other"
}
