package logstore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/zstd"

	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/logql"
)

// A part is an immutable file of records sorted by time, cut into blocks
// of up to blockRows rows. Each block stores every field as its own column
// (a dictionary of up to 256 values with one byte a row, or plain values),
// each column compressed with zstd on its own, so that a query reads only
// the columns it touches. A block also records its minimum and maximum time
// and a bloom filter of its words and values, so that most blocks are
// skipped without reading them. The index of blocks sits at the end of the
// file, found through a fixed footer:
//
//	"WLP1" blocks... index | index offset (8) | index length (8) | CRC-32C (4) | "WLP1"

const (
	partMagic = "WLP1"
	blockRows = 16384
	footerLen = 24
)

var (
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(partWorkers))
	zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(2))
)

type colMeta struct {
	off, n int64
}

type blockMeta struct {
	rows       int
	minT, maxT int64
	times      colMeta
	cols       map[string]colMeta
	names      []string // column names in order
	bloom      bloom
}

// part is an open part file.
type part struct {
	id       uint64
	path     string
	f        *os.File
	walSeq   uint64   // the newest WAL segment whose records it holds
	replaces []uint64 // parts it was merged from
	blocks   []blockMeta
	rows     int64
	size     int64
	minT     int64
	maxT     int64

	refs atomic.Int32 // scans in progress, plus one while the part is live
}

func (p *part) acquire() { p.refs.Add(1) }
func (p *part) release() {
	if p.refs.Add(-1) == 0 {
		p.f.Close()
		os.Remove(p.path)
	}
}

func partName(id uint64) string { return fmt.Sprintf("%016x.part", id) }

// writePart writes sorted records as a part file, durably, and opens it.
func writePart(dir string, id uint64, recs []logs.Record, walSeq uint64, replaces []uint64) (*part, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	final := filepath.Join(dir, partName(id))
	tmp := final + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp) // a no-op after the rename
	w := &countWriter{w: bufio.NewWriterSize(f, 1<<20)}
	w.Write([]byte(partMagic))
	metas := writeBlocks(w, recs)
	idx := encodeIndex(walSeq, replaces, metas)
	idxOff := w.n
	w.Write(idx)
	var foot [footerLen]byte
	binary.LittleEndian.PutUint64(foot[0:], uint64(idxOff))
	binary.LittleEndian.PutUint64(foot[8:], uint64(len(idx)))
	binary.LittleEndian.PutUint32(foot[16:], crc32.Checksum(idx, castagnoli))
	copy(foot[20:], partMagic)
	w.Write(foot[:])
	if err := w.flush(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, final); err != nil {
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	return openPart(final, id)
}

// partWorkers is how many blocks of a part are encoded at once: a flush
// competes with ingest for the cores, and one goroutine encoding alone
// fell behind (the buffer filled and ingest answered 429).
const partWorkers = 2

// writeBlocks encodes recs in blocks of blockRows, partWorkers blocks at a
// time, each into its own buffer, and writes them to w in order; the file
// is byte for byte what encoding them one by one into w would give.
func writeBlocks(w *countWriter, recs []logs.Record) []blockMeta {
	var metas []blockMeta
	var bufs [partWorkers]*bytes.Buffer
	for j := range bufs {
		bufs[j] = blockBufs.Get().(*bytes.Buffer)
		defer blockBufs.Put(bufs[j])
	}
	var group [partWorkers]blockMeta
	for start := 0; start < len(recs); start += partWorkers * blockRows {
		var wg sync.WaitGroup
		n := 0
		for j := 0; j < partWorkers && start+j*blockRows < len(recs); j++ {
			lo := start + j*blockRows
			hi := min(lo+blockRows, len(recs))
			bufs[j].Reset()
			n++
			wg.Add(1)
			go func() {
				defer wg.Done()
				group[j] = writeBlock(&countWriter{w: bufs[j]}, recs[lo:hi])
			}()
		}
		wg.Wait()
		for j := 0; j < n; j++ {
			group[j].shift(w.n)
			w.Write(bufs[j].Bytes())
			metas = append(metas, group[j])
		}
	}
	return metas
}

var blockBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// shift moves a block's column offsets by d bytes.
func (bm *blockMeta) shift(d int64) {
	bm.times.off += d
	for name, c := range bm.cols {
		c.off += d
		bm.cols[name] = c
	}
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.err = err
	return n, err
}

func (c *countWriter) flush() error {
	if c.err != nil {
		return c.err
	}
	if bw, ok := c.w.(*bufio.Writer); ok {
		return bw.Flush()
	}
	return nil
}

// blockEnc holds what encoding a block needs, reused from block to block
// and from part to part (through encPool): fresh buffers of megabytes a
// block cost more to fault in than to fill.
type blockEnc struct {
	tb, zb []byte
	cols   [][]string
	colIdx map[string]int
	guess  []int
	keys   hashSet
	toks   []string
	kb     []byte
	col    colScratch
}

var encPool = sync.Pool{New: func() any {
	return &blockEnc{colIdx: map[string]int{}, col: colScratch{dict: map[string]uint16{}}}
}}

// release drops the values the buffers still point at (so that a pooled
// encoder keeps no request body alive) and returns the encoder to the pool.
func (e *blockEnc) release() {
	for _, c := range e.cols[:cap(e.cols)] {
		clear(c[:cap(c)])
	}
	clear(e.toks)
	clear(e.col.order)
	clear(e.col.dict)
	clear(e.colIdx)
	encPool.Put(e)
}

func writeBlock(w *countWriter, recs []logs.Record) blockMeta {
	e := encPool.Get().(*blockEnc)
	defer e.release()
	return e.writeBlock(w, recs)
}

func (e *blockEnc) writeBlock(w *countWriter, recs []logs.Record) blockMeta {
	bm := blockMeta{rows: len(recs), minT: recs[0].Time.UnixNano(), maxT: recs[len(recs)-1].Time.UnixNano(), cols: map[string]colMeta{}}
	// Times: the first in full, then deltas (records are sorted).
	tb := e.tb[:0]
	prev := int64(0)
	for i := range recs {
		t := recs[i].Time.UnixNano()
		if i == 0 {
			tb = binary.AppendVarint(tb, t)
		} else {
			tb = binary.AppendUvarint(tb, uint64(t-prev))
		}
		prev = t
	}
	e.tb = tb
	bm.times = e.writeCompressed(w, tb)

	// Columns: records mostly carry the same fields in the same order, so
	// the column of a record's k-th field is guessed from the last record.
	// Column slices are reused: a value not set in this block is "".
	colIdx := e.colIdx
	clear(colIdx)
	cols := e.cols[:0]
	guess := e.guess[:0]
	for i := range recs {
		for k, f := range recs[i].Fields {
			c := -1
			if k < len(guess) && bm.names[guess[k]] == f.Name {
				c = guess[k]
			} else if g, ok := colIdx[f.Name]; ok {
				c = g
			} else {
				c = len(cols)
				colIdx[f.Name] = c
				if c < cap(cols) {
					cols = cols[:c+1]
					if cap(cols[c]) >= len(recs) {
						cols[c] = cols[c][:len(recs)]
						clear(cols[c])
					} else {
						cols[c] = make([]string, len(recs))
					}
				} else {
					cols = append(cols, make([]string, len(recs)))
				}
				bm.names = append(bm.names, f.Name)
			}
			if k < len(guess) {
				guess[k] = c
			} else {
				guess = append(guess, c)
			}
			cols[c][i] = f.Value
		}
	}
	e.cols, e.guess = cols, guess
	order := slices.Clone(bm.names)
	sort.Slice(order, func(i, j int) bool { return fieldLess(order[i], order[j]) })
	bm.names = order
	// The bloom filter holds each field's words (see logql.TokenKey).
	keys := &e.keys
	keys.reset()
	addTokens := func(name, v string) {
		e.toks = logql.Tokens(v, e.toks[:0])
		for _, t := range e.toks {
			e.kb = append(append(append(e.kb[:0], name...), 0), t...)
			keys.add(xxhash.Sum64(e.kb))
		}
	}
	for _, name := range bm.names {
		vals := cols[colIdx[name]]
		enc, dict := e.col.encode(vals)
		bm.cols[name] = e.writeCompressed(w, enc)
		if dict != nil {
			for _, v := range dict {
				addTokens(name, v)
			}
			continue
		}
		prevVal := "" // runs of equal values are hashed once
		for _, v := range vals {
			if v != prevVal {
				addTokens(name, v)
				prevVal = v
			}
		}
	}
	bm.bloom = newBloom(keys.len())
	keys.each(bm.bloom.add)
	return bm
}

// writeCompressed compresses raw into the encoder's buffer and writes it.
func (e *blockEnc) writeCompressed(w *countWriter, raw []byte) colMeta {
	e.zb = zenc.EncodeAll(raw, e.zb[:0])
	off := w.n
	w.Write(e.zb)
	return colMeta{off: off, n: int64(len(e.zb))}
}

// fieldLess puts _msg first, then names in order, so rows read naturally.
func fieldLess(a, b string) bool {
	if a == logql.FieldMsg || b == logql.FieldMsg {
		return a == logql.FieldMsg && b != logql.FieldMsg
	}
	return a < b
}

// decodeColumn decodes a column: a dictionary column as its dictionary
// and one code a row (so that filters can be decided per value), any other
// as one value a row.
func decodeColumn(b []byte, rows int) (logql.Column, error) {
	if len(b) == 0 {
		return logql.Column{}, errCorrupt
	}
	switch b[0] {
	case colDict, colDict16:
		r := &reader{b: b[1:]}
		n := r.uvarint()
		width := 1
		if b[0] == colDict16 {
			width = 2
		}
		if n > 256 && width == 1 || n > 1<<16 || n > uint64(len(r.b)) {
			return logql.Column{}, errCorrupt
		}
		dict := make([]string, n)
		for i := range dict {
			dict[i] = r.str()
		}
		if r.err != nil || len(r.b) != rows*width {
			return logql.Column{}, errCorrupt
		}
		// One loop per width without a branch a row: the largest code is
		// checked against the dictionary once, after the loop.
		codes := make([]uint16, rows)
		var top uint16
		if width == 1 {
			for i, c := range r.b[:rows] {
				codes[i] = uint16(c)
				top = max(top, uint16(c))
			}
		} else {
			for i := range codes {
				c := binary.LittleEndian.Uint16(r.b[2*i:])
				codes[i] = c
				top = max(top, c)
			}
		}
		if rows > 0 && int(top) >= len(dict) {
			return logql.Column{}, errCorrupt
		}
		return logql.Column{Dict: dict, Codes: codes}, nil
	case 0:
		out := make([]string, rows)
		all := string(b[1:]) // one allocation; values are substrings of it
		pos := 0
		for i := range out {
			n, k := binary.Uvarint([]byte(all[pos:min(pos+10, len(all))]))
			if k <= 0 || n > uint64(len(all)-pos-k) { // a huge n must not wrap int past the check
				return logql.Column{}, errCorrupt
			}
			pos += k
			out[i] = all[pos : pos+int(n)]
			pos += int(n)
		}
		return logql.Column{Values: out}, nil
	case colHex, colDecimal, colIPv4:
		return decodeTyped(b[0], b[1:], rows)
	}
	return logql.Column{}, errCorrupt
}

func encodeIndex(walSeq uint64, replaces []uint64, metas []blockMeta) []byte {
	var b []byte
	b = binary.AppendUvarint(b, walSeq)
	b = binary.AppendUvarint(b, uint64(len(replaces)))
	for _, r := range replaces {
		b = binary.AppendUvarint(b, r)
	}
	b = binary.AppendUvarint(b, uint64(len(metas)))
	for _, m := range metas {
		b = binary.AppendUvarint(b, uint64(m.rows))
		b = binary.AppendVarint(b, m.minT)
		b = binary.AppendVarint(b, m.maxT)
		b = binary.AppendUvarint(b, uint64(m.times.off))
		b = binary.AppendUvarint(b, uint64(m.times.n))
		b = appendString(b, string(m.bloom))
		b = binary.AppendUvarint(b, uint64(len(m.names)))
		for _, name := range m.names {
			c := m.cols[name]
			b = appendString(b, name)
			b = binary.AppendUvarint(b, uint64(c.off))
			b = binary.AppendUvarint(b, uint64(c.n))
		}
	}
	return b
}

// openPart reads a part's index; the blocks stay on disk until scanned.
func openPart(path string, id uint64) (*part, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	p, err := readIndex(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("part %s: %w", path, err)
	}
	p.id, p.path, p.f = id, path, f
	p.refs.Store(1)
	return p, nil
}

func readIndex(f *os.File) (*part, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() < int64(len(partMagic))+footerLen {
		return nil, errCorrupt
	}
	var foot [footerLen]byte
	if _, err := f.ReadAt(foot[:], st.Size()-footerLen); err != nil {
		return nil, err
	}
	if string(foot[20:]) != partMagic {
		return nil, errCorrupt
	}
	off, n := int64(binary.LittleEndian.Uint64(foot[0:])), int64(binary.LittleEndian.Uint64(foot[8:]))
	if off < 0 || n < 0 || off+n > st.Size()-footerLen {
		return nil, errCorrupt
	}
	idx := make([]byte, n)
	if _, err := f.ReadAt(idx, off); err != nil && err != io.EOF {
		return nil, err
	}
	if crc32.Checksum(idx, castagnoli) != binary.LittleEndian.Uint32(foot[16:]) {
		return nil, errCorrupt
	}
	r := &reader{b: idx}
	p := &part{size: st.Size(), walSeq: r.uvarint()}
	for i, nr := 0, r.uvarint(); uint64(i) < nr && r.err == nil; i++ {
		p.replaces = append(p.replaces, r.uvarint())
	}
	nb := r.uvarint()
	for i := uint64(0); i < nb && r.err == nil; i++ {
		m := blockMeta{rows: int(r.uvarint()), minT: r.varint(), maxT: r.varint(), cols: map[string]colMeta{}}
		m.times = colMeta{off: int64(r.uvarint()), n: int64(r.uvarint())}
		m.bloom = bloom(r.str())
		nc := r.uvarint()
		for j := uint64(0); j < nc && r.err == nil; j++ {
			name := r.str()
			m.cols[name] = colMeta{off: int64(r.uvarint()), n: int64(r.uvarint())}
			m.names = append(m.names, name)
		}
		if i == 0 || m.minT < p.minT {
			p.minT = m.minT
		}
		if i == 0 || m.maxT > p.maxT {
			p.maxT = m.maxT
		}
		p.rows += int64(m.rows)
		p.blocks = append(p.blocks, m)
	}
	if r.err != nil {
		return nil, r.err
	}
	return p, nil
}

// bufPool keeps the buffers a column is read and decompressed into while
// it is decoded: fresh memory costs more to fault in than to fill.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// readColInto reads one column of a block and decompresses it into dst
// (which may be nil).
func (p *part) readColInto(c colMeta, dst []byte) ([]byte, error) {
	if c.n > maxFrame || c.off < 0 || c.off+c.n > p.size {
		return nil, errCorrupt
	}
	cb := bufPool.Get().(*[]byte)
	defer bufPool.Put(cb)
	buf := slices.Grow((*cb)[:0], int(c.n))[:c.n]
	*cb = buf
	if _, err := p.f.ReadAt(buf, c.off); err != nil {
		return nil, err
	}
	return zdec.DecodeAll(buf, dst)
}

// readColTemp reads a column into a pooled buffer; the caller hands it
// back with bufPool.Put(tmp) once nothing refers to it.
func (p *part) readColTemp(c colMeta) (raw []byte, tmp *[]byte, err error) {
	tmp = bufPool.Get().(*[]byte)
	raw, err = p.readColInto(c, (*tmp)[:0])
	if raw != nil {
		*tmp = raw
	}
	return raw, tmp, err
}

// timesPool keeps the times of blocks that were handed over whole.
var timesPool = sync.Pool{New: func() any { return new([]int64) }}

func (p *part) readTimes(bm *blockMeta) ([]int64, error) {
	raw, tmp, err := p.readColTemp(bm.times)
	defer bufPool.Put(tmp)
	if err != nil {
		return nil, err
	}
	tp := timesPool.Get().(*[]int64)
	out := slices.Grow((*tp)[:0], bm.rows)[:bm.rows]
	if bm.rows == 0 {
		return out, nil
	}
	v, k := binary.Varint(raw)
	if k <= 0 {
		return nil, errCorrupt
	}
	out[0] = v
	raw = raw[k:]
	for i := 1; i < len(out); i++ {
		var d uint64
		if len(raw) > 0 && raw[0] < 0x80 { // most deltas fit one byte
			d = uint64(raw[0])
			raw = raw[1:]
		} else {
			d, k = binary.Uvarint(raw)
			if k <= 0 {
				return nil, errCorrupt
			}
			raw = raw[k:]
		}
		v += int64(d)
		out[i] = v
	}
	return out, nil
}
