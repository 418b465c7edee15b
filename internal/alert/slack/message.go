package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/render"
)

// Slack's limits for one message, and ours for a readable one.
const (
	// MaxBlocks is Slack's limit on blocks in a message.
	MaxBlocks = 50
	// MaxSectionText is Slack's limit on a section block's text.
	MaxSectionText = 3000
	// MaxAlerts is how many alerts one message shows; a larger group is
	// cut with a note of how many more there are. Far below MaxBlocks,
	// because nobody reads the fortieth alert in a chat message.
	MaxAlerts = 20
	// maxDescription keeps one long description from filling a section.
	maxDescription = 1500
)

// Colours of the attachment bar.
const (
	ColorFiring   = "danger"
	ColorResolved = "good"
)

// Message is the JSON body of an incoming webhook request.
type Message struct {
	// Text is the fallback Slack shows in notifications and previews.
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment carries a colour bar and the blocks beside it.
type Attachment struct {
	Color    string  `json:"color"`
	Fallback string  `json:"fallback"`
	Blocks   []Block `json:"blocks"`
}

// Block is a section (Text) or a context (Elements) block.
type Block struct {
	Type     string  `json:"type"`
	Text     *Text   `json:"text,omitempty"`
	Elements []*Text `json:"elements,omitempty"`
}

// Text is a Slack text object.
type Text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// NewMessage builds the message for n: firing alerts first, at most
// MaxAlerts in all, and a closing note naming how many were left out.
func NewMessage(n *alert.Notification) *Message {
	v := render.NewView(n)
	m := &Message{Text: escape(v.Title)}
	if v.Test {
		m.Text += "\n_" + escape(render.TestNote) + "_"
	}
	budget := MaxAlerts
	firing, resolved := take(v.Firing, &budget), take(v.Resolved, &budget)
	if len(firing) > 0 {
		m.Attachments = append(m.Attachments, attachment(ColorFiring, v.Title, firing))
	}
	if len(resolved) > 0 {
		m.Attachments = append(m.Attachments, attachment(ColorResolved, v.Title, resolved))
	}
	if hidden := len(v.Firing) - len(firing) + len(v.Resolved) - len(resolved); hidden > 0 && len(m.Attachments) > 0 {
		last := &m.Attachments[len(m.Attachments)-1]
		last.Blocks = append(last.Blocks, moreNote(v, len(v.Firing)-len(firing), len(v.Resolved)-len(resolved)))
	}
	return m
}

func take(alerts []render.Alert, budget *int) []render.Alert {
	k := min(len(alerts), *budget)
	*budget -= k
	return alerts[:k]
}

func attachment(color, title string, alerts []render.Alert) Attachment {
	a := Attachment{Color: color, Fallback: title}
	for _, al := range alerts {
		a.Blocks = append(a.Blocks, Block{Type: "section", Text: &Text{Type: "mrkdwn", Text: section(al)}})
	}
	return a
}

func moreNote(v *render.View, firing, resolved int) Block {
	var parts []string
	if firing > 0 {
		parts = append(parts, fmt.Sprintf("%d firing", firing))
	}
	if resolved > 0 {
		parts = append(parts, fmt.Sprintf("%d resolved", resolved))
	}
	s := fmt.Sprintf("…and %d more alerts not shown (%s).", firing+resolved, strings.Join(parts, ", "))
	if v.ExternalURL != "" {
		s += " " + link(v.ExternalURL, "See them all in Warden")
	}
	return Block{Type: "context", Elements: []*Text{{Type: "mrkdwn", Text: s}}}
}

// section writes one alert in Slack's mrkdwn. Each part has its own
// length budget, applied before the links, so a huge description or label
// set is shortened and the Warden and runbook links always survive within
// MaxSectionText.
func section(a render.Alert) string {
	var links []string
	if a.URL != "" {
		links = append(links, link(a.URL, "Open in Warden"))
	}
	if a.RunbookURL != "" {
		links = append(links, link(a.RunbookURL, "Runbook"))
	}
	tail := strings.Join(links, " · ")

	var b strings.Builder
	b.WriteString("*" + escapeCut(a.Name, 200) + "*")
	if a.Summary != "" {
		b.WriteString(": " + escapeCut(a.Summary, 300))
	}
	b.WriteByte('\n')
	field := func(name, value string, max int) {
		if value != "" {
			b.WriteString("*" + name + ":* " + escapeCut(value, max) + "\n")
		}
	}
	field("Value", a.Value, 200)
	field("Where", a.WhereText(), 300)
	field("Since", a.Since, 100)
	field("Resolved", a.ResolvedAt, 100)
	field("Labels", a.LabelsText(), 500)
	fields := b.String()

	head := fields[:strings.IndexByte(fields, '\n')+1]
	rest := fields[len(head):]
	if a.Description != "" {
		room := MaxSectionText - runes(head) - runes(rest) - runes(tail) - 1
		head += escapeCut(a.Description, min(room, maxDescription)) + "\n"
	}
	return cut(strings.TrimRight(head+rest+tail, "\n"), MaxSectionText)
}

// escapeCut escapes s and shortens the result to at most n characters
// without splitting an escape such as &amp;.
func escapeCut(s string, n int) string {
	if n <= 1 {
		return ""
	}
	e := escape(s)
	if runes(e) <= n {
		return e
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		piece := escape(string(r))
		if used+runes(piece) > n-1 {
			break
		}
		b.WriteString(piece)
		used += runes(piece)
	}
	return b.String() + "…"
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// escape applies Slack's three escapes, so alert text cannot form links or
// mentions (<!channel>).
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }

// link writes <url|label>; a "|" or ">" in the URL would end it early.
func link(url, label string) string {
	url = strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C").Replace(url)
	return "<" + url + "|" + label + ">"
}

// cut shortens s to at most n characters, counting as Slack does (runes).
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
