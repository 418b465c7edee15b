package logstore

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/logql"
)

// Scan selects records for a query; it is logs.ScanRequest.
type Scan = logs.ScanRequest

// Scan calls fn with every record that passes the filter, as a row of
// _time, _msg and the other fields. fn returns false to stop. Rows are not
// in a global order; a query sorts them if it asks to.
func (s *Store) Scan(ctx context.Context, sc Scan, fn func(logql.Row) bool) error {
	if sc.Filter == nil {
		sc.Filter = logql.All{}
	}
	if sc.Now.IsZero() {
		sc.Now = s.opts.Clock.Now()
	}
	start, end := int64(-1<<63), int64(1<<63-1)
	if !sc.Start.IsZero() {
		start = sc.Start.UnixNano()
	}
	if !sc.End.IsZero() {
		end = sc.End.UnixNano()
	}
	envOK := func(env string) bool {
		if len(sc.Envs) == 0 {
			return true
		}
		for _, e := range sc.Envs {
			if e == env {
				return true
			}
		}
		return false
	}
	dayOK := func(day string) bool {
		d, err := time.Parse("2006-01-02", day)
		if err != nil {
			return true
		}
		return d.UnixNano() < end && d.Add(24*time.Hour).UnixNano() > start
	}

	// Snapshot the parts and buffers; parts stay readable until released.
	s.mu.RLock()
	var parts []*part
	for k, pt := range s.partitions {
		if envOK(k.env) && dayOK(k.day) {
			for _, p := range pt.parts {
				if p.maxT >= start && p.minT < end {
					p.acquire()
					parts = append(parts, p)
				}
			}
		}
	}
	var mem []logs.Record
	for _, m := range append(append([]*memBuf(nil), s.frozen...), s.mem) {
		for k, chunks := range m.recs {
			if envOK(k.env) && dayOK(k.day) {
				for _, recs := range chunks {
					mem = append(mem, recs...) // copies headers only; records are immutable
				}
			}
		}
	}
	s.mu.RUnlock()
	defer func() {
		for _, p := range parts {
			p.release()
		}
	}()

	now := sc.Now.UnixNano()
	mr := &memRow{}
	for i := range mem {
		t := mem[i].Time.UnixNano()
		if t < start || t >= end {
			continue
		}
		mr.r = &mem[i]
		mr.t = t
		if sc.Filter.Match(mr, now) && !fn(recordRow(&mem[i], sc.Fields)) {
			return nil
		}
	}
	if sc.Blocks != nil {
		return scanBlocks(ctx, parts, start, end, now, sc.Filter, sc.Blocks)
	}
	for _, p := range parts {
		for bi := range p.blocks {
			if err := ctx.Err(); err != nil {
				return err
			}
			bm := &p.blocks[bi]
			if bm.maxT < start || bm.minT >= end {
				continue
			}
			if !sc.Filter.MayMatch(func(k string) bool { return bm.bloom.has(hashKey(k)) }) {
				continue
			}
			cont, err := scanBlock(p, bm, start, end, now, sc.Filter, sc.Fields, fn)
			if err != nil {
				return fmt.Errorf("read %s: %w", p.path, err)
			}
			if !cont {
				return nil
			}
		}
	}
	return nil
}

func scanBlock(p *part, bm *blockMeta, start, end, now int64, f logql.Expr, fields []string, fn func(logql.Row) bool) (bool, error) {
	c := newCursor(p, bm)
	times := c.ts()
	if c.err != nil {
		return false, c.err
	}
	match := compile(f, c, now)
	for i := range times {
		if times[i] < start || times[i] >= end {
			continue
		}
		c.i = i
		if !match(c) {
			if c.err != nil {
				return false, c.err
			}
			continue
		}
		row, err := c.row(fields)
		if err != nil {
			return false, err
		}
		if !fn(row) {
			return false, nil
		}
	}
	return true, c.err
}

// cursor reads one row of a block at a time, decoding a column the first
// time a filter or a result asks for it.
type cursor struct {
	p       *part
	bm      *blockMeta
	times   []int64
	columns map[string]logql.Column // decoded columns
	cols    map[string][]string     // the same, one string a row
	i       int
	err     error
}

func newCursor(p *part, bm *blockMeta) *cursor {
	return &cursor{p: p, bm: bm, columns: map[string]logql.Column{}, cols: map[string][]string{}}
}

// ts returns the block's times, reading them the first time.
func (c *cursor) ts() []int64 {
	if c.times == nil {
		t, err := c.p.readTimes(c.bm)
		if err != nil {
			if c.err == nil {
				c.err = err
			}
			t = make([]int64, c.bm.rows)
		}
		c.times = t
	}
	return c.times
}

// compile turns a filter into a test of the cursor's row for this block:
// a filter on one dictionary-encoded column is decided once per distinct
// value, then looked up per line by the line's code.
func compile(e logql.Expr, c *cursor, now int64) func(*cursor) bool {
	switch x := e.(type) {
	case logql.And:
		parts := make([]func(*cursor) bool, len(x))
		for i, sub := range x {
			parts[i] = compile(sub, c, now)
		}
		return func(c *cursor) bool {
			for _, p := range parts {
				if !p(c) {
					return false
				}
			}
			return true
		}
	case logql.Or:
		parts := make([]func(*cursor) bool, len(x))
		for i, sub := range x {
			parts[i] = compile(sub, c, now)
		}
		return func(c *cursor) bool {
			for _, p := range parts {
				if p(c) {
					return true
				}
			}
			return false
		}
	case logql.Not:
		inner := compile(x.X, c, now)
		return func(c *cursor) bool { return !inner(c) }
	case logql.ValueFilter:
		if col := c.column(x.FilterField()); col.Codes != nil {
			verdict := make([]bool, len(col.Dict))
			for i, v := range col.Dict {
				verdict[i] = x.MatchValue(v)
			}
			codes := col.Codes
			return func(c *cursor) bool { return verdict[codes[c.i]] }
		}
	}
	return func(c *cursor) bool { return e.Match(c, now) }
}

// compileSel is compile for a selection of rows at a time: it returns a
// function that keeps the rows of sel that pass (in place).
func compileSel(e logql.Expr, c *cursor, now int64) func(sel []int32) []int32 {
	switch x := e.(type) {
	case logql.All:
		return func(sel []int32) []int32 { return sel }
	case logql.And:
		parts := make([]func([]int32) []int32, len(x))
		for i, sub := range x {
			parts[i] = compileSel(sub, c, now)
		}
		return func(sel []int32) []int32 {
			for _, p := range parts {
				if len(sel) == 0 {
					break
				}
				sel = p(sel)
			}
			return sel
		}
	case logql.ValueFilter:
		col := c.column(x.FilterField())
		switch {
		case col.Codes != nil:
			verdict := make([]bool, len(col.Dict))
			for i, v := range col.Dict {
				verdict[i] = x.MatchValue(v)
			}
			codes := col.Codes
			return func(sel []int32) []int32 {
				out := sel[:0]
				for _, r := range sel {
					if verdict[codes[r]] {
						out = append(out, r)
					}
				}
				return out
			}
		case col.Values != nil:
			vals := col.Values
			return func(sel []int32) []int32 {
				out := sel[:0]
				for _, r := range sel {
					if x.MatchValue(vals[r]) {
						out = append(out, r)
					}
				}
				return out
			}
		case x.FilterField() != logql.FieldTime && c.err == nil:
			// The block lacks the field: every row reads "".
			if x.MatchValue("") {
				return func(sel []int32) []int32 { return sel }
			}
			return func(sel []int32) []int32 { return sel[:0] }
		}
	}
	match := compile(e, c, now)
	return func(sel []int32) []int32 {
		out := sel[:0]
		for _, r := range sel {
			c.i = int(r)
			if match(c) {
				out = append(out, r)
			}
		}
		return out
	}
}

// column returns a decoded column; a field the block lacks is empty.
func (c *cursor) column(name string) logql.Column {
	if col, ok := c.columns[name]; ok {
		return col
	}
	var col logql.Column
	if name == logql.FieldTime {
		times := c.ts()
		col.Values = make([]string, len(times))
		for i, t := range times {
			col.Values[i] = formatTime(t)
		}
	} else if cm, ok := c.bm.cols[name]; ok {
		raw, tmp, err := c.p.readColTemp(cm)
		if err == nil {
			col, err = decodeColumn(raw, c.bm.rows) // copies what it keeps
		}
		bufPool.Put(tmp)
		if err != nil && c.err == nil {
			c.err = err
		}
	}
	c.columns[name] = col
	return col
}

func (c *cursor) col(name string) []string {
	vals, ok := c.cols[name]
	if ok {
		return vals
	}
	col := c.column(name)
	vals = col.Values
	if col.Codes != nil {
		vals = make([]string, len(col.Codes))
		for i, code := range col.Codes {
			vals[i] = col.Dict[code]
		}
	}
	c.cols[name] = vals
	return vals
}

// Times and Column make a cursor a logql.Block.
func (c *cursor) Times() []int64 { return c.ts() }

func (c *cursor) Column(name string) (logql.Column, error) {
	col := c.column(name)
	return col, c.err
}

var selPool = sync.Pool{New: func() any { return new([]int32) }}

// scanBlocks hands whole blocks to sink, decoding them on every core and
// passing them on in order.
func scanBlocks(ctx context.Context, parts []*part, start, end, now int64, f logql.Expr, sink logql.BlockSink) error {
	type result struct {
		c   *cursor
		sel []int32
	}
	type job struct {
		p   *part
		bm  *blockMeta
		res chan result
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *job)
	order := make(chan *job, 2*workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(jobs)
		for _, p := range parts {
			for bi := range p.blocks {
				bm := &p.blocks[bi]
				if bm.maxT < start || bm.minT >= end {
					continue
				}
				if !f.MayMatch(func(k string) bool { return bm.bloom.has(hashKey(k)) }) {
					continue
				}
				j := &job{p: p, bm: bm, res: make(chan result, 1)}
				select {
				case order <- j:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- j:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	fields := sink.Fields()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				c := newCursor(j.p, j.bm)
				sp := selPool.Get().(*[]int32)
				sel := slices.Grow((*sp)[:0], j.bm.rows)
				if j.bm.minT >= start && j.bm.maxT < end {
					for i := 0; i < j.bm.rows; i++ {
						sel = append(sel, int32(i))
					}
				} else {
					for i, t := range c.ts() {
						if t >= start && t < end {
							sel = append(sel, int32(i))
						}
					}
				}
				sel = compileSel(f, c, now)(sel)
				if len(sel) > 0 {
					for _, name := range fields {
						if name == logql.FieldTime {
							c.ts() // buckets read the numbers, not the text
						} else {
							c.column(name)
						}
					}
				}
				j.res <- result{c, sel}
			}
		}()
	}
	for j := range order {
		var r result
		select {
		case r = <-j.res:
		case <-ctx.Done():
			return ctx.Err()
		}
		if r.c.err != nil {
			return fmt.Errorf("read %s: %w", j.p.path, r.c.err)
		}
		more, err := sink.AddBlock(r.c, r.sel)
		if err != nil {
			return fmt.Errorf("read %s: %w", j.p.path, err)
		}
		// The sink keeps nothing of a block: its buffers go back.
		sel := r.sel
		selPool.Put(&sel)
		if r.c.times != nil {
			timesPool.Put(&r.c.times)
		}
		if !more {
			return nil
		}
	}
	return ctx.Err()
}

func (c *cursor) Get(name string) string {
	if name == logql.FieldTime {
		return formatTime(c.ts()[c.i])
	}
	vals := c.col(name)
	if vals == nil {
		return ""
	}
	return vals[c.i]
}

func (c *cursor) Time() int64 { return c.ts()[c.i] }

func (c *cursor) row(fields []string) (logql.Row, error) {
	names := c.bm.names
	if fields != nil {
		names = fields
	}
	row := make(logql.Row, 0, len(names)+1)
	row = append(row, logql.Field{Name: logql.FieldTime, Value: formatTime(c.times[c.i])})
	for _, name := range names {
		if name == logql.FieldTime {
			continue
		}
		vals := c.col(name)
		if vals == nil {
			continue
		}
		if c.err != nil {
			return nil, c.err
		}
		if v := vals[c.i]; v != "" {
			row = append(row, logql.Field{Name: name, Value: v})
		}
	}
	return row, nil
}

// timeLayout is RFC 3339 with all nine fraction digits: unlike RFC3339Nano,
// which drops trailing zeros, its strings sort in time order as text, which
// is how "sort by (_time)" compares them.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(ns int64) string { return time.Unix(0, ns).UTC().Format(timeLayout) }

type memRow struct {
	r *logs.Record
	t int64
}

func (m *memRow) Get(name string) string {
	if name == logql.FieldTime {
		return formatTime(m.t)
	}
	return m.r.Get(name)
}
func (m *memRow) Time() int64 { return m.t }

func recordRow(r *logs.Record, fields []string) logql.Row {
	row := make(logql.Row, 0, len(r.Fields)+1)
	row = append(row, logql.Field{Name: logql.FieldTime, Value: formatTime(r.Time.UnixNano())})
	if fields != nil {
		for _, name := range fields {
			if v := r.Get(name); v != "" && name != logql.FieldTime {
				row = append(row, logql.Field{Name: name, Value: v})
			}
		}
		return row
	}
	all := append([]logs.Field(nil), r.Fields...)
	sort.Slice(all, func(i, j int) bool { return fieldLess(all[i].Name, all[j].Name) })
	for _, f := range all {
		if f.Value != "" {
			row = append(row, f)
		}
	}
	return row
}

// PartitionStats describes one partition, for /metrics and the UI.
type PartitionStats struct {
	Env   string `json:"env"`
	Day   string `json:"day"`
	Parts int    `json:"parts"`
	Lines int64  `json:"lines"`
	Bytes int64  `json:"bytes"`
}

// Stats lists the partitions on disk (the buffer is not counted).
func (s *Store) Stats() []PartitionStats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []PartitionStats
	for k, pt := range s.partitions {
		st := PartitionStats{Env: k.env, Day: k.day, Parts: len(pt.parts)}
		for _, p := range pt.parts {
			st.Lines += p.rows
			st.Bytes += p.size
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Env != out[j].Env {
			return out[i].Env < out[j].Env
		}
		return out[i].Day < out[j].Day
	})
	return out
}

// Buffered is the number of bytes appended but not yet in parts.
func (s *Store) Buffered() int64 { return s.buffered.Load() }

// Merge merges the parts of every partition that has collected
// opts.MergeParts of them, so that scans open few files. It merges the
// smallest parts first (tiered), so that each line is rewritten a
// logarithmic number of times rather than at every merge.
func (s *Store) Merge() error {
	s.mergeMu.Lock()
	defer s.mergeMu.Unlock()
	s.mu.RLock()
	var todo []*partition
	for _, pt := range s.partitions {
		if len(pt.parts) >= s.opts.MergeParts {
			todo = append(todo, pt)
		}
	}
	s.mu.RUnlock()
	for _, pt := range todo {
		if err := s.mergePartition(pt); err != nil {
			return err
		}
	}
	return nil
}

// maxMergeRows bounds the memory one merge takes.
const maxMergeRows = 2 << 20

func (s *Store) mergePartition(pt *partition) error {
	s.mu.RLock()
	bySize := slices.Clone(pt.parts)
	s.mu.RUnlock()
	slices.SortFunc(bySize, func(a, b *part) int { return cmp.Compare(a.rows, b.rows) })
	var inputs []*part
	var rows int64
	for _, p := range bySize[:min(len(bySize), s.opts.MergeParts)] {
		if rows+p.rows > maxMergeRows && len(inputs) >= 2 {
			break
		}
		inputs = append(inputs, p)
		rows += p.rows
	}
	if len(inputs) < 2 {
		return nil
	}
	recs := make([]logs.Record, 0, rows)
	var walSeq uint64
	var ids []uint64
	for _, p := range inputs {
		walSeq = max(walSeq, p.walSeq)
		ids = append(ids, p.id)
		for bi := range p.blocks {
			var err error
			if recs, err = appendBlockRecords(recs, p, &p.blocks[bi]); err != nil {
				return fmt.Errorf("merge %s: %w", p.path, err)
			}
		}
	}
	slices.SortStableFunc(recs, func(a, b logs.Record) int { return a.Time.Compare(b.Time) })
	merged, err := writePart(pt.dir, s.newID(), recs, walSeq, ids)
	if err != nil {
		return fmt.Errorf("merge into %s: %w", pt.dir, err)
	}
	gone := map[*part]bool{}
	for _, p := range inputs {
		gone[p] = true
	}
	s.mu.Lock()
	if s.partitions[pt.key] != pt { // deleted by retention meanwhile
		s.mu.Unlock()
		merged.release()
		return nil
	}
	keep := []*part{merged}
	for _, p := range pt.parts {
		if !gone[p] {
			keep = append(keep, p)
		}
	}
	pt.parts = keep
	s.mu.Unlock()
	for _, p := range inputs {
		p.release()
	}
	return syncDir(filepath.Dir(merged.path))
}

// appendBlockRecords decodes a block back into records, column by column.
func appendBlockRecords(recs []logs.Record, p *part, bm *blockMeta) ([]logs.Record, error) {
	c := newCursor(p, bm)
	times := c.ts()
	cols := make([][]string, len(bm.names))
	for j, name := range bm.names {
		cols[j] = c.col(name)
	}
	if c.err != nil {
		return recs, c.err
	}
	fields := make([]logs.Field, 0, bm.rows*len(cols)) // one allocation for the block's fields
	for i, t := range times {
		start := len(fields)
		for j, vals := range cols {
			if vals != nil && vals[i] != "" {
				fields = append(fields, logs.Field{Name: bm.names[j], Value: vals[i]})
			}
		}
		recs = append(recs, logs.Record{Time: time.Unix(0, t).UTC(), Fields: fields[start:len(fields):len(fields)]})
	}
	return recs, nil
}
