package config

import (
	"encoding"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder turns a YAML tree into Go structs by hand rather than through
// yaml.Unmarshal, because users need every error at once, each with its line
// and the full field path, and an unknown key must be an error with a hint.
type decoder struct {
	file   string
	lookup func(string) (string, bool)
	errs   Errors
	lines  map[string]int // field path -> line, for validation messages
	budget int            // nodes left to visit; aliases can make a small file expand without bound
}

// maxNodes bounds the work one file can cause through YAML aliases
// ("billion laughs"); no real configuration comes near it.
const maxNodes = 100_000

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func (d *decoder) errorf(line int, path, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{File: d.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) > 0 {
			d.decode(n.Content[0], v, path)
		}
		return
	}
	if d.budget--; d.budget < 0 {
		if d.budget == -1 {
			d.errorf(n.Line, path, "the file expands to more than %d values through aliases", maxNodes)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		d.decode(n.Alias, v, path)
		return
	}
	d.lines[path] = n.Line
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value keeps the default
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(textUnmarshaler) {
		s, ok := d.scalar(n, path, "a value")
		if !ok {
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			d.errorf(n.Line, path, "%v", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.String:
		if s, ok := d.scalar(n, path, "a string"); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		s, ok := d.scalar(n, path, "true or false")
		if !ok {
			return
		}
		b, err := strconv.ParseBool(s)
		if err != nil {
			d.errorf(n.Line, path, "%q is not true or false", s)
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s, ok := d.scalar(n, path, "a whole number")
		if !ok {
			return
		}
		i, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			d.errorf(n.Line, path, "%q is not a whole number", s)
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s, ok := d.scalar(n, path, "a whole number")
		if !ok {
			return
		}
		i, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			d.errorf(n.Line, path, "%q is not a whole number of 0 or more", s)
			return
		}
		v.SetUint(i)
	case reflect.Float32, reflect.Float64:
		s, ok := d.scalar(n, path, "a number")
		if !ok {
			return
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			d.errorf(n.Line, path, "%q is not a number", s)
			return
		}
		v.SetFloat(f)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.errorf(n.Line, path, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(x))
	default:
		d.errorf(n.Line, path, "cannot be set from a configuration file")
	}
}

// scalar returns the node's value with ${VAR} expanded.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n.Line, path, "must be %s, not %s", want, kindName(n))
		return "", false
	}
	s, missing := expand(n.Value, d.lookup)
	for _, m := range missing {
		d.errorf(n.Line, path, "${%s} is not set (set the environment variable, or write ${%s:-default})", m, m)
	}
	return s, len(missing) == 0
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return "a single value"
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, path, "must be a mapping of keys to values, not %s", kindName(n))
		return
	}
	fields := structFields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		sub := joinPath(path, key.Value)
		if seen[key.Value] {
			d.errorf(key.Line, sub, "appears twice")
			continue
		}
		seen[key.Value] = true
		idx, ok := fields[key.Value]
		if !ok {
			d.errorf(key.Line, sub, "unknown key%s", suggest(key.Value, fields))
			continue
		}
		d.lines[sub] = key.Line
		d.decode(val, v.FieldByIndex(idx), sub)
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n.Line, path, "must be a list, not %s", kindName(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(out)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, path, "must be a mapping, not %s", kindName(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.errorf(n.Line, path, "cannot be set from a configuration file")
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		elem := reflect.New(v.Type().Elem()).Elem()
		if old := v.MapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key())); old.IsValid() {
			elem.Set(old)
		}
		d.decode(val, elem, joinPath(path, key.Value))
		v.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), elem)
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// structFields maps yaml key names to field indexes.
func structFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Index
	}
	return out
}

// suggest names the known key closest to an unknown one, for typos.
func suggest(key string, fields map[string][]int) string {
	best, bestDist := "", 3
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if dist := editDistance(key, name); dist < bestDist {
			best, bestDist = name, dist
		}
	}
	if best == "" {
		return " (known keys: " + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
