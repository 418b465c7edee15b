package config

import (
	"fmt"
	"sort"
	"strings"
)

// FieldError is one problem in a configuration file, located by line and by
// the path of the field (for example gateway.routes[1].max_body).
type FieldError struct {
	File string
	Line int // 0 when the field is absent from the file
	Path string
	Msg  string
}

// Error formats the problem as file:line: path: message.
func (e *FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Path == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Path + ": " + e.Msg
}

// Errors is every problem found in one configuration, in file order.
type Errors []*FieldError

// Error lists every problem, one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line == 0 || es[j].Line == 0 {
			return es[i].Line != 0 && es[j].Line == 0
		}
		return es[i].Line < es[j].Line
	})
	return es
}

func errorString(format string, args ...any) error { return fmt.Errorf(format, args...) }
