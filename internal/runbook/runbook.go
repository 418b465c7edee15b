// Package runbook reads Markdown runbooks: a small front matter (id, title,
// severity, owner, escalation) and four required sections, Symptoms,
// Diagnosis, Solutions and Escalation. It lints them (missing sections,
// broken relative links, runbook ids named in the config that no runbook
// has) and renders them to HTML for the web UI with goldmark.
package runbook

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// RequiredSections are the level-2 headings every runbook has, in order.
var RequiredSections = []string{"Symptoms", "Diagnosis", "Solutions", "Escalation"}

// Runbook is one parsed runbook file.
type Runbook struct {
	FrontMatter
	// File is the path it was read from.
	File string
	// Body is the Markdown after the front matter; BodyLine is the file line
	// it starts on.
	Body     []byte
	BodyLine int
	// Sections are the level-2 headings found, in order.
	Sections []Section
	// Links are the link and image destinations in the body.
	Links []BodyLink
}

// Section is one level-2 heading and whether anything follows it.
type Section struct {
	Title string
	Line  int
	Empty bool
}

// BodyLink is a destination in the body and the file line it is on.
type BodyLink struct {
	Dest string
	Line int
}

var md = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithParserOptions(parser.WithAutoHeadingID()))

// Parse reads one runbook. It returns the runbook even when there are
// problems, so that one lint run reports every one of them.
func Parse(file string, data []byte) (*Runbook, []Problem) {
	fm, body, bodyLine, probs := ParseFrontMatter(file, data)
	rb := &Runbook{FrontMatter: fm, File: file, Body: body, BodyLine: bodyLine}
	doc := md.Parser().Parse(text.NewReader(body))
	lineOf := lineIndex(body, bodyLine)
	var cur *Section
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level <= 2 {
			if h.Level == 1 {
				cur = nil
				continue
			}
			rb.Sections = append(rb.Sections, Section{Title: plainText(h, body), Line: lineOf(nodeOffset(h)), Empty: true})
			cur = &rb.Sections[len(rb.Sections)-1]
			continue
		}
		if cur != nil {
			cur.Empty = false
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch l := n.(type) {
		case *ast.Link:
			rb.Links = append(rb.Links, BodyLink{Dest: string(l.Destination), Line: lineOf(nodeOffset(l))})
		case *ast.Image:
			rb.Links = append(rb.Links, BodyLink{Dest: string(l.Destination), Line: lineOf(nodeOffset(l))})
		}
		return ast.WalkContinue, nil
	})
	probs = append(probs, rb.checkSections()...)
	return rb, probs
}

func (rb *Runbook) checkSections() []Problem {
	var probs []Problem
	seen := map[string]Section{}
	for _, s := range rb.Sections {
		seen[strings.ToLower(s.Title)] = s
	}
	for _, want := range RequiredSections {
		s, ok := seen[strings.ToLower(want)]
		switch {
		case !ok:
			probs = append(probs, Problem{File: rb.File, Line: rb.BodyLine, Msg: "missing section: add a \"## " + want + "\" heading"})
		case s.Empty:
			probs = append(probs, Problem{File: rb.File, Line: s.Line, Msg: "section " + want + " is empty"})
		}
	}
	return probs
}

// nodeOffset finds a byte offset in the source for n: its own position, or
// that of its first line, or of an ancestor's.
func nodeOffset(n ast.Node) int {
	for ; n != nil; n = n.Parent() {
		if p := n.Pos(); p >= 0 {
			return p
		}
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			return n.Lines().At(0).Start
		}
	}
	return 0
}

// lineIndex maps byte offsets in body to file lines.
func lineIndex(body []byte, first int) func(int) int {
	return func(off int) int {
		if off > len(body) {
			off = len(body)
		}
		if off < 0 {
			off = 0
		}
		return first + bytes.Count(body[:off], []byte("\n"))
	}
}

// plainText is the text of a heading without its markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch t := c.(type) {
			case *ast.Text:
				b.Write(t.Value(src))
			case *ast.String:
				b.Write(t.Value)
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}
