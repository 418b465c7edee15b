package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// MaxBatch is the most events one append may carry.
const MaxBatch = 1000

// DecodeEvents reads one event object or an array of them. Unknown fields
// are refused so that a misspelt field is an error, not silently lost;
// numbers in details keep their exact text, since that text is hashed.
func DecodeEvents(r io.Reader) ([]Event, error) {
	br := &peekReader{r: r}
	first, err := br.firstNonSpace()
	if err != nil {
		return nil, fieldErr("", "body is empty: send an event object or an array of them")
	}
	dec := json.NewDecoder(br)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var events []Event
	if first == '[' {
		if err := dec.Decode(&events); err != nil {
			return nil, decodeErr(err, true)
		}
		if len(events) == 0 {
			return nil, fieldErr("", "the array holds no events")
		}
		if len(events) > MaxBatch {
			return nil, fieldErr("", "%d events in one request; the limit is %d", len(events), MaxBatch)
		}
	} else {
		var e Event
		if err := dec.Decode(&e); err != nil {
			return nil, decodeErr(err, false)
		}
		events = []Event{e}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fieldErr("", "body must hold one JSON value (an event or an array of events)")
	}
	return events, nil
}

func decodeErr(err error, batch bool) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fieldErr("", "body is not valid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" && batch {
			return fieldErr("", "a batch must be an array of event objects")
		}
		return fieldErr(field, "must be %s, not %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fieldErr("", "body ends in the middle of a JSON value")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldErr(field, "unknown field %q", field)
	}
	var timeErr *time.ParseError
	if errors.As(err, &timeErr) || strings.Contains(err.Error(), "parsing time") {
		return fieldErr("time", "must be an RFC 3339 time such as 2026-11-23T12:00:00Z")
	}
	// Anything else came from the reader (a body size limit, a dropped
	// connection): the caller maps it to its own status.
	return err
}

func jsonKind(k string) string {
	switch k {
	case "map", "struct":
		return "an object"
	case "slice":
		return "an array"
	}
	return "a " + k
}

// peekReader lets DecodeEvents look at the first significant byte.
type peekReader struct {
	r    io.Reader
	head []byte
}

func (p *peekReader) firstNonSpace() (byte, error) {
	buf := make([]byte, 512)
	for {
		n, err := p.r.Read(buf)
		p.head = append(p.head, buf[:n]...)
		if t := bytes.TrimLeft(p.head, " \t\r\n"); len(t) > 0 {
			return t[0], nil
		}
		if err != nil {
			return 0, fmt.Errorf("empty body: %w", err)
		}
	}
}

func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	return p.r.Read(b)
}
