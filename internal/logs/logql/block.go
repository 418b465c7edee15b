package logql

import (
	"strconv"
	"strings"
	"time"
)

// Column is one field of a Block: either a dictionary and one code a row,
// or one value a row. A field the block does not hold has neither and
// reads as "" on every row.
type Column struct {
	Values []string
	Dict   []string
	Codes  []uint16
}

// Block is a run of records stored column by column (a block of a part),
// for the column-at-a-time stats path: a store hands it over with the rows
// its filter selected instead of building a Row per record.
type Block interface {
	// Times are the records' times in Unix nanoseconds, one a row.
	Times() []int64
	// Column returns a field's column; _time formats the times.
	Column(name string) (Column, error)
}

// BlockSink takes whole blocks. A store that can hand over blocks calls
// AddBlock for them and the Runner's Add for everything else (such as the
// in-memory buffer); the results are the same as with Add alone.
type BlockSink interface {
	// Fields are the columns AddBlock will read, so that a store can
	// decode them ahead (in parallel).
	Fields() []string
	// AddBlock aggregates the rows sel of b; false means no more rows.
	AddBlock(b Block, sel []int32) (bool, error)
}

// BlockSink returns the sink for blocks when the query's first stage can
// take whole blocks (a stats pipe), or nil.
func (r *Runner) BlockSink() BlockSink {
	if p, ok := r.head.(*statsProc); ok && len(p.By) <= 4 {
		return p
	}
	return nil
}

func (p *statsProc) Fields() []string {
	var out []string
	for _, b := range p.By {
		out = append(out, b.Field)
	}
	for _, f := range p.Funcs {
		if f.Field != "" {
			out = append(out, f.Field)
		}
	}
	return out
}

// byKeys maps each selected row to a small number for one by-field, with
// the string each number stands for.
type byKeys struct {
	ids  []int32
	vals []string
}

func (p *statsProc) keysFor(b Block, by ByField, sel []int32) (byKeys, error) {
	k := byKeys{ids: make([]int32, len(sel))}
	if by.Step > 0 {
		times := b.Times()
		var lo, hi int64 = 1, 0 // empty range: the first row sets it
		id := int32(-1)
		for j, r := range sel {
			t := times[r]
			if t < lo || t >= hi {
				// The same text as the row path: RFC 3339 truncated to step.
				bt := time.Unix(0, t).UTC().Truncate(by.Step)
				lo = bt.UnixNano()
				hi = lo + int64(by.Step)
				if t < lo { // before 1678 or after 2262: no fast range
					lo, hi = 1, 0
				}
				s := bt.Format(time.RFC3339)
				if id < 0 || k.vals[id] != s {
					k.vals = append(k.vals, s)
					id = int32(len(k.vals) - 1)
				}
			}
			k.ids[j] = id
		}
		return k, nil
	}
	c, err := b.Column(by.Field)
	if err != nil {
		return k, err
	}
	switch {
	case c.Codes != nil:
		k.vals = c.Dict
		for j, r := range sel {
			k.ids[j] = int32(c.Codes[r])
		}
	case c.Values != nil:
		seen := map[string]int32{}
		for j, r := range sel {
			v := c.Values[r]
			id, ok := seen[v]
			if !ok {
				id = int32(len(k.vals))
				seen[v] = id
				k.vals = append(k.vals, v)
			}
			k.ids[j] = id
		}
	default:
		k.vals = []string{""}
	}
	return k, nil
}

func (p *statsProc) AddBlock(b Block, sel []int32) (bool, error) {
	if len(sel) == 0 {
		return true, nil
	}
	// Each row's local group: the by-fields' numbers combined.
	local := make([]int32, len(sel))
	var keys []byKeys
	mult := 1
	for _, by := range p.By {
		k, err := p.keysFor(b, by, sel)
		if err != nil {
			return false, err
		}
		for j := range local {
			local[j] += k.ids[j] * int32(mult)
		}
		mult *= max(len(k.vals), 1)
		if mult > 1<<16 {
			return p.addRows(b, sel) // too many combinations for a table
		}
		keys = append(keys, k)
	}
	// Local groups to the query's groups, found once a block.
	groups := make([]*group, mult)
	var kb strings.Builder
	for j, l := range local {
		if groups[l] != nil {
			continue
		}
		kb.Reset()
		key := make(Row, len(p.By))
		for i := range p.By {
			v := keys[i].vals[keys[i].ids[j]]
			key[i] = Field{p.By[i].Field, v}
			kb.WriteString(v)
			kb.WriteByte(0)
		}
		g := p.group(kb.String(), key)
		if g == nil {
			return false, nil
		}
		groups[l] = g
	}
	for fi, f := range p.Funcs {
		if err := p.addFunc(b, sel, local, groups, fi, f); err != nil {
			return false, err
		}
	}
	return true, nil
}

// addRows is the fallback: a Row per selected record.
func (p *statsProc) addRows(b Block, sel []int32) (bool, error) {
	cols := map[string]Column{}
	for _, name := range p.Fields() {
		c, err := b.Column(name)
		if err != nil {
			return false, err
		}
		cols[name] = c
	}
	for _, r := range sel {
		row := make(Row, 0, len(cols)+1)
		row = append(row, Field{FieldTime, time.Unix(0, b.Times()[r]).UTC().Format("2006-01-02T15:04:05.000000000Z07:00")})
		for name, c := range cols {
			if name != FieldTime {
				row = append(row, Field{name, c.value(int(r))})
			}
		}
		if !p.add(row) {
			return false, nil
		}
	}
	return true, nil
}

func (c Column) value(r int) string {
	switch {
	case c.Codes != nil:
		return c.Dict[c.Codes[r]]
	case c.Values != nil:
		return c.Values[r]
	}
	return ""
}

// group finds or makes the group with key kb; nil past MaxGroups.
func (p *statsProc) group(kb string, key Row) *group {
	g := p.groups[kb]
	if g == nil {
		if len(p.groups) >= MaxGroups {
			return nil
		}
		g = &group{key: key, aggs: make([]aggregator, len(p.Funcs))}
		for i, f := range p.Funcs {
			g.aggs[i] = newAggregator(f)
		}
		p.groups[kb] = g
		p.order = append(p.order, kb)
	}
	return g
}

func (p *statsProc) addFunc(b Block, sel, local []int32, groups []*group, fi int, f StatsFunc) error {
	if f.Func == "count" && f.Field == "" {
		counts := make([]int64, len(groups))
		for _, l := range local {
			counts[l]++
		}
		for l, n := range counts {
			if n > 0 {
				groups[l].aggs[fi].(*countAgg).n += n
			}
		}
		return nil
	}
	c, err := b.Column(f.Field)
	if err != nil {
		return err
	}
	if c.Codes == nil {
		// Plain values: the row path's aggregators, value by value.
		for j, r := range sel {
			groups[local[j]].aggs[fi].add(c.value(int(r)))
		}
		return nil
	}
	// A dictionary column: each distinct value is parsed once.
	nums := make([]float64, len(c.Dict))
	isNum := make([]bool, len(c.Dict))
	for i, v := range c.Dict {
		n, err := strconv.ParseFloat(v, 64)
		nums[i], isNum[i] = n, err == nil
	}
	_, sum := groups[local[0]].aggs[fi].(*numAgg)
	if sum || len(groups)*len(c.Dict) > 1<<20 {
		// Sums (whose rounding depends on the order of the values), and
		// tables too big to count in: row by row.
		for j, r := range sel {
			d := c.Codes[r]
			switch a := groups[local[j]].aggs[fi].(type) {
			case *numAgg:
				if isNum[d] {
					a.addFloat(nums[d])
				}
			case *quantileAgg:
				if isNum[d] {
					a.sk.Add(nums[d])
				}
			default:
				a.add(c.Dict[d])
			}
		}
		return nil
	}
	// Count rows per (group, value), then hand each value over once with
	// its count.
	per := make([]int64, len(groups)*len(c.Dict))
	for j, r := range sel {
		per[int(local[j])*len(c.Dict)+int(c.Codes[r])]++
	}
	for l, g := range groups {
		if g == nil {
			continue
		}
		for d, n := range per[l*len(c.Dict) : (l+1)*len(c.Dict)] {
			if n > 0 {
				addN(g.aggs[fi], c.Dict[d], nums[d], isNum[d], n)
			}
		}
	}
	return nil
}

// addN adds value v (n times) to an aggregator, as n calls of add would.
func addN(a aggregator, v string, num float64, isNum bool, n int64) {
	switch x := a.(type) {
	case *countAgg:
		if v != "" {
			x.n += n
		}
	case *quantileAgg:
		if isNum {
			x.sk.AddN(num, uint64(n))
		}
	default:
		for i := int64(0); i < n; i++ {
			a.add(v)
		}
	}
}
