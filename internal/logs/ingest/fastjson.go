package ingest

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/logs"
)

// errSlow sends a line to the encoding/json path, which either reads it
// (rare shapes: arrays, odd escapes) or names the syntax error.
var errSlow = errors.New("use the slow path")

// fastFields flattens one JSON object straight into fields, without maps
// or reflection: ingest spends most of its time here. It gives up with
// errSlow on anything unusual, so that both paths agree on every input
// (FuzzDecodeLine checks that).
func fastFields(b []byte) ([]logs.Field, error) {
	// One string for the line; every value that needs no unescaping is a
	// substring of it, so a line costs one allocation, not one per field.
	return fastFieldsString(string(b))
}

// fastFieldsString is fastFields on text already held as a string.
func fastFieldsString(s string) ([]logs.Field, error) {
	p := &fastParser{b: s}
	out := make([]logs.Field, 0, 16)
	p.ws()
	if err := p.object("", &out, 0); err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, errSlow
	}
	return out, nil
}

type fastParser struct {
	b string
	i int
}

func (p *fastParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) object(prefix string, out *[]logs.Field, depth int) error {
	if depth > maxDepth || p.i >= len(p.b) || p.b[p.i] != '{' {
		return errSlow
	}
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return nil
	}
	var seenArr [16]string
	seen := seenArr[:0] // a repeated key: encoding/json's last-wins rules apply
	for {
		p.ws()
		key, err := p.str()
		if err != nil {
			return err
		}
		for _, k := range seen {
			if k == key {
				return errSlow
			}
		}
		if len(seen) > 256 {
			return errSlow
		}
		seen = append(seen, key)
		if prefix != "" {
			key = prefix + "." + key
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return errSlow
		}
		p.i++
		p.ws()
		if err := p.value(key, out, depth); err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.b) {
			return errSlow
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return errSlow
		}
	}
}

func (p *fastParser) value(key string, out *[]logs.Field, depth int) error {
	if p.i >= len(p.b) {
		return errSlow
	}
	switch c := p.b[p.i]; {
	case c == '"':
		s, err := p.str()
		if err != nil {
			return err
		}
		*out = append(*out, logs.Field{Name: key, Value: s})
	case c == '{':
		return p.object(key, out, depth+1)
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if len(p.b)-p.i >= len(lit) && p.b[p.i:p.i+len(lit)] == lit {
				p.i += len(lit)
				if lit != "null" {
					*out = append(*out, logs.Field{Name: key, Value: lit})
				}
				return nil
			}
		}
		return errSlow
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		for p.i < len(p.b) && (p.b[p.i] >= '0' && p.b[p.i] <= '9' || p.b[p.i] == '-' || p.b[p.i] == '+' || p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
			p.i++
		}
		num := p.b[start:p.i]
		if !validNumber(num) {
			return errSlow
		}
		*out = append(*out, logs.Field{Name: key, Value: num})
	default:
		return errSlow // arrays and the rest
	}
	return nil
}

// validNumber checks the JSON number grammar, which is stricter than
// ParseFloat (no leading zeros, no "+", no "1.").
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(s)
}

// str reads a string; escapes other than \uXXXX outside the surrogate
// range are handled here, the rest go to the slow path.
func (p *fastParser) str() (string, error) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", errSlow
	}
	p.i++
	start := p.i
	ascii := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !ascii && !utf8.ValidString(s) {
				return "", errSlow
			}
			return s, nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", errSlow
		case c >= 0x80:
			ascii = false
		}
		p.i++
	}
	return "", errSlow
}

func (p *fastParser) escaped(start int) (string, error) {
	buf := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(buf) {
				return "", errSlow
			}
			return string(buf), nil
		case c < 0x20:
			return "", errSlow
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return "", errSlow
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			if p.i+4 > len(p.b) {
				return "", errSlow
			}
			r, err := strconv.ParseUint(p.b[p.i:p.i+4], 16, 32)
			if err != nil || r >= 0xD800 && r <= 0xDFFF {
				return "", errSlow
			}
			buf = utf8.AppendRune(buf, rune(r))
			p.i += 4
		default:
			return "", errSlow
		}
	}
	return "", errSlow
}

// slowFields is the encoding/json path: it reads everything valid JSON can
// hold and names the problem in what it cannot.
func slowFields(b []byte) ([]logs.Field, error) {
	var m map[string]any
	dec := json.NewDecoder(bytesReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, errors.New("not valid JSON: " + jsonMsg(err))
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on the line")
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	var out []logs.Field
	flatten("", m, &out)
	return out, nil
}
