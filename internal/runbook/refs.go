package runbook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// UIPath is where the web UI serves the runbook with an id.
func UIPath(id string) string { return "/ui/runbooks/" + url.PathEscape(id) }

// Link turns what an alert or a config entry names as its runbook into a
// URL: a bare id becomes the runbook's page in Warden's UI, under publicURL
// when one is configured; anything else (a URL) is kept as it is.
func Link(publicURL, ref string) string {
	ref = strings.TrimSpace(ref)
	if !ValidID(ref) {
		return ref
	}
	return strings.TrimRight(publicURL, "/") + UIPath(ref)
}

// IDFromRef returns the runbook id that a reference names: a bare id, or a
// URL (absolute or not) whose path is /ui/runbooks/<id>. Other URLs point
// at runbooks kept elsewhere and name no id here.
func IDFromRef(ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if ValidID(ref) {
		return ref, true
	}
	u, err := url.Parse(ref)
	if err != nil {
		return "", false
	}
	rest, ok := strings.CutPrefix(u.Path, "/ui/runbooks/")
	if !ok || !ValidID(rest) {
		return "", false
	}
	return rest, true
}

// Ref is a runbook named somewhere in a configuration file.
type Ref struct {
	File  string
	Line  int
	Path  string // the field path, such as logs.alarms[0].runbook
	Value string
}

// refKeys are the configuration keys that name a runbook: `runbook` on log
// alarms, checks and backups, and `runbook_url` in alert annotations.
var refKeys = map[string]bool{"runbook": true, "runbook_url": true, "runbook_id": true}

// maxConfigNodes bounds the walk over a configuration file.
const maxConfigNodes = 200000

// ConfigRefs finds every runbook a configuration file names, in any
// section, so that a new part that adds `runbook:` to its entries is
// checked without this package knowing it. It also returns runbooks.dir
// when the file sets it.
func ConfigRefs(file string, data []byte) (refs []Ref, dir string, err error) {
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, "", fmt.Errorf("%s: %w", file, err)
	}
	budget := maxConfigNodes
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		if budget--; budget < 0 || n == nil {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				if refKeys[k.Value] && v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) != "" {
					refs = append(refs, Ref{File: file, Line: v.Line, Path: p, Value: strings.TrimSpace(v.Value)})
				}
				if p == "runbooks.dir" && v.Kind == yaml.ScalarNode {
					dir = v.Value
				}
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, path+"["+strconv.Itoa(i)+"]")
			}
		}
	}
	walk(&root, "")
	if budget < 0 {
		return refs, dir, fmt.Errorf("%s: too many YAML nodes to check", file)
	}
	return refs, dir, nil
}

// CheckRefs reports each reference that names a runbook id the set lacks.
// References to runbooks kept elsewhere (other URLs) are not checked.
func (s *Set) CheckRefs(refs []Ref) []Problem {
	var probs []Problem
	for _, r := range refs {
		id, ok := IDFromRef(r.Value)
		if !ok {
			if !strings.Contains(r.Value, "://") {
				probs = append(probs, Problem{File: r.File, Line: r.Line, Msg: fmt.Sprintf("%s: %q is neither a runbook id (lower-case letters, digits, dashes) nor a URL", r.Path, r.Value)})
			}
			continue
		}
		if _, found := s.Get(id); !found {
			probs = append(probs, Problem{File: r.File, Line: r.Line, Msg: fmt.Sprintf("%s: no runbook has id %q (the runbooks in %s are: %s)", r.Path, id, s.Dir, strings.Join(s.IDs(), ", "))})
		}
	}
	return probs
}

// IDs lists the runbook ids, sorted.
func (s *Set) IDs() []string {
	var out []string
	for _, rb := range s.Runbooks {
		out = append(out, rb.ID)
	}
	return out
}
