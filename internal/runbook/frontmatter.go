package runbook

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FrontMatter is the YAML block between "---" lines at the top of a
// runbook: who owns it and whom to call.
type FrontMatter struct {
	// ID names the runbook in alerts and config (`runbook: disk-filling`).
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	// Severity is the usual severity of the alerts that lead here:
	// critical, warning or info.
	Severity string `yaml:"severity"`
	// Owner is the team that keeps the runbook true.
	Owner string `yaml:"owner"`
	// Escalation lists whom to call, in order, when the runbook does not help.
	Escalation []string `yaml:"escalation"`
}

// Severities a runbook may carry, the alert severities.
var Severities = []string{"critical", "warning", "info"}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// ValidID reports whether s can be a runbook id: lower-case letters,
// digits and dashes, at most 64 characters.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// maxFrontMatter bounds the front matter so that a hostile file cannot make
// the YAML parser work for long.
const maxFrontMatter = 16 << 10

// Problem is one lint finding, located by file and line.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return p.File + ": " + p.Msg
}

// ErrNoFrontMatter means the file does not start with a "---" line.
var ErrNoFrontMatter = errors.New(`no front matter: the file must start with a "---" line, the YAML fields (id, title, severity, owner, escalation) and another "---" line`)

// SplitFrontMatter separates the front matter from the Markdown body. It
// returns the YAML text, the body and the 1-based line the body starts on.
func SplitFrontMatter(data []byte) (yamlText, body []byte, bodyLine int, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM some editors write
	first, rest, _ := cutLine(data)
	if strings.TrimRight(string(first), " \t\r") != "---" {
		return nil, data, 1, ErrNoFrontMatter
	}
	line := 2
	start := len(data) - len(rest)
	for pos := start; pos < len(data); {
		l, next, _ := cutLine(data[pos:])
		if strings.TrimRight(string(l), " \t\r") == "---" {
			if pos-start > maxFrontMatter {
				return nil, nil, 0, fmt.Errorf("front matter is longer than %d bytes", maxFrontMatter)
			}
			return data[start:pos], next, line + 1, nil
		}
		pos = len(data) - len(next)
		line++
	}
	return nil, nil, 0, errors.New(`front matter is not closed: add a "---" line after its fields`)
}

// cutLine returns the first line of b without its newline, the rest, and
// whether a newline was found.
func cutLine(b []byte) (line, rest []byte, found bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil, false
	}
	return b[:i], b[i+1:], true
}

// ParseFrontMatter decodes and checks the front matter of file. Problems
// name the line of the field at fault; line 1 is the file's first line.
func ParseFrontMatter(file string, data []byte) (FrontMatter, []byte, int, []Problem) {
	var fm FrontMatter
	text, body, bodyLine, err := SplitFrontMatter(data)
	if err != nil {
		return fm, body, bodyLine, []Problem{{File: file, Line: 1, Msg: err.Error()}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(text, &root); err != nil {
		// YAML also breaks lines at a lone \r, so its line can pass the
		// front matter's end as this file counts lines (at \n): keep the
		// problem inside the front matter.
		line := min(1+yamlLine(err), 2+bytes.Count(text, []byte("\n")))
		return fm, body, bodyLine, []Problem{{File: file, Line: line, Msg: "front matter: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	var probs []Problem
	add := func(line int, format string, args ...any) {
		probs = append(probs, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	lines := map[string]int{}
	if len(root.Content) == 1 && root.Content[0].Kind == yaml.MappingNode {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			line := 1 + k.Line
			lines[k.Value] = line
			switch k.Value {
			case "id", "title", "severity", "owner":
				if v.Kind != yaml.ScalarNode {
					add(line, "%s: must be a single value", k.Value)
					continue
				}
				*fmField(&fm, k.Value) = strings.TrimSpace(v.Value)
			case "escalation":
				switch v.Kind {
				case yaml.ScalarNode:
					fm.Escalation = append(fm.Escalation, strings.TrimSpace(v.Value))
				case yaml.SequenceNode:
					for _, c := range v.Content {
						if c.Kind != yaml.ScalarNode {
							add(1+c.Line, "escalation: each contact must be one line of text")
							continue
						}
						fm.Escalation = append(fm.Escalation, strings.TrimSpace(c.Value))
					}
				default:
					add(line, "escalation: must be a list of contacts")
				}
			default:
				add(line, "%q is not a front matter field (use id, title, severity, owner, escalation)", k.Value)
			}
		}
	} else if root.Kind != 0 {
		add(2, "front matter must be YAML fields (id, title, severity, owner, escalation)")
	}
	at := func(field string) int {
		if l, ok := lines[field]; ok {
			return l
		}
		return 1
	}
	switch {
	case fm.ID == "":
		add(at("id"), "id: missing (a short name such as disk-filling, used by alerts and checks)")
	case !ValidID(fm.ID):
		add(at("id"), "id: %q must be lower-case letters, digits and dashes", fm.ID)
	}
	if fm.Title == "" {
		add(at("title"), "title: missing")
	}
	if !contains(Severities, fm.Severity) {
		add(at("severity"), "severity: %q is not one of %s", fm.Severity, strings.Join(Severities, ", "))
	}
	if fm.Owner == "" {
		add(at("owner"), "owner: missing (the team that keeps this runbook true)")
	}
	if len(fm.Escalation) == 0 {
		add(at("escalation"), "escalation: list at least one contact to call when this runbook does not help")
	}
	for _, c := range fm.Escalation {
		if c == "" {
			add(at("escalation"), "escalation: a contact is empty")
		}
	}
	return fm, body, bodyLine, probs
}

func fmField(fm *FrontMatter, name string) *string {
	switch name {
	case "id":
		return &fm.ID
	case "title":
		return &fm.Title
	case "severity":
		return &fm.Severity
	default:
		return &fm.Owner
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// yamlLine digs the line out of a yaml error ("yaml: line 3: ...").
func yamlLine(err error) int {
	s := err.Error()
	i := strings.Index(s, "line ")
	if i < 0 {
		return 0
	}
	s = s[i+5:]
	j := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if j >= 0 {
		s = s[:j]
	}
	n, _ := strconv.Atoi(s)
	return n
}
