package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/klauspost/compress/snappy"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wardenhq/warden/internal/logs"
)

// Loki's protobuf push (what Promtail, Grafana Alloy's loki.write and
// Vector's loki sink send by default): a snappy-compressed (block format) logproto
// PushRequest. The messages and field numbers, from Loki's push.proto:
//
//	PushRequest   { repeated StreamAdapter streams = 1; string format = 2; }
//	StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
//	EntryAdapter  { google.protobuf.Timestamp timestamp = 1; string line = 2;
//	                repeated LabelPairAdapter structuredMetadata = 3;
//	                repeated LabelPairAdapter parsed = 4; }
//	LabelPairAdapter { string name = 1; string value = 2; }
//	Timestamp     { int64 seconds = 1; int32 nanos = 2; }
//
// Loki's Go types live in an AGPL-licensed module, so the wire format is
// read here with the protobuf project's protowire; unknown fields are
// skipped, as any protobuf reader does.

// DecodeLokiProto reads a Loki push request in its protobuf form: body is
// the snappy-compressed PushRequest. maxDecoded bounds the decompressed
// size (a small body may claim a huge one); maxRecords the lines.
func DecodeLokiProto(body []byte, now time.Time, maxRecords int, maxDecoded int64) ([]logs.Record, error) {
	n, err := snappy.DecodedLen(body)
	if err != nil {
		return nil, fmt.Errorf("body is not snappy-compressed (block format) as Loki's protobuf push is: %v", err)
	}
	if maxDecoded > 0 && int64(n) > maxDecoded {
		return nil, fmt.Errorf("body decompresses to %d bytes, more than the %d allowed; send smaller batches", n, maxDecoded)
	}
	raw, err := snappy.Decode(nil, body)
	if err != nil {
		return nil, fmt.Errorf("body is not snappy-compressed (block format) as Loki's protobuf push is: %v", err)
	}
	return decodePushRequest(raw, now, maxRecords)
}

// decodePushRequest reads an uncompressed PushRequest.
func decodePushRequest(b []byte, now time.Time, maxRecords int) ([]logs.Record, error) {
	var out []logs.Record
	si := 0
	err := eachField(b, "PushRequest", func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != 1 {
			return nil // format, or a field of a newer Loki
		}
		where := fmt.Sprintf("streams[%d]", si)
		si++
		if typ != protowire.BytesType {
			return fmt.Errorf("%s: wire type %d, want a message", where, typ)
		}
		var err error
		out, err = decodeStream(v, where, now, maxRecords, out)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func decodeStream(b []byte, where string, now time.Time, maxRecords int, out []logs.Record) ([]logs.Record, error) {
	// Labels may come after the entries on the wire: collect both first.
	var labels string
	var entries [][]byte
	err := eachField(b, where, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch num {
		case 1:
			if typ != protowire.BytesType {
				return fmt.Errorf("%s.labels: wire type %d, want a string", where, typ)
			}
			labels = string(v)
		case 2:
			if typ != protowire.BytesType {
				return fmt.Errorf("%s.entries[%d]: wire type %d, want a message", where, len(entries), typ)
			}
			if maxRecords > 0 && len(out)+len(entries) >= maxRecords {
				return fmt.Errorf("%s.entries[%d]: more than %d lines in one request; send smaller batches", where, len(entries), maxRecords)
			}
			entries = append(entries, v)
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	pairs, err := ParseLokiLabels(labels)
	if err != nil {
		return out, fmt.Errorf("%s.labels: %v", where, err)
	}
	for ei, e := range entries {
		rec, err := decodeEntry(e, fmt.Sprintf("%s.entries[%d]", where, ei), now, pairs)
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
	return out, nil
}

func decodeEntry(b []byte, where string, now time.Time, stream []logs.Field) (logs.Record, error) {
	var (
		ts    = now // an entry without a timestamp is stamped on arrival
		line  string
		meta  []logs.Field
		mi    int
		field = func(name string, typ protowire.Type, want protowire.Type) error {
			if typ != want {
				return fmt.Errorf("%s.%s: wire type %d, want %d", where, name, typ, want)
			}
			return nil
		}
	)
	err := eachField(b, where, func(num protowire.Number, typ protowire.Type, v []byte) error {
		switch num {
		case 1:
			if err := field("timestamp", typ, protowire.BytesType); err != nil {
				return err
			}
			t, err := decodeTimestamp(v, where+".timestamp")
			if err != nil {
				return err
			}
			ts = t
		case 2:
			if err := field("line", typ, protowire.BytesType); err != nil {
				return err
			}
			line = string(v)
		case 3:
			w := fmt.Sprintf("%s.structuredMetadata[%d]", where, mi)
			mi++
			if err := field("structuredMetadata", typ, protowire.BytesType); err != nil {
				return err
			}
			var name, value string
			err := eachField(v, w, func(num protowire.Number, typ protowire.Type, v []byte) error {
				if num != 1 && num != 2 {
					return nil
				}
				if typ != protowire.BytesType {
					return fmt.Errorf("%s: wire type %d, want a string", w, typ)
				}
				if num == 1 {
					name = string(v)
				} else {
					value = string(v)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if name == "" {
				return fmt.Errorf("%s: the name is empty", w)
			}
			meta = append(meta, logs.Field{Name: name, Value: value})
		}
		// 4 (parsed) is for Loki's query answers; clients must not send it.
		return nil
	})
	if err != nil {
		return logs.Record{}, err
	}
	return lokiRecord(line, ts, stream, meta), nil
}

// lokiRecord makes a record of one Loki entry: a line that is a JSON
// object is flattened like an NDJSON line, any other is the message; the
// stream's labels, then the entry's structured metadata, become fields.
func lokiRecord(line string, ts time.Time, stream, meta []logs.Field) logs.Record {
	rec, err := DecodeLine([]byte(line), ts)
	if err != nil || len(line) == 0 {
		rec = logs.Record{Fields: []logs.Field{{Name: logs.FieldMsg, Value: line}}}
	}
	rec.Time = ts
	for _, f := range stream {
		rec.Set(f.Name, f.Value)
	}
	for _, f := range meta {
		rec.Set(f.Name, f.Value)
	}
	return rec
}

// maxLokiTime is the last instant a Timestamp may name (9999-12-31, as
// protobuf's Timestamp rules say); time.Unix is exact well past it.
const maxLokiTime = 253402300799 // time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()

func decodeTimestamp(b []byte, where string) (time.Time, error) {
	// Read as the unsigned varints they are on the wire: a negative int64
	// or int32 is a huge one, out of range below.
	var sec, nanos uint64
	err := eachField(b, where, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != 1 && num != 2 {
			return nil
		}
		if typ != protowire.VarintType {
			return fmt.Errorf("%s: wire type %d, want a varint", where, typ)
		}
		x, n := protowire.ConsumeVarint(v)
		if n < 0 {
			return fmt.Errorf("%s: %v", where, protowire.ParseError(n))
		}
		if num == 1 {
			sec = x
		} else {
			nanos = x
		}
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	if nanos >= 1e9 {
		return time.Time{}, fmt.Errorf("%s: nanos must be in [0, 999999999]", where)
	}
	if sec > maxLokiTime {
		return time.Time{}, fmt.Errorf("%s: seconds must be from 1970 to 9999 (Unix 0 to %d)", where, maxLokiTime)
	}
	return time.Unix(int64(sec), int64(nanos)).UTC(), nil
}

// eachField calls fn with every field of the message in b, in wire order.
// For a bytes field v is its content; for a varint or fixed field v is the
// encoded value (read it with protowire.ConsumeVarint/ConsumeFixed*);
// groups are skipped whole.
func eachField(b []byte, where string, fn func(num protowire.Number, typ protowire.Type, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%s: not a protobuf message: %v", where, protowire.ParseError(n))
		}
		b = b[n:]
		var v []byte
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n >= 0 {
				v = b[:n]
			}
		}
		if n < 0 {
			return fmt.Errorf("%s: field %d: %v", where, num, protowire.ParseError(n))
		}
		b = b[n:]
		if typ == protowire.StartGroupType {
			continue
		}
		if err := fn(num, typ, v); err != nil {
			return err
		}
	}
	return nil
}

// ParseLokiLabels parses a Loki stream's labels, written as a Prometheus
// label set: {app="api", env="prod"}. Values are quoted with " (Go/PromQL
// escapes: \" \\ \n \t \u00e9 ...) or ` (raw); names are Prometheus label
// names; whitespace and a trailing comma are allowed; a name twice is an
// error. (Go's strconv reads ' as one character, so PromQL's '...' strings
// are refused rather than misread.) Errors name the column (1-based byte offset).
func ParseLokiLabels(s string) ([]logs.Field, error) {
	p := labelParser{s: s}
	return p.parse()
}

type labelParser struct {
	s   string
	pos int
}

var errLabels = errors.New("labels")

func (p *labelParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w %q: column %d: %s", errLabels, p.s, p.pos+1, fmt.Sprintf(format, args...))
}

func (p *labelParser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

func (p *labelParser) parse() ([]logs.Field, error) {
	p.space()
	if p.pos >= len(p.s) || p.s[p.pos] != '{' {
		return nil, p.errorf("must start with '{', as in {app=\"api\"}")
	}
	p.pos++
	var out []logs.Field
	for {
		p.space()
		if p.pos < len(p.s) && p.s[p.pos] == '}' {
			p.pos++
			break
		}
		name, err := p.name()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.s) || p.s[p.pos] != '=' {
			return nil, p.errorf("expected '=' after label %s (a stream's labels are equalities)", name)
		}
		p.pos++
		if p.pos < len(p.s) && p.s[p.pos] == '~' {
			return nil, p.errorf("=~ is a query's matcher; a stream's labels are equalities, label=\"value\"")
		}
		p.space()
		value, err := p.value()
		if err != nil {
			return nil, err
		}
		for _, f := range out {
			if f.Name == name {
				return nil, p.errorf("label %s appears twice", name)
			}
		}
		out = append(out, logs.Field{Name: name, Value: value})
		p.space()
		if p.pos < len(p.s) && p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.s) && p.s[p.pos] == '}' {
			p.pos++
			break
		}
		return nil, p.errorf("expected ',' or '}'")
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, p.errorf("unexpected text after '}'")
	}
	return out, nil
}

func (p *labelParser) name() (string, error) {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || p.pos > start && c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		break
	}
	if p.pos == start {
		return "", p.errorf("expected a label name (letters, digits and '_', not starting with a digit)")
	}
	return p.s[start:p.pos], nil
}

// value reads a quoted value: "..." with Go's escapes (which PromQL and
// Loki read too) or `...` raw, with the standard library's strconv.
func (p *labelParser) value() (string, error) {
	if p.pos >= len(p.s) || p.s[p.pos] != '"' && p.s[p.pos] != '`' {
		return "", p.errorf("expected a quoted value (\"...\" or `...`)")
	}
	q, err := strconv.QuotedPrefix(p.s[p.pos:])
	if err != nil {
		return "", p.errorf("the value is not closed, holds a raw newline or has a bad escape (write \\\" \\\\ \\n \\t \\u00e9)")
	}
	v, err := strconv.Unquote(q)
	if err != nil {
		return "", p.errorf("%v", err)
	}
	p.pos += len(q)
	return v, nil
}
