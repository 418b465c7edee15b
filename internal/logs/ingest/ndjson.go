// Package ingest turns what log shippers send into logs.Records: JSON lines
// (NDJSON) and plain text lines. Nested JSON is flattened with dots, the
// time and message are found under their usual names, and a line that is
// not JSON becomes the message.
package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/wardenhq/warden/internal/logs"
)

// MaxLine bounds one line; a longer one is an error, not a silent cut.
const MaxLine = 256 << 10

// LineError is a problem with one input line.
type LineError struct {
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// timeKeys and msgKeys are where shippers put the time and the message, in
// order of preference.
var (
	timeKeys = []string{"_time", "time", "timestamp", "ts", "@timestamp", "date"}
	msgKeys  = []string{"_msg", "msg", "message", "log", "@message"}
)

// DecodeNDJSON reads JSON lines (and plain text lines) until EOF. now
// stamps records that carry no time of their own. A line that starts like
// JSON but is not is an error naming the line; nothing is returned then, so
// the caller stores all of a request or none of it.
//
// The request is read whole into a pooled buffer and parsed in place;
// what the records keep (each field's value, and each field name once per
// request) is then copied into shared chunks, so that the request's
// buffer, JSON punctuation and keys included, goes back to the pool
// instead of staying in memory until the next flush.
func DecodeNDJSON(r io.Reader, now time.Time, maxRecords int) ([]logs.Record, error) {
	buf := readPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 64<<20 {
			readPool.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	// A view of the buffer, valid until it goes back to the pool: nothing
	// returned may point into it (lineDecoder.own copies what is kept).
	all := unsafe.String(unsafe.SliceData(buf.Bytes()), buf.Len())
	out := make([]logs.Record, 0, min(strings.Count(all, "\n")+1, max(maxRecords, 0)+1, 1<<20))
	var d lineDecoder
	line := 0
	for len(all) > 0 {
		line++
		l := all
		if i := strings.IndexByte(all, '\n'); i >= 0 {
			l, all = all[:i], all[i+1:]
		} else {
			all = ""
		}
		if len(l) > MaxLine {
			return nil, &LineError{Line: line, Msg: fmt.Sprintf("line is longer than %d bytes", MaxLine)}
		}
		l = strings.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		if maxRecords > 0 && len(out) >= maxRecords {
			return nil, &LineError{Line: line, Msg: fmt.Sprintf("more than %d lines in one request; send smaller batches", maxRecords)}
		}
		rec, err := d.decode(l, now)
		if err != nil {
			return nil, &LineError{Line: line, Msg: err.Error()}
		}
		out = append(out, rec)
	}
	return out, nil
}

// lineDecoder decodes the lines of one request: each line is parsed into
// a reused scratch slice, and its fields then copied, exactly sized, into
// a shared chunk (fieldChunk fields at a time) instead of a slice of its
// own. The records are kept until a flush, so their size is what the
// buffer holds; one allocation per chunk instead of one per line.
type lineDecoder struct {
	scratch []logs.Field
	chunk   []logs.Field
	vals    []byte
	names   [][nameWays]string
}

const fieldChunk = 8192

func (d *lineDecoder) decode(s string, now time.Time) (logs.Record, error) {
	rec, err := d.parse(s, now)
	if err != nil {
		return rec, err
	}
	for i := range rec.Fields {
		f := &rec.Fields[i]
		f.Name = d.name(i, f.Name)
		f.Value = d.own(f.Value)
	}
	return rec, nil
}

// own copies v into the decoder's value chunk: the line it came from is
// a view of a buffer that is reused.
func (d *lineDecoder) own(v string) string {
	if len(v) == 0 {
		return ""
	}
	if len(v) > valueChunk/8 {
		return strings.Clone(v)
	}
	if cap(d.vals)-len(d.vals) < len(v) {
		d.vals = make([]byte, 0, valueChunk)
	}
	start := len(d.vals)
	d.vals = append(d.vals, v...)
	return unsafe.String(&d.vals[start], len(v)) // bytes never written again
}

// name returns an owned copy of a field name, one per name and position
// a request (the lines of a request mostly repeat the same few shapes).
func (d *lineDecoder) name(pos int, n string) string {
	for len(d.names) <= pos {
		d.names = append(d.names, [nameWays]string{})
	}
	ways := &d.names[pos]
	for _, w := range ways {
		if w == n && w != "" {
			return w
		}
	}
	owned := d.own(n)
	copy(ways[1:], ways[:nameWays-1])
	ways[0] = owned
	return owned
}

const (
	valueChunk = 64 << 10
	nameWays   = 4
)

func (d *lineDecoder) parse(s string, now time.Time) (logs.Record, error) {
	if len(s) == 0 || s[0] != '{' {
		return decodeLine(s, now)
	}
	p := &fastParser{b: s}
	fields := d.scratch[:0]
	p.ws()
	err := p.object("", &fields, 0)
	p.ws()
	if err == nil && p.i != len(p.b) {
		err = errSlow
	}
	d.scratch = fields[:0]
	if err != nil {
		return decodeLine(s, now) // the slow path reads it or names the error
	}
	rec, err := finish(fields, now)
	if err != nil {
		return rec, err
	}
	// Room for the env and service fields logs.Service adds.
	n := len(rec.Fields)
	spare := 1
	if index(rec.Fields, logs.FieldService) < 0 {
		spare = 2
	}
	if cap(d.chunk)-len(d.chunk) < n+spare {
		d.chunk = make([]logs.Field, 0, max(fieldChunk, n+spare))
	}
	start := len(d.chunk)
	d.chunk = append(d.chunk, rec.Fields...)
	rec.Fields = d.chunk[start : start+n : start+n+spare]
	d.chunk = d.chunk[:start+n+spare]
	return rec, nil
}

// readPool keeps request buffers: fresh memory of megabytes costs more to
// fault in than to fill.
var readPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// DecodeLine reads one line: a JSON object, or text that becomes _msg.
func DecodeLine(b []byte, now time.Time) (logs.Record, error) {
	return decodeLine(string(b), now)
}

func decodeLine(s string, now time.Time) (logs.Record, error) {
	if len(s) == 0 || s[0] != '{' {
		return logs.Record{Time: now, Fields: []logs.Field{{Name: logs.FieldMsg, Value: s}}}, nil
	}
	fields, err := fastFieldsString(s)
	if err != nil {
		if fields, err = slowFields([]byte(s)); err != nil {
			return logs.Record{}, err
		}
	}
	return finish(fields, now)
}

func jsonMsg(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	return err.Error()
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// FromMap builds a record from a decoded JSON object.
func FromMap(m map[string]any, now time.Time) (logs.Record, error) {
	var fields []logs.Field
	flatten("", m, &fields)
	return finish(fields, now)
}

// finish sorts the fields, keeps the last of repeated names, and takes the
// time and message from where shippers put them.
func finish(fields []logs.Field, now time.Time) (logs.Record, error) {
	byName := func(a, b logs.Field) int { return strings.Compare(a.Name, b.Name) }
	if !slices.IsSortedFunc(fields, byName) { // loggers often write keys in order
		slices.SortStableFunc(fields, byName)
	}
	out := fields[:0]
	for i, f := range fields {
		if i+1 < len(fields) && fields[i+1].Name == f.Name {
			continue
		}
		out = append(out, f)
	}
	rec := logs.Record{Time: now, Fields: out}
	// One pass finds the preferred time and message keys (names are
	// unique now, so the first of timeKeys present is the one of lowest
	// rank).
	ti, tr, mi, mr := -1, len(timeKeys), -1, len(msgKeys)
	for i := range rec.Fields {
		name := rec.Fields[i].Name
		if r := rank(timeKeys, name); r < tr {
			ti, tr = i, r
		} else if r := rank(msgKeys, name); r < mr {
			mi, mr = i, r
		}
	}
	if ti >= 0 {
		t, err := ParseTime(rec.Fields[ti].Value)
		if err != nil {
			return rec, fmt.Errorf("field %q: %v", timeKeys[tr], err)
		}
		rec.Time = t
		rec.Fields = append(rec.Fields[:ti], rec.Fields[ti+1:]...)
		if mi > ti {
			mi--
		}
	}
	if mr > 0 && mi >= 0 { // no _msg, but one of the other message keys
		rec.Fields[mi].Name = logs.FieldMsg
	}
	return rec, nil
}

// rank is the position of name in keys, or len(keys). Names are first
// told apart by length and first byte, which rules out most fields at
// once.
func rank(keys []string, name string) int {
	if len(name) < 2 || len(name) > 10 {
		return len(keys)
	}
	for i, k := range keys {
		if len(k) == len(name) && k[0] == name[0] && k == name {
			return i
		}
	}
	return len(keys)
}

func index(fs []logs.Field, name string) int {
	for i := range fs {
		if fs[i].Name == name {
			return i
		}
	}
	return -1
}

// maxDepth bounds flattening; deeper values are kept as JSON text.
const maxDepth = 16

func flatten(prefix string, m map[string]any, out *[]logs.Field) {
	for k, v := range m {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		flattenValue(name, v, out, strings.Count(name, ".") >= maxDepth)
	}
}

func flattenValue(name string, v any, out *[]logs.Field, deep bool) {
	switch x := v.(type) {
	case nil:
	case string:
		*out = append(*out, logs.Field{Name: name, Value: x})
	case json.Number:
		*out = append(*out, logs.Field{Name: name, Value: x.String()})
	case bool:
		*out = append(*out, logs.Field{Name: name, Value: strconv.FormatBool(x)})
	case map[string]any:
		if deep {
			b, _ := json.Marshal(x)
			*out = append(*out, logs.Field{Name: name, Value: string(b)})
			return
		}
		flatten(name, x, out)
	default:
		b, _ := json.Marshal(x)
		*out = append(*out, logs.Field{Name: name, Value: string(b)})
	}
}

// ParseTime reads RFC 3339 times and Unix times in seconds, milliseconds,
// microseconds or nanoseconds (told apart by magnitude).
func ParseTime(s string) (time.Time, error) {
	if t, ok := parseUTC(s); ok {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, ok := parseUnixDecimal(s); ok {
		return t, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time or a Unix timestamp", s)
	}
	switch {
	case f < 1e11: // seconds (until the year 5138)
		return time.Unix(0, int64(f*1e9)).UTC(), nil
	case f < 1e14:
		return time.Unix(0, int64(f*1e6)).UTC(), nil
	case f < 1e17:
		return time.Unix(0, int64(f*1e3)).UTC(), nil
	case f < 9.2e18:
		return time.Unix(0, int64(f)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is out of range for a Unix timestamp", s)
}

// parseUTC reads the usual shape of log times, 2006-01-02T15:04:05Z with
// an optional fraction of 1 to 9 digits, faster than time.Parse and with
// the same result; anything else is left to time.Parse (ok false).
func parseUTC(s string) (time.Time, bool) {
	if len(s) < 20 || len(s) > 30 || s[len(s)-1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(a, b int) int {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec := num(11, 13), num(14, 16), num(17, 19)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	if day > 28 && day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	nsec := 0
	if len(s) > 20 {
		if s[19] != '.' || len(s) == 21 {
			return time.Time{}, false
		}
		frac := s[20 : len(s)-1]
		n := num(20, len(s)-1)
		if n < 0 {
			return time.Time{}, false
		}
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}
