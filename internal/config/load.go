package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the configuration file at path. A missing file is not an error
// when allowMissing is set (the default path): Warden then runs on defaults.
func Load(path string, allowMissing bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && allowMissing {
		return Default(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse reads a configuration from data; file names it in error messages.
// lookup resolves ${VAR} (os.LookupEnv in production). The error, if any, is
// an Errors value holding every problem found.
func Parse(file string, data []byte, lookup func(string) (string, bool)) (*Config, error) {
	cfg := Default()
	d := &decoder{file: file, lookup: lookup, lines: map[string]int{}, budget: maxNodes}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		line := yamlErrorLine(err)
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, fmt.Sprintf("line %d: ", line))
		return nil, Errors{{File: file, Line: line, Msg: msg}}
	}
	if root.Kind != 0 {
		d.decode(&root, reflectValue(cfg), "")
	}
	v := &validator{file: file, lines: d.lines}
	if len(d.errs) == 0 {
		cfg.validate(v)
	}
	errs := append(d.errs, v.errs...)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return cfg, nil
}

// yamlErrorLine digs the line number out of a yaml syntax error message
// ("yaml: line 3: did not find expected key").
func yamlErrorLine(err error) int {
	s := err.Error()
	i := strings.Index(s, "line ")
	if i < 0 {
		return 0
	}
	s = s[i+5:]
	j := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if j < 0 {
		j = len(s)
	}
	n, _ := strconv.Atoi(s[:j])
	return n
}

// Marshal prints the effective configuration as YAML with secrets masked.
func (c *Config) Marshal() ([]byte, error) {
	return yaml.Marshal(c)
}
