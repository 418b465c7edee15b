package runbook

import (
	"bytes"
	"html/template"
	"net/url"
	"path"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// HTML renders the runbook's body for the web UI. Raw HTML in the Markdown
// is not passed through (goldmark's default), so a runbook cannot inject
// script into the page. Relative links to other runbooks in the set become
// links to their UI pages; other relative links become links to nothing
// reachable and are left as text targets for the reader.
func (s *Set) HTML(rb *Runbook) (template.HTML, error) {
	doc := md.Parser().Parse(text.NewReader(rb.Body))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			l.Destination = []byte(s.uiDestination(string(l.Destination)))
		}
		return ast.WalkContinue, nil
	})
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, rb.Body, doc); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// uiDestination maps a relative link to another runbook ("disk-filling.md",
// "./disk-filling.md#diagnosis") to that runbook's page.
func (s *Set) uiDestination(dest string) string {
	target, ok := relativeTarget(dest)
	if !ok || strings.Contains(target, "/") {
		return dest
	}
	id, ok := s.IDForFile(path.Base(target))
	if !ok {
		return dest
	}
	out := UIPath(id)
	if u, err := url.Parse(dest); err == nil && u.Fragment != "" {
		out += "#" + u.Fragment
	}
	return out
}
