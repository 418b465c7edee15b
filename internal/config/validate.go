package config

import (
	"fmt"
	"reflect"
	"strings"
)

func reflectValue(c *Config) reflect.Value { return reflect.ValueOf(c).Elem() }

// validator collects semantic errors and places each on the line of the field
// it names, or of the nearest enclosing field present in the file.
type validator struct {
	file  string
	lines map[string]int
	errs  Errors
}

func (v *validator) errorf(path, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{File: v.file, Line: v.lineOf(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) lineOf(path string) int {
	for path != "" {
		if l, ok := v.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
