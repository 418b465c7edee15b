package logql

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Field is one name and value of a result row.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Row is one result: a record's fields or a stats group.
type Row []Field

// Get returns the value of a field, or "".
func (r Row) Get(name string) string {
	for _, f := range r {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// MaxSortRows bounds how many rows a sort holds without a following limit.
const MaxSortRows = 1_000_000

// processor is one stage of the pipeline; add returns false when it wants
// no more rows.
type processor interface {
	add(r Row) bool
	done() error
}

// Runner feeds matching records through a query's pipes.
type Runner struct {
	head processor
	sink *sink
	stop bool
}

// NewRunner builds the pipeline for q; results collect in the Runner.
func (q *Query) NewRunner() *Runner {
	s := &sink{}
	var next processor = s
	for i := len(q.Pipes) - 1; i >= 0; i-- {
		p := q.Pipes[i]
		if sp, ok := p.(*SortPipe); ok && i+1 < len(q.Pipes) {
			if l, ok := q.Pipes[i+1].(*LimitPipe); ok {
				next = &sortProc{SortPipe: sp, next: next, keep: l.N}
				continue
			}
		}
		next = p.processor(next)
	}
	return &Runner{head: next, sink: s}
}

// Add feeds one matching record; false means the query needs no more.
func (r *Runner) Add(row Row) bool {
	if r.stop {
		return false
	}
	if !r.head.add(row) {
		r.stop = true
	}
	return !r.stop
}

// Finish runs the last stages (sorts, stats) and returns the results.
func (r *Runner) Finish() ([]Row, error) {
	if err := r.head.done(); err != nil {
		return nil, err
	}
	return r.sink.rows, nil
}

type sink struct{ rows []Row }

func (s *sink) add(r Row) bool { s.rows = append(s.rows, r); return true }
func (s *sink) done() error    { return nil }

type fieldsProc struct {
	*FieldsPipe
	next processor
}

func (p *FieldsPipe) processor(next processor) processor { return &fieldsProc{p, next} }
func (p *fieldsProc) add(r Row) bool {
	out := make(Row, 0, len(p.Fields))
	for _, f := range p.Fields {
		out = append(out, Field{f, r.Get(f)})
	}
	return p.next.add(out)
}
func (p *fieldsProc) done() error { return p.next.done() }

type limitProc struct {
	n    int
	seen int
	next processor
}

func (p *LimitPipe) processor(next processor) processor { return &limitProc{n: p.N, next: next} }
func (p *limitProc) add(r Row) bool {
	if p.seen >= p.n {
		return false
	}
	p.seen++
	return p.next.add(r) && p.seen < p.n
}
func (p *limitProc) done() error { return p.next.done() }

// sortProc collects rows; with a limit after it (keep > 0) it trims to the
// best keep rows whenever it holds twice as many, so memory stays bounded.
type sortProc struct {
	*SortPipe
	next processor
	keep int
	rows []Row
	over bool
}

func (p *SortPipe) processor(next processor) processor { return &sortProc{SortPipe: p, next: next} }
func (p *sortProc) add(r Row) bool {
	p.rows = append(p.rows, r)
	if p.keep > 0 && len(p.rows) >= 2*p.keep+1024 {
		p.sort()
		p.rows = p.rows[:p.keep]
	}
	if p.keep == 0 && len(p.rows) > MaxSortRows {
		p.over = true
		return false
	}
	return true
}
func (p *sortProc) sort() {
	sort.SliceStable(p.rows, func(i, j int) bool {
		for _, k := range p.By {
			c := compareValues(p.rows[i].Get(k.Field), p.rows[j].Get(k.Field))
			if c != 0 {
				return (c < 0) != k.Desc
			}
		}
		return false
	})
}
func (p *sortProc) done() error {
	if p.over {
		return fmt.Errorf("sort: more than %d rows to sort; add a filter or '| limit N'", MaxSortRows)
	}
	p.sort()
	if p.keep > 0 && len(p.rows) > p.keep {
		p.rows = p.rows[:p.keep]
	}
	for _, r := range p.rows {
		if !p.next.add(r) {
			break
		}
	}
	return p.next.done()
}

// compareValues orders numbers numerically and everything else as text.
func compareValues(a, b string) int {
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	if ea == nil && eb == nil {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

// MaxGroups bounds the number of stats groups.
const MaxGroups = 100_000

type statsProc struct {
	*StatsPipe
	next   processor
	groups map[string]*group
	order  []string
}

type group struct {
	key  Row
	aggs []aggregator
}

func (p *StatsPipe) processor(next processor) processor {
	return &statsProc{StatsPipe: p, next: next, groups: map[string]*group{}}
}

func (p *statsProc) add(r Row) bool {
	var kb strings.Builder
	key := make(Row, len(p.By))
	for i, b := range p.By {
		v := r.Get(b.Field)
		if b.Step > 0 {
			v = bucket(v, b.Step)
		}
		key[i] = Field{b.Field, v}
		kb.WriteString(v)
		kb.WriteByte(0)
	}
	g := p.group(kb.String(), key)
	if g == nil {
		return false
	}
	for i, f := range p.Funcs {
		g.aggs[i].add(r.Get(f.Field))
	}
	return true
}

func (p *statsProc) done() error {
	if len(p.groups) >= MaxGroups {
		return fmt.Errorf("stats: more than %d groups; group by fewer fields or larger time buckets", MaxGroups)
	}
	sort.Strings(p.order) // time buckets and values in order
	if len(p.By) == 0 && len(p.order) == 0 {
		p.order = []string{""}
		g := &group{aggs: make([]aggregator, len(p.Funcs))}
		for i, f := range p.Funcs {
			g.aggs[i] = newAggregator(f)
		}
		p.groups[""] = g
	}
	for _, k := range p.order {
		g := p.groups[k]
		row := append(Row(nil), g.key...)
		for i, f := range p.Funcs {
			row = append(row, Field{f.Name, g.aggs[i].result()})
		}
		if !p.next.add(row) {
			break
		}
	}
	return p.next.done()
}

// bucket truncates an RFC 3339 time to step.
func bucket(v string, step time.Duration) string {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return v
	}
	return t.UTC().Truncate(step).Format(time.RFC3339)
}

type aggregator interface {
	add(v string)
	result() string
}

func newAggregator(f StatsFunc) aggregator {
	switch f.Func {
	case "count":
		return &countAgg{field: f.Field}
	case "count_uniq":
		return &uniqAgg{seen: map[string]struct{}{}}
	case "quantile":
		return &quantileAgg{phi: f.Phi, sk: NewSketch()}
	}
	return &numAgg{fn: f.Func, min: math.Inf(1), max: math.Inf(-1)}
}

type countAgg struct {
	field string
	n     int64
}

func (a *countAgg) add(v string) {
	if a.field == "" || v != "" {
		a.n++
	}
}
func (a *countAgg) result() string { return strconv.FormatInt(a.n, 10) }

// maxUniq bounds count_uniq's memory; past it the result is a lower bound.
const maxUniq = 1_000_000

type uniqAgg struct{ seen map[string]struct{} }

func (a *uniqAgg) add(v string) {
	if v != "" && len(a.seen) < maxUniq {
		a.seen[v] = struct{}{}
	}
}
func (a *uniqAgg) result() string { return strconv.Itoa(len(a.seen)) }

type numAgg struct {
	fn       string
	n        int64
	sum      float64
	min, max float64
}

func (a *numAgg) add(v string) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return
	}
	a.addFloat(f)
}

func (a *numAgg) addFloat(f float64) {
	a.n++
	a.sum += f
	a.min = math.Min(a.min, f)
	a.max = math.Max(a.max, f)
}

func (a *numAgg) result() string {
	if a.n == 0 && a.fn != "sum" {
		return ""
	}
	var f float64
	switch a.fn {
	case "sum":
		f = a.sum
	case "avg":
		f = a.sum / float64(a.n)
	case "min":
		f = a.min
	case "max":
		f = a.max
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

type quantileAgg struct {
	phi float64
	sk  *Sketch
}

func (a *quantileAgg) add(v string) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		a.sk.Add(f)
	}
}
func (a *quantileAgg) result() string {
	if a.sk.Count() == 0 {
		return ""
	}
	return strconv.FormatFloat(a.sk.Quantile(a.phi), 'g', 6, 64)
}
