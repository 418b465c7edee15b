// Package configref generates the configuration reference
// (docs/configuration.md) from the config structs themselves: every key
// from its yaml tag, its type, its default from config.Default, and its
// description from the field's doc comment. A test regenerates it and
// compares, so the reference cannot drift from the code.
package configref

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/config"
)

// docs maps "Type.Field" to the field's doc comment, read from the config
// package's source.
type docs map[string]string

// readDocs parses the Go files of the config package in dir.
func readDocs(dir string) (docs, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := docs{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if gd, ok := n.(*ast.GenDecl); ok && gd.Tok == token.TYPE && len(gd.Specs) == 1 && gd.Doc != nil {
				ts := gd.Specs[0].(*ast.TypeSpec)
				out[ts.Name.Name] = strings.Join(strings.Fields(gd.Doc.Text()), " ")
				return true
			}
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fld := range st.Fields.List {
				text := strings.TrimSpace(fld.Doc.Text())
				if c := strings.TrimSpace(fld.Comment.Text()); c != "" {
					text = strings.TrimSpace(text + " " + c)
				}
				for _, name := range fld.Names {
					out[ts.Name.Name+"."+name.Name] = strings.Join(strings.Fields(text), " ")
				}
			}
			return false
		})
	}
	return out, nil
}

// Generate returns the Markdown reference, reading doc comments from the
// config package's source in srcDir.
func Generate(srcDir string) ([]byte, error) {
	d, err := readDocs(srcDir)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(header)
	// The effective defaults: Default() plus what validation fills in.
	cfg, err := config.Parse("defaults", nil, func(string) (string, bool) { return "", false })
	if err != nil {
		return nil, fmt.Errorf("defaults do not validate: %w", err)
	}
	def := reflect.ValueOf(cfg).Elem()
	t := def.Type()
	b.WriteString("\n## Top level\n\n| key | type | default | description |\n|---|---|---|---|\n")
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if key := yamlKey(f); key != "" && !isSection(f.Type) {
			writeField(&b, d, key, t.Name(), f, def.Field(i))
		}
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := yamlKey(f)
		if key == "" || !isSection(f.Type) {
			continue
		}
		fmt.Fprintf(&b, "\n## `%s`\n\n", key)
		doc := d[t.Name()+"."+f.Name]
		if doc == "" {
			doc = d[elemType(f.Type).Name()]
		}
		if doc != "" {
			b.WriteString(doc + "\n\n")
		}
		b.WriteString("| key | type | default | description |\n|---|---|---|---|\n")
		writeField(&b, d, key, t.Name(), f, def.Field(i))
	}
	return b.Bytes(), nil
}

// isSection is true for fields that get a section of their own: structs
// and lists of structs.
func isSection(t reflect.Type) bool {
	return (t.Kind() == reflect.Struct && t != timeType) || (t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct)
}

func elemType(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Slice {
		return t.Elem()
	}
	return t
}

const header = `# Configuration reference

<!-- Generated from internal/config by internal/config/configref; do not edit.
     Regenerate with: go test ./internal/config/configref -update -->

Warden reads one YAML file (` + "`--config warden.yaml`" + `). ` + "`${VAR}`" + ` is replaced
by the environment variable VAR; secrets belong there. Durations are written
like ` + "`30s`, `5m`, `4h`, `30d`" + `; sizes like ` + "`10KiB`, `1MiB`" + `. Every error names the
file, the line and the key: check a file with ` + "`warden config check --config F`" + `.

Only the sections that exist in this build are listed; a key written in
the file that Warden does not know is an error.
`

func yamlKey(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

// topLevel describes the top-level keys whose fields in config.Config carry
// no doc comment of their own.
var topLevel = map[string]string{
	"data_dir":    "Directory for the SQLite database, keys and local state; created if missing.",
	"environment": "Name of this deployment (production, staging, ...), shown in the UI and put on alerts and logs.",
	"listen":      "host:port of the API listener: API, web UI, ingest and status page.",
	"public_url":  "The URL people reach Warden at (https://warden.example.com); links in alerts point there.",
}

var (
	durationType = reflect.TypeOf(config.Duration(0))
	secretType   = reflect.TypeOf(config.Secret(""))
	timeType     = reflect.TypeOf(time.Time{})
)

// writeField writes the row for one field and, for a struct, its fields;
// for a list of structs, the fields of one element as key[].field.
func writeField(b *bytes.Buffer, d docs, path, owner string, f reflect.StructField, v reflect.Value) {
	ft := f.Type
	doc := d[owner+"."+f.Name]
	if doc == "" && owner == "Config" {
		doc = topLevel[path]
	}
	switch {
	case ft.Kind() == reflect.Struct && ft != timeType:
		for i := 0; i < ft.NumField(); i++ {
			sf := ft.Field(i)
			if k := yamlKey(sf); k != "" {
				writeField(b, d, path+"."+k, ft.Name(), sf, v.Field(i))
			}
		}
	case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
		fmt.Fprintf(b, "| `%s` | list | %s | %s |\n", path, defaultOf(v), cell(doc))
		et := ft.Elem()
		zero := reflect.New(et).Elem()
		for i := 0; i < et.NumField(); i++ {
			sf := et.Field(i)
			if k := yamlKey(sf); k != "" {
				writeField(b, d, path+"[]."+k, et.Name(), sf, zero.Field(i))
			}
		}
	default:
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", path, typeName(ft), defaultOf(v), cell(doc))
	}
}

func typeName(t reflect.Type) string {
	switch {
	case t == durationType:
		return "duration"
	case t == secretType:
		return "secret"
	case t == timeType:
		return "time (RFC 3339)"
	case t.Name() == "Size":
		return "size"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Map:
		return "map of " + typeName(t.Elem())
	case reflect.Int, reflect.Int64:
		return "integer"
	}
	return t.Kind().String()
}

// defaultOf prints the default value, or nothing for a zero value.
func defaultOf(v reflect.Value) string {
	if !v.IsValid() || v.IsZero() {
		return ""
	}
	switch x := v.Interface().(type) {
	case config.Duration:
		return "`" + formatDuration(x.Std()) + "`"
	case config.Secret:
		return "(set)"
	case fmt.Stringer:
		return "`" + x.String() + "`"
	}
	switch v.Kind() {
	case reflect.Slice:
		var parts []string
		for i := 0; i < v.Len(); i++ {
			if v.Index(i).Kind() == reflect.Struct {
				return fmt.Sprintf("%d entries", v.Len())
			}
			parts = append(parts, fmt.Sprint(v.Index(i).Interface()))
		}
		return "`[" + strings.Join(parts, ", ") + "]`"
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%v: %v", k, v.MapIndex(k)))
		}
		return "`{" + strings.Join(parts, ", ") + "}`"
	}
	return "`" + fmt.Sprint(v.Interface()) + "`"
}

func formatDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// WriteFile regenerates the reference at path.
func WriteFile(srcDir, path string) error {
	out, err := Generate(srcDir)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}
