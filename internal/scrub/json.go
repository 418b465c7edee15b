package scrub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// JSON scrubs a JSON document by the rules of Value. When nothing is
// redacted it returns b itself, byte for byte; otherwise the document is
// re-encoded with sorted keys. Numbers round-trip exactly.
func (s *Scrubber) JSON(b []byte) ([]byte, error) {
	out, _, err := s.JSONCount(b)
	return out, err
}

// JSONCount is JSON that also reports the number of redactions.
func (s *Scrubber) JSONCount(b []byte) ([]byte, int, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // float64 would turn card numbers and ids into 4.111e+15
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, 0, fmt.Errorf("scrub: decode JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, 0, errors.New("scrub: decode JSON: data after the top-level value")
	}
	v, n := s.value(keyInfo{}, v)
	if n == 0 {
		return b, 0, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <, > and & readable in stored events
	if err := enc.Encode(v); err != nil {
		return nil, 0, fmt.Errorf("scrub: encode JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), n, nil
}
