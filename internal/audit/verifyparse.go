package audit

import (
	"encoding/json"
	"errors"
	"strconv"
)

// parseVerifyDoc reads the fields verify compares straight from canonical
// bytes, without reflection: verify reads every event of the trail, and
// encoding/json spent more time here than SQLite did. Anything not shaped
// like Warden's canonical encoding (unexpected tokens, duplicate keys)
// falls back to encoding/json, or fails, which verify reports as an edit.
func parseVerifyDoc(b []byte) (verifyDoc, error) {
	var d verifyDoc
	p := &jparser{b: b}
	if err := p.object(func(key string) error { return p.field(&d, key) }); err != nil || p.skipWS() != len(b) {
		var slow verifyDoc
		if jerr := json.Unmarshal(b, &slow); jerr != nil {
			return slow, jerr
		}
		if err == errDuplicate {
			return slow, err
		}
		return slow, nil
	}
	return d, nil
}

var (
	errShape     = errors.New("unexpected JSON")
	errDuplicate = errors.New("a key appears twice")
)

type jparser struct {
	b []byte
	i int
}

func (p *jparser) field(d *verifyDoc, key string) error {
	var err error
	switch key {
	case "seq":
		d.Seq, err = p.int()
	case "v":
		_, err = p.int()
	case "prev":
		d.Prev, err = p.str()
	case "recorded_at":
		d.RecordedAt, err = p.str()
	case "id":
		d.ID, err = p.str()
	case "time":
		d.Time, err = p.str()
	case "action":
		d.Action, err = p.str()
	case "outcome":
		d.Outcome, err = p.str()
	case "actor", "target":
		var typ, id string
		err = p.object(func(k string) error {
			var e error
			switch k {
			case "type":
				typ, e = p.str()
			case "id":
				id, e = p.str()
			default:
				e = errShape
			}
			return e
		})
		if key == "actor" {
			d.Actor = Actor{Type: ActorType(typ), ID: id}
		} else {
			d.Target = Target{Type: typ, ID: id}
		}
	default:
		err = p.skip()
	}
	return err
}

func (p *jparser) skipWS() int {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\t' || p.b[p.i] == '\r') {
		p.i++
	}
	return p.i
}

// object reads {"key": value, ...}, calling fn to read each value.
func (p *jparser) object(fn func(key string) error) error {
	if p.skipWS(); p.i >= len(p.b) || p.b[p.i] != '{' {
		return errShape
	}
	p.i++
	seen := map[string]bool{}
	for first := true; ; first = false {
		if p.skipWS(); p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return nil
		}
		if !first {
			if p.i >= len(p.b) || p.b[p.i] != ',' {
				return errShape
			}
			p.i++
		}
		p.skipWS()
		key, err := p.str()
		if err != nil {
			return err
		}
		if seen[key] {
			return errDuplicate
		}
		seen[key] = true
		if p.skipWS(); p.i >= len(p.b) || p.b[p.i] != ':' {
			return errShape
		}
		p.i++
		p.skipWS()
		if err := fn(key); err != nil {
			return err
		}
	}
}

// str reads a string; only strings with escapes go through encoding/json.
func (p *jparser) str() (string, error) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", errShape
	}
	start, escaped := p.i, false
	for p.i++; p.i < len(p.b); p.i++ {
		switch p.b[p.i] {
		case '\\':
			escaped = true
			p.i++
		case '"':
			p.i++
			if !escaped {
				return string(p.b[start+1 : p.i-1]), nil
			}
			var s string
			err := json.Unmarshal(p.b[start:p.i], &s)
			return s, err
		}
	}
	return "", errShape
}

func (p *jparser) int() (int64, error) {
	start := p.i
	for p.i < len(p.b) && (p.b[p.i] == '-' || p.b[p.i] >= '0' && p.b[p.i] <= '9') {
		p.i++
	}
	return strconv.ParseInt(string(p.b[start:p.i]), 10, 64)
}

// skip passes over one value of any kind.
func (p *jparser) skip() error {
	depth := 0
	for p.i < len(p.b) {
		switch c := p.b[p.i]; c {
		case '"':
			if _, err := p.str(); err != nil {
				return err
			}
			if depth == 0 {
				return nil
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return nil
			}
			depth--
			if depth == 0 {
				p.i++
				return nil
			}
		case ',':
			if depth == 0 {
				return nil
			}
		}
		p.i++
	}
	if depth != 0 {
		return errShape
	}
	return nil
}
