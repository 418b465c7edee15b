package gateway

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"
)

// readLimited reads a body of at most limit bytes; tooLarge says it had more.
func readLimited(r io.Reader, limit int64) (buf []byte, tooLarge bool, err error) {
	var b bytes.Buffer
	n, err := b.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	if n > limit {
		return nil, true, nil
	}
	return b.Bytes(), false, nil
}

// bufferedBody is a request body already read into memory.
type bufferedBody struct {
	buf []byte
	off int
}

func (b *bufferedBody) Read(p []byte) (int, error) {
	if b.off >= len(b.buf) {
		return 0, io.EOF
	}
	n := copy(p, b.buf[b.off:])
	b.off += n
	return n, nil
}

func (b *bufferedBody) Close() error { return nil }

// countingBody counts the bytes read from the client.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	return n, err
}

// responseRecorder notes the status and counts the bytes written; Unwrap
// lets the proxy hijack the connection for WebSocket upgrades and flush
// streaming responses.
type responseRecorder struct {
	http.ResponseWriter
	code int
	n    int64
}

func (w *responseRecorder) WriteHeader(code int) {
	if w.code == 0 || w.code < 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseRecorder) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

func (w *responseRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *responseRecorder) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// bufferPool reuses the proxy's copy buffers.
type bufferPool struct{}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (bufferPool) Get() []byte  { return *(copyBuffers.Get().(*[]byte)) }
func (bufferPool) Put(b []byte) { copyBuffers.Put(&b) }
