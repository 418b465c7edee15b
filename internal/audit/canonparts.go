package audit

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// canonicalParts is an event's canonical encoding (see canonical) with the
// fields only the writer knows left out: the actor and target ids (a user's
// id becomes its pseudonym inside the append transaction), prev, seq and
// recorded_at. The request goroutines encode the rest, details above all,
// in parallel; the one writer only joins the parts. build's bytes are
// canonical's bytes exactly (TestCanonicalPartsMatch, FuzzCanonicalParts).
//
// The keys in sorted order, with the gaps the writer fills:
//
//	a: {"action":…,"actor":{"id":         actor id
//	b: ,"type":…},"client_ip":…,"details":…,"id":…,"outcome":…,"prev":"   prev
//	   ","recorded_at":"                  recorded_at
//	c: ","request_id":…,"seq":            seq
//	   ,"target":{"id":                   target id
//	d: ,"type":…},"time":"…","user_agent":…,"v":1}
type canonicalParts struct {
	a, b, c, d []byte
}

// newCanonicalParts encodes what e fixes of its canonical bytes.
func newCanonicalParts(e *Event) (canonicalParts, error) {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// value appends v as canonical's encoder writes it inside the document:
	// the same encoder settings, without the trailing newline.
	value := func(v any) error {
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		buf.Truncate(buf.Len() - 1)
		return nil
	}
	var p canonicalParts
	cut := func() []byte {
		out := bytes.Clone(buf.Bytes())
		buf.Reset()
		return out
	}
	buf.WriteString(`{"action":`)
	if err := value(e.Action); err != nil {
		return p, err
	}
	buf.WriteString(`,"actor":{"id":`)
	p.a = cut()
	buf.WriteString(`,"type":`)
	if err := value(string(e.Actor.Type)); err != nil {
		return p, err
	}
	buf.WriteString(`},"client_ip":`)
	if err := value(e.ClientIP); err != nil {
		return p, err
	}
	buf.WriteString(`,"details":`)
	if err := value(details); err != nil {
		return p, err
	}
	buf.WriteString(`,"id":`)
	if err := value(e.ID); err != nil {
		return p, err
	}
	buf.WriteString(`,"outcome":`)
	if err := value(string(e.Outcome)); err != nil {
		return p, err
	}
	buf.WriteString(`,"prev":"`)
	p.b = cut()
	buf.WriteString(`","request_id":`)
	if err := value(e.RequestID); err != nil {
		return p, err
	}
	buf.WriteString(`,"seq":`)
	p.c = cut()
	buf.WriteString(`,"type":`)
	if err := value(e.Target.Type); err != nil {
		return p, err
	}
	buf.WriteString(`},"time":"`)
	buf.WriteString(e.Time.UTC().Format(TimeFormat))
	buf.WriteString(`","user_agent":`)
	if err := value(e.UserAgent); err != nil {
		return p, err
	}
	buf.WriteString(`,"v":` + strconv.Itoa(canonicalVersion) + `}`)
	p.d = cut()
	return p, nil
}

// build joins the parts with the writer's fields into the canonical bytes.
func (p *canonicalParts) build(actorID, targetID string, seq int64, prev []byte, recordedAt time.Time) []byte {
	b := make([]byte, 0, len(p.a)+len(p.b)+len(p.c)+len(p.d)+len(actorID)+len(targetID)+2*len(prev)+96)
	b = append(b, p.a...)
	b = appendJSONString(b, actorID)
	b = append(b, p.b...)
	b = hex.AppendEncode(b, prev)
	b = append(b, `","recorded_at":"`...)
	b = recordedAt.UTC().AppendFormat(b, TimeFormat)
	b = append(b, p.c...)
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, `,"target":{"id":`...)
	b = appendJSONString(b, targetID)
	b = append(b, p.d...)
	return b
}

// appendJSONString appends s as encoding/json writes it with HTML escaping
// off. Printable ASCII other than " and \ is written as is; anything else
// goes through encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
