package render

import (
	"fmt"
	"strings"

	"github.com/wardenhq/warden/internal/alert"
)

// TestNote tells the reader of a test notification that nothing is wrong.
const TestNote = "This is a test notification sent by `warden alerts test`; nothing is wrong."

// Text renders n as plain text, for the text/plain part of an email and for
// any channel that cannot show HTML. Lines end in "\n"; transports convert.
func Text(n *alert.Notification) string {
	return NewView(n).Text()
}

// Text renders the view as plain text.
func (v *View) Text() string {
	var b strings.Builder
	b.WriteString(v.Title + "\n")
	if v.Test {
		b.WriteString("\n" + TestNote + "\n")
	}
	writeSection(&b, "Firing", v.Firing)
	writeSection(&b, "Resolved", v.Resolved)
	if v.ExternalURL != "" {
		b.WriteString("\n-- \nSent by Warden " + v.ExternalURL + "\n")
	}
	return b.String()
}

func writeSection(b *strings.Builder, name string, alerts []Alert) {
	if len(alerts) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s (%d)\n", name, len(alerts))
	for _, a := range alerts {
		b.WriteString("\n")
		writeAlert(b, a)
	}
}

func writeAlert(b *strings.Builder, a Alert) {
	b.WriteString("- " + a.Heading() + "\n")
	if a.Description != "" {
		for _, line := range strings.Split(a.Description, "\n") {
			b.WriteString(strings.TrimRight("  "+line, " \t\r") + "\n")
		}
	}
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(b, "  %-9s %s\n", name+":", value)
		}
	}
	field("Value", a.Value)
	field("Where", a.WhereText())
	field("Since", a.Since)
	field("Resolved", a.ResolvedAt)
	field("Labels", a.LabelsText())
	field("Warden", a.URL)
	field("Runbook", a.RunbookURL)
}
