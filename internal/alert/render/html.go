package render

import (
	_ "embed"
	"html/template"
	"strings"

	"github.com/wardenhq/warden/internal/alert"
)

//go:embed notification.html.tmpl
var htmlSource string

// htmlTemplate is html/template so that label and annotation values, which
// come from outside (log lines, error messages, Alertmanager clients), are
// escaped, and a javascript: runbook link is neutralised.
var htmlTemplate = template.Must(template.New("notification").Funcs(template.FuncMap{
	"lines": func(s string) []string { return strings.Split(s, "\n") },
	"testNote": func() string {
		return TestNote
	},
}).Parse(htmlSource))

// HTML renders n as an HTML document with inline styles (mail clients drop
// style sheets), for the text/html part of an email.
func HTML(n *alert.Notification) (string, error) {
	return NewView(n).HTML()
}

// HTML renders the view as an HTML document.
func (v *View) HTML() (string, error) {
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}
