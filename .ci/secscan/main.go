// Command secscan filters the JSON findings of staticcheck or gosec through
// the reviewed exclusions in .ci/scan-exclusions.txt: every finding left is
// printed as file:line: rule: message and fails the run. An exclusion must
// give its reason; one that matches nothing is reported so that the list
// shrinks when code is fixed.
//
//	staticcheck -f json ./... | go run ./.ci/secscan -tool staticcheck
//	gosec -quiet -fmt json ./... | go run ./.ci/secscan -tool gosec
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

type finding struct {
	Rule, File, Message, Code string
	Line                      int
}

type exclusion struct {
	Tool, Rule, Path, Match, Reason string
	Line                            int
	used                            int
}

func main() {
	tool := flag.String("tool", "", "staticcheck or gosec")
	file := flag.String("exclusions", ".ci/scan-exclusions.txt", "reviewed exclusions, one per line")
	flag.Parse()
	if err := run(*tool, *file, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "secscan:", err)
		os.Exit(1)
	}
}

func run(tool, exclFile string, in io.Reader, out io.Writer) error {
	excls, err := readExclusions(exclFile, tool)
	if err != nil {
		return err
	}
	var fs []finding
	switch tool {
	case "staticcheck":
		fs, err = readStaticcheck(in)
	case "gosec":
		fs, err = readGosec(in)
	default:
		return fmt.Errorf("-tool must be staticcheck or gosec, not %q", tool)
	}
	if err != nil {
		return err
	}
	root, _ := os.Getwd()
	var left []finding
	excluded := 0
	for _, f := range fs {
		if rel, err := filepath.Rel(root, f.File); err == nil && !strings.HasPrefix(rel, "..") {
			f.File = filepath.ToSlash(rel)
		}
		if e := match(excls, f); e != nil {
			e.used++
			excluded++
			continue
		}
		left = append(left, f)
	}
	for _, e := range excls {
		if e.used == 0 {
			fmt.Fprintf(out, "%s:%d: warning: exclusion %s %s %s matches nothing; remove it if the code was fixed\n", exclFile, e.Line, e.Tool, e.Rule, e.Path)
		}
	}
	for _, f := range left {
		fmt.Fprintf(out, "%s:%d: %s: %s\n", f.File, f.Line, f.Rule, f.Message)
	}
	fmt.Fprintf(out, "%s: %d finding(s), %d excluded with a reason in %s, %d left\n", tool, len(fs), excluded, exclFile, len(left))
	if len(left) > 0 {
		return fmt.Errorf("%s: fix the %d finding(s) above, or add each to %s with the reason it is safe", tool, len(left), exclFile)
	}
	return nil
}

// readExclusions parses lines of the form
//
//	TOOL | RULE | PATH | MATCH | REASON
//
// PATH may be a glob; one without a slash matches the file's base name in
// any directory. MATCH is text that must be on the finding's source
// line, or * for any line of the file.
func readExclusions(file, tool string) ([]*exclusion, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*exclusion
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) < 5 {
			return nil, fmt.Errorf("%s:%d: want TOOL | RULE | PATH | MATCH | REASON", file, n)
		}
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		e := &exclusion{Tool: parts[0], Rule: parts[1], Path: parts[2], Match: parts[3], Reason: strings.Join(parts[4:], "|"), Line: n}
		if e.Rule == "" || e.Path == "" || e.Match == "" || len(e.Reason) < 10 {
			return nil, fmt.Errorf("%s:%d: every field is needed, and the reason must say why the finding is safe", file, n)
		}
		if _, err := filepath.Match(e.Path, ""); err != nil {
			return nil, fmt.Errorf("%s:%d: bad path pattern %q", file, n, e.Path)
		}
		if e.Tool == tool {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

func match(excls []*exclusion, f finding) *exclusion {
	for _, e := range excls {
		if e.Rule != f.Rule {
			continue
		}
		name := f.File
		if !strings.Contains(e.Path, "/") {
			name = filepath.Base(f.File) // "*_test.go" matches in every directory
		}
		if ok, _ := filepath.Match(e.Path, name); !ok {
			continue
		}
		if e.Match == "*" || strings.Contains(f.Code, e.Match) {
			return e
		}
	}
	return nil
}

// readStaticcheck reads `staticcheck -f json`: one object per line.
func readStaticcheck(in io.Reader) ([]finding, error) {
	dec := json.NewDecoder(in)
	var out []finding
	for {
		var v struct {
			Code     string `json:"code"`
			Message  string `json:"message"`
			Location struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"location"`
		}
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("staticcheck output: %w", err)
		}
		out = append(out, finding{Rule: v.Code, File: v.Location.File, Line: v.Location.Line, Message: v.Message, Code: sourceLine(v.Location.File, v.Location.Line)})
	}
}

// readGosec reads `gosec -fmt json`.
func readGosec(in io.Reader) ([]finding, error) {
	var v struct {
		Issues []struct {
			RuleID  string `json:"rule_id"`
			Details string `json:"details"`
			File    string `json:"file"`
			Line    string `json:"line"`
		} `json:"Issues"`
		Errors map[string]any `json:"Golang errors"`
	}
	if err := json.NewDecoder(in).Decode(&v); err != nil {
		return nil, fmt.Errorf("gosec output: %w", err)
	}
	if len(v.Errors) > 0 {
		return nil, fmt.Errorf("gosec could not type-check: %v", v.Errors)
	}
	var out []finding
	for _, is := range v.Issues {
		// A range such as "12-14" names the first line.
		n, _ := strconv.Atoi(strings.SplitN(is.Line, "-", 2)[0])
		out = append(out, finding{Rule: is.RuleID, File: is.File, Line: n, Message: is.Details, Code: sourceLine(is.File, n)})
	}
	return out, nil
}

// sourceLine is line n of file, for matching exclusions by content rather
// than by line number, which moves.
func sourceLine(file string, n int) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}
