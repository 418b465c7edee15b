package envelope

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Envelope is a parsed envelope: its header and items in order.
type Envelope struct {
	Header Header
	Items  []Item
}

// Header is the envelope header's fields that Warden reads.
type Header struct {
	EventID string `json:"event_id"`
	DSN     string `json:"dsn"`
}

// Item is one envelope item. Payload aliases the envelope's bytes.
type Item struct {
	Type    string
	Payload []byte
}

// ParseError names what is wrong with an envelope and where.
type ParseError struct {
	Offset int
	Msg    string
}

func (e *ParseError) Error() string { return fmt.Sprintf("envelope byte %d: %s", e.Offset, e.Msg) }

type itemHeader struct {
	Type   string          `json:"type"`
	Length json.RawMessage `json:"length"`
}

// MaxItems bounds the items of one envelope, so an envelope of a million
// empty items is refused early.
const MaxItems = 1000

// Parse splits an envelope: a JSON header line, then items, each a JSON
// header line and a payload of length bytes (when the header says) or up
// to the next newline. The newline after the last payload is optional, as
// are empty lines between items.
func Parse(b []byte) (*Envelope, error) {
	line, rest, off := cutLine(b, 0)
	var env Envelope
	if len(bytes.TrimSpace(line)) == 0 {
		return nil, &ParseError{0, "the envelope header is missing (want a JSON object on the first line)"}
	}
	if err := json.Unmarshal(line, &env.Header); err != nil {
		return nil, &ParseError{0, "the envelope header is not a JSON object: " + err.Error()}
	}
	for len(rest) > 0 {
		start := off
		line, rest, off = cutLine(rest, off)
		if len(bytes.TrimSpace(line)) == 0 {
			continue // blank line between items or at the end
		}
		if len(env.Items) == MaxItems {
			return nil, &ParseError{start, fmt.Sprintf("more than %d items", MaxItems)}
		}
		var ih itemHeader
		if err := json.Unmarshal(line, &ih); err != nil {
			return nil, &ParseError{start, "item header is not a JSON object: " + err.Error()}
		}
		if ih.Type == "" {
			return nil, &ParseError{start, "item header has no type"}
		}
		var payload []byte
		if len(ih.Length) > 0 && string(ih.Length) != "null" {
			n, err := strconv.Atoi(string(ih.Length))
			if err != nil || n < 0 {
				return nil, &ParseError{start, "item length " + string(ih.Length) + " is not a non-negative integer"}
			}
			if n > len(rest) {
				return nil, &ParseError{off, fmt.Sprintf("item %q says length %d but only %d bytes follow", ih.Type, n, len(rest))}
			}
			payload, rest, off = rest[:n], rest[n:], off+n
			if len(rest) > 0 && rest[0] == '\n' {
				rest, off = rest[1:], off+1
			} else if len(rest) > 1 && rest[0] == '\r' && rest[1] == '\n' {
				rest, off = rest[2:], off+2
			}
		} else {
			payload, rest, off = cutLine(rest, off)
		}
		env.Items = append(env.Items, Item{Type: ih.Type, Payload: payload})
	}
	return &env, nil
}

// cutLine returns b up to the first newline (without it, and without a
// trailing \r), the rest after it, and the offset of the rest.
func cutLine(b []byte, off int) (line, rest []byte, next int) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil, off + len(b)
	}
	line = b[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, b[i+1:], off + i + 1
}
