// Package envelope reads the Sentry SDKs' wire format: content-encoded
// bodies, envelopes (a header line, then items each with a header and a
// payload), legacy store bodies and the event JSON inside them, and the
// several places an SDK puts its DSN key.
package envelope

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// TooLargeError means the decoded body passed the cap. The decoder stops
// reading at the cap, so a compression bomb costs at most Limit bytes.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("body is larger than %d bytes after decoding", e.Limit)
}

// EncodingError means the body is not what its Content-Encoding says.
type EncodingError struct {
	Encoding string
	Err      error
}

func (e *EncodingError) Error() string {
	return fmt.Sprintf("body is not valid %s: %v", e.Encoding, e.Err)
}

func (e *EncodingError) Unwrap() error { return e.Err }

// Decode reads body, undoing contentEncoding (gzip, deflate as zlib or raw,
// br, zstd, identity, or a comma-separated chain of them), and returns at
// most max decoded bytes. A gzip body sent without Content-Encoding is
// recognised by its magic number.
func Decode(body io.Reader, contentEncoding string, max int64) ([]byte, error) {
	return DecodeSized(body, contentEncoding, max, 0)
}

// DecodeSized is Decode for a body of size bytes as sent (the request's
// Content-Length; 0 or less when unknown): a plain body is read into one
// buffer of that size instead of one grown step by step.
func DecodeSized(body io.Reader, contentEncoding string, max, size int64) ([]byte, error) {
	var codings []string
	for _, c := range strings.Split(contentEncoding, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c != "" && c != "identity" {
			codings = append(codings, c)
		}
	}
	if len(codings) == 0 {
		return readSniffed(body, max, size)
	}
	// Codings are listed in the order applied; undo them last first.
	var data []byte
	r := body
	for i := len(codings) - 1; i >= 0; i-- {
		dr, closeFn, err := decoder(codings[i], r)
		if err != nil {
			return nil, err
		}
		data, err = readCapped(dr, max, 0)
		closeFn()
		if err != nil {
			var tooBig *TooLargeError
			if errors.As(err, &tooBig) || isBodyError(err) {
				return nil, err
			}
			return nil, &EncodingError{Encoding: codings[i], Err: err}
		}
		r = bytes.NewReader(data)
	}
	return data, nil
}

// isBodyError reports errors of the underlying request body (too large for
// the route, client gone) that must not be blamed on the encoding.
func isBodyError(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

func readSniffed(body io.Reader, max, size int64) ([]byte, error) {
	var head [2]byte
	n, err := io.ReadFull(body, head[:])
	r := io.MultiReader(bytes.NewReader(head[:n]), body)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	if n == 2 && head[0] == 0x1f && head[1] == 0x8b {
		return Decode(r, "gzip", max)
	}
	return readCapped(r, max, size)
}

func decoder(coding string, r io.Reader) (io.Reader, func(), error) {
	nop := func() {}
	switch coding {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nop, &EncodingError{Encoding: coding, Err: err}
		}
		return zr, func() { zr.Close() }, nil
	case "deflate":
		return deflateReader(r)
	case "br":
		return brotli.NewReader(r), nop, nil
	case "zstd":
		// The window cap keeps a hostile frame header from reserving
		// gigabytes before a byte is decoded.
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(32<<20), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, nop, &EncodingError{Encoding: coding, Err: err}
		}
		return zr, zr.Close, nil
	}
	return nil, nop, &EncodingError{Encoding: coding, Err: fmt.Errorf("unsupported Content-Encoding %q (use gzip, deflate, br or zstd)", coding)}
}

// deflateReader accepts both readings of "deflate": zlib-wrapped (what the
// RFC says) and raw (what many clients send). A zlib stream starts with a
// CMF/FLG pair whose 16-bit value is a multiple of 31.
func deflateReader(r io.Reader) (io.Reader, func(), error) {
	var head [2]byte
	n, err := io.ReadFull(r, head[:])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, func() {}, err
	}
	all := io.MultiReader(bytes.NewReader(head[:n]), r)
	if n == 2 && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		zr, err := zlib.NewReader(all)
		if err != nil {
			return nil, func() {}, &EncodingError{Encoding: "deflate", Err: err}
		}
		return zr, func() { zr.Close() }, nil
	}
	fr := flate.NewReader(all)
	return fr, func() { fr.Close() }, nil
}

// readCapped reads r to the end, failing with TooLargeError as soon as more
// than max bytes come out.
func readCapped(r io.Reader, max, size int64) ([]byte, error) {
	var buf bytes.Buffer
	if size > 0 {
		// Room for the last read, which finds the end. A claimed size
		// is not trusted beyond 1 MiB before the bytes arrive.
		buf.Grow(int(min(size, max, 1<<20)) + bytes.MinRead)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, &TooLargeError{Limit: max}
	}
	return buf.Bytes(), nil
}
