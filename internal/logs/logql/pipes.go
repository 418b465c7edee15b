package logql

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Pipe shapes the results of the filter.
type Pipe interface {
	String() string
	processor(next processor) processor
}

// FieldsPipe keeps only the named fields.
type FieldsPipe struct{ Fields []string }

// SortPipe orders results by fields.
type SortPipe struct{ By []SortField }

// SortField is one sort key.
type SortField struct {
	Field string
	Desc  bool
}

// LimitPipe keeps the first N results.
type LimitPipe struct{ N int }

// StatsPipe aggregates results, optionally grouped.
type StatsPipe struct {
	By    []ByField
	Funcs []StatsFunc
}

// ByField groups by a field's value, or by _time in buckets of Step.
type ByField struct {
	Field string
	Step  time.Duration
}

// StatsFunc is one aggregate: count, sum, avg, min, max, count_uniq or
// quantile, over Field (empty for count()), named Name in the results.
type StatsFunc struct {
	Func  string
	Field string
	Phi   float64 // for quantile
	Name  string
}

func (p *FieldsPipe) String() string {
	parts := make([]string, len(p.Fields))
	for i, f := range p.Fields {
		parts[i] = name(f)
	}
	return "fields " + strings.Join(parts, ", ")
}
func (p *SortPipe) String() string {
	parts := make([]string, len(p.By))
	for i, f := range p.By {
		parts[i] = name(f.Field)
		if f.Desc {
			parts[i] += " desc"
		}
	}
	return "sort by (" + strings.Join(parts, ", ") + ")"
}
func (p *LimitPipe) String() string { return "limit " + strconv.Itoa(p.N) }
func (p *StatsPipe) String() string {
	s := "stats "
	if len(p.By) > 0 {
		parts := make([]string, len(p.By))
		for i, b := range p.By {
			parts[i] = b.String()
		}
		s += "by (" + strings.Join(parts, ", ") + ") "
	}
	parts := make([]string, len(p.Funcs))
	for i, f := range p.Funcs {
		parts[i] = f.call() + " as " + quote(f.Name)
	}
	return s + strings.Join(parts, ", ")
}

func (b ByField) String() string {
	if b.Step > 0 {
		return b.Field + ":" + formatDuration(b.Step)
	}
	return name(b.Field)
}

func (f StatsFunc) call() string {
	switch {
	case f.Func == "quantile":
		return "quantile(" + strconv.FormatFloat(f.Phi, 'g', -1, 64) + ", " + name(f.Field) + ")"
	case f.Field == "":
		return f.Func + "()"
	}
	return f.Func + "(" + name(f.Field) + ")"
}

// maxLimit bounds limit N so that a typo cannot ask for unbounded memory.
const maxLimit = 1_000_000

func (p *parser) parsePipe() (Pipe, error) {
	t := p.next()
	if t.kind != tWord {
		return nil, p.errAt(t, "expected a pipe (fields, sort, limit, stats) after '|', found %s", describe(t))
	}
	switch strings.ToLower(t.text) {
	case "fields", "keep":
		names, err := p.nameList("fields")
		if err != nil {
			return nil, err
		}
		return &FieldsPipe{Fields: names}, nil
	case "sort":
		return p.parseSort()
	case "limit", "head":
		n := p.peek()
		v, err := strconv.Atoi(n.text)
		if n.kind != tWord || err != nil || v < 0 || v > maxLimit {
			return nil, p.errAt(n, "limit needs a whole number from 0 to %d, found %s", maxLimit, describe(n))
		}
		p.next()
		return &LimitPipe{N: v}, nil
	case "stats":
		return p.parseStats()
	}
	return nil, p.errAt(t, "unknown pipe %q (use fields, sort, limit or stats)", t.text)
}

// nameList reads names separated by commas, optionally in parentheses.
func (p *parser) nameList(what string) ([]string, error) {
	paren := p.at(tPunct, "(")
	if paren {
		p.next()
	}
	var names []string
	for {
		t := p.peek()
		if t.kind != tWord && t.kind != tString {
			return nil, p.errAt(t, "%s needs field names separated by commas, found %s", what, describe(t))
		}
		names = append(names, p.next().text)
		if !p.at(tPunct, ",") {
			break
		}
		p.next()
	}
	if paren {
		if !p.at(tPunct, ")") {
			return nil, p.errAt(p.peek(), "expected ')' after the %s list, found %s", what, describe(p.peek()))
		}
		p.next()
	}
	return names, nil
}

func (p *parser) parseSort() (Pipe, error) {
	if p.atKeyword("by") {
		p.next()
	}
	if !p.at(tPunct, "(") {
		return nil, p.errAt(p.peek(), "sort needs fields in parentheses, like sort by (_time desc), found %s", describe(p.peek()))
	}
	p.next()
	s := &SortPipe{}
	for {
		t := p.peek()
		if t.kind != tWord && t.kind != tString {
			return nil, p.errAt(t, "sort needs a field name, found %s", describe(t))
		}
		f := SortField{Field: p.next().text}
		if p.atKeyword("desc") {
			p.next()
			f.Desc = true
		} else if p.atKeyword("asc") {
			p.next()
		}
		s.By = append(s.By, f)
		if p.at(tPunct, ",") {
			p.next()
			continue
		}
		if !p.at(tPunct, ")") {
			return nil, p.errAt(p.peek(), "expected ',' or ')' in sort by (...), found %s", describe(p.peek()))
		}
		p.next()
		break
	}
	if p.atKeyword("desc") {
		p.next()
		for i := range s.By {
			s.By[i].Desc = !s.By[i].Desc
		}
	}
	return s, nil
}

func (p *parser) parseStats() (Pipe, error) {
	s := &StatsPipe{}
	if p.atKeyword("by") {
		by, err := p.parseBy()
		if err != nil {
			return nil, err
		}
		s.By = by
	}
	for {
		f, err := p.parseStatsFunc()
		if err != nil {
			return nil, err
		}
		s.Funcs = append(s.Funcs, f)
		if !p.at(tPunct, ",") {
			break
		}
		p.next()
	}
	if p.atKeyword("by") && s.By == nil {
		by, err := p.parseBy()
		if err != nil {
			return nil, err
		}
		s.By = by
	}
	return s, nil
}

func (p *parser) parseBy() ([]ByField, error) {
	p.next() // by
	if !p.at(tPunct, "(") {
		return nil, p.errAt(p.peek(), "stats by needs fields in parentheses, like by (_time:1m, path), found %s", describe(p.peek()))
	}
	p.next()
	var by []ByField
	for !p.at(tPunct, ")") {
		t := p.peek()
		if t.kind != tWord && t.kind != tString {
			return nil, p.errAt(t, "stats by needs a field name, found %s", describe(t))
		}
		p.next()
		b := ByField{Field: t.text}
		if p.at(tPunct, ":") {
			p.next()
			st := p.peek()
			d, err := ParseDuration(st.text)
			if st.kind != tWord || err != nil || d <= 0 {
				return nil, p.errAt(st, "%s: needs a bucket size such as 1m or 1h, found %s", t.text, describe(st))
			}
			if t.text != FieldTime {
				return nil, p.errAt(st, "buckets work on _time only, not on %q", t.text)
			}
			p.next()
			b.Step = d
		}
		by = append(by, b)
		if p.at(tPunct, ",") {
			p.next()
		} else if !p.at(tPunct, ")") {
			return nil, p.errAt(p.peek(), "expected ',' or ')' in stats by (...), found %s", describe(p.peek()))
		}
	}
	p.next()
	return by, nil
}

var statsFuncs = map[string]int{ // name -> number of field arguments
	"count": -1, "sum": 1, "avg": 1, "min": 1, "max": 1, "count_uniq": 1, "quantile": 1,
}

func (p *parser) parseStatsFunc() (StatsFunc, error) {
	t := p.peek()
	name := strings.ToLower(t.text)
	nargs, ok := statsFuncs[name]
	if t.kind != tWord || !ok {
		return StatsFunc{}, p.errAt(t, "expected a stats function (count, sum, avg, min, max, count_uniq, quantile), found %s", describe(t))
	}
	p.next()
	if !p.at(tPunct, "(") {
		return StatsFunc{}, p.errAt(p.peek(), "%s needs '(' after it, found %s", name, describe(p.peek()))
	}
	p.next()
	f := StatsFunc{Func: name}
	if name == "quantile" {
		ph := p.peek()
		phi, err := strconv.ParseFloat(ph.text, 64)
		if ph.kind != tWord || err != nil || phi < 0 || phi > 1 {
			return f, p.errAt(ph, "quantile needs a level from 0 to 1 first, like quantile(0.95, duration_ms), found %s", describe(ph))
		}
		p.next()
		f.Phi = phi
		if !p.at(tPunct, ",") {
			return f, p.errAt(p.peek(), "quantile needs a field after the level, found %s", describe(p.peek()))
		}
		p.next()
	}
	switch a := p.peek(); {
	case a.kind == tWord || a.kind == tString:
		f.Field = p.next().text
	case a.kind == tPunct && a.text == "*" && nargs < 0:
		p.next()
	case nargs > 0:
		return f, p.errAt(a, "%s needs a field name, found %s", name, describe(a))
	}
	if !p.at(tPunct, ")") {
		return f, p.errAt(p.peek(), "expected ')' to close %s(, found %s", name, describe(p.peek()))
	}
	p.next()
	f.Name = f.call()
	if p.atKeyword("as") {
		p.next()
		n := p.peek()
		if n.kind != tWord && n.kind != tString {
			return f, p.errAt(n, "expected a result name after 'as', found %s", describe(n))
		}
	}
	if n := p.peek(); (n.kind == tWord && !strings.EqualFold(n.text, "by")) || n.kind == tString {
		f.Name = p.next().text
	}
	return f, nil
}

// Validate reports problems that parse cleanly but cannot run.
func (q *Query) Validate() error {
	for _, p := range q.Pipes {
		if s, ok := p.(*StatsPipe); ok {
			seen := map[string]bool{}
			for _, f := range s.Funcs {
				if seen[f.Name] {
					return fmt.Errorf("stats: two results are named %q; name one with 'as'", f.Name)
				}
				seen[f.Name] = true
			}
		}
	}
	return nil
}
